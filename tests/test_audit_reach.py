"""How far the failure reaches: the 1-D latent scan, the reach step, the miss rate by distance,
and models the audit must refuse or be told about (tuple outputs, wrong shapes, sampling)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from aelib.attacks import LatentPGD, LatentScan, latent_scan_search
from aelib.attacks._common import nearest_distance
from aelib.audit import MissRate, audit, default_min_distance, miss_rate_by_distance
from aelib.data import gaussian
from aelib.models import MLPAutoencoder
from aelib.train import fit

VALLEY = 1.7  # latent position of the narrow valley below
WIDTH = 0.01


class NarrowValley(nn.Module):
    """1-D latent: decodings (z, 0) reconstruct badly except in a 0.01-wide valley at z = 1.7.

    Normal data (t, 0) with t in [0, 1] has error 0.01; h(z) has error 1 outside [0, 1.2] except
    within ±0.005 of ``VALLEY``, where it is 0: a worst-case failure about 0.7 from the data.
    """

    def __init__(self) -> None:
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))  # gives the model a dtype

    def encode(self, x):
        return x[:, :1]

    def decode(self, z):
        return torch.cat([z, torch.zeros_like(z)], dim=1)

    def forward(self, x):
        t = x[:, 0]
        err = torch.where((t >= 0) & (t <= 1.2), 0.1, 1.0)
        err = torch.where((t - VALLEY).abs() < WIDTH / 2, 0.0, err)
        return torch.stack([t, x[:, 1] + err], dim=1) + 0 * self.dummy


def line_data(n: int = 50) -> torch.Tensor:
    t = torch.linspace(0, 1, n)
    return torch.stack([t, torch.zeros(n)], dim=1)


def test_scan_finds_a_valley_narrower_than_a_percent_of_its_range():
    X = line_data()
    result = latent_scan_search(NarrowValley(), X, min_distance=0.5)
    mask = result.adversarial()
    assert bool(mask.any())
    z = result.z[mask][:, 0]
    assert torch.all((z - VALLEY).abs() < WIDTH / 2)
    assert float(result.errors[mask].max()) == 0.0
    # the error curve covers the default interval (latent range [0, 1] enlarged by its length)
    assert float(result.grid_z[0]) == pytest.approx(-1.0)
    assert float(result.grid_z[-1]) == pytest.approx(2.0)
    assert result.error_curve.shape == (LatentScan().resolution,)


def test_audit_picks_the_scan_for_a_1d_latent_and_reports_the_valley():
    X = line_data()
    report = audit(NarrowValley(), X, min_distance=0.5, miss_rate=False)
    assert report.method == "latent scan" and not report.reliable
    x = report.adversarial_anomalies
    assert torch.all((x[:, 0] - VALLEY).abs() < WIDTH / 2)
    assert report.max_distance == pytest.approx(VALLEY - 1.0, abs=WIDTH)
    assert not report.at_search_edge


def test_scan_settings_are_validated():
    with pytest.raises(ValueError, match="resolution: expected at least 3"):
        LatentScan(2)
    with pytest.raises(TypeError, match="bounds"):
        LatentScan(bounds="wide")
    with pytest.raises(ValueError, match="refine"):
        LatentScan(refine=-1)
    with pytest.raises(ValueError, match="1-D latent space"):
        latent_scan_search(MLPAutoencoder([2, 4, 2, 4, 2]), gaussian(20, seed=0))


@pytest.mark.slow
def test_max_distance_matches_a_dense_latent_scan_of_a_trained_relu_autoencoder():
    """[2, 5, 1, 5, 2] ReLU AE (issue's acceptance): the audit's reach vs a dense scan of
    400,001 latents over 201 times the latents' range, done here independently."""
    X = gaussian(100, seed=0)
    model = MLPAutoencoder([2, 5, 1, 5, 2], activation="relu", seed=0)
    fit(model, X, epochs=1500, lr=0.01, progress=False)
    with torch.no_grad():
        lat = model.encode(X)
        lo, hi = float(lat.min()), float(lat.max())
        span = hi - lo
        z = torch.linspace(lo - 100 * span, hi + 100 * span, 400_001)[:, None]
        a = model.decode(z)
        err = ((model(a) - a) ** 2).mean(1)
        passing = err <= ((model(X) - X) ** 2).mean(1).min()
        dense_max = float(nearest_distance(a[passing], X).max())
    min_distance = default_min_distance(X)
    assert dense_max > 2 * min_distance  # a far failure exists for this seed
    plain = audit(model, X, reach=False, miss_rate=False)
    report = audit(model, X, miss_rate=False)
    assert not report.reliable
    assert report.max_distance >= 0.9 * dense_max
    assert report.max_distance <= dense_max * (1 + 1e-3)
    assert plain.max_distance < report.max_distance  # the reach step is what gets there
    # every reported point is verified
    errors = ((model(report.adversarial_anomalies) - report.adversarial_anomalies) ** 2).mean(1)
    assert torch.all(errors <= report.min_normal_error)
    assert torch.all(nearest_distance(report.adversarial_anomalies, X) > report.min_distance)


class Diagonal(nn.Module):
    """Exact on the diagonal, everywhere: a failure that reaches without bound."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, 2) / 2)

    def encode(self, x):
        return x @ self.w.T

    def decode(self, z):
        return z.expand(-1, 2).clone()

    def forward(self, x):
        return self.decode(self.encode(x))


def test_unbounded_failure_is_reported_at_the_search_edge():
    alpha = torch.linspace(0.1, 1.0, 50)
    X = torch.stack([alpha, alpha], 1)
    report = audit(Diagonal(), X, miss_rate=False)
    assert report.method == "latent scan" and not report.reliable
    assert report.at_search_edge
    assert report.max_distance > 20  # widened 6 times: 2⁶ × the first interval
    assert "may reach farther" in repr(report)


def test_pgd_reach_rounds_go_farther_and_stay_verified():
    alpha = torch.linspace(0.1, 1.0, 50)
    X = torch.stack([alpha, alpha], 1)
    search = LatentPGD(steps=30, restarts=8)
    plain = audit(Diagonal(), X, search=search, reach=False, miss_rate=False)
    report = audit(Diagonal(), X, search=search, miss_rate=False)
    assert report.max_distance > plain.max_distance
    a = report.adversarial_anomalies
    assert torch.allclose(a[:, 0], a[:, 1])  # still on the diagonal: error 0


def test_miss_rate_of_perfect_and_constant_models():
    X = gaussian(200, seed=0)
    everything = miss_rate_by_distance(nn.Identity(), X)
    assert isinstance(everything, MissRate)
    seen = ~torch.isnan(everything.pass_fraction)
    assert seen.sum() >= 5
    assert torch.all(everything.pass_fraction[seen] == 1.0)

    class Constant(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.register_buffer("c", c)

        def forward(self, x):
            return self.c.expand_as(x)

    nothing = miss_rate_by_distance(Constant(X.mean(0)), X, threshold=1.0)
    far = nothing.scales >= 1
    assert torch.all(nothing.pass_fraction[far & ~torch.isnan(nothing.pass_fraction)] == 0.0)
    assert int(everything.probes.sum()) <= 128 * 17
    assert torch.allclose(everything.radii, everything.scales * everything.data_radius)
    assert "data radii" in everything.summary()


def test_miss_rate_counts_are_what_a_direct_probe_gives():
    """Independent recomputation for a simple criterion: identity model, threshold 0 → all pass
    (errors are exactly 0), so each bin's count alone is checked against its definition."""
    X = gaussian(50, seed=1)
    m = miss_rate_by_distance(nn.Identity(), X, threshold=0.0, rays=16, seed=3)
    assert m.rays == 16
    assert torch.all(m.probes >= 0)
    ok = ~torch.isnan(m.pass_fraction)
    assert torch.all(m.probes[ok] >= 10) and torch.all(m.probes[~ok] < 10)


def test_audit_report_carries_the_miss_rate_line():
    X = gaussian(100, seed=0)
    report = audit(nn.Identity(), X, steps=5, restarts=2)
    assert report.miss_rate is not None
    assert "miss rate:" in repr(report) and "miss rate:" in report._repr_html_()
    assert audit(nn.Identity(), X, steps=5, restarts=2, miss_rate=False).miss_rate is None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"rays": 0}, ValueError, "rays"),
        ({"threshold": "low"}, TypeError, "threshold"),
        ({"clamp": (1, 0)}, ValueError, "clamp"),
        ({"clamp": "unit"}, ValueError, "clamp"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_miss_rate_bad_input_is_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        miss_rate_by_distance(nn.Identity(), gaussian(20, seed=0), **kwargs)


def test_reach_and_miss_rate_flags_must_be_bools():
    with pytest.raises(TypeError, match="reach: expected True or False"):
        audit(nn.Identity(), gaussian(20, seed=0), reach="yes")
    with pytest.raises(TypeError, match="miss_rate: expected True or False"):
        audit(nn.Identity(), gaussian(20, seed=0), miss_rate=1)


class TupleVAE(nn.Module):
    """The common VAE pattern: forward returns (reconstruction, mu, logvar)."""

    def __init__(self, sample: bool = False, as_dict: bool = False) -> None:
        super().__init__()
        self.enc = nn.Linear(2, 2)
        self.dec = nn.Linear(1, 2)
        self.sample, self.as_dict = sample, as_dict
        torch.manual_seed(0)

    def forward(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp() if self.sample else mu
        out = (self.dec(z), mu, logvar)
        return dict(zip(("recon", "mu", "logvar"), out, strict=True)) if self.as_dict else out


def test_tuple_output_needs_output_and_works_with_it():
    X = gaussian(50, seed=0)
    with pytest.raises(TypeError, match=r"output=0"):
        audit(TupleVAE(), X)
    report = audit(TupleVAE(), X, output=0, steps=10, restarts=2, miss_rate=False)
    assert report.method == "input PGD"
    d = audit(TupleVAE(as_dict=True), X, output="recon", steps=10, restarts=2, miss_rate=False)
    assert d.method == "input PGD"


@pytest.mark.parametrize(
    "model, output, error, match",
    [
        (TupleVAE(), 5, ValueError, "index or key does not exist"),
        (TupleVAE(as_dict=True), "x_hat", ValueError, "index or key does not exist"),
        (TupleVAE(), 1.5, TypeError, "output: expected None, an int"),
        (TupleVAE(sample=True), 0, ValueError, "changes between two identical calls"),
        (nn.Linear(3, 3), None, ValueError, "input size match the data"),
        (nn.Linear(2, 3), None, ValueError, "reconstruction of the input's shape"),
    ],
)
def test_models_that_cannot_be_audited_as_given_get_a_clear_error(model, output, error, match):
    with pytest.raises(error, match=match):
        audit(model, gaussian(20, seed=0), output=output)


def test_miss_rate_uses_a_nan_free_summary_when_bins_are_empty():
    m = miss_rate_by_distance(nn.Identity(), gaussian(20, seed=0), rays=1)
    assert all(math.isnan(float(f)) for f in m.pass_fraction)
    assert m.summary().endswith("too few probes")


def test_audit_with_reach_and_miss_rate_is_deterministic_for_a_seed():
    X = gaussian(80, seed=0)
    model = MLPAutoencoder([2, 6, 3, 6, 2], activation="relu", seed=1)
    a, b = (audit(model, X, steps=20, restarts=4, seed=3) for _ in range(2))
    assert torch.equal(a.adversarial_anomalies, b.adversarial_anomalies)
    assert a.max_distance == b.max_distance
    assert torch.equal(
        a.miss_rate.pass_fraction.nan_to_num(-1), b.miss_rate.pass_fraction.nan_to_num(-1)
    )
