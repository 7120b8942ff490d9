"""Notebook 09's explorers of the seed-and-epoch study and of the "far" quantile."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aelib._torch_utils import eval_mode
from aelib._validation import as_float_tensor, check_module
from aelib.attacks import GridSearchResult, nearest_distance
from aelib.audit import default_min_distance
from aelib.course.plots.mnist import latent_error_map
from aelib.course.plots.sweep import _check_scan, _margin
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import LiveFigure

__all__ = ["sweep_browser", "grid_minima", "far_quantile_explorer"]

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
        Sliders ``name`` and ``seed`` (selection sliders) and ``epoch`` (all
        ``continuous_update=False``); each
        move draws :func:`aelib.course.plots.latent_error_map` of that snapshot with its best far
        candidate starred, and ``.result`` is a dict with ``name``, ``seed``, ``epoch``,
        ``margin`` (best far error / min normal error) and ``adversarial`` (margin ≤ 1).
    """
    _check_scan(scan)
    names = list(dict.fromkeys(k[0] for k in scan))
    seeds = sorted({k[1] for k in scan})
    epochs = sorted({k[2] for k in scan})
    live = LiveFigure(figsize=(6.2, 4.8))

    def update(name: str, seed: int, epoch: int) -> dict:
        key = (name, seed, epoch)
        live.fig.clear()
        ax = live.fig.add_subplot()
        if key not in scan:
            ax.text(0.5, 0.5, f"no snapshot {key}", ha="center", transform=ax.transAxes)
            ax.axis("off")
            return {"name": name, "seed": seed, "epoch": epoch, "margin": None, "adversarial": None}
        result = scan[key]
        margin = _margin(result)
        adversarial = bool(result.adversarial().any())
        latent_error_map(
            result,
            None if labels is None else labels[name],
            ax=ax,
            eps=eps,
            mark=min(1, len(result)),
            title=(
                f"{name}, seed {seed}, epoch {epoch}: best far error / min normal = {margin:.2g}"
                + (
                    "\nADVERSARIAL: a far minimum below every normal error"
                    if adversarial
                    else "\nno far adversarial anomaly"
                )
            ),
        )
        live.readable()
        live.fig.tight_layout()
        return {
            "name": name,
            "seed": seed,
            "epoch": epoch,
            "margin": margin,
            "adversarial": adversarial,
        }

    def show(name: str, seed: int, epoch: int) -> dict:
        shown = update(name, seed, epoch)
        live.show()
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
    live = LiveFigure(figsize=(5 * len(grids), 3.6), ncols=len(grids), squeeze=False)
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
        ax.legend(fontsize=8, loc="lower right")
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
