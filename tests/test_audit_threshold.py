"""aelib.audit's criterion (worst case or a deployed threshold) and how far its findings reach."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from aelib.audit import audit
from aelib.data import gaussian


class Constant(nn.Module):
    """Reconstructs every input as c: the mean error is ‖x − c‖² / d, low only near c."""

    def __init__(self, c: torch.Tensor) -> None:
        super().__init__()
        self.c = nn.Parameter(c.clone())

    def forward(self, x):
        return self.c.expand_as(x)


def mean_error(x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    return ((x - c) ** 2).mean(1)


def nearest(a: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    return torch.cdist(a.double(), X.double()).min(1).values


X = gaussian(100, seed=0)
C = X.mean(0)


def test_deployed_threshold_finds_what_the_worst_case_does_not():
    model = Constant(C)
    worst = audit(model, X, min_distance=0.5, steps=40, restarts=8)
    assert worst.reliable and worst.threshold is None  # nothing off the data beats the centre
    t = 4.0  # passes as normal: ‖x − c‖ ≤ √(2t) ≈ 2.83, which reaches beyond the data's edge
    deployed = audit(model, X, threshold=t, min_distance=0.5, steps=40, restarts=8)
    assert not deployed.reliable and deployed.threshold == t and deployed.bound == t
    a = deployed.adversarial_anomalies
    assert torch.all(mean_error(a, C) <= t) and torch.all(deployed.errors <= t)
    assert torch.all(nearest(a, X) > 0.5)
    # the one criterion: the report's mask is the search result's, with the threshold
    assert torch.equal(deployed.search.adversarial(t).sum(), torch.tensor(len(a)))
    # a threshold at the lowest normal error is the worst case
    same = audit(model, X, threshold=worst.min_normal_error, min_distance=0.5, steps=40, restarts=8)
    assert same.reliable and torch.equal(same.search.x, worst.search.x)


def test_tiny_threshold_passes_nothing_far():
    report = audit(nn.Identity(), X, steps=10, restarts=2)
    assert not report.reliable  # the identity reconstructs everything: error 0 everywhere
    assert audit(nn.Identity(), X, threshold=0.0, steps=10, restarts=2).reliable is False
    none = audit(Constant(C), X, threshold=1e-6, min_distance=0.5, steps=10, restarts=2)
    assert none.reliable and none.max_distance == 0.0


def test_max_distance_and_its_units():
    report = audit(nn.Identity(), X, min_distance=0.3, steps=10, restarts=4)
    assert not report.reliable
    assert report.max_distance == pytest.approx(float(report.distances.max()))
    assert report.max_distance == pytest.approx(
        float(nearest(report.adversarial_anomalies, X).max())
    )
    radius = float((X.double() - X.double().mean(0)).norm(dim=1).max())
    assert report.data_radius == pytest.approx(radius)
    for page in (repr(report), report._repr_html_()):
        assert "max distance" in page
        assert f"{report.max_distance / radius:.3g} × data radius {radius:.3g}" in page
        assert f"{report.max_distance / 0.3:.3g} × min distance 0.3" in page
    none = audit(Constant(C), X, min_distance=0.5, steps=10, restarts=2)
    assert none.max_distance == 0.0 and "0 (none found)" in repr(none)


def test_report_states_the_criterion():
    model = Constant(C)
    worst = audit(model, X, min_distance=0.5, steps=5, restarts=2)
    deployed = audit(model, X, threshold=0.5, min_distance=0.5, steps=5, restarts=2)
    want = f"worst case: error ≤ min normal error {worst.min_normal_error:.3g}"
    assert worst.criterion == want and deployed.criterion == "deployed threshold: error ≤ 0.5"
    for report in (worst, deployed):
        assert report.criterion in repr(report)
        assert report.criterion in report._repr_html_()


@pytest.mark.parametrize(
    ("threshold", "error"),
    [(True, TypeError), ("0.5", TypeError), (math.nan, ValueError), (-1.0, ValueError)],
)
def test_bad_threshold_is_named(threshold, error):
    with pytest.raises(error, match="threshold"):
        audit(Constant(C), X, threshold=threshold, steps=2, restarts=1)
