"""Plots and slider widgets of notebooks 01–03 (aelib.course.plots.linear, aelib.course.widgets.linear)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.patches import Circle, Polygon

from aelib.course import config
from aelib.course.exercises import plane_data
from aelib.course.plots import (
    angle_curves,
    hull_argument,
    plane_3d,
    principal_line,
    score_grid,
    score_histograms,
    score_map,
)
from aelib.course.widgets import hyperplane_explorer, score_explorer, training_explorer
from aelib.data import gaussian
from aelib.linalg import pca


@pytest.fixture(scope="module")
def toy():
    X = gaussian(config.TOY_N, seed=0).double()
    return X, pca(X, 1)


@pytest.fixture(scope="module")
def plane():
    X = plane_data()
    return X, pca(X, 2)


# --- plots ---------------------------------------------------------------------------------------


def test_score_grid_matches_pointwise_error(toy):
    _, p = toy
    xx, yy, s = score_grid(p, (-2.0, 2.0), 5)
    assert xx.shape == yy.shape == s.shape == (5, 5)
    point = torch.stack([xx[1, 3], yy[1, 3]])
    assert torch.isclose(s[1, 3], p.reconstruction_error(point))


@pytest.mark.parametrize(
    ("kwargs", "err"),
    [({"resolution": 1}, ValueError), ({"bounds": (1.0, -1.0)}, ValueError)],
)
def test_score_grid_rejects_bad_grid(toy, kwargs, err):
    with pytest.raises(err):
        score_grid(toy[1], **kwargs)


def test_score_grid_rejects_non_pca():
    with pytest.raises(TypeError, match="PCA"):
        score_grid("not a pca")


def test_score_map_paints_threshold_zone(toy):
    X, p = toy
    ax = score_map(p, X, threshold=0.5, resolution=21)
    assert ax.collections  # contours + scatter
    with pytest.raises(ValueError, match="threshold"):
        score_map(p, X, threshold=-1.0)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        score_map(p, X[:, :1], threshold=0.5)


def test_score_histograms_and_roc(toy):
    X, p = toy
    axes = score_histograms(p.reconstruction_error(X), torch.rand(10, dtype=torch.float64) + 1)
    assert len(axes) == 2 and axes[1].lines  # ROC curve drawn
    with pytest.raises(ValueError, match="non-negative"):
        score_histograms(torch.tensor([-1.0]), torch.tensor([1.0]))
    with pytest.raises(TypeError):
        score_histograms([0.1, 0.2], torch.tensor([1.0]))


def test_plane_3d_uses_equal_axes(plane):
    X, p = plane
    ax = plane_3d(X, p, {"a": p.mean + 50 * p.components[:, 0]})
    spans = [np.ptp(lim()) for lim in (ax.get_xlim, ax.get_ylim, ax.get_zlim)]
    assert np.allclose(spans, spans[0])
    with pytest.raises(ValueError, match="d = 2"):
        plane_3d(X, pca(X, 1))
    with pytest.raises(ValueError, match="3-D"):
        plane_3d(X, pca(X[:, :2], 1))


def test_principal_line_circle_touches_nearest_point(toy):
    X, p = toy
    a = p.mean + 10 * p.components[:, 0]
    ax = principal_line(X, p, a)
    circles = [c for c in ax.patches if isinstance(c, Circle)]
    assert len(circles) == 1
    assert np.isclose(circles[0].radius, float((X - a).norm(dim=1).min()))
    with pytest.raises(ValueError, match="d = 1"):
        principal_line(X, pca(X, 2))


def test_hull_argument_draws_hull_and_rejects_bad_input(plane):
    X, p = plane
    Y = p.encode(X)
    ax = hull_argument(Y, torch.tensor([1.0, 0.0]), 2.0, interior_index=0)
    assert any(isinstance(c, Polygon) for c in ax.patches)
    with pytest.raises(ValueError, match="nonzero"):
        hull_argument(Y, torch.zeros(2), 2.0)
    with pytest.raises(ValueError, match="interior_index"):
        hull_argument(Y, torch.ones(2), 2.0, interior_index=len(Y))
    with pytest.raises(ValueError, match="finite"):
        hull_argument(Y.clone().fill_(float("nan")), torch.ones(2), 2.0)


def test_angle_curves_one_line_per_run():
    ax = angle_curves({"a": torch.tensor([1.0, 0.1]), "b": torch.tensor([0.5, 0.0])})
    assert len(ax.lines) == 2
    with pytest.raises(TypeError):
        angle_curves({})
    with pytest.raises(ValueError, match="non-negative"):
        angle_curves({"a": torch.tensor([-1.0])})


# --- widgets: moving a control updates .result (and redraws) ---------------------------------------


def test_score_explorer_updates_on_value_change(toy):
    X, p = toy
    w = score_explorer(p, X)
    r, theta = w.children[0], w.children[1]
    r.value = 0.0
    assert w.result["flagged"] is False
    theta.value = config.NB01_FLAG_ANGLE
    r.value = 3.0
    res = w.result
    assert res["r"] == 3.0 and res["flagged"] is True
    assert np.isclose(res["score"], float(p.reconstruction_error(res["point"])))
    assert res["threshold"] == pytest.approx(float(p.reconstruction_error(X).max()))
    theta.value = 45.0  # along the data's long axis: never flagged within the slider range
    r.value = 8.0
    assert w.result["flagged"] is False and w.result["distance"] > 4


def test_hyperplane_explorer_updates_on_value_change(toy):
    X, p = toy
    w = hyperplane_explorer(X, p)
    w.children[0].value = 50.0
    res = w.result
    assert res["c"] == 50.0
    assert res["min_distance"] >= 50.0  # started on the hull: at least c from every point
    assert res["loss"] < 1e-20 and res["loss"] <= res["min_normal_loss"]
    w.children[0].value = -20.0  # back through the cloud: some point is much closer
    assert w.result["min_distance"] < 20.0


def test_training_explorer_updates_on_value_change():
    angles = torch.tensor([1.0, 0.1, 0.01])
    w = training_explorer(angles, [0.5, 0.2])
    assert w.result["loss"] is None
    w.children[0].value = 2
    assert w.result["epoch"] == 2 and w.result["loss"] == 0.2
    assert w.result["angle_deg"] == pytest.approx(np.degrees(0.01))
    with pytest.raises(ValueError, match="one per epoch"):
        training_explorer(angles, [0.5])


def test_widgets_reject_bad_input(toy):
    X, p = toy
    with pytest.raises(TypeError, match="PCA"):
        score_explorer(X, X)
    with pytest.raises(ValueError, match="d = 1"):
        hyperplane_explorer(X, pca(X, 2))
    with pytest.raises(ValueError, match="finite"):
        score_explorer(p, X.clone().fill_(float("inf")))
    with pytest.raises(TypeError):
        training_explorer("angles", [])
    plt.close("all")
