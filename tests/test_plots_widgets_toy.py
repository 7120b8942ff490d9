"""Tests of the Figure-1 plots and the toy slider explorers."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from aelib.course.oob import out_of_bounds
from aelib.course.plots import activation_walk, figure1_grid, figure1_panel
from aelib.course.widgets import epsilon_explorer, ray_explorer
from aelib.course.widgets._live import LiveFigure
from aelib.models import MLPAutoencoder

X = torch.tensor([[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])


@pytest.fixture
def model_oob():
    m = MLPAutoencoder([2, 3, 1, 3, 2], activation="relu", seed=0)
    return m, out_of_bounds(m, X, bounds=(-4, 4), resolution=41, eps=10.0, margin=0.5)


def test_figure1_panel_draws(model_oob):
    _, oob = model_oob
    ax = figure1_panel(oob, X, title="t")
    assert ax.get_title() == "t" and len(ax.collections) >= 2
    with pytest.raises(TypeError):
        figure1_panel("oob", X)
    with pytest.raises(ValueError):
        figure1_panel(oob, torch.zeros(3, 3))


def test_figure1_panel_star_is_not_clipped_and_legend_names_the_layers(model_oob):
    _, oob = model_oob
    ax = figure1_panel(oob, X, legend=True)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0].startswith("MSE < ε") and texts[-1] == "training data"
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert all(not s.get_clip_on() for s in stars)
    plt.close("all")


def test_figure1_grid_shares_one_colour_scale(model_oob):
    m, oob = model_oob
    other = out_of_bounds(m, X * 3, bounds=(-4, 4), resolution=41, eps=10.0, margin=0.5)
    fig = figure1_grid({"a": oob, "b": other}, {"a": X, "b": X * 3}, titles={"a": "A"}, ncols=2)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert [ax.get_title() for ax in panels] == ["A", "b"]
    norms = [next(c for c in ax.collections if hasattr(c, "norm")).norm for ax in panels]
    lo = min(float(oob.errors.min()), float(other.errors.min()))
    hi = max(float(oob.errors.max()), float(other.errors.max()))
    for n in norms:
        assert (n.vmin, n.vmax) == pytest.approx((max(lo, 1e-8), hi), rel=1e-6)
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    ticks = bar.get_yticks()
    np.testing.assert_allclose(np.log10(ticks), np.round(np.log10(ticks)))  # powers of ten
    assert len(fig.legends) == 1
    with pytest.raises(ValueError, match="data"):
        figure1_grid({"a": oob}, {})
    plt.close("all")


def test_activation_walk_marks_both_edges_and_whole_units():
    ts = torch.linspace(-3, 3, 7)
    fig = activation_walk(ts, ts.abs(), torch.zeros(7, 5, dtype=torch.bool), edge=(-1.5, 1.5))
    a1, a2 = fig.axes
    for ax in (a1, a2):
        xs = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"]
        assert xs == [-1.5, 1.5]
    assert list(a2.get_yticks()) == [0, 1, 2, 3, 4]
    assert "-1.5, 1.5" in a1.get_legend().get_texts()[1].get_text()
    with pytest.raises(ValueError, match="edge"):
        activation_walk(ts, ts, torch.zeros(7, 5, dtype=torch.bool), edge=(2.0, 1.0))
    plt.close("all")


def test_activation_walk():
    ts = torch.linspace(-2, 2, 5)
    fig = activation_walk(ts, ts.abs(), torch.zeros(5, 4, dtype=torch.bool), edge=1.0)
    assert len(fig.axes) == 2
    with pytest.raises(TypeError):
        activation_walk(ts, ts, torch.zeros(5, 4), edge=1.0)
    with pytest.raises(ValueError):
        activation_walk(ts, ts[:3], torch.zeros(5, 4, dtype=torch.bool), edge=1.0)


def test_ray_explorer_reports_point_and_error(model_oob, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    m, oob = model_oob
    w = ray_explorer(m, X, oob, direction=(1.0, 0.0), origin=(0.0, 1.0), t_max=4.0)
    w.children[0].value = 2.0
    r = w.result
    assert torch.allclose(r["point"], torch.tensor([2.0, 1.0]))
    expected = float(((m(r["point"][None]) - r["point"]) ** 2).mean())
    assert r["error"] == pytest.approx(expected, rel=1e-5)
    assert r["distance"] == pytest.approx(1.0)
    normal = ((m(X) - X) ** 2).mean(1)
    assert r["percentile"] == pytest.approx(100 * float((normal < r["error"]).double().mean()))
    with pytest.raises(ValueError):
        ray_explorer(m, X, oob, direction=(0.0, 0.0))


def test_ray_explorer_shows_percentile_and_axis_labels(model_oob, monkeypatch):
    shown = []
    monkeypatch.setattr(LiveFigure, "show", lambda self: shown.append(self.fig))
    m, oob = model_oob
    X3 = torch.tensor([[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [2.0, 0.0]])
    w = ray_explorer(m, X3, oob, direction=(0.0, 1.0), t_max=4.0)
    normal = ((m(X3) - X3) ** 2).mean(1).detach()
    for t in (-4.0, 0.0, 4.0):
        w.children[0].value = t
        r = w.result
        assert r["percentile"] == pytest.approx(100 * float((normal < r["error"]).double().mean()))
        assert 0.0 <= r["percentile"] <= 100.0
        (ax,) = [a for a in shown[-1].axes if a.get_label() != "<colorbar>"]
        assert f"higher than {r['percentile']:.0f} % of the normal MSEs" in ax.get_title()
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")


def test_epsilon_explorer_area_grows_with_eps(model_oob, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    _, oob = model_oob
    w = epsilon_explorer(oob, X, eps_max=20.0, step=0.5)
    w.children[0].value = 0.5
    small = w.result["area"]
    w.children[0].value = 20.0
    assert w.result["area"] >= small
    assert w.result["area"] == pytest.approx(
        float(((oob.errors < 20.0) & (oob.distance > 0.5)).sum()) * 0.04
    )
    with pytest.raises(TypeError):
        epsilon_explorer("oob", X)
