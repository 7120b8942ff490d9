"""Notebook 09's seed-and-epoch plot, its browser and the far-quantile explorer."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from aelib.attacks import latent_grid_search, nearest_distance
from aelib.audit import default_min_distance
from aelib.course.plots.sweep import sweep_margin_plot, sweep_table
from aelib.course.widgets.sweep import far_quantile_explorer, grid_minima, sweep_browser
from aelib.models import ConvAutoencoder


@pytest.fixture(scope="module")
def scan():
    X = torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1] * 6)
    out, models = {}, {}
    for seed in (0, 1):
        for epoch in (1, 2, 3):
            model = ConvAutoencoder(2, (2, 4), seed=10 * seed + epoch).eval()
            # min_distance 0: every candidate is "far"; 1e9: none is
            far = 0.0 if epoch != 2 else 1e9
            out["01", seed, epoch] = latent_grid_search(
                model, X, resolution=7, reduction="sum", min_distance=far, top_k=1
            )
            models[seed, epoch] = model
    return out, models, X, y


def test_sweep_table_orders_by_set_seed_epoch(scan):
    results, _, _, _ = scan
    table = sweep_table(dict(reversed(list(results.items()))))
    assert list(table) == ["01"] and list(table["01"]) == [0, 1]
    epochs, margins, verdicts = table["01"][1]
    assert epochs.tolist() == [1, 2, 3]
    r = results["01", 1, 1]
    assert margins[0] == pytest.approx(float(r.errors[0]) / r.min_normal_error)
    assert margins[1] == math.inf and not verdicts[1]  # no far candidate at all
    assert verdicts.tolist() == [bool(results["01", 1, e].adversarial().any()) for e in (1, 2, 3)]
    assert (verdicts == (margins <= 1)).all()
    with pytest.raises(TypeError, match="scan"):
        sweep_table({})
    with pytest.raises(ValueError, match="keys"):
        sweep_table({("01", 1): r})
    with pytest.raises(TypeError, match="GridSearchResult"):
        sweep_table({("01", 1, 1): "r"})


def test_sweep_margin_plot_draws_a_line_per_seed_and_the_threshold(scan):
    results, _, _, _ = scan
    (ax,) = sweep_margin_plot(results, titles={"01": "trained on (0, 1)"})
    assert ax.get_title() == "trained on (0, 1)" and ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["seed 0", "seed 1", "margin 1 (threshold)"]
    lines = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert [line.get_xdata().tolist() for line in lines] == [[1, 2, 3]] * 2
    top = ax.get_ylim()[1]
    assert lines[0].get_ydata()[1] == top  # no far candidate: at the top edge
    finite = max(y for line in lines for y in line.get_ydata() if y < top / 1.5)
    assert finite < lines[1].get_ydata()[1] < top  # seed 1 a little lower, above every margin
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    assert markers and not any(m.get_clip_on() for m in markers)  # top row drawn whole
    plt.close("all")
    _, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="axes"):
        sweep_margin_plot(results, axes=axes)
    plt.close("all")


def test_sweep_browser_reports_the_chosen_snapshot(scan, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    results, _, _, y = scan
    w = sweep_browser(results, labels={"01": y})
    name, seed, epoch = w.children[:3]
    assert epoch.continuous_update is False and (epoch.min, epoch.max) == (1, 3)
    seed.value, epoch.value = 1, 1
    r = w.result
    expected = results["01", 1, 1]
    assert (r["name"], r["seed"], r["epoch"]) == ("01", 1, 1)
    assert r["margin"] == pytest.approx(float(expected.errors[0]) / expected.min_normal_error)
    assert r["adversarial"] == bool(expected.adversarial().any()) == (r["margin"] <= 1)
    epoch.value = 2
    assert w.result["margin"] == math.inf and w.result["adversarial"] is False
    with pytest.raises(TypeError, match="scan"):
        sweep_browser({})
    with pytest.raises(TypeError, match="GridSearchResult"):
        sweep_browser({("01", 0, 1): 3})


def _view(widget):
    """The browser's figure state (its one _SweepView), found through the callback's closure."""
    from aelib.course.widgets.sweep import _SweepView

    cells = [c.cell_contents for c in widget.f.__closure__]
    return next(c for c in cells if isinstance(c, _SweepView))


def test_sweep_browser_updates_one_figure_in_place(scan, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    results, _, _, y = scan
    w = sweep_browser(results, labels={"01": y}, eps=1e-3)
    view = _view(w)
    image, codes, fig = view.bands.image, view.codes, view.live.fig
    _, seed, epoch = w.children[:3]
    for s, e in [(1, 1), (0, 3), (1, 2)]:
        seed.value, epoch.value = s, e
        r = results["01", s, e]
        assert view.bands.image is image and view.codes is codes and view.live.fig is fig
        assert len(fig.axes) == 2  # the map and its colour bar, never rebuilt
        expected = np.log10(np.clip(r.error_map.double().numpy(), view.bands.vmin, view.bands.vmax))
        np.testing.assert_allclose(image.get_array(), expected)
        assert view.ax.get_xlim() == (float(r.grid_x[0]), float(r.grid_x[-1]))
        np.testing.assert_allclose(codes.get_offsets(), r.latents.numpy())
        starred = len(r) > 0
        assert (len(view.star.get_xdata()) == 1) == starred
        if starred:
            assert view.star.get_xdata()[0] == pytest.approx(float(r.z[0, 0]))
        assert f"seed {s}, epoch {e}" in view.title.get_text()
    labels = [t.get_text() for t in view.ax.get_legend().get_texts()]
    assert labels[:2] == ["digit 0", "digit 1"]
    # one colour scale for the whole scan: every snapshot's map lies inside it
    assert view.bands.vmax == pytest.approx(max(float(r.error_map.max()) for r in results.values()))


def test_sweep_browser_rejects_labels_of_the_wrong_length(scan):
    results, _, _, y = scan
    with pytest.raises(ValueError, match=r"labels\['01'\]: expected a tensor of shape \(12,\)"):
        sweep_browser(results, labels={"01": y[:5]})
    with pytest.raises(ValueError, match=r"labels\['01'\]"):
        sweep_browser(results, labels={"02": y})


def test_grid_minima_are_the_local_minima_of_the_map(scan):
    _, models, X, _ = scan
    model = models[0, 1]
    res = latent_grid_search(model, X, resolution=7, reduction="sum", top_k=49)
    dist, err = grid_minima(model, res, X)
    # the search without a distance condition returns the same local minima, lowest error first
    assert np.sort(err) == pytest.approx(np.sort(res.errors.numpy()), rel=1e-4)
    assert np.sort(dist) == pytest.approx(np.sort(nearest_distance(res.x, X).numpy()), rel=1e-4)
    with pytest.raises(TypeError, match="GridSearchResult"):
        grid_minima(model, "res", X)


def test_far_quantile_explorer_counts_far_low_minima(scan, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    _, models, X, _ = scan
    model = models[0, 1]
    res = latent_grid_search(model, X, resolution=7, reduction="sum")
    w = far_quantile_explorer({"01": model}, {"01": res}, {"01": X}, quantile=0.9)
    slider = w.children[0]
    assert slider.continuous_update is False
    dist, err = grid_minima(model, res, X)
    for q in (0.5, 0.9):
        slider.value = q
        r = w.result["01"]
        far = default_min_distance(X, q)
        count = int(((dist > far) & (err <= res.min_normal_error)).sum())
        assert r["far"] == pytest.approx(far) and r["count"] == count
        assert r["adversarial"] == (count > 0)
    assert {0.95, 0.999} <= {v for _, v in slider.options}
    with pytest.raises(ValueError, match="models"):
        far_quantile_explorer({"x": model}, {"01": res}, {"01": X})
    with pytest.raises(ValueError, match="quantile"):
        far_quantile_explorer({"01": model}, {"01": res}, {"01": X}, quantile=1.5)
    with pytest.raises(TypeError, match="grids"):
        far_quantile_explorer({}, {}, {})
