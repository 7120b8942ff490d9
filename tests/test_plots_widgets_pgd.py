"""Tests of notebook 10's candidate figure and latent-PGD explorer."""

import dataclasses

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from aelib.attacks import LatentPGD, latent_grid_search
from aelib.course.plots import candidate_pairs, nearest_training
from aelib.course.widgets import pgd_explorer
from aelib.models import ConvAutoencoder
from tests.test_widgets_display import _Recorder, _seen_in_output, shell  # noqa: F401


@pytest.fixture(scope="module")
def setup():
    X = torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    models = {
        "a": ConvAutoencoder(3, (2, 4), seed=0).eval(),
        "b": ConvAutoencoder(3, (2, 4), seed=1).eval(),
    }
    search = LatentPGD(steps=5, restarts=4, step_size=0.1, screen=2)
    far = 1.0
    results = {
        (step, name): dataclasses.replace(search, step_size=step)(
            m, X, min_distance=far, reduction="sum", seed=0
        )
        for step in (0.05, 0.1, 0.2)
        for name, m in models.items()
    }
    return X, results, far


def test_nearest_training():
    X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    index, dist = nearest_training(torch.tensor([[0.9, 0.1], [0.0, 2.0]]), X)
    assert index.tolist() == [1, 2]
    assert dist.dtype == torch.float64
    assert np.allclose(dist.numpy(), [np.hypot(0.1, 0.1), 1.0])
    index, dist = nearest_training(np.zeros((0, 2)), X)  # no points: empty, not an error
    assert index.shape == (0,) and dist.shape == (0,)
    with pytest.raises(ValueError, match="input shape"):
        nearest_training(torch.zeros(2, 3), X)
    with pytest.raises(TypeError):
        nearest_training("points", X)


def test_candidate_pairs():
    a = torch.rand(3, 1, 28, 28)
    fig = candidate_pairs(a, a.flip(0), ["x"] * 3, ["y1", "y2", "y3"], title="t")
    axes = fig.axes
    assert len(axes) == 6
    assert fig._suptitle.get_text() == "t"
    assert [ax.get_xlabel() for ax in axes[3:]] == ["y1", "y2", "y3"]
    assert min(t.get_fontsize() for ax in axes for t in [ax.xaxis.label, ax.yaxis.label]) >= 8
    plt.close(fig)
    with pytest.raises(ValueError, match="captions"):
        candidate_pairs(a, a, ["x"] * 2, ["y"] * 3)
    with pytest.raises(ValueError, match="captions"):
        candidate_pairs(a, a, "xyz", ["y"] * 3)
    with pytest.raises(ValueError, match="shape of candidates"):
        candidate_pairs(a, a[:2], ["x"] * 3, ["y"] * 3)
    with pytest.raises(ValueError, match="one channel"):
        candidate_pairs(torch.rand(3, 2, 28, 28), a, ["x"] * 3, ["y"] * 3)


def test_pgd_explorer_callback(setup):
    X, results, far = setup
    w = pgd_explorer(results, far)
    step, model = w.children[0], w.children[1]
    assert [v for _, v in step.options] == [0.05, 0.1, 0.2] and list(model.options) == ["a", "b"]
    for s in (0.05, 0.2):
        for name in ("a", "b"):
            step.value, model.value = s, name
            shown = w.result
            r = results[s, name]
            adv = r.adversarial()
            assert shown["step"] == s and shown["model"] == name
            assert shown["adversarial"] == int(adv.sum()) and shown["restarts"] == 4
            assert shown["min_normal_error"] == pytest.approx(r.min_normal_error)
            far_err = r.error[r.distance > far]
            expected = float(far_err.min()) if len(far_err) else float("inf")
            assert shown["best_far_error"] == pytest.approx(expected)
            assert len(shown["distances"]) == shown["adversarial"]
            assert all(d > far for d in shown["distances"])


def test_pgd_explorer_bad_input(setup):
    X, results, far = setup
    with pytest.raises(TypeError):
        pgd_explorer({}, far)
    with pytest.raises(TypeError, match="keys"):
        pgd_explorer({0.1: results[0.1, "a"]}, far)
    with pytest.raises(TypeError, match="SearchResult"):
        pgd_explorer({(0.1, "a"): "result"}, far)
    grid = latent_grid_search(
        ConvAutoencoder(2, (2, 4), seed=0).eval(), X, resolution=5, reduction="sum"
    )
    assert pgd_explorer({(0.1, "a"): grid}, far).result["restarts"] == len(grid)
    with pytest.raises(ValueError, match="missing"):
        pgd_explorer({(0.1, "a"): results[0.1, "a"], (0.2, "b"): results[0.2, "b"]}, far)
    with pytest.raises(ValueError):
        pgd_explorer(results, -1.0)


def test_pgd_explorer_one_figure_per_widget(setup, shell):  # noqa: F811 (shell: a fixture)
    _, results, far = setup
    figures_before = plt.get_fignums()
    _Recorder.capturing = None
    w = pgd_explorer(results, far)
    out = w.children[-1]
    assert isinstance(w.children[-2], widgets.HTML)  # the arrow-key hint
    _Recorder.capturing = out
    shell.display_pub.messages.clear()
    step, model = w.children[0], w.children[1]
    step.value, model.value, step.value, model.value = 0.2, "b", 0.05, "a"
    messages = shell.display_pub.messages
    assert all(msg_id == "cell-1" for msg_id, _, _ in messages), "output outside the widget"
    assert len([m for m in messages if m[1] == "display"]) == 4  # one redraw per move
    shown = _seen_in_output(messages)
    assert len(shown) == 1 and shown[0]["image/png"]
    assert plt.get_fignums() == figures_before
