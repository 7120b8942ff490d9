"""The direction-angle explorer of notebook 04 (aelib.course.widgets.diagonal)."""

import ipywidgets as widgets
import pytest
import torch
from matplotlib.text import Text

from aelib.course.exercises.nb04 import hand_built_diagonal_ae
from aelib.course.toy_recipes import figure1_data
from aelib.course.widgets._live import LiveFigure
from aelib.course.widgets.diagonal import direction_explorer, ray_errors
from aelib.models import MLPAutoencoder

X = figure1_data("diagonal")


def _mirror():
    """The hand-built network's mirror image: β < 0, perfect along 225° instead of 45°."""
    return hand_built_diagonal_ae(beta=-1.0)


@pytest.fixture
def shown(monkeypatch):
    figures = []
    monkeypatch.setattr(LiveFigure, "show", lambda self: figures.append(self.fig))
    return figures


def test_ray_errors_along_and_across_the_diagonal():
    hand = hand_built_diagonal_ae()
    r = torch.tensor([0.0, 10.0, 1e3])
    assert ray_errors(hand, torch.zeros(2), 45.0, r).max() < 1e-20
    across = ray_errors(hand, torch.zeros(2), 135.0, r)  # A drops all of it: ‖r u‖²/2
    torch.testing.assert_close(across, r.double() ** 2 / 2)
    below = ray_errors(hand, torch.zeros(2), 225.0, torch.tensor([10.0]))  # unit off
    assert float(below[0]) > 1
    with pytest.raises(ValueError, match="origin"):
        ray_errors(hand, torch.zeros(3), 0.0, r)
    with pytest.raises(ValueError, match="theta"):
        ray_errors(hand, torch.zeros(2), float("nan"), r)
    with pytest.raises(TypeError, match="model"):
        ray_errors("hand", torch.zeros(2), 0.0, r)


def test_direction_explorer_results_follow_the_fixed_directions(shown):
    w = direction_explorer({"hand-built": hand_built_diagonal_ae(), "mirror": _mirror()}, X)
    slider = w.children[0]
    assert isinstance(slider, widgets.FloatSlider) and slider.value == 45.0
    assert slider.max == 355.0 and slider.step == 5.0
    before = len(shown)  # the widget draws once when built
    for theta, perfect in [(225.0, "mirror"), (90.0, None), (45.0, "hand-built")]:
        slider.value = theta
        res = w.result
        assert res["theta"] == theta and res["fixed"] == {"hand-built": [45.0], "mirror": [225.0]}
        assert res["r"].shape == (201,) and float(res["r"][-1]) == 20.0
        for label in ("hand-built", "mirror"):
            assert res["errors"][label].shape == (201,)
            assert res["on_fixed"][label] == (label == perfect)
            assert res["below_eps"][label] == (label == perfect)
            if label == perfect:
                assert res["far_error"][label] < 1e-12
            else:
                assert res["far_error"][label] > 50  # r = 20, off the fixed direction
    assert len(shown) - before == 3  # one picture per move


def test_direction_explorer_figure_is_readable(shown):
    w = direction_explorer({"a": hand_built_diagonal_ae()}, X, r_max=5.0, step=10.0)
    w.children[0].value = 90.0
    fig = shown[-1]
    small = [
        t.get_text()
        for t in fig.findobj(Text)
        if t.get_text().strip() and t.get_visible() and t.get_fontsize() < 8
    ]
    assert not small
    readout = [t.get_text() for t in fig.axes[1].texts]
    assert any("MSE at r = 5" in t for t in readout)
    assert fig.axes[1].get_title() == "θ = 90°: error along the ray"


def test_direction_explorer_rejects_bad_input():
    hand = hand_built_diagonal_ae()
    with pytest.raises(TypeError, match="models"):
        direction_explorer([hand], X)
    with pytest.raises(TypeError, match="models"):
        direction_explorer({}, X)
    with pytest.raises(TypeError, match="models"):
        direction_explorer({"a": "net"}, X)
    with pytest.raises(ValueError):
        direction_explorer({"a": hand}, torch.zeros(5, 3))
    with pytest.raises(ValueError, match="step"):
        direction_explorer({"a": hand}, X, step=360.0)
    with pytest.raises(ValueError, match="r_max"):
        direction_explorer({"a": hand}, X, r_max=0.0)


def test_direction_explorer_takes_float32_trained_models(shown):
    m = MLPAutoencoder([2, 3, 1, 3, 2], activation="relu", seed=1)
    w = direction_explorer({"random": m}, X)
    w.children[0].value = 0.0
    assert w.result["fixed"]["random"] == [] and m.encoder[0].weight.dtype == torch.float32
