"""Tests of the Figure-2 plots and the MNIST slider explorers."""

import matplotlib.pyplot as plt
import pytest
import torch

from aelib.attacks import latent_grid_search, nearest_distance
from aelib.course.plots import digit_grid, digit_row, error_histograms, latent_error_map
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
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["digit 0", "digit 1"]
    assert len(ax.lines) == 2  # two stars
    with pytest.raises(TypeError):
        latent_error_map("result")
    with pytest.raises(ValueError, match="labels"):
        latent_error_map(res, y[:3])


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
