"""Tests of the Figure-2 plots and the MNIST slider explorers."""

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.colors import to_rgba

from aelib.attacks import GridSearchResult, latent_grid_search, nearest_distance
from aelib.course.plots import (
    DIGIT_COLOURS,
    digit_colour,
    digit_grid,
    digit_row,
    error_histograms,
    latent_error_map,
)
from aelib.course.widgets import latent_explorer, threshold_explorer
from aelib.metrics import reconstruction_error
from aelib.models import ConvAutoencoder


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    model = ConvAutoencoder(2, (2, 4), seed=0).eval()
    X = torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1] * 6)
    res = latent_grid_search(model, X, resolution=9, reduction="sum", top_k=3, local_minima=False)
    return model, X, y, res


def test_latent_error_map(setup):
    _, _, y, res = setup
    ax = latent_error_map(res, y, mark=2, title="t", eps=float(res.error_map.median()))
    assert ax.get_title() == "t"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["digit 0", "digit 1"] and "minima" in texts[2]
    assert sum(line.get_marker() == "*" for line in ax.lines) == 2  # two stars
    with pytest.raises(TypeError):
        latent_error_map("result")
    with pytest.raises(ValueError, match="labels"):
        latent_error_map(res, y[:3])


def test_codes_take_the_course_wide_digit_colours(setup):
    _, _, y, res = setup
    ax = latent_error_map(res, y)
    fills = [tuple(c.get_facecolor()[0]) for c in ax.collections if c.get_offsets().shape[0] == 6]
    assert fills == [to_rgba(DIGIT_COLOURS[0], 0.9), to_rgba(DIGIT_COLOURS[1], 0.9)]
    assert all(to_rgba(c)[:3] != to_rgba("red")[:3] for c in DIGIT_COLOURS.values())
    assert len(set(DIGIT_COLOURS.values())) == 10
    assert digit_colour(7) == DIGIT_COLOURS[7]
    with pytest.raises(ValueError, match="digit"):
        digit_colour(10)


def _narrow_valley_result(width_cells: int) -> GridSearchResult:
    """A 21 × 21 map of ones with a square zone, ``width_cells`` cells wide, at 0.001 at the origin."""
    g = torch.linspace(-10, 10, 21)
    emap = torch.ones(21, 21)
    emap[10 : 10 + width_cells, 10 : 10 + width_cells] = 1e-3
    z = torch.tensor([[0.0, 0.0]])
    return GridSearchResult(
        x=torch.zeros(1, 4),
        errors=torch.tensor([1e-3]),
        distances=torch.tensor([5.0]),
        z=z,
        normal_error=torch.tensor([1.0, 2.0]),
        min_distance=None,
        method="grid",
        reduction="sum",
        grid_x=g,
        grid_y=g,
        error_map=emap,
        latents=torch.zeros(3, 2),
    )


@pytest.mark.parametrize(("width", "ringed"), [(1, True), (2, True), (3, False)])
def test_a_minimum_too_narrow_to_show_red_is_ringed(width, ringed):
    ax = latent_error_map(_narrow_valley_result(width), mark=1, eps=0.1)
    rings = [line for line in ax.lines if line.get_marker() == "o"]
    assert (len(rings) == 1) is ringed
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("L < ε" in t for t in texts) is ringed
    plt.close("all")


def test_error_histograms_fill_the_named_groups_and_label_the_threshold():
    groups = {"normal": torch.rand(50) + 0.1, "digit 3": torch.rand(30) + 1}
    ax = error_histograms(groups, bins=12, filled=["normal"], threshold=0.5, legend_outside=True)
    filled = [p for p in ax.patches if p.get_fill()]
    assert len(filled) == 12 and filled[0].get_alpha() == pytest.approx(0.35)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["normal", "digit 3", "threshold 0.5"]
    with pytest.raises(ValueError, match="filled"):
        error_histograms(groups, filled=["nope"])
    plt.close("all")


def test_digit_plots():
    imgs = torch.rand(5, 1, 28, 28)
    ax = digit_grid(imgs, nrow=3, title="g")
    assert ax.get_title() == "g" and ax.images[0].get_array().shape == (2 * 30 + 2, 3 * 30 + 2)
    fig = digit_row(imgs[:2], ["a", "b"])
    assert [a.get_xlabel() for a in fig.axes] == ["a", "b"]
    with pytest.raises(ValueError, match="captions"):
        digit_row(imgs[:2], ["a"])
    with pytest.raises(ValueError):
        digit_grid(torch.rand(2, 3, 28, 28))
    ax = error_histograms({"n": torch.rand(20) + 0.1, "a": torch.rand(10) + 1}, threshold=0.5)
    assert ax.get_xscale() == "log"
    with pytest.raises(TypeError):
        error_histograms({})


def test_latent_explorer_reports_the_decoded_point(setup, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    model, X, y, res = setup
    w = latent_explorer(model, res, X, y, min_distance=0.0)
    z = res.z[0]
    w.children[0].value, w.children[1].value = float(z[0]), float(z[1])
    r = w.result
    zz = torch.tensor([[w.children[0].value, w.children[1].value]])
    with torch.inference_mode():
        a = model.decode(zz)
    assert r["error"] == pytest.approx(
        float(reconstruction_error(model, a, reduction="sum")[0]), rel=1e-5
    )
    assert r["distance"] == pytest.approx(float(nearest_distance(a, X)[0]), rel=1e-5)
    assert r["min_normal_error"] == pytest.approx(res.min_normal_error)
    assert r["adversarial"] == (r["error"] <= r["min_normal_error"])
    with pytest.raises(TypeError):
        latent_explorer(model, "res", X)


def test_threshold_explorer_rates(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    normal = torch.tensor([1.0, 2.0, 3.0, 4.0])
    w = threshold_explorer(normal, {"a": torch.tensor([2.5, 10.0])})
    w.children[0].value = 2.2
    r = w.result
    assert r["false_positive_rate"] == pytest.approx(
        float((normal > r["threshold"]).float().mean())
    )
    assert r["detected"]["a"] == 1.0
    with pytest.raises(TypeError):
        threshold_explorer(normal, {})


@pytest.mark.parametrize(("k", "nrow"), [(1, 8), (2, 8), (5, 3), (9, 3), (10, 10), (7, 1)])
def test_digit_grid_lays_out_images_as_torchvision_make_grid(k, nrow):
    """The grid is torchvision's make_grid (its first channel)."""
    from torchvision.utils import make_grid

    from aelib.course.plots.mnist import _tiled

    imgs = torch.rand(k, 1, 28, 28, generator=torch.Generator().manual_seed(k))
    assert torch.equal(_tiled(imgs, nrow), make_grid(imgs, nrow=nrow, padding=2, pad_value=0.0)[0])


def test_digit_grid_does_not_import_torchvision():
    """Importing torchvision pulls in torch._dynamo: seconds and ~160 MB per kernel."""
    import subprocess
    import sys

    code = (
        "import sys, torch; from aelib.course.plots import digit_grid; "
        "digit_grid(torch.rand(3, 1, 28, 28)); print('torchvision' in sys.modules)"
    )
    env_out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert env_out.strip().endswith("False")
