"""The three searches as functions: ``(model, X_normal, <main knobs>, *, everything else)``.

Shared keyword-only parameters have the same names, meanings and relative order in all three:
``min_distance, reduction, [step_size, clamp, norm,] margin, ..., batch_size[, seed]``. Each
function builds the matching settings object of :mod:`aelib.attacks.configs` and calls it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from aelib.attacks._common import BATCH_SIZE
from aelib.attacks._results import GridSearchResult, ScanSearchResult, SearchResult
from aelib.attacks.configs import InputPGD, LatentGrid, LatentPGD, LatentScan

__all__ = ["input_pgd_search", "latent_grid_search", "latent_pgd_search", "latent_scan_search"]


def latent_scan_search(
    model: nn.Module,
    X_normal: torch.Tensor,
    resolution: int = 20_000,
    bounds: Sequence[float] | None = None,
    *,
    min_distance: float | None = None,
    reduction: str = "mean",
    margin: float = 1.0,
    refine: int = 64,
    top_k: int = 10,
    batch_size: int = BATCH_SIZE,
) -> ScanSearchResult:
    """Score a dense line of 1-D latents: a = h(z), L(a) = ‖a − h(g(a))‖², every z of the line.

    For a 1-D latent space the search can be exhaustive: ``resolution`` equally spaced z, then
    each local minimum of the error curve re-scanned with ``refine`` points between its two
    neighbours, so a valley narrower than the spacing is found at its bottom. Same as
    ``LatentScan(resolution, bounds, margin=..., refine=..., top_k=..., batch_size=...)(model,
    X_normal, min_distance=..., reduction=...)``.

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder with ``encode`` (inputs → (B, 1)) and ``decode`` ((B, 1) → inputs).
    X_normal : torch.Tensor or numpy.ndarray
        The normal (training) data, shape (N, *input_shape).
    resolution : int
        Scan points, R ≥ 3.
    bounds : (float, float), optional
        The scanned interval. Default: the training latents' range enlarged by ``margin`` × its
        length on each side.
    min_distance : float, optional
        Only minima whose decoding is farther than this from every normal sample are candidates
        (the error curve itself covers the whole line).
    reduction : {"mean", "sum"}
        Error over the features.
    margin : float
        Enlargement of the default interval (1.0: three times the latents' range).
    refine : int
        Points of the re-scan around each local minimum (0: no refinement).
    top_k : int
        At most this many candidates (the lowest-error local minima) are returned.
    batch_size : int
        Latents per forward pass.

    Returns
    -------
    ScanSearchResult
        ``x`` (k, *input_shape) best first, ``errors`` (k,), ``distances`` (k,), ``z`` (k, 1),
        and ``grid_z`` (R,), ``error_curve`` (R,), ``latents`` (N, 1), ``normal_error`` (N,).
    """
    settings = LatentScan(
        resolution,
        bounds,
        margin=margin,
        refine=refine,
        top_k=top_k,
        batch_size=batch_size,
    )
    return settings(model, X_normal, min_distance=min_distance, reduction=reduction)


def latent_grid_search(
    model: nn.Module,
    X_normal: torch.Tensor,
    resolution: int = 200,
    bounds: Sequence[Sequence[float]] | None = None,
    *,
    min_distance: float | None = None,
    reduction: str = "mean",
    margin: float = 0.5,
    top_k: int = 10,
    local_minima: bool = True,
    batch_size: int = BATCH_SIZE,
) -> GridSearchResult:
    """Score every point of a 2-D latent grid: a = h(z), L(a) = ‖a − h(g(a))‖² (Figure 2).

    Every grid point z is decoded into a = h(z) and scored by decode → encode → decode, in
    batches under ``torch.inference_mode``. Same as ``LatentGrid(resolution, bounds, margin=...,
    top_k=..., local_minima=..., batch_size=...)(model, X_normal, min_distance=...,
    reduction=...)``.

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder with ``encode`` (inputs → (B, 2)) and ``decode`` ((B, 2) → inputs).
    X_normal : torch.Tensor or numpy.ndarray
        The normal (training) data, shape (N, *input_shape).
    resolution : int
        Grid points per latent axis, R ≥ 2 (R² decodes in total).
    bounds : ((float, float), (float, float)), optional
        The grid's range on each latent axis. Default: the bounding box of the training latents
        enlarged by ``margin`` × its side on every side.
    min_distance : float, optional
        Only grid points whose decoding is farther than this from every normal sample are
        candidates (the error map itself covers the whole grid).
    reduction : {"mean", "sum"}
        Error over the features: mean squared error or sum of squared errors (the paper's
        MNIST numbers are sums over the 784 pixels).
    margin : float
        Enlargement of the default box, as a fraction of its side (0.5: the grid spans twice the
        latents' range on each axis). Ignored if ``bounds`` is given.
    top_k : int
        At most this many candidates are returned.
    local_minima : bool
        Only local minima of the error map (lowest in their 3 × 3 neighbourhood) are candidates,
        so the candidates are distinct minima rather than neighbours of one; ``False``: the
        ``top_k`` lowest grid points.
    batch_size : int
        Grid points per forward pass; memory stays bounded whatever the resolution.

    Returns
    -------
    GridSearchResult
        ``x`` (k, *input_shape) best first, ``errors`` (k,), ``distances`` (k,), ``z`` (k, 2),
        and ``grid_x`` (R,), ``grid_y`` (R,), ``error_map`` (R, R) with ``error_map[i, j]`` at
        (grid_x[j], grid_y[i]), ``latents`` (N, 2), ``normal_error`` (N,).
    """
    settings = LatentGrid(
        resolution,
        bounds,
        margin=margin,
        top_k=top_k,
        local_minima=local_minima,
        batch_size=batch_size,
    )
    return settings(model, X_normal, min_distance=min_distance, reduction=reduction)


def latent_pgd_search(
    model: nn.Module,
    X_normal: torch.Tensor,
    steps: int = 200,
    restarts: int = 16,
    *,
    min_distance: float | None = None,
    reduction: str = "mean",
    step_size: float = 0.02,
    margin: float = 1.0,
    penalty: float = 10.0,
    screen: int = 32,
    batch_size: int = BATCH_SIZE,
    seed: int = 0,
) -> SearchResult:
    """Projected gradient descent in latent space: minimise L(h(z)) over z (Madry et al. 2017).

    Each restart starts at the best (lowest objective, below) of ``screen`` uniformly random
    points z of the box B spanned by the training latents, enlarged by ``margin`` × its side on
    every side (so most starts lie around or outside the data). A step moves z along the
    normalised negative gradient (an L2 steepest-descent step of length ``step_size`` × B's mean
    side, decaying linearly to 0) and projects it back onto B.

    Keeping h(z) at least ``min_distance`` from every normal sample is a constraint on h(z), not
    on z, and has no closed-form projection in z; it is enforced by a **penalty**: the objective
    is L(h(z)) + ``penalty`` · max(0, ``min_distance`` − d(h(z)))², with d the distance to the
    nearest normal sample, and an iterate counts as a candidate only if d > ``min_distance``.
    Each restart returns its best such iterate (its lowest-error one, if none satisfies it).
    Same as ``LatentPGD(steps, restarts, step_size=..., ...)(model, X_normal, min_distance=...,
    reduction=..., seed=...)``.

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder with ``encode`` and ``decode``; any latent size.
    X_normal : torch.Tensor or numpy.ndarray
        The normal (training) data, shape (N, *input_shape).
    steps : int
        Gradient steps per restart.
    restarts : int
        Independent random starts (one candidate each).
    min_distance : float, optional
        Minimum distance of h(z) to the normal data; ``None``: no constraint.
    reduction : {"mean", "sum"}
        Error over the features.
    step_size : float
        First step length as a fraction of the latent box's mean side.
    margin : float
        Enlargement of the latent box (fraction of its side, each way).
    penalty : float
        Weight of the squared distance shortfall.
    screen : int
        Random points screened per restart (1: plain uniform starts).
    batch_size : int
        Rows per batch when encoding the normal data and computing distances.
    seed : int
        Seeds the random starts.

    Returns
    -------
    SearchResult
        ``x`` (restarts, *input_shape), ``errors``, ``distances`` (restarts,), ``z``
        (restarts, latent_dim), best first, and ``normal_error`` (N,).
    """
    settings = LatentPGD(
        steps,
        restarts,
        step_size=step_size,
        margin=margin,
        penalty=penalty,
        screen=screen,
        batch_size=batch_size,
    )
    return settings(model, X_normal, min_distance=min_distance, reduction=reduction, seed=seed)


def input_pgd_search(
    model: nn.Module,
    X_normal: torch.Tensor,
    steps: int = 200,
    restarts: int = 16,
    *,
    min_distance: float | None = None,
    reduction: str = "mean",
    step_size: float = 0.01,
    clamp: tuple[float, float] | None = (0.0, 1.0),
    norm: str = "l2",
    margin: float = 1.0,
    screen: int = 32,
    batch_size: int = BATCH_SIZE,
    seed: int = 0,
) -> SearchResult:
    """Projected gradient descent directly on inputs: minimise L(x) = ‖x − f(x)‖² (Madry et al.).

    Each restart starts at the lowest-error of ``screen`` uniformly random points of the valid
    box (after the projection below): ``clamp`` on every feature (e.g. pixels in [0, 1]), or,
    with ``clamp=None``, the normal data's bounding box enlarged by ``margin`` × its side. A step
    is a steepest-descent step whose length decays linearly to 0: with ``norm="linf"`` Madry's
    x ← x − α · sign(∇L), α = ``step_size`` × the box's mean side; with ``norm="l2"``
    x ← x − α √D · ∇L / ‖∇L‖ (D features: the same length as a full sign step). Then the
    projection: out of the ball of radius ``min_distance`` around the nearest normal sample
    (radially), then onto the box (clipping); the two are alternated three times, an approximate
    projection onto their intersection. Each restart returns its lowest-error iterate that is
    farther than ``min_distance`` from the data (its lowest-error one, if none is). Same as
    ``InputPGD(steps, restarts, ...)(model, X_normal, min_distance=..., reduction=..., seed=...)``.

    Parameters
    ----------
    model : torch.nn.Module
        Any module mapping a batch (B, *input_shape) to its reconstruction.
    X_normal : torch.Tensor or numpy.ndarray
        The normal (training) data, shape (N, *input_shape).
    steps : int
        Gradient steps per restart.
    restarts : int
        Independent random starts (one candidate each).
    min_distance : float, optional
        Minimum distance of a candidate to the normal data; ``None``: no constraint.
    reduction : {"mean", "sum"}
        Error over the features.
    step_size : float
        First step as a fraction of the box's mean side.
    clamp : (float, float) or None
        The valid range of every feature; ``None`` for unbounded (tabular) data.
    norm : {"l2", "linf"}
        The step's geometry. ``"l2"`` (default) slides along the boundary of the distance
        constraint, whose projection is Euclidean; ``"linf"`` (sign steps) can stall there.
    margin : float
        With ``clamp=None``: enlargement of the data box (fraction of its side, each way).
    screen : int
        Random points screened per restart (1: plain uniform starts).
    batch_size : int
        Rows per batch for the screening, the final errors and distances.
    seed : int
        Seeds the random starts.

    Returns
    -------
    SearchResult
        ``x`` (restarts, *input_shape), ``errors``, ``distances`` (restarts,), best first,
        ``z = None`` and ``normal_error`` (N,).
    """
    settings = InputPGD(
        steps,
        restarts,
        step_size=step_size,
        clamp=clamp,
        norm=norm,
        margin=margin,
        screen=screen,
        batch_size=batch_size,
    )
    return settings(model, X_normal, min_distance=min_distance, reduction=reduction, seed=seed)
