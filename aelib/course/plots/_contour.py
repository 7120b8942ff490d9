"""The paper's contour style, shared by Figure 1 (input plane) and Figure 2 (latent plane).

Errors are drawn on an exponential (logarithmic) colour scale, and the zone where the error is
below ε — "near-perfect reconstruction" — is painted red.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.ticker import LogFormatterSciNotation

from aelib._validation import as_float_tensor, check_positive_float, check_positive_int

__all__ = ["error_contour", "log_colorbar"]


def error_contour(
    ax: Axes,
    xx: torch.Tensor,
    yy: torch.Tensor,
    errors: torch.Tensor,
    eps: float = 0.1,
    levels: int = 25,
    cmap: str = "viridis",
):
    """Filled contours of ``errors`` on a log colour scale, red where ``errors < eps``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    xx, yy : torch.Tensor or numpy.ndarray
        Grid coordinates, shape (H, W) each (as from ``meshgrid(..., indexing="xy")``).
    errors : torch.Tensor or numpy.ndarray
        Error at each grid point, shape (H, W), non-negative.
    eps : float
        The near-perfect threshold ε (the paper uses 0.1).
    levels : int
        Number of log-spaced contour levels.
    cmap : str
        Matplotlib colour map for the errors above ε.

    Returns
    -------
    matplotlib.contour.QuadContourSet
        The main contour set (pass it to ``fig.colorbar(cs, format="%.0e")``; without a
        format the log colour bar labels only a few of the level boundaries).
    """
    if not isinstance(ax, Axes):
        raise TypeError(f"ax: expected a matplotlib Axes, got {type(ax).__name__}")
    xx = as_float_tensor(xx, "xx", ndim=2, shape="(H, W)").detach().cpu().double().numpy()
    yy = as_float_tensor(yy, "yy", ndim=2, shape="(H, W)").detach().cpu().double().numpy()
    err = as_float_tensor(errors, "errors", ndim=2, shape="(H, W)").detach().cpu().double().numpy()
    if not (xx.shape == yy.shape == err.shape):
        raise ValueError(
            f"xx, yy, errors: expected equal shapes, got {xx.shape}, {yy.shape}, {err.shape}"
        )
    if (err < 0).any():
        raise ValueError("errors: expected non-negative values, got negative entries")
    eps = check_positive_float(eps, "eps")
    levels = check_positive_int(levels, "levels")
    cs = _log_contour(ax, xx, yy, err, levels, cmap)
    _eps_zone(ax, xx, yy, err, eps)
    return cs


def _log_contour(
    ax: Axes,
    xx: np.ndarray,
    yy: np.ndarray,
    err: np.ndarray,
    levels: int = 25,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
):
    """The log-scale filled contours of :func:`error_contour`, without the ε zone.

    ``vmin``/``vmax`` fix the colour scale (to share it between panels); by default it spans
    this panel's errors.
    """
    floor = max(float(err.min()), 1e-8) if vmin is None else float(vmin)
    top = max(float(err.max()), floor * 10) if vmax is None else max(float(vmax), floor * 10)
    bounds = np.geomspace(floor, top, levels + 1)
    clipped = np.clip(err, floor, top)
    return ax.contourf(xx, yy, clipped, levels=bounds, norm=LogNorm(floor, top), cmap=cmap)


def _eps_zone(ax: Axes, xx: np.ndarray, yy: np.ndarray, err: np.ndarray, eps: float):
    """The red zone of :func:`error_contour` (``err < eps``), or ``None`` where it is empty.

    Separate so that a slider moving ε redraws only this layer.
    """
    if not (err < eps).any():
        return None
    return ax.contourf(xx, yy, err, levels=[float(err.min()) - 1.0, eps], colors=["red"], alpha=0.9)


def log_colorbar(cs, ax, label: str = "MSE (log scale)"):
    """A colour bar for a log-scale contour set, ticked at whole powers of ten (10⁻³, 10⁻², …).

    Parameters
    ----------
    cs : matplotlib.contour.QuadContourSet
        From :func:`error_contour` (or any ``contourf`` with a ``LogNorm``).
    ax : matplotlib.axes.Axes or sequence of Axes
        The axes the colour bar takes its room from (several: one bar shared by all).
    label : str
        Colour bar label.

    Returns
    -------
    matplotlib.colorbar.Colorbar
    """
    lo, hi = float(cs.levels[0]), float(cs.levels[-1])
    decades = np.arange(np.ceil(np.log10(lo) - 1e-9), np.floor(np.log10(hi) + 1e-9) + 1)
    ticks = 10.0**decades
    if len(ticks) < 2:
        ticks = np.array([lo, hi])
    elif len(ticks) > 8:  # keep at most ~8 labels: every 2nd or 3rd decade
        ticks = ticks[:: int(np.ceil(len(ticks) / 8))]
    first = ax if isinstance(ax, Axes) else np.asarray(ax).flat[0]
    cb = first.figure.colorbar(cs, ax=ax, label=label, ticks=ticks)
    cb.ax.yaxis.set_major_formatter(LogFormatterSciNotation())
    cb.ax.minorticks_off()
    return cb
