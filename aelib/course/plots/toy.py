"""Figure 1 of the paper: per-point MSE over a wide input plane, data overlaid, ε zone in red."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from aelib._validation import as_float_tensor
from aelib.course.oob import OutOfBounds
from aelib.course.plots._contour import _eps_zone, _log_contour, log_colorbar

__all__ = ["figure1_panel", "figure1_grid", "figure1_legend_handles", "activation_walk"]


def figure1_panel(
    oob: OutOfBounds,
    X: torch.Tensor,
    ax: Axes | None = None,
    title: str | None = None,
    colorbar: bool = True,
    mark_zone: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
    legend: bool = False,
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
    vmin, vmax : float, optional
        Fix the log colour scale (share it between panels, as :func:`figure1_grid` does);
        default: this panel's own error range.
    legend : bool
        Add a legend for the red ε zone, the black outline, the star and the data.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(oob, OutOfBounds):
        raise TypeError(f"oob: expected an OutOfBounds result, got {type(oob).__name__}")
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    _panel_background(oob, ax, colorbar, vmin=vmin, vmax=vmax)
    _eps_zone(ax, *_grid_arrays(oob), oob.eps)
    _data_points(ax, X)
    if mark_zone and oob.has_zone:
        ax.contour(oob.xx, oob.yy, oob.zone.float(), levels=[0.5], colors="black", linewidths=1.2)
        p = oob.farthest_point
        # clip_on=False: the farthest point is often on the grid's border; draw the whole star
        ax.plot(p[0], p[1], marker="*", ms=14, color="yellow", mec="black", zorder=5, clip_on=False)
    if legend:
        ax.legend(handles=figure1_legend_handles(oob.eps), fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def figure1_legend_handles(eps: float = 0.1) -> list:
    """Legend entries of a Figure-1 panel: ε zone, out-of-bounds outline, farthest point, data.

    Parameters
    ----------
    eps : float
        The ε of the red zone (shown in its label).

    Returns
    -------
    list of matplotlib artists
        Pass to ``ax.legend(handles=...)`` or ``fig.legend(handles=...)``.
    """
    return [
        Patch(color="red", alpha=0.9, label=f"MSE < ε = {eps:g} (near-perfect)"),
        Patch(facecolor="none", edgecolor="black", label="out-of-bounds zone (far from data)"),
        Line2D(
            [],
            [],
            ls="",
            marker="*",
            ms=12,
            color="yellow",
            mec="black",
            label="farthest point of the zone",
        ),
        Line2D([], [], ls="", marker="o", ms=4, color="white", mec="black", label="training data"),
    ]


def figure1_grid(
    results: Mapping[str, OutOfBounds],
    data: Mapping[str, torch.Tensor],
    titles: Mapping[str, str] | None = None,
    ncols: int = 2,
    panel_size: tuple[float, float] = (4.4, 4.0),
) -> plt.Figure:
    """Several Figure-1 panels on one shared log colour scale, one colour bar, one legend.

    Parameters
    ----------
    results : mapping name → OutOfBounds
        One measured grid per panel (from :func:`aelib.course.oob.out_of_bounds`).
    data : mapping name → torch.Tensor
        The training data of each panel, shape (N, 2); same keys as ``results``.
    titles : mapping name → str, optional
        Panel titles; default: the names.
    ncols : int
        Panels per row.
    panel_size : (float, float)
        Width and height of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(results, Mapping) or not results:
        raise TypeError(
            f"results: expected a non-empty mapping name → OutOfBounds, got {results!r:.60}"
        )
    missing = [k for k in results if k not in data]
    if missing:
        raise ValueError(f"data: expected the keys of results, missing {missing}")
    errs = [r.errors.detach() for r in results.values()]
    vmin = max(min(float(e.min()) for e in errs), 1e-8)
    vmax = max(max(float(e.max()) for e in errs), vmin * 10)
    n = len(results)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_size[0] * ncols + 1.2, panel_size[1] * nrows + 0.6),
        squeeze=False,
        layout="constrained",
    )
    for ax, (k, oob) in zip(axes.flat, results.items(), strict=False):
        name = k if titles is None else titles.get(k, k)
        figure1_panel(oob, data[k], ax=ax, title=name, colorbar=False, vmin=vmin, vmax=vmax)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    cs = next(c for c in axes.flat[0].collections if isinstance(c, QuadContourSet))
    log_colorbar(cs, axes, label="MSE (log scale, shared by all panels)")
    eps = next(iter(results.values())).eps
    fig.legend(handles=figure1_legend_handles(eps), loc="outside lower center", ncols=4, fontsize=8)
    return fig


def _grid_arrays(oob: OutOfBounds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(t.detach().cpu().double().numpy() for t in (oob.xx, oob.yy, oob.errors))


def _panel_background(
    oob: OutOfBounds,
    ax: Axes,
    colorbar: bool,
    vmin: float | None = None,
    vmax: float | None = None,
) -> QuadContourSet:
    """A Figure-1 panel without its ε zone and data: log contours, colour bar, axes.

    Returns the contour set.
    """
    cs = _log_contour(ax, *_grid_arrays(oob), vmin=vmin, vmax=vmax)
    if colorbar:
        log_colorbar(cs, ax, label="MSE (log scale)")
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return cs


def _data_points(ax: Axes, X: torch.Tensor) -> PathCollection:
    """The training data of a Figure-1 panel: white dots with black rims, visible on red too."""
    return ax.scatter(
        X[:, 0], X[:, 1], s=9, c="white", edgecolors="black", linewidths=0.5, zorder=3
    )


def activation_walk(
    ts: torch.Tensor,
    errors: torch.Tensor,
    pattern: torch.Tensor,
    edge: float | Sequence[float],
    eps: float = 0.1,
) -> plt.Figure:
    """Error and ReLU activation pattern along a ray a(t) = t·d, one column per t.

    Parameters
    ----------
    ts : torch.Tensor
        Positions along the ray, shape (T,), increasing.
    errors : torch.Tensor
        MSE at each position, shape (T,).
    pattern : torch.Tensor
        bool, shape (T, H): which hidden units are active (see
        :func:`aelib.course.oob.activation_pattern`).
    edge : float or (float, float)
        Position of the data's edge along the ray (a dashed line); a pair ``(t_lo, t_hi)``:
        both edges, the data's extent shaded between them.
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
            f"ts, errors, pattern: expected equal lengths, "
            f"got {len(ts)}, {len(errors)}, {len(pattern)}"
        )
    edges = _edges(edge)
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 4.4), sharex=True)
    a1.semilogy(ts, errors.clamp_min(1e-12), color="C0")
    a1.axhline(eps, color="red", ls=":", label=f"ε = {eps:g}")
    for ax in (a1, a2):
        for i, e in enumerate(edges):
            label = None
            if ax is a1 and i == 0:
                where = ", ".join(f"{e:.3g}" for e in edges)
                label = f"edge{'s' if len(edges) == 2 else ''} of the data (t = {where})"
            ax.axvline(e, color="grey", ls="--", label=label)
        if len(edges) == 2:
            ax.axvspan(*edges, color="grey", alpha=0.12, lw=0)
    a1.set_ylabel("MSE")
    a1.legend(fontsize=8)
    step = float(ts[1] - ts[0]) if len(ts) > 1 else 1.0
    h = pattern.shape[1]
    a2.imshow(
        pattern.T.float(),
        aspect="auto",
        cmap="Greys",
        interpolation="nearest",
        extent=(float(ts[0]) - step / 2, float(ts[-1]) + step / 2, h - 0.5, -0.5),
    )
    a2.set_yticks(range(0, h, max(1, -(-h // 12))))  # whole units: unit 0, 1, 2, …
    a2.set_ylabel("hidden unit\n(black = active)")
    a2.set_xlabel("t along the ray a = t · d")
    fig.tight_layout()
    return fig


def _edges(edge: object) -> tuple[float, ...]:
    """``edge`` of :func:`activation_walk` as a tuple of one or two floats."""
    if isinstance(edge, (int, float)) and not isinstance(edge, bool):
        return (float(edge),)
    try:
        edges = tuple(float(e) for e in edge)
    except TypeError:
        edges = ()
    if len(edges) != 2 or not edges[0] <= edges[1]:
        raise ValueError(
            f"edge: expected a float or a pair (t_lo, t_hi), t_lo ≤ t_hi, got {edge!r}"
        )
    return edges
