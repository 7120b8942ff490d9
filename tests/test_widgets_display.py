"""Each slider explorer shows exactly one figure in its Output however often the slider moves,
and a learner can use it: sliders wide enough, the arrow-key hint, colour bars, readable text.

An IPython shell records what the widgets publish (``display`` and ``clear_output``) and, from
the Output widget's ``msg_id`` at publish time, where a frontend would route it: into the
widget's Output (its ``msg_id`` is set while the callback runs inside ``with out:``) or into the
cell. Replaying the Output's messages as a frontend does (``clear_output(wait=True)`` empties
the area when the next output arrives) gives what a learner would see after the moves.
"""

from __future__ import annotations

import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
import torch
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.contour import ContourSet
from matplotlib.text import Text

from aelib.attacks import latent_grid_search
from aelib.course.exercises.nb04 import hand_built_diagonal_ae
from aelib.course.oob import out_of_bounds
from aelib.course.widgets import (
    direction_explorer,
    epsilon_explorer,
    explorer_widget,
    hyperplane_explorer,
    latent_explorer,
    ray_explorer,
    score_explorer,
    threshold_explorer,
    training_explorer,
)
from aelib.course.widgets._controls import slider_positions, slider_width
from aelib.course.widgets._live import LiveFigure
from aelib.data import gaussian
from aelib.linalg import pca
from aelib.models import ConvAutoencoder, MLPAutoencoder


class _Recorder(DisplayPublisher):
    """Records (output msg_id, kind, data); the msg_id says which Output captured it."""

    capturing = None  # the Output widget under test

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.messages = []

    def publish(self, data, metadata=None, *args, **kwargs):
        self.messages.append((getattr(self.capturing, "msg_id", None), "display", data))

    def clear_output(self, wait=False):
        self.messages.append((getattr(self.capturing, "msg_id", None), "clear", wait))


class _Kernel:  # just enough for ipywidgets.Output to route into itself
    @staticmethod
    def get_parent():
        return {"header": {"msg_id": "cell-1"}}


@pytest.fixture
def shell():
    InteractiveShell.clear_instance()
    ip = InteractiveShell.instance()
    ip.display_pub = _Recorder(shell=ip)
    ip.kernel = _Kernel()
    yield ip
    InteractiveShell.clear_instance()


def _seen_in_output(messages):
    """What the Output shows after the messages, replayed as a frontend does."""
    shown, clear_pending = [], False
    for _, kind, data in messages:
        if kind == "clear":
            if data:  # wait=True: clear when the next output arrives
                clear_pending = True
            else:
                shown = []
        else:
            if clear_pending:
                shown, clear_pending = [], False
            shown.append(data)
    return shown


X = gaussian(100, seed=0).double()
_mlp = MLPAutoencoder([2, 3, 1, 3, 2], activation="relu", seed=0)
_oob = out_of_bounds(_mlp, X.float(), bounds=(-4, 4), resolution=41, eps=0.5, margin=0.5)
_cae = ConvAutoencoder(2, (2, 4), seed=0).eval()
_imgs = torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(1))
_grid = latent_grid_search(_cae, _imgs, resolution=9, reduction="sum", top_k=3, local_minima=False)

EXPLORERS = {
    "score": lambda: score_explorer(pca(X, 1), X),
    "hyperplane": lambda: hyperplane_explorer(X, pca(X, 1)),
    "training": lambda: training_explorer(torch.tensor([1.0, 0.5, 0.1]), [0.5, 0.2]),
    "ray": lambda: ray_explorer(_mlp, X.float(), _oob, t_max=4.0),
    "epsilon": lambda: epsilon_explorer(_oob, X.float(), eps_max=2.0, step=0.1),
    "threshold": lambda: threshold_explorer(torch.rand(50) + 0.1, {"a": torch.rand(9) + 1}),
    "latent": lambda: latent_explorer(_cae, _grid, _imgs, torch.tensor([0, 1] * 6)),
    "direction": lambda: direction_explorer({"hand-built": hand_built_diagonal_ae()}, X.float()),
}


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_one_figure_per_widget_after_several_moves(shell, name):
    figures_before = plt.get_fignums()
    _Recorder.capturing = None
    w = EXPLORERS[name]()
    out = w.children[-1]
    _Recorder.capturing = out
    shell.display_pub.messages.clear()
    slider = w.children[0]
    moves = 0
    for v in [slider.max, slider.min, slider.max, slider.min]:
        before, slider.value = slider.value, v
        moves += slider.value != before
    assert moves >= 3
    messages = shell.display_pub.messages
    assert all(msg_id == "cell-1" for msg_id, _, _ in messages), "output outside the widget"
    displays = [m for m in messages if m[1] == "display"]
    assert len(displays) == moves  # one redraw per move
    shown = _seen_in_output(messages)
    assert len(shown) == 1 and "image/png" in shown[0]
    assert shown[0]["image/png"]  # a real picture, not an empty output
    assert plt.get_fignums() == figures_before  # nothing left in pyplot to pile up


# --- what a learner needs to use an explorer: wide sliders, the key hint, colour bars, big text

_SLIDERS = (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider)


def _shown_figure(monkeypatch, name):
    """Build an explorer, move its first slider; return it and the Figure it showed last."""
    shown = []
    monkeypatch.setattr(LiveFigure, "show", lambda self: shown.append(self.fig))
    w = EXPLORERS[name]()
    slider = w.children[0]
    slider.value = slider.max if slider.value != slider.max else slider.min
    return w, shown[-1]


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_sliders_are_wide_enough_for_their_positions(monkeypatch, name):
    w, _ = _shown_figure(monkeypatch, name)
    sliders = [c for c in w.children if isinstance(c, _SLIDERS)]
    assert sliders and w.children[: len(sliders)] == tuple(sliders)  # sliders first, as before
    for s in sliders:
        positions = round((s.max - s.min) / s.step) + 1
        match = re.fullmatch(r"min\(95%, (\d+)px\)", s.layout.width or "")
        assert match, s.layout.width
        px = int(match.group(1))
        # at least 2.5 px of track per position beside ~160 px of labels, up to a 760 px cap
        assert px >= min(160 + 2.5 * positions, 760), (s.description, positions, px)
        assert px >= 400
        assert s.style.description_width == "initial"


def test_the_learners_slider_of_161_positions_gets_a_wide_track():
    """The exercises issue: 161 positions on ~124 px; now ~3 px per position."""
    s = widgets.FloatSlider(min=-8.0, max=8.0, step=0.1)
    assert slider_positions(s) == 161
    assert slider_width(161) == "min(95%, 643px)"
    assert slider_positions(widgets.SelectionSlider(options=["a", "b", "c"])) == 3
    with pytest.raises(TypeError, match="slider"):
        slider_positions(widgets.HTML("x"))


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_arrow_key_hint_sits_between_sliders_and_output(monkeypatch, name):
    w, _ = _shown_figure(monkeypatch, name)
    assert isinstance(w, widgets.interactive)
    assert isinstance(w.children[-1], widgets.Output)
    hint = w.children[-2]
    assert isinstance(hint, widgets.HTML)
    assert "←" in hint.value and "→" in hint.value and "handle" in hint.value


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_colour_map_has_a_colour_bar(monkeypatch, name):
    _, fig = _shown_figure(monkeypatch, name)
    colour_maps = [
        a for ax in fig.axes for a in ax.get_children() if isinstance(a, ContourSet) and a.filled
    ]
    colour_bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert bool(colour_bars) == bool(colour_maps)
    if name in ("score", "ray", "epsilon", "latent"):
        assert colour_bars, f"{name}: colour carries the error, but no colour bar"


def test_latent_colour_bar_marks_eps(monkeypatch):
    """The checker says "look in the red zones": the colour bar says which errors are red."""
    eps = float(_grid.error_map.median())  # inside the colour range
    monkeypatch.setitem(EXPLORERS, "latent", lambda: latent_explorer(_cae, _grid, _imgs, eps=eps))
    _, fig = _shown_figure(monkeypatch, "latent")
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert [t.get_text() for t in bar.texts] == ["ε"]
    (line,) = bar.lines
    assert line.get_color() == "red" and line.get_ydata()[0] == pytest.approx(eps)
    tiny = float(_grid.error_map.min()) / 10  # below the colour range: no red, no mark
    monkeypatch.setitem(EXPLORERS, "latent", lambda: latent_explorer(_cae, _grid, _imgs, eps=tiny))
    _, fig = _shown_figure(monkeypatch, "latent")
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert not bar.texts and not bar.lines


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_figure_text_is_at_least_8_points(monkeypatch, name):
    _, fig = _shown_figure(monkeypatch, name)
    small = [
        (t.get_text(), t.get_fontsize())
        for t in fig.findobj(Text)
        if t.get_text().strip() and t.get_visible() and t.get_fontsize() < 8
    ]
    assert not small


def test_digit_captions_are_readable(monkeypatch):
    _, fig = _shown_figure(monkeypatch, "latent")
    digit_axes = [ax for ax in fig.axes if ax.images]
    assert len(digit_axes) == 2
    assert all(ax.title.get_fontsize() >= 8 and ax.get_title() for ax in digit_axes)


def test_explorer_widget_wraps_any_callback():
    """What a notebook's own browser (notebook 07's SelectionSliders) gets from the library."""
    w = explorer_widget(
        lambda name, seed: (name, seed),
        name=widgets.SelectionSlider(options=["relu", "tanh", "gelu"]),
        seed=widgets.IntSlider(min=0, max=4),
    )
    assert isinstance(w, widgets.interactive)
    kinds = [type(c) for c in w.children]
    assert kinds == [widgets.SelectionSlider, widgets.IntSlider, widgets.HTML, widgets.Output]
    assert all(c.style.description_width == "initial" for c in w.children[:2])
    w.children[0].value = "gelu"
    assert w.result == ("gelu", 0)
