"""Slider explorers for notebooks 08–10 (MNIST, Figure 2)."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

from aelib._validation import as_float_tensor, check_module, check_nonnegative_float
from aelib.attacks import GridSearchResult, nearest_distance
from aelib.course import config
from aelib.course.plots.mnist import error_histograms, latent_error_map
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import LiveFigure
from aelib.metrics import reconstruction_error
from aelib.threads import torch_threads

__all__ = ["latent_explorer", "threshold_explorer"]


def latent_explorer(
    model: nn.Module,
    result: GridSearchResult,
    X_normal: torch.Tensor,
    labels: torch.Tensor | None = None,
    min_distance: float | None = None,
    eps: float | None = None,
) -> widgets.interactive:
    """Move a point z through the 2-D latent plane: see a = h(z), its reconstruction and error.

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder with a 2-D latent (``encode``/``decode``).
    result : GridSearchResult
        Its grid search (background map, slider ranges, reduction).
    X_normal : torch.Tensor or numpy.ndarray
        The training images, shape (N, 1, 28, 28).
    labels : torch.Tensor, optional
        Their digits, shape (N,) (colours the codes).
    min_distance : float, optional
        "Far from the data" for the ``adversarial`` flag; ``None``: no distance condition.
    eps : float, optional
        Red zone of the background map; default: ``config.MNIST_EPSILON`` (read at call time).

    Returns
    -------
    ipywidgets.interactive
        Sliders ``z1``, ``z2``; ``.result`` is a dict with ``z`` (2,), ``image`` (1, 28, 28),
        ``error`` (L(h(z)), the search's reduction), ``min_normal_error``, ``distance`` (to the
        nearest training image, pixel space) and ``adversarial`` (error ≤ min normal error and,
        if ``min_distance`` is set, distance > it).
    """
    eps = config.MNIST_EPSILON if eps is None else eps
    check_module(model)
    if not isinstance(result, GridSearchResult):
        raise TypeError(f"result: expected a GridSearchResult, got {type(result).__name__}")
    X_normal = as_float_tensor(X_normal, "X_normal", ndim=4, shape="(N, 1, 28, 28)")
    if min_distance is not None:
        min_distance = check_nonnegative_float(min_distance, "min_distance")
    min_normal = result.min_normal_error
    gx, gy = result.grid_x, result.grid_y
    live = LiveFigure(figsize=(10, 3.4), ncols=3, gridspec_kw={"width_ratios": [1.6, 1, 1]})
    axes = live.axes
    before = set(live.fig.axes)
    latent_error_map(result, labels, ax=axes[0], eps=eps)
    (cbar,) = [a for a in live.fig.axes if a not in before]  # the colour bar's axes
    _mark_eps(cbar, eps)
    (point,) = axes[0].plot([], [], "o", ms=9, color="cyan", mec="black", zorder=5)
    images = []
    for ax, name in ((axes[1], "a = h(z)"), (axes[2], "reconstruction f(a)")):
        images.append(ax.imshow(np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=1))
        ax.set_title(name, fontsize=9)
        ax.axis("off")
    title = live.fig.suptitle("", fontsize=9)

    def update(z1: float, z2: float) -> dict:
        z = torch.tensor([[z1, z2]], dtype=torch.float32)
        with torch_threads(1):  # one image: a second thread only waits (aelib.threads)
            with torch.inference_mode():
                a = model.decode(z).clone()
            err = float(reconstruction_error(model, a, reduction=result.reduction)[0])
            dist = float(nearest_distance(a, X_normal)[0])
            with torch.inference_mode():
                rec = model(a).clone()
        adversarial = err <= min_normal and (min_distance is None or dist > min_distance)
        point.set_data([z1], [z2])
        for image, x in zip(images, (a, rec), strict=True):
            image.set_data(x[0, 0].numpy())
        verdict = "ADVERSARIAL" if adversarial else "not adversarial"
        title.set_text(
            f"z = ({z1:.2f}, {z2:.2f}): error {err:.3g} vs min normal {min_normal:.3g} "
            f"({result.reduction}); distance to nearest training image {dist:.3g} — {verdict}"
        )
        return {
            "z": z[0],
            "image": a[0],
            "error": err,
            "min_normal_error": min_normal,
            "distance": dist,
            "adversarial": adversarial,
        }

    def show(z1: float, z2: float) -> dict:
        shown = update(z1, z2)
        live.show()
        return shown

    def slider(grid: torch.Tensor, name: str) -> widgets.FloatSlider:
        lo, hi = float(grid[0]), float(grid[-1])
        return widgets.FloatSlider(
            value=round((lo + hi) / 2, 2),
            min=lo,
            max=hi,
            step=round((hi - lo) / 200, 3) or 0.001,
            description=name,
            continuous_update=False,
        )

    z1, z2 = slider(gx, "z1"), slider(gy, "z2")
    update(z1.value, z2.value)
    live.readable()
    live.freeze([point, *images, title])
    return explorer_widget(show, z1=z1, z2=z2)


def _mark_eps(cbar: Axes, eps: float) -> None:
    """Mark ε on a vertical colour bar: the red zone of the map is everything below the line."""
    lo, hi = sorted(cbar.get_ylim())
    if lo <= eps <= hi:
        cbar.axhline(eps, color="red", lw=2)
        cbar.text(
            -0.15,
            eps,
            "ε",
            transform=cbar.get_yaxis_transform(),
            ha="right",
            va="center",
            color="red",
            fontsize=9,
        )


def threshold_explorer(
    normal: torch.Tensor,
    anomalies: Mapping[str, torch.Tensor],
    label: str = "reconstruction error",
    start: float | None = None,
) -> widgets.interactive:
    """Move a detection threshold over a score; see false alarms on normal data and detections.

    Parameters
    ----------
    normal : torch.Tensor or numpy.ndarray
        Scores of normal (held-out) samples, shape (N,), positive.
    anomalies : mapping str → torch.Tensor
        Group name → scores of anomalies, shape (M_g,).
    label : str
        What the score is (axis label).
    start : float, optional
        Initial threshold; default the median normal score.

    Returns
    -------
    ipywidgets.interactive
        One log-scale slider ``threshold``; ``.result`` is a dict with ``threshold``,
        ``false_positive_rate`` (fraction of normal scores above it) and ``detected``
        (group → fraction of its scores above it).
    """
    normal = as_float_tensor(normal, "normal", ndim=1, shape="(N,)").detach().cpu().double()
    if not isinstance(anomalies, Mapping) or not anomalies:
        raise TypeError(
            f"anomalies: expected a non-empty mapping name → scores, got {anomalies!r:.60}"
        )
    groups = {
        k: as_float_tensor(v, f"anomalies[{k!r}]", ndim=1, shape="(M,)").detach().cpu().double()
        for k, v in anomalies.items()
    }
    everything = torch.cat([normal, *groups.values()])
    lo = max(float(everything.min()), 1e-8)
    hi = max(float(everything.max()), lo * 10)
    value = float(normal.median()) if start is None else check_nonnegative_float(start, "start")
    value = float(np.clip(value, lo, hi))
    live = LiveFigure(figsize=(7, 3.2))
    ax = live.axes
    error_histograms({"normal": normal, **groups}, ax=ax)
    ax.set_xlabel(f"{label} (log scale)")
    live.fix_limits()  # the threshold line must not widen the axis
    line = ax.axvline(value, color="red", ls="--", lw=1)  # where "best" places the legend
    title = ax.set_title("threshold", fontsize=9)  # a representative title for the layout
    live.readable()
    live.freeze([line, title])

    def show(threshold: float) -> dict:
        fpr = float((normal > threshold).double().mean())
        detected = {k: float((v > threshold).double().mean()) for k, v in groups.items()}
        line.set_xdata([threshold, threshold])
        title.set_text(
            f"threshold {threshold:.3g}: false alarms {fpr:.1%}; detected "
            + ", ".join(f"{k} {v:.0%}" for k, v in detected.items())
        )
        live.show()
        return {"threshold": threshold, "false_positive_rate": fpr, "detected": detected}

    slider = widgets.FloatLogSlider(
        value=value,
        base=10,
        min=float(np.log10(lo)),
        max=float(np.log10(hi)),
        step=0.01,
        description="threshold",
        continuous_update=False,
        readout_format=".3g",
    )
    return explorer_widget(show, threshold=slider)
