"""An error map drawn as one image in log-spaced colour bands, red below ε.

It looks like the course's filled log contours (:func:`aelib.course.plots.error_contour`), but a
slider updates it with ``AxesImage.set_data`` instead of computing new contours: the explorers
that browse many error maps on one fixed colour scale use it.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.ticker import FuncFormatter

__all__ = ["LogBandImage", "pixel_extent"]


class LogBandImage:
    """log10 of an error map, interpolated bilinearly and coloured in log-spaced bands.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    vmin, vmax : float
        The colour scale, fixed for every map shown (errors outside it are clipped to it).
    eps : float
        The bands below ``eps`` are red (the ε zone); ``eps`` is a band boundary when it lies
        inside the scale.
    extent : tuple of float
        (left, right, bottom, top) of the first map's pixels (edges, not centres).
    levels : int
        Number of log-spaced bands (as the contours' levels).
    """

    def __init__(
        self,
        ax: Axes,
        vmin: float,
        vmax: float,
        eps: float,
        extent: tuple[float, float, float, float],
        levels: int = 25,
    ) -> None:
        self.ax = ax
        self.vmin, self.vmax = vmin, max(vmax, vmin * 10)
        bounds = np.geomspace(self.vmin, self.vmax, levels + 1)
        if self.vmin < eps < self.vmax:
            bounds = np.unique(np.append(bounds, eps))
        self.log_levels = np.log10(bounds)
        n = len(bounds) - 1
        viridis = mpl.colormaps["viridis"]
        red = np.array(mcolors.to_rgba("red"))
        colours = []
        for i in range(n):
            c = np.array(viridis(i / max(n - 1, 1)))
            colours.append(0.9 * red + 0.1 * c if bounds[i + 1] <= eps else c)
        self.image = ax.imshow(
            np.zeros((2, 2)),
            extent=extent,
            origin="lower",
            cmap=mcolors.ListedColormap(colours),
            norm=mcolors.BoundaryNorm(self.log_levels, n),
            interpolation="bilinear",
            interpolation_stage="data",
            aspect="equal",
        )

    def set_errors(
        self, errors: np.ndarray, extent: tuple[float, float, float, float] | None = None
    ) -> None:
        """Show ``errors`` (H, W), row 0 at the bottom; ``extent`` moves the image if given."""
        self.image.set_data(np.log10(np.clip(errors, self.vmin, self.vmax)))
        if extent is not None:
            self.image.set_extent(extent)

    def colorbar(self, label: str) -> Colorbar:
        """A colour bar for the bands, ticked at whole powers of ten (at most about 8)."""
        lo, hi = self.log_levels[0], self.log_levels[-1]
        ticks = np.arange(np.ceil(lo - 1e-9), np.floor(hi + 1e-9) + 1)
        if len(ticks) > 8:
            ticks = ticks[:: int(np.ceil(len(ticks) / 8))]
        cb = self.ax.figure.colorbar(self.image, ax=self.ax, ticks=ticks, spacing="uniform")
        cb.set_label(label)
        cb.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{round(v)}}}$"))
        cb.ax.minorticks_off()
        return cb


def pixel_extent(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float, float]:
    """The image extent whose pixel centres are the grid points ``xs`` (W,) × ``ys`` (H,)."""
    hx, hy = float(xs[1] - xs[0]) / 2, float(ys[1] - ys[0]) / 2
    return (float(xs[0]) - hx, float(xs[-1]) + hx, float(ys[0]) - hy, float(ys[-1]) + hy)
