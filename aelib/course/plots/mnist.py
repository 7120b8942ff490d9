"""Figure 2 of the paper: reconstruction error over a 2-D latent plane, and digit grids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from aelib._validation import as_float_tensor, check_positive_float, check_positive_int
from aelib.attacks import GridSearchResult
from aelib.course import config
from aelib.course.plots._contour import error_contour, log_colorbar

__all__ = [
    "DIGIT_COLOURS",
    "digit_colour",
    "latent_error_map",
    "digit_grid",
    "digit_row",
    "error_histograms",
]

#: One colour per digit, the same in every figure (notebooks 08 and 09). Never red (red is the
#: ε zone); the digit sets of the course, {4, 5, 7} and {0, 1}, get colours that stand out on
#: white and on the viridis error maps. Drawn with a thin black rim, so white shows on white.
DIGIT_COLOURS: dict[int, str] = {
    0: "cyan",
    1: "hotpink",
    2: "lime",
    3: "saddlebrown",
    4: "white",
    5: "orange",
    6: "royalblue",
    7: "magenta",
    8: "tan",
    9: "grey",
}


def digit_colour(digit: int) -> str:
    """The colour of ``digit`` (0–9) in every figure of the course (:data:`DIGIT_COLOURS`)."""
    if isinstance(digit, bool) or int(digit) not in DIGIT_COLOURS:
        raise ValueError(f"digit: expected an int in 0..9, got {digit!r}")
    return DIGIT_COLOURS[int(digit)]


def _code_scatter(ax: Axes, lat: torch.Tensor, labels: torch.Tensor, s: float = 5) -> list:
    """Codes coloured by digit, black-rimmed; returns legend handles (rimmed, so white shows)."""
    digits = torch.unique(labels).tolist()
    for d in digits:
        pts = lat[labels == d]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=s,
            color=digit_colour(d),
            edgecolors="black",
            linewidths=0.2,
            alpha=0.9,
        )
    return _digit_handles(digits)


def _digit_handles(digits: list[int]) -> list[Line2D]:
    """Legend handles of the codes of ``digits``: one rimmed dot per digit, in its colour."""
    return [
        Line2D(
            [], [], ls="", marker="o", ms=6, color=digit_colour(d), mec="black", label=f"digit {d}"
        )
        for d in digits
    ]


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
        Digit of each training code, shape (N,); codes are coloured by digit
        (:data:`DIGIT_COLOURS`) with a legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if ``None``.
    eps : float, optional
        The red zone: error below ``eps`` (same reduction as the search); default:
        ``config.MNIST_EPSILON`` (read at call time).
    mark : int
        Mark the first ``mark`` candidates ``result.z`` with numbered stars (0 = lowest error);
        a candidate whose error is below ``eps`` while its grid cell's is not (a minimum
        narrower than a grid cell, so no red shows) also gets a red ring.
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
        log_colorbar(cs, ax, label=f"{unit} (log scale)")
    if labels is None:
        ax.scatter(lat[:, 0], lat[:, 1], s=3, c="white", edgecolors="none", alpha=0.7)
        handles = []
    else:
        handles = _code_scatter(ax, lat, labels, s=4)
    if mark and result.z is not None:
        handles += _mark_candidates(ax, result, mark, eps)
    if handles:
        ax.legend(handles=handles, fontsize=8, loc="upper right", framealpha=0.9)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


_TINY_ZONE_CELLS = 4  # an ε zone of at most this many grid cells is hidden under a star


def _mark_candidates(ax: Axes, result: GridSearchResult, mark: int, eps: float) -> list:
    """Numbered stars on the first ``mark`` candidates; a red ring where L < ε but no red shows.

    The ε zone is drawn from the grid, so the zone of a narrow minimum (at most
    ``_TINY_ZONE_CELLS`` cells of its 5 × 5 neighbourhood below ε) is a speck of red, hidden
    under the star, though the candidate's own error is below ε; the ring shows it. Returns
    legend handles.
    """
    ringed = False
    for i, z in enumerate(result.z[:mark].tolist()):
        ax.plot(*z, marker="*", ms=13, color="yellow", mec="black", zorder=5, clip_on=False)
        ax.annotate(
            str(i),
            z,
            xytext=(9, 8),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            color="black",
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )
        if _red_hidden_by_star(result, i, eps):
            ax.plot(*z, marker="o", ms=20, mfc="none", mec="red", mew=2, zorder=4)
            ringed = True
    return _candidate_handles(ringed)


def _red_hidden_by_star(result: GridSearchResult, i: int, eps: float) -> bool:
    """Whether candidate ``i``'s error is below ``eps`` while its grid's ε zone is a speck."""
    z, e = result.z[i].tolist(), float(result.errors[i])
    gx, gy = result.grid_x.detach().cpu(), result.grid_y.detach().cpu()
    i_y, i_x = int(torch.argmin((gy - z[1]).abs())), int(torch.argmin((gx - z[0]).abs()))
    near = result.error_map.detach().cpu()[max(i_y - 2, 0) : i_y + 3, max(i_x - 2, 0) : i_x + 3]
    return e < eps and int((near < eps).sum()) <= _TINY_ZONE_CELLS


def _candidate_handles(ringed: bool, label: str = "far local minima (0 = lowest)") -> list:
    """Legend handles of the starred candidates (and of the red ring, if one is drawn)."""
    handles = [
        Line2D(
            [],
            [],
            ls="",
            marker="*",
            ms=11,
            color="yellow",
            mec="black",
            label=label,
        )
    ]
    if ringed:
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=11,
                mfc="none",
                mec="red",
                mew=2,
                label="L < ε here; zone ≲ 2 grid cells wide",
            )
        )
    return handles


def _images(images: object) -> torch.Tensor:
    x = as_float_tensor(images, "images", ndim=4, shape="(K, 1, H, W)", allow_empty=False)
    if x.shape[1] != 1:
        raise ValueError(f"images: expected one channel, shape (K, 1, H, W), got {tuple(x.shape)}")
    return x.detach().cpu().float().clamp(0, 1)


def _tiled(x: torch.Tensor, nrow: int, padding: int = 2) -> torch.Tensor:
    """(K, 1, H, W) → one (H', W') image, as ``torchvision.utils.make_grid(x, nrow, padding)[0]``
    with ``pad_value=0`` (``tests/test_plots_widgets_mnist.py`` compares them). Not torchvision
    itself: importing it pulls in ``torch._dynamo``, ≈ 3 s and ≈ 160 MB per kernel, for a
    reshape."""
    if len(x) == 1:
        return x[0, 0]
    cols = min(nrow, len(x))
    rows = -(-len(x) // cols)
    h, w = x.shape[-2] + padding, x.shape[-1] + padding
    grid = x.new_zeros(rows * h + padding, cols * w + padding)
    for k, image in enumerate(x[:, 0]):
        top, left = (k // cols) * h + padding, (k % cols) * w + padding
        grid[top : top + h - padding, left : left + w - padding] = image
    return grid


def digit_grid(
    images: torch.Tensor, nrow: int = 8, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Show images as one grid (laid out as ``torchvision.utils.make_grid``), ink dark on white.

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
    grid = _tiled(x, nrow)
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
            ax.set_xlabel(captions[i], fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def error_histograms(
    errors: Mapping[str, torch.Tensor],
    ax: Axes | None = None,
    threshold: float | None = None,
    bins: int = 40,
    filled: Sequence[str] = (),
    alpha: float = 0.35,
    legend_outside: bool = False,
    legend_title: str | None = None,
) -> Axes:
    """Histograms of reconstruction errors per group on a log axis (e.g. one per digit).

    Parameters
    ----------
    errors : mapping str → torch.Tensor
        Group name → errors, shape (N_g,), positive.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    threshold : float, optional
        Draw a vertical line there (labelled in the legend).
    bins : int
        Number of log-spaced bins over the range of all groups.
    filled : sequence of str
        Groups drawn as translucent filled bars (e.g. the normal data) under the outlines of
        the others.
    alpha : float
        Opacity of the filled groups.
    legend_outside : bool
        Put the legend to the right of the axes (for many groups).
    legend_title : str, optional
        Legend title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(errors, Mapping) or not errors:
        raise TypeError(f"errors: expected a non-empty mapping name → errors, got {errors!r:.60}")
    bins = check_positive_int(bins, "bins")
    unknown = [k for k in filled if k not in errors]
    if isinstance(filled, str) or unknown:
        raise ValueError(f"filled: expected a sequence of group names of errors, got {filled!r}")
    values = {
        k: as_float_tensor(v, f"errors[{k!r}]", ndim=1, shape="(N,)").detach().cpu().double()
        for k, v in errors.items()
    }
    lo = max(min(float(v.min()) for v in values.values()), 1e-8)
    hi = max(max(float(v.max()) for v in values.values()), lo * 10)
    edges = np.geomspace(lo, hi, bins + 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    for k, v in values.items():
        w = np.full(len(v), 1.0 / len(v))
        x = v.clamp_min(lo).numpy()
        if k in filled:
            ax.hist(x, bins=edges, weights=w, color="0.45", alpha=alpha, label=k, zorder=1)
        else:
            ax.hist(x, bins=edges, weights=w, histtype="step", lw=1.4, label=k, zorder=2)
    if threshold is not None:
        t = check_positive_float(threshold, "threshold")
        ax.axvline(t, color="red", ls="--", lw=1.2, label=f"threshold {t:.3g}", zorder=3)
    ax.set_xscale("log")
    ax.set_xlabel("reconstruction error (log scale)")
    ax.set_ylabel("fraction of the group")
    if legend_outside:
        ax.legend(
            fontsize=8,
            title=legend_title,
            title_fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0.0,
        )
    else:
        ax.legend(fontsize=8, ncol=2, title=legend_title, title_fontsize=8)
    return ax
