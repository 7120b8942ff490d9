"""Notebook 09's explorers of the seed-and-epoch study and of the "far" quantile."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aelib._torch_utils import eval_mode
from aelib._validation import as_float_tensor, check_module, check_positive_float
from aelib.attacks import GridSearchResult, nearest_distance
from aelib.audit import default_min_distance
from aelib.course import config
from aelib.course.plots.mnist import (
    _candidate_handles,
    _digit_handles,
    _red_hidden_by_star,
    digit_colour,
)
from aelib.course.plots.sweep import _check_scan, _margin
from aelib.course.widgets._bands import LogBandImage, pixel_extent
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import MIN_FONT_PT, LiveFigure

__all__ = ["sweep_browser", "grid_minima", "far_quantile_explorer"]

_FLOOR = 0.1  # the colour scale starts at this × ε at the lowest: below ε every band is red
FAR_QUANTILES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999)


def sweep_browser(
    scan: Mapping[tuple[str, int, int], GridSearchResult],
    labels: Mapping[str, torch.Tensor] | None = None,
    eps: float | None = None,
) -> widgets.interactive:
    """Browse the latent error maps of a seed-and-epoch scan: digit set, seed, epoch.

    Parameters
    ----------
    scan : mapping (name, seed, epoch) → GridSearchResult
        From :func:`aelib.course.mnist_experiments.seed_epoch_scan` (searches with
        ``min_distance`` set).
    labels : mapping str → torch.Tensor, optional
        Digit of each training code per digit set, shape (N,) (colours the codes).
    eps : float, optional
        Red zone of the maps; default ``config.MNIST_EPSILON``.

    Returns
    -------
    ipywidgets.interactive
        Sliders "digits" (``name``, the digit set), ``seed`` (both selection sliders) and
        ``epoch`` (all ``continuous_update=False``). Each move shows that snapshot's error map
        in log-spaced colour bands on one colour scale for the whole scan, red below ε (styled
        like :func:`aelib.course.plots.latent_error_map`'s contours), its training codes
        coloured by digit, its best far candidate starred (ringed in red when its own error is
        below ε but its red zone is too small to see under the star), and its margin and
        verdict in the title; the legend sits under the map. ``.result`` is a dict with
        ``name``, ``seed``, ``epoch``, ``margin`` (best far error / min normal error) and
        ``adversarial`` (margin ≤ 1).

    Raises
    ------
    TypeError
        If ``scan`` is empty or not a mapping of ``GridSearchResult``.
    ValueError
        If a key is not (name, seed, epoch), or ``labels`` lacks a digit set of the scan or
        has the wrong length for it.

    Notes
    -----
    The figure is built once; a move updates its artists (image data, code positions, the star,
    axes limits, title), so it costs one canvas draw, not a new figure.
    """
    _check_scan(scan)
    eps = check_positive_float(config.MNIST_EPSILON if eps is None else eps, "eps")
    names = list(dict.fromkeys(k[0] for k in scan))
    seeds = sorted({k[1] for k in scan})
    epochs = sorted({k[2] for k in scan})
    if labels is not None:
        for name in names:
            lat = next(r.latents for k, r in scan.items() if k[0] == name)
            given = labels.get(name) if isinstance(labels, Mapping) else None
            if not isinstance(given, torch.Tensor) or given.shape != (len(lat),):
                raise ValueError(
                    f"labels[{name!r}]: expected a tensor of shape ({len(lat)},), "
                    f"got {getattr(given, 'shape', given)!r}"
                )
    view = _SweepView(scan, labels, eps)

    def show(name: str, seed: int, epoch: int) -> dict:
        shown = view.draw(name, seed, epoch)
        view.live.show()
        return shown

    return explorer_widget(
        show,
        name=widgets.SelectionSlider(
            options=names, value=names[0], description="digits", continuous_update=False
        ),
        seed=widgets.SelectionSlider(
            options=seeds, value=seeds[0], description="seed", continuous_update=False
        ),
        epoch=widgets.IntSlider(
            value=epochs[-1],
            min=epochs[0],
            max=epochs[-1],
            step=1,
            description="epoch",
            continuous_update=False,
        ),
    )


class _SweepView:
    """The browser's one figure: a banded error map, the codes, the best far candidate, a title."""

    def __init__(
        self,
        scan: Mapping[tuple[str, int, int], GridSearchResult],
        labels: Mapping[str, torch.Tensor] | None,
        eps: float,
    ) -> None:
        self.scan, self.labels, self.eps = scan, labels, eps
        first = next(iter(scan.values()))
        lows = [float(r.error_map.min()) for r in scan.values()]
        vmin = max(min(lows), _FLOOR * eps, 1e-12)
        vmax = max(float(r.error_map.max()) for r in scan.values())
        self.live = LiveFigure(figsize=(6.2, 5.4))
        ax = self.ax = self.live.axes
        self.bands = LogBandImage(ax, vmin, vmax, eps, _extent(first))
        unit = "sum of squared errors" if first.reduction == "sum" else "MSE"
        self.bands.colorbar(f"{unit} (log scale, all snapshots)")
        self.codes = ax.scatter(
            np.zeros(0), np.zeros(0), s=4, edgecolors="black", linewidths=0.2, alpha=0.9
        )
        (self.star,) = ax.plot(
            [], [], ls="", marker="*", ms=13, color="yellow", mec="black", zorder=5, clip_on=False
        )
        (self.ring,) = ax.plot(
            [], [], ls="", marker="o", ms=20, mfc="none", mec="red", mew=2, zorder=4
        )
        # a fixed box: with equal axis scales a tall snapshot's box would outgrow the layout
        ax.set_aspect("auto")
        ax.set_xlabel("$z_1$")
        ax.set_ylabel("$z_2$")
        self.title = ax.set_title(" \n ", fontsize=10)
        names = dict.fromkeys(k[0] for k in scan)
        digits = [] if labels is None else sorted({d for n in names for d in labels[n].tolist()})
        handles = _digit_handles(digits) + _candidate_handles(True, label="best far candidate")
        # under the map (drawn once for every snapshot), not over codes or the star
        ax.legend(
            handles=handles,
            fontsize=MIN_FONT_PT,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),
            ncols=min(len(handles), 4),
            frameon=False,
        )
        self.live.readable()
        self.live.fig.tight_layout()

    def draw(self, name: str, seed: int, epoch: int) -> dict:
        """Show snapshot (name, seed, epoch); return the browser's result dict."""
        key = (name, seed, epoch)
        shown = {"name": name, "seed": seed, "epoch": epoch, "margin": None, "adversarial": None}
        if key not in self.scan:
            self.bands.image.set_visible(False)
            self.codes.set_visible(False)
            self.star.set_data([], [])
            self.ring.set_data([], [])
            self.title.set_text(f"no snapshot {key}\n ")
            return shown
        result = self.scan[key]
        self.bands.image.set_visible(True)
        self.codes.set_visible(True)
        self.bands.set_errors(result.error_map.detach().cpu().double().numpy(), _extent(result))
        self.ax.set_xlim(float(result.grid_x[0]), float(result.grid_x[-1]))
        self.ax.set_ylim(float(result.grid_y[0]), float(result.grid_y[-1]))
        lat = result.latents.detach().cpu().numpy()
        self.codes.set_offsets(lat)
        digits = None if self.labels is None else self.labels[name].tolist()
        if digits is None:
            self.codes.set_facecolors([(1.0, 1.0, 1.0, 0.7)] * len(lat))
        else:
            self.codes.set_facecolors([digit_colour(d) for d in digits])
        if len(result) and result.z is not None:
            z = result.z[0].tolist()
            self.star.set_data([z[0]], [z[1]])
            ringed = _red_hidden_by_star(result, 0, self.eps)
            self.ring.set_data(([z[0]], [z[1]]) if ringed else ([], []))
        else:
            self.star.set_data([], [])
            self.ring.set_data([], [])
        margin = _margin(result)
        adversarial = bool(result.adversarial().any())
        self.title.set_text(
            f"{name}, seed {seed}, epoch {epoch}: best far error / min normal = {margin:.3g}\n"
            + (
                "ADVERSARIAL: a far minimum below every normal error"
                if adversarial
                else "no far adversarial anomaly"
            )
        )
        shown.update(margin=margin, adversarial=adversarial)
        return shown


def _extent(result: GridSearchResult) -> tuple[float, float, float, float]:
    return pixel_extent(result.grid_x.detach().cpu().numpy(), result.grid_y.detach().cpu().numpy())


def grid_minima(
    model: nn.Module, result: GridSearchResult, X_normal: torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """Every local minimum of a grid search's error map: its decoding's distance and its error.

    Parameters
    ----------
    model : torch.nn.Module
        The searched autoencoder (2-D latent, ``decode``).
    result : GridSearchResult
        Its :func:`aelib.attacks.latent_grid_search` (``error_map`` (R, R), ``grid_x``,
        ``grid_y``).
    X_normal : torch.Tensor
        Its training images, (N, 1, 28, 28).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Distances (k,) of h(z) to the nearest training image (pixel space) and errors (k,) at the
        k grid points that are minima of their 3 × 3 neighbourhood (as the search's
        ``local_minima``).
    """
    check_module(model)
    if not isinstance(result, GridSearchResult):
        raise TypeError(f"result: expected a GridSearchResult, got {type(result).__name__}")
    X_normal = as_float_tensor(X_normal, "X_normal", ndim=4, shape="(N, 1, 28, 28)")
    emap = result.error_map
    pooled = -F.max_pool2d(-emap[None, None], 3, stride=1, padding=1)[0, 0]
    iy, ix = torch.where(emap <= pooled)
    z = torch.stack([result.grid_x[ix], result.grid_y[iy]], dim=1).to(torch.float32)
    with eval_mode(model), torch.inference_mode():
        a = model.decode(z)
    dist = nearest_distance(a, X_normal)
    return dist.numpy().astype(float), emap[iy, ix].numpy().astype(float)


def far_quantile_explorer(
    models: Mapping[str, nn.Module],
    grids: Mapping[str, GridSearchResult],
    X_normal: Mapping[str, torch.Tensor],
    quantile: float = 0.95,
) -> widgets.interactive:
    """Move the "far" quantile: which grid minima count as far adversarial anomalies?

    For each digit set, "far" is the ``q`` quantile of the training images' nearest-neighbour
    distances (:func:`aelib.audit.default_min_distance`); a grid minimum is a far adversarial
    anomaly when its decoding is farther than that from every training image and its error is
    at most the lowest normal error.

    Parameters
    ----------
    models : mapping str → torch.nn.Module
        Per digit set, the searched autoencoder.
    grids : mapping str → GridSearchResult
        Per digit set, its grid search; every local minimum of its error map is a candidate
        (:func:`grid_minima`).
    X_normal : mapping str → torch.Tensor
        Per digit set, the training images (N, 1, 28, 28).
    quantile : float
        Initial slider value, in (0, 1).

    Returns
    -------
    ipywidgets.interactive
        Slider ``q`` over :data:`FAR_QUANTILES` (and ``quantile``), ``continuous_update=False``;
        one panel per digit set shows
        every minimum's distance and error, the far threshold and the lowest normal error.
        ``.result``: name → dict with ``far`` (the distance), ``count`` (far adversarial
        minima) and ``adversarial`` (count > 0).
    """
    if not isinstance(grids, Mapping) or not grids:
        raise TypeError(
            f"grids: expected a non-empty mapping name → GridSearchResult, got {grids!r:.60}"
        )
    for what, m in (("models", models), ("X_normal", X_normal)):
        if not isinstance(m, Mapping) or set(m) != set(grids):
            raise ValueError(f"{what}: expected a mapping with the keys of grids {sorted(grids)}")
    X = {name: as_float_tensor(x, f"X_normal[{name!r}]", ndim=4) for name, x in X_normal.items()}
    data = {}
    for name, result in grids.items():
        dist, err = grid_minima(models[name], result, X[name])
        data[name] = (dist, err, float(result.min_normal_error))
    live = LiveFigure(figsize=(5 * len(grids), 4.3), ncols=len(grids), squeeze=False)
    axes = list(live.axes[0])
    moving = []
    artists = {}
    for ax, (name, (dist, err, min_normal)) in zip(axes, data.items(), strict=True):
        ax.scatter(dist, err, s=14, color="grey", label="grid minimum")
        ax.axhline(min_normal, color="black", ls=":", lw=1, label="min normal error")
        ax.set_yscale("log")
        ax.set_xlabel("distance of h(z) to the nearest training image")
        ax.set_ylabel("L(h(z)), sum of squares")
        (hit,) = ax.plot([], [], "o", ms=6, color="red", label="far adversarial anomaly")
        line = ax.axvline(np.nan, color="red", ls="--", lw=1.2, label="far threshold")
        title = ax.set_title("", fontsize=9)
        # under the axes: inside, it would cover the far low-error minima (lower right)
        ax.legend(
            fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False
        )
        artists[name] = (hit, line, title)
        moving += [hit, line, title]

    def update(q: float) -> dict:
        out = {}
        for name, (dist, err, min_normal) in data.items():
            far = default_min_distance(X[name], q)
            counted = (dist > far) & (err <= min_normal)
            hit, line, title = artists[name]
            hit.set_data(dist[counted], err[counted])
            line.set_xdata([far, far])
            verdict = "ADVERSARIAL" if counted.any() else "none found"
            title.set_text(
                f"{name}: far = {q:.3g} quantile = {far:.3g}\n"
                f"{int(counted.sum())} of {len(dist)} minima far and low: {verdict}"
            )
            out[name] = {
                "far": far,
                "count": int(counted.sum()),
                "adversarial": bool(counted.any()),
            }
        return out

    def show(q: float) -> dict:
        shown = update(q)
        live.show()
        return shown

    # Quantiles close to 1 are where "far" changes fastest: a few fixed steps, finer near 1, read
    # better than a uniform 0.001 grid (499 positions the arrow keys barely move along).
    quantile = float(quantile)
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile: expected a number in (0, 1), got {quantile!r}")
    options = sorted({*FAR_QUANTILES, quantile})
    slider = widgets.SelectionSlider(
        options=[(f"{q:g}", q) for q in options],
        value=quantile,
        description="far quantile",
        continuous_update=False,
    )
    first = update(quantile)
    for name, ax in zip(data, axes, strict=True):  # room for the threshold at every quantile
        dist = data[name][0]
        hi = max(float(dist.max()), default_min_distance(X[name], 0.999))
        lo = min(float(dist.min()), first[name]["far"], default_min_distance(X[name], 0.5))
        ax.set_xlim(lo * 0.95, hi * 1.05)
    live.readable()
    live.freeze(moving)
    return explorer_widget(show, q=slider)
