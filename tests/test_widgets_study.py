"""Tests of aelib.course.widgets.study: the restart explorer (05) and the study browser (07)."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.image import AxesImage

from aelib import data
from aelib.course.oob import out_of_bounds
from aelib.course.settings import ToySettings
from aelib.course.toy_recipes import fit_toy_autoencoder
from aelib.course.widgets import _live
from aelib.course.widgets._controls import KEY_HINT
from aelib.course.widgets.study import restart_explorer, study_browser
from aelib.models import MLPAutoencoder

TINY = ToySettings(sizes=(2, 3, 1, 3, 2), restarts=3, epochs=40)


@pytest.fixture
def shown(monkeypatch):
    """The PNGs the explorers display (one per update)."""
    pngs = []
    monkeypatch.setattr(_live.LiveFigure, "show", lambda self: pngs.append(self.png()))
    return pngs


@pytest.fixture(scope="module")
def fits():
    out = {}
    for name, X in (("p", data.gaussian(30)), ("q", data.banana(30))):
        out[name] = (fit_toy_autoencoder(X, TINY, use_cache=False), X)
    return out


def test_restart_explorer_reports_each_restart(fits, shown):
    w = restart_explorer(fits, resolution=21)
    panel, restart = w.children[:2]
    assert isinstance(w.children[2], widgets.HTML) and w.children[2].value == KEY_HINT
    fit, X = fits["p"]
    assert w.result["panel"] == "p" and w.result["restart"] == fit.best and w.result["kept"]
    for k in range(TINY.restarts):
        restart.value = k
        r = w.result
        assert r["restart"] == k and r["seed"] == TINY.seed + k
        assert r["loss"] == pytest.approx(float(fit.final_losses[k]))
        assert r["baseline"] == pytest.approx(fit.baseline)
        assert r["ratio"] == pytest.approx(r["loss"] / fit.baseline)
        assert r["collapsed"] == (r["loss"] > TINY.collapse_fraction * fit.baseline)
        assert r["kept"] == (k == fit.best)
        grid = out_of_bounds(fit.restart(k), X, resolution=21)
        assert r["area"] == pytest.approx(grid.area) and r["has_zone"] == grid.has_zone
        # the map's title shows the area, never the smallest far MSE (an exercise's answer)
        assert f"out-of-bounds area {grid.area:.3g}" in r["title"]
        assert "far" not in r["title"] and "far_min_error" not in r
    panel.value = "q"
    assert w.result["panel"] == "q"
    assert w.result["loss"] == pytest.approx(float(fits["q"][0].final_losses[restart.value]))
    assert len(shown) >= TINY.restarts + 1 and all(p.startswith(b"\x89PNG") for p in shown)


def test_restart_explorer_flags_a_collapsed_restart(shown):
    # a constant reconstruction: the restart reaches the mean-only loss
    X = data.banana(30)
    fit = fit_toy_autoencoder(X, TINY, use_cache=False)
    fit.final_losses = torch.tensor([fit.baseline, fit.baseline * 0.1, fit.baseline * 0.9])
    fit.collapsed = fit.final_losses > TINY.collapse_fraction * fit.baseline
    fit.best = 1
    w = restart_explorer({"x": (fit, X)}, resolution=11)
    w.children[1].value = 0
    assert w.result["collapsed"] and w.result["ratio"] == pytest.approx(1.0)
    w.children[1].value = 1
    assert not w.result["collapsed"] and w.result["kept"]


def test_restart_explorer_bad_input(fits):
    fit, X = fits["p"]
    with pytest.raises(TypeError, match="fits: expected"):
        restart_explorer({})
    with pytest.raises(TypeError, match=r"fits\['a'\]: expected a pair"):
        restart_explorer({"a": fit})
    other = fit_toy_autoencoder(X, TINY, restarts=2, use_cache=False)
    with pytest.raises(ValueError, match="same number of restarts"):
        restart_explorer({"a": (fit, X), "b": (other, X)})
    with pytest.raises(ValueError, match="resolution"):
        restart_explorer(fits, resolution=0)


@pytest.fixture(scope="module")
def study():
    sets = {"g": data.gaussian(20), "b": data.banana(20)}
    results = {}
    for act in ("relu", "tanh"):
        for name, X in sets.items():
            for seed in (0, 1):
                m = MLPAutoencoder([2, 3, 1, 3, 2], activation=act, seed=seed)
                results[act, name, seed] = out_of_bounds(m, X, resolution=21, eps=0.5)
    return results, sets


def test_study_browser_shows_the_chosen_model(study, shown):
    results, sets = study
    w = study_browser(results, sets, collapsed=[("tanh", "b", 1)])
    activation, data_set, seed = w.children[:3]
    assert [c.description for c in w.children[:3]] == ["activation", "data", "seed"]
    assert list(activation.options) == ["relu", "tanh"] and list(seed.options) == [0, 1]
    n = len(shown)
    activation.value, data_set.value, seed.value = "tanh", "b", 1
    assert w.result == {**results["tanh", "b", 1].summary(), "collapsed": True}
    seed.value = 0
    assert w.result == {**results["tanh", "b", 0].summary(), "collapsed": False}
    assert len(shown) == n + 4  # one picture per move


def test_study_browser_makes_no_pyplot_figure(study, shown):
    results, sets = study
    plt.close("all")
    w = study_browser(results, sets)
    for key in list(results)[:3]:
        w.children[0].value, w.children[1].value, w.children[2].value = key
    assert plt.get_fignums() == []  # a LiveFigure: nothing piles up in pyplot
    assert shown[-1].startswith(b"\x89PNG")


def test_study_browser_image_is_the_log_error(study, monkeypatch):
    results, sets = study
    made = []
    real = _live.LiveFigure.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(_live.LiveFigure, "__init__", spy)
    monkeypatch.setattr(_live.LiveFigure, "show", lambda self: None)
    w = study_browser(results, sets)
    key = ("relu", "b", 1)
    w.children[0].value, w.children[1].value, w.children[2].value = key
    (live,) = made
    (image,) = [a for a in live.axes.get_children() if isinstance(a, AxesImage)]
    err = results[key].errors.double().numpy()
    lo, hi = image.norm.boundaries[0], image.norm.boundaries[-1]
    np.testing.assert_allclose(image.get_array(), np.clip(np.log10(err), lo, hi), rtol=1e-6)
    assert lo == pytest.approx(np.log10(0.1 * 0.5))  # a decade below eps
    assert np.isclose(image.norm.boundaries, np.log10(0.5)).any()  # a band edge at eps


def test_study_browser_bad_input(study):
    results, sets = study
    with pytest.raises(TypeError, match="results: expected"):
        study_browser({}, sets)
    with pytest.raises(TypeError, match="results: expected"):
        study_browser({("relu", "g"): results["relu", "g", 0]}, sets)
    with pytest.raises(ValueError, match="missing"):
        study_browser(results, {"g": sets["g"]})
    mixed = dict(results)
    key = ("relu", "g", 0)
    m = MLPAutoencoder([2, 3, 1, 3, 2], activation="relu", seed=0)
    mixed[key] = out_of_bounds(m, sets["g"], resolution=21, eps=0.2)
    with pytest.raises(ValueError, match="same eps"):
        study_browser(mixed, sets)
