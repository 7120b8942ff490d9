"""Figure 1 of the paper: per-point MSE over a wide input plane, data overlaid, ε zone in red."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection

from aelib._validation import as_float_tensor
from aelib.course.oob import OutOfBounds
from aelib.course.plots._contour import _eps_zone, _log_contour

__all__ = ["figure1_panel", "activation_walk"]


def figure1_panel(
    oob: OutOfBounds,
    X: torch.Tensor,
    ax: Axes | None = None,
    title: str | None = None,
    colorbar: bool = True,
    mark_zone: bool = True,
) -> Axes:
    """One Figure-1 panel: the MSE contour of :func:`aelib.course.oob.out_of_bounds`'s grid.

    Log colour scale, red where MSE < ε (via :func:`aelib.course.plots.error_contour`), the training
    data as white dots; with ``mark_zone`` the out-of-bounds zone (MSE < ε farther than the
    margin from all data) is outlined in black and its farthest point marked with a star.

    Parameters
    ----------
    oob : OutOfBounds
        The measured grid (from :func:`aelib.course.oob.out_of_bounds`).
    X : torch.Tensor or numpy.ndarray
        Training data, shape (N, 2).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if ``None``.
    title : str, optional
        Panel title.
    colorbar : bool
        Add a colour bar labelled "MSE".
    mark_zone : bool
        Outline the out-of-bounds zone and mark its farthest point.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(oob, OutOfBounds):
        raise TypeError(f"oob: expected an OutOfBounds result, got {type(oob).__name__}")
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    _panel_background(oob, ax, colorbar)
    _eps_zone(ax, *_grid_arrays(oob), oob.eps)
    _data_points(ax, X)
    if mark_zone and oob.has_zone:
        ax.contour(oob.xx, oob.yy, oob.zone.float(), levels=[0.5], colors="black", linewidths=1)
        p = oob.farthest_point
        ax.plot(p[0], p[1], marker="*", ms=12, color="yellow", mec="black", zorder=4)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _grid_arrays(oob: OutOfBounds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(t.detach().cpu().double().numpy() for t in (oob.xx, oob.yy, oob.errors))


def _panel_background(oob: OutOfBounds, ax: Axes, colorbar: bool) -> None:
    """A Figure-1 panel without its ε zone and data: log contours, colour bar, axes."""
    cs = _log_contour(ax, *_grid_arrays(oob))
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label="MSE (log scale)", format="%.0e")
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def _data_points(ax: Axes, X: torch.Tensor) -> PathCollection:
    """The training data of a Figure-1 panel: white dots above the contours."""
    return ax.scatter(
        X[:, 0], X[:, 1], s=5, c="white", edgecolors="black", linewidths=0.3, zorder=3
    )


def activation_walk(
    ts: torch.Tensor, errors: torch.Tensor, pattern: torch.Tensor, edge: float, eps: float = 0.1
) -> plt.Figure:
    """Error and ReLU activation pattern along a ray a(t) = t·d, one column per t.

    Parameters
    ----------
    ts : torch.Tensor
        Positions along the ray, shape (T,), increasing.
    errors : torch.Tensor
        MSE at each position, shape (T,).
    pattern : torch.Tensor
        bool, shape (T, H): which hidden units are active (see :func:`aelib.course.oob.activation_pattern`).
    edge : float
        Position of the data's edge along the ray (drawn as a dashed line).
    eps : float
        The ε line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ts = as_float_tensor(ts, "ts", ndim=1, shape="(T,)")
    errors = as_float_tensor(errors, "errors", ndim=1, shape="(T,)")
    if not isinstance(pattern, torch.Tensor) or pattern.dtype != torch.bool or pattern.ndim != 2:
        raise TypeError(f"pattern: expected a bool tensor of shape (T, H), got {pattern!r:.60}")
    if not (len(ts) == len(errors) == len(pattern)):
        raise ValueError(
            f"ts, errors, pattern: expected equal lengths, got {len(ts)}, {len(errors)}, {len(pattern)}"
        )
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 4.2), sharex=True)
    a1.semilogy(ts, errors.clamp_min(1e-12), color="C0")
    a1.axhline(eps, color="red", ls=":", label=f"ε = {eps:g}")
    a1.axvline(edge, color="grey", ls="--", label="edge of the data")
    a1.set_ylabel("MSE")
    a1.legend(fontsize=8)
    step = float(ts[1] - ts[0]) if len(ts) > 1 else 1.0
    a2.imshow(
        pattern.T.float(),
        aspect="auto",
        cmap="Greys",
        interpolation="nearest",
        extent=(float(ts[0]) - step / 2, float(ts[-1]) + step / 2, pattern.shape[1] - 0.5, -0.5),
    )
    a2.axvline(edge, color="grey", ls="--")
    a2.set_ylabel("hidden unit\n(black = active)")
    a2.set_xlabel("t along the ray a = t · d")
    fig.tight_layout()
    return fig
