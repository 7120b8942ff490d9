"""aelib.audit on autoencoders defined here (not in aelib): flagged, reliable, and consistent."""

from __future__ import annotations

import inspect

import pytest
import torch
from torch import nn

from aelib.attacks import InputPGD, LatentGrid, LatentPGD, nn_distances
from aelib.audit import AuditReport, audit, default_min_distance
from aelib.course import config
from aelib.data import banana, gaussian, load_mnist, two_gaussians
from aelib.metrics import reconstruction_error
from aelib.models import ConvAutoencoder
from aelib.train import fit

# audit's default sample for the nearest-neighbour quantile (its signature's default)
NN_SAMPLE_SIZE = inspect.signature(default_min_distance).parameters["sample_size"].default


class ReluMLPAutoencoder(nn.Module):
    """[2, width, latent, width, 2] with ReLU, written here: the audit is tested on foreign code."""

    def __init__(self, latent: int = 1, width: int = 8, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.encoder = nn.Sequential(nn.Linear(2, width), nn.ReLU(), nn.Linear(width, latent))
        self.decoder = nn.Sequential(nn.Linear(latent, width), nn.ReLU(), nn.Linear(width, 2))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


class HandBuiltDiagonal(nn.Module):
    """The ReLU autoencoder of §4.4.1: g(x) = ReLU(x₁ + x₂), h(z) = z (½, ½).

    It reconstructs every point c (1, 1) with c ≥ 0 exactly, however far from the data.
    """

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(2, 1), nn.ReLU())
        self.decoder = nn.Linear(1, 2)
        with torch.no_grad():
            self.encoder[0].weight.copy_(torch.tensor([[1.0, 1.0]]))
            self.encoder[0].bias.zero_()
            self.decoder.weight.copy_(torch.tensor([[0.5], [0.5]]))
            self.decoder.bias.zero_()

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


class Constant(nn.Module):
    """Reconstructs every input as the same point c: the score is the distance to c."""

    def __init__(self, c: torch.Tensor) -> None:
        super().__init__()
        self.c = nn.Parameter(c.clone())

    def forward(self, x):
        return self.c.expand_as(x)


class NoLatent(nn.Module):
    """Hides a model's encode/decode, so the audit must search the input space."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)


def assert_genuine(report: AuditReport, model: nn.Module, X: torch.Tensor) -> None:
    """Every reported anomaly satisfies the definition, recomputed independently."""
    a = report.adversarial_anomalies
    assert a.shape[1:] == X.shape[1:] and len(a) == len(report.errors) == len(report.distances)
    min_normal = float(reconstruction_error(model, X, reduction=report.reduction).min())
    assert report.min_normal_error == pytest.approx(min_normal)
    assert report.reliable == (len(a) == 0)
    if len(a) == 0:
        return
    errors = reconstruction_error(model, a, reduction=report.reduction)
    assert torch.all(errors <= min_normal)
    dist = torch.cdist(a.flatten(1).double(), X.flatten(1).double()).min(1).values
    assert torch.all(dist > report.min_distance)
    torch.testing.assert_close(report.distances.double(), dist, rtol=1e-5, atol=1e-6)


def test_hand_built_relu_autoencoder_is_flagged_out_of_bounds():
    alpha = torch.linspace(0.1, 1.0, 50)
    X = torch.stack([alpha, alpha], 1)  # the diagonal data set of §4.4.1
    model = HandBuiltDiagonal()
    report = audit(model, X, steps=50)
    assert report.method == "latent scan"  # encode/decode with a 1-D latent
    assert not report.reliable
    assert_genuine(report, model, X)
    a = report.adversarial_anomalies
    # beyond the data along the diagonal: c (1, 1) with c > 1, reconstructed exactly
    assert torch.allclose(a[:, 0], a[:, 1])
    assert float(a[:, 0].max()) > 1.0 + report.min_distance
    assert float(report.errors.max()) == 0.0


def test_trained_relu_mlp_autoencoder_is_flagged():
    X = banana(100, seed=0)
    model = ReluMLPAutoencoder(latent=1, seed=0)
    fit(model, X, epochs=300, lr=1e-2, progress=False)
    report = audit(model, X, steps=100, restarts=8)
    assert report.method == "latent scan" and not report.reliable
    assert_genuine(report, model, X)


@pytest.mark.parametrize("seed", [0, 1])
def test_latent_grid_audit_agrees_with_brute_force(seed):
    """With a 2-D latent the audit uses the grid; its verdict matches an independent scan."""
    X = banana(100, seed=0)
    model = ReluMLPAutoencoder(latent=2, seed=seed)
    fit(model, X, epochs=300, lr=1e-2, progress=False)
    R = 50
    report = audit(model, X, resolution=R, reach=False)  # the grid alone
    assert report.method == "latent grid"
    assert_genuine(report, model, X)
    # independent scan of the same grid (default bounds: latent box enlarged by GRID_MARGIN)
    with torch.no_grad():
        lat = model.encode(X)
        lo, hi = lat.min(0).values, lat.max(0).values
        lo, hi = lo - config.GRID_MARGIN * (hi - lo), hi + config.GRID_MARGIN * (hi - lo)
        gx, gy = (torch.linspace(float(lo[k]), float(hi[k]), R) for k in range(2))
        z = torch.cartesian_prod(gx, gy)
        a = model.decode(z)
    err = reconstruction_error(model, a)
    dist = torch.cdist(a.double(), X.double()).min(1).values
    n_adversarial = int(((err <= report.min_normal_error) & (dist > report.min_distance)).sum())
    assert report.reliable == (n_adversarial == 0)
    assert len(report.errors) == min(n_adversarial, config.AUDIT_TOP_K)


def test_input_pgd_audit_without_encode_decode():
    X = two_gaussians(100, seed=0)
    model = Constant(X.mean(0))  # c lies between the clusters, far from every normal point
    report = audit(model, X)
    assert report.method == "input PGD" and not report.reliable
    assert_genuine(report, model, X)
    # the anomalies sit near c, which the detector scores as the most normal point there is
    gap = report.adversarial_anomalies[0] - model.c.detach()
    assert float(gap.norm()) < report.min_distance


def test_constant_model_on_one_cluster_is_reliable():
    X = gaussian(100, seed=0)
    model = Constant(X.mean(0))  # the only low-error points are next to the data's centre
    report = audit(model, X)
    assert report.method == "input PGD" and report.reliable
    assert report.adversarial_anomalies.shape == (0, 2) and len(report.errors) == 0
    assert len(report.search) == config.PGD_RESTARTS


def test_identity_is_unreliable_and_distance_filter_applies():
    X = gaussian(100, seed=0)
    report = audit(nn.Identity(), X, steps=20)
    assert not report.reliable and report.min_normal_error == 0.0
    assert_genuine(report, nn.Identity(), X)
    # nothing in the search box is 100 away from the data: no candidate may be reported
    far = audit(nn.Identity(), X, min_distance=100.0, steps=20)
    assert far.reliable and far.min_distance == 100.0


def test_wrapping_hides_the_latent_and_switches_method():
    X = banana(50, seed=1)
    model = ReluMLPAutoencoder(latent=1, seed=0)
    assert audit(NoLatent(model), X, steps=20, restarts=4).method == "input PGD"
    assert audit(model, X, steps=20, restarts=4, method="input PGD").method == "input PGD"
    with pytest.raises(TypeError, match="encode"):
        audit(NoLatent(model), X, method="latent PGD")


@pytest.mark.parametrize(
    ("latent", "wrap", "method"),
    [(2, False, "latent grid"), (3, False, "latent PGD"), (2, True, "input PGD")],
)
def test_images_take_every_path(latent, wrap, method):
    """MNIST-shaped inputs through all three searches (a tiny untrained aelib ConvAutoencoder)."""
    X, _ = load_mnist([4, 7], source="bundled", verbose=False)
    X = X[::20]  # 40 images
    model = ConvAutoencoder(latent_dim=latent, channels=(2, 4), seed=0)
    target = NoLatent(model) if wrap else model
    report = audit(target, X, resolution=12, steps=10, restarts=4)
    assert report.method == method
    assert report.search.x.shape[1:] == (1, 28, 28)
    assert_genuine(report, target, X)
    if wrap:  # clamp="auto": images stay images
        assert float(report.search.x.min()) >= 0.0 and float(report.search.x.max()) <= 1.0


def test_default_min_distance_is_the_nn_quantile():
    X = gaussian(80, seed=3)
    expected = float(torch.quantile(nn_distances(X).double(), config.AUDIT_NN_QUANTILE))
    assert default_min_distance(X) == pytest.approx(expected)
    report = audit(Constant(X.mean(0)), X, steps=5, restarts=2)
    assert report.min_distance == pytest.approx(expected)
    with pytest.raises(ValueError, match="quantile"):
        default_min_distance(X, quantile=1.5)


def test_default_min_distance_extremes_are_exact_and_samples_are_seeded():
    X = gaussian(300, seed=4)
    d = torch.cdist(X.double(), X.double()).fill_diagonal_(float("inf")).min(1).values
    assert default_min_distance(X, 0.0) == pytest.approx(float(d.min()))
    assert default_min_distance(X, 1.0) == pytest.approx(float(d.max()))
    a = default_min_distance(X, sample_size=100, seed=1)
    assert a == default_min_distance(X, sample_size=100, seed=1)
    assert a != default_min_distance(X, sample_size=100, seed=2)


def test_report_states_how_far_was_chosen():
    X = gaussian(NN_SAMPLE_SIZE + 500, seed=1)  # more rows than the default sample
    report = audit(Constant(X.mean(0)), X, steps=5, restarts=2)
    est = report.min_distance_estimate
    assert est.sample_size == NN_SAMPLE_SIZE and est.n == len(X) and not est.exact
    assert report.min_distance == est.value and est.low <= est.value <= est.high
    d = torch.cdist(X.double(), X.double()).fill_diagonal_(float("inf")).min(1).values
    assert est.low <= float(torch.quantile(d, config.AUDIT_NN_QUANTILE)) <= est.high
    for page in (repr(report), report._repr_html_()):
        assert f"sample of {NN_SAMPLE_SIZE} of the {len(X)} samples" in page
        assert f"confidence interval [{est.low:.3g}, {est.high:.3g}]" in page
    given = audit(Constant(X.mean(0)), X[:50], min_distance=1.0, steps=5, restarts=2)
    assert given.min_distance_estimate is None and "given by the caller" in repr(given)


def test_report_text_and_html():
    X = two_gaussians(50, seed=0)
    bad = audit(Constant(X.mean(0)), X, reduction="sum", steps=50)
    text = repr(bad)
    assert text.startswith("AuditReport: UNRELIABLE") and "input PGD" in text
    assert "sum of squared errors" in text and f"{bad.min_distance:.3g}" in text
    assert "UNRELIABLE" in bad.verdict
    page = bad._repr_html_()
    assert page.startswith("<div>") and "<table>" in page and "UNRELIABLE" in page
    good = audit(Constant(gaussian(100, seed=0).mean(0)), gaussian(100, seed=0), steps=50)
    assert "reliable" in repr(good) and "evidence, not proof" in good.verdict
    assert "<table>" not in good._repr_html_()


def test_invalid_arguments():
    X = gaussian(20, seed=0)
    model = Constant(X.mean(0))
    with pytest.raises(TypeError, match="model"):
        audit("model", X)
    with pytest.raises(TypeError, match="X_normal"):
        audit(model, X.tolist())
    with pytest.raises(ValueError, match="method"):
        audit(model, X, method="grid")
    with pytest.raises(ValueError, match="reduction"):
        audit(model, X, reduction="max")
    with pytest.raises(ValueError, match="min_distance"):
        audit(model, X, min_distance=-1.0)
    with pytest.raises(ValueError, match="at least 2"):
        audit(model, X[:1])
    with pytest.raises(ValueError, match="clamp"):
        audit(model, X, clamp="images")


# --- every search setting is reachable through search= ------------------------------------------


def test_search_settings_reach_the_search():
    X = gaussian(50, seed=2)
    model = ReluMLPAutoencoder(latent=3, seed=1)
    runs = {}
    for step in (0.01, 0.5):
        pgd = LatentPGD(steps=10, restarts=3, step_size=step, screen=2)
        report = audit(model, X, min_distance=0.5, reduction="sum", search=pgd, seed=1)
        assert report.settings is pgd and report.method == "latent PGD"
        direct = pgd(model, X, min_distance=0.5, reduction="sum", seed=1)
        assert torch.equal(report.search.x, direct.x)
        assert torch.equal(report.search.errors, direct.errors)
        runs[step] = report.search
    assert not torch.equal(runs[0.01].z, runs[0.5].z)  # the step size changed the search
    # method may name the same search; input PGD on a model that has encode/decode
    report = audit(model, X, min_distance=0.5, search=InputPGD(5, 2, clamp=None), method="auto")
    assert report.method == "input PGD" and report.search.z is None
    assert audit(model, X, min_distance=0.5, search=LatentPGD(5, 2), method="latent PGD")


def test_search_none_keeps_the_automatic_choice():
    X = gaussian(40, seed=3)
    grid = audit(ReluMLPAutoencoder(latent=2), X, min_distance=0.5, resolution=8, top_k=4)
    assert grid.settings == LatentGrid(8, top_k=4, local_minima=False)
    pgd = audit(ReluMLPAutoencoder(latent=3), X, min_distance=0.5, steps=4, restarts=2)
    assert pgd.settings == LatentPGD(4, 2)
    inp = audit(NoLatent(ReluMLPAutoencoder()), X, min_distance=0.5, steps=4, restarts=2)
    assert inp.settings == InputPGD(4, 2, clamp=None)  # gaussian data is not in [0, 1]


def test_bad_search_arguments_say_what_was_expected():
    X = gaussian(20, seed=0)
    model = ReluMLPAutoencoder(latent=3)
    with pytest.raises(
        TypeError, match="search: expected a LatentScan, LatentGrid, LatentPGD or InputPGD"
    ):
        audit(model, X, search="latent PGD")
    with pytest.raises(TypeError, match="search: expected .* got dict"):
        audit(model, X, search={"steps": 5})
    with pytest.raises(ValueError, match="method: 'latent grid' conflicts with search=LatentPGD"):
        audit(model, X, search=LatentPGD(), method="latent grid")
    with pytest.raises(ValueError, match="steps, restarts: set them in search=LatentPGD"):
        audit(model, X, search=LatentPGD(), steps=5, restarts=2)
    with pytest.raises(ValueError, match="clamp: set it in search=InputPGD"):
        audit(model, X, search=InputPGD(), clamp=None)
    with pytest.raises(TypeError, match="encode/decode"):
        audit(NoLatent(model), X, search=LatentPGD())
