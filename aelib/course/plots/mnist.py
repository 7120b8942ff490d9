"""Figure 2 of the paper: reconstruction error over a 2-D latent plane, and digit grids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torchvision.utils import make_grid

from aelib._validation import as_float_tensor, check_positive_float, check_positive_int
from aelib.attacks import GridSearchResult
from aelib.course import config
from aelib.course.plots._contour import error_contour

__all__ = ["latent_error_map", "digit_grid", "digit_row", "error_histograms"]

_CODE_COLOURS = ("white", "orange", "magenta", "cyan")  # never red: red is the ε zone


def latent_error_map(
    result: GridSearchResult,
    labels: torch.Tensor | None = None,
    ax: Axes | None = None,
    eps: float | None = None,
    mark: int = 0,
    title: str | None = None,
    colorbar: bool = True,
) -> Axes:
    """Figure 2a/2b: L(h(z)) over the latent grid, training codes overlaid, red where L < ε.

    Parameters
    ----------
    result : GridSearchResult
        From :func:`aelib.attacks.latent_grid_search` (its ``error_map`` is drawn on a log colour
        scale with :func:`aelib.course.plots.error_contour`).
    labels : torch.Tensor, optional
        Digit of each training code, shape (N,); codes are coloured by digit with a legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if ``None``.
    eps : float, optional
        The red zone: error below ``eps`` (same reduction as the search); default:
        ``config.MNIST_EPSILON`` (read at call time).
    mark : int
        Mark the first ``mark`` candidates ``result.z`` with numbered stars.
    title : str, optional
        Panel title.
    colorbar : bool
        Add a colour bar.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(result, GridSearchResult):
        raise TypeError(f"result: expected a GridSearchResult, got {type(result).__name__}")
    eps = config.MNIST_EPSILON if eps is None else eps
    eps = check_positive_float(eps, "eps")
    if isinstance(mark, bool) or not isinstance(mark, int) or mark < 0:
        raise TypeError(f"mark: expected a non-negative int, got {mark!r}")
    lat = result.latents.detach().cpu()
    if labels is not None:
        if not isinstance(labels, torch.Tensor) or labels.shape != (len(lat),):
            raise ValueError(
                f"labels: expected a tensor of shape ({len(lat)},), got {getattr(labels, 'shape', labels)!r}"
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 4.4))
    yy, xx = torch.meshgrid(result.grid_y, result.grid_x, indexing="ij")
    cs = error_contour(ax, xx, yy, result.error_map, eps=eps)
    if colorbar:
        unit = "sum of squared errors" if result.reduction == "sum" else "MSE"
        ax.figure.colorbar(cs, ax=ax, label=f"{unit} (log scale)", format="%.0e")
    if labels is None:
        ax.scatter(lat[:, 0], lat[:, 1], s=3, c="white", edgecolors="none", alpha=0.7)
    else:
        for i, d in enumerate(torch.unique(labels).tolist()):
            pts = lat[labels == d]
            colour = _CODE_COLOURS[i % len(_CODE_COLOURS)]
            ax.scatter(pts[:, 0], pts[:, 1], s=3, color=colour, alpha=0.8, label=f"digit {d}")
        ax.legend(fontsize=7, markerscale=3, loc="upper right")
    if mark and result.z is not None:
        for i, z in enumerate(result.z[:mark].tolist()):
            ax.plot(*z, marker="*", ms=13, color="yellow", mec="black", zorder=4)
            ax.annotate(str(i), z, xytext=(5, 5), textcoords="offset points", fontsize=8)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _images(images: object) -> torch.Tensor:
    x = as_float_tensor(images, "images", ndim=4, shape="(K, 1, H, W)", allow_empty=False)
    if x.shape[1] != 1:
        raise ValueError(f"images: expected one channel, shape (K, 1, H, W), got {tuple(x.shape)}")
    return x.detach().cpu().float().clamp(0, 1)


def digit_grid(
    images: torch.Tensor, nrow: int = 8, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Show images as one grid (``torchvision.utils.make_grid``), ink dark on white.

    Parameters
    ----------
    images : torch.Tensor or numpy.ndarray
        Shape (K, 1, H, W), values in [0, 1].
    nrow : int
        Images per row.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = _images(images)
    nrow = check_positive_int(nrow, "nrow")
    grid = make_grid(x, nrow=nrow, padding=2, pad_value=0.0)[0]
    if ax is None:
        cols = min(nrow, len(x))
        rows = -(-len(x) // nrow)
        _, ax = plt.subplots(figsize=(0.8 * cols + 0.4, 0.8 * rows + 0.4))
    ax.imshow(grid.numpy(), cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def digit_row(
    images: torch.Tensor, captions: Sequence[str] | None = None, title: str | None = None
) -> plt.Figure:
    """Images side by side, each with a caption underneath (Figure 2c–e style).

    Parameters
    ----------
    images : torch.Tensor or numpy.ndarray
        Shape (K, 1, H, W), values in [0, 1].
    captions : sequence of str, optional
        One caption per image.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = _images(images)
    if captions is not None and len(captions) != len(x):
        raise ValueError(f"captions: expected {len(x)} captions, got {len(captions)}")
    fig, axes = plt.subplots(1, len(x), figsize=(1.75 * len(x) + 0.3, 2.3), squeeze=False)
    for i, ax in enumerate(axes[0]):
        ax.imshow(x[i, 0].numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if captions is not None:
            ax.set_xlabel(captions[i], fontsize=7.5)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def error_histograms(
    errors: Mapping[str, torch.Tensor], ax: Axes | None = None, threshold: float | None = None
) -> Axes:
    """Histograms of reconstruction errors per group on a log axis (e.g. one per digit).

    Parameters
    ----------
    errors : mapping str → torch.Tensor
        Group name → errors, shape (N_g,), positive.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    threshold : float, optional
        Draw a vertical line there.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(errors, Mapping) or not errors:
        raise TypeError(f"errors: expected a non-empty mapping name → errors, got {errors!r:.60}")
    values = {
        k: as_float_tensor(v, f"errors[{k!r}]", ndim=1, shape="(N,)").detach().cpu().double()
        for k, v in errors.items()
    }
    lo = max(min(float(v.min()) for v in values.values()), 1e-8)
    hi = max(max(float(v.max()) for v in values.values()), lo * 10)
    bins = np.geomspace(lo, hi, 40)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    for k, v in values.items():
        w = np.full(len(v), 1.0 / len(v))
        ax.hist(v.clamp_min(lo).numpy(), bins=bins, weights=w, histtype="step", lw=1.5, label=k)
    if threshold is not None:
        ax.axvline(check_positive_float(threshold, "threshold"), color="red", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("reconstruction error (log scale)")
    ax.set_ylabel("fraction of the group")
    ax.legend(fontsize=7, ncol=2)
    return ax
