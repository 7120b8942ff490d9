"""Searches for adversarial anomalies: inputs far from the normal data that reconstruct well.

An autoencoder f = h ∘ g scores a point by its reconstruction error L(x) = ‖x − f(x)‖². An
*adversarial anomaly* (§4.5.1 of the paper) is a point a far from every normal sample with
L(a) ≤ minᵢ L(xᵢ): the detector ranks it as more normal than all the normal data. Three searches:

- :func:`latent_grid_search` (2-D latents): decode every point z of a grid into a = h(z) and score
  L(a) = ‖a − h(g(a))‖² (decode → encode → decode), in batches under ``torch.inference_mode``.
- :func:`latent_pgd_search` (any latent size): projected gradient descent on z (Madry et al.
  2017), minimising L(h(z)) from random starts; z is projected onto a box around the training
  latents, and h(z) is kept away from the normal data by a penalty (see the function).
- :func:`input_pgd_search` (any ``nn.Module``): projected gradient descent directly on inputs,
  projected onto the valid range and out of a ball of radius ``min_distance`` around the nearest
  normal sample.

Every search returns its candidates best first (lowest error first; with ``min_distance``, those
farther than that from the data come before those that are not), with their errors and Euclidean
distances to the nearest normal sample, both recomputed at the end with a plain forward pass so
that what is reported is exactly what the model does to the returned inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from aelib import neighbors
from aelib._torch_utils import eval_mode
from aelib._tracking import NearestTracker
from aelib._validation import (
    as_float_tensor,
    check_choice,
    check_module,
    check_nonnegative_float,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.course import config
from aelib.metrics import reconstruction_error

__all__ = [
    "SearchResult",
    "GridSearchResult",
    "latent_grid_search",
    "latent_pgd_search",
    "input_pgd_search",
    "nearest_distance",
    "nn_distances",
]


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class SearchResult:
    """Candidates of a search, best (lowest error) first.

    Attributes
    ----------
    x : torch.Tensor
        The candidate inputs, shape (k, *input_shape).
    error : torch.Tensor
        Their reconstruction errors, shape (k,), with the search's ``reduction``.
    distance : torch.Tensor
        Euclidean distance of each candidate to its nearest normal sample, shape (k,).
    z : torch.Tensor or None
        The latent points that decode to ``x``, shape (k, latent_dim); ``None`` for input search.
    normal_error : torch.Tensor
        The normal samples' own errors, shape (N,), same reduction.
    min_distance : float or None
        The distance the search kept its candidates from the normal data (``None``: no constraint).
    method : str
        ``"latent grid"``, ``"latent PGD"`` or ``"input PGD"``.
    reduction : str
        ``"mean"`` or ``"sum"`` over the features.
    """

    x: torch.Tensor
    error: torch.Tensor
    distance: torch.Tensor
    z: torch.Tensor | None
    normal_error: torch.Tensor
    min_distance: float | None
    method: str
    reduction: str

    def __len__(self) -> int:
        return len(self.error)

    @property
    def min_normal_error(self) -> float:
        """minᵢ L(xᵢ) over the normal samples."""
        return float(self.normal_error.min())

    def adversarial(self) -> torch.Tensor:
        """Boolean mask (k,): error ≤ min normal error and (if set) distance > ``min_distance``."""
        mask = self.error <= self.min_normal_error
        if self.min_distance is not None:
            mask &= self.distance > self.min_distance
        return mask

    def __repr__(self) -> str:
        best = (
            f"best error {float(self.error[0]):.4g} at distance {float(self.distance[0]):.4g}"
            if len(self)
            else "no candidates"
        )
        md = "none" if self.min_distance is None else f"{self.min_distance:.4g}"
        return (
            f"{type(self).__name__}(method={self.method!r}, {len(self)} candidates, {best}; "
            f"min normal error {self.min_normal_error:.4g} ({self.reduction}); "
            f"min_distance {md}; {int(self.adversarial().sum())} adversarial)"
        )


@dataclass(frozen=True, repr=False)
class GridSearchResult(SearchResult):
    """A :class:`SearchResult` plus the full latent error map, for plotting.

    Attributes
    ----------
    grid_x, grid_y : torch.Tensor
        Grid coordinates along the two latent axes, shape (R,) each.
    error_map : torch.Tensor
        Shape (R, R); ``error_map[i, j]`` is the error of h(z) at z = (grid_x[j], grid_y[i]).
    latents : torch.Tensor
        The normal samples' latents g(xᵢ), shape (N, 2).
    """

    grid_x: torch.Tensor
    grid_y: torch.Tensor
    error_map: torch.Tensor
    latents: torch.Tensor


# --- helpers ------------------------------------------------------------------------------------


def _flat(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], -1)


def _per_sample(recon: torch.Tensor, x: torch.Tensor, reduction: str) -> torch.Tensor:
    sq = _flat((recon - x) ** 2)
    return sq.mean(1) if reduction == "mean" else sq.sum(1)


def _param(model: nn.Module) -> tuple[torch.dtype, torch.device]:
    p = next(model.parameters(), None)
    return (p.dtype, p.device) if p is not None else (torch.float32, torch.device("cpu"))


def _check_normal(X_normal: object) -> torch.Tensor:
    return as_float_tensor(X_normal, "X_normal", min_ndim=2, shape="(N, *input_shape)")


def _check_latent_model(model: object) -> nn.Module:
    check_module(model)
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "decode", None))):
        raise TypeError(
            f"model: expected an autoencoder with .encode(x) and .decode(z) methods for a latent "
            f"search, got {type(model).__name__} without them (use input_pgd_search instead)"
        )
    return model


def _check_min_distance(min_distance: object) -> float | None:
    return None if min_distance is None else check_nonnegative_float(min_distance, "min_distance")


def nearest_distance(
    X: torch.Tensor, X_normal: torch.Tensor, batch_size: int = config.ATTACK_BATCH_SIZE
) -> torch.Tensor:
    """Euclidean distance of each row of ``X`` (M, *input_shape) to its nearest row of ``X_normal``.

    :func:`aelib.neighbors.nearest_distance` with ``chunk_size=batch_size``; shape (M,), dtype of
    ``X``.
    """
    return neighbors.nearest_distance(X, X_normal, chunk_size=batch_size, _names=("X", "X_normal"))


def nn_distances(
    X_normal: torch.Tensor, batch_size: int = config.ATTACK_BATCH_SIZE
) -> torch.Tensor:
    """Each normal sample's distance to its nearest *other* normal sample (leave one out).

    :func:`aelib.neighbors.nn_distances` with ``chunk_size=batch_size``: shape (N,), N ≥ 2;
    duplicated samples have distance 0. The scale of "far from the data": a candidate farther
    from every normal sample than most normal samples are from their neighbours is isolated by
    the data's own standard.
    """
    return neighbors.nn_distances(X_normal, chunk_size=batch_size, _name="X_normal")


def _target(min_distance: float | None) -> float | None:
    """The distance the PGD searches aim for: a hair beyond ``min_distance``, so that candidates
    on the constraint's boundary are still strictly farther than ``min_distance`` after the final
    float64 recomputation."""
    return None if min_distance is None else min_distance * (1 + 1e-4)


def _screened_starts(
    score, lo: torch.Tensor, hi: torch.Tensor, restarts: int, screen: int, gen, batch_size: int
) -> torch.Tensor:
    """Random starts: each restart takes the lowest-``score`` of ``screen`` uniform points in the box.

    Screening is cheap (forward passes only) and lets the descent start in narrow low-error
    valleys that a handful of uniform starts would miss; groups keep the restarts diverse.
    """
    u = torch.rand(restarts * screen, lo.numel(), generator=gen, dtype=lo.dtype).to(lo.device)
    points = lo + (hi - lo) * u
    with torch.no_grad():
        scores = torch.cat(
            [score(points[s : s + batch_size]) for s in range(0, len(points), batch_size)]
        )
    pick = (
        scores.view(restarts, screen).argmin(1) + torch.arange(restarts, device=lo.device) * screen
    )
    return points[pick]


def _shortfall(
    a: torch.Tensor, nearest: NearestTracker, target: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """How far each of ``a`` (B, *input_shape) falls short of ``target`` from the normal data.

    Returns max(0, target − d(a)) of shape (B,), differentiable in ``a`` (through the nearest
    normal sample only, as the gradient of a minimum is), and whether d(a) ≥ ``target`` (B,).
    """
    flat = _flat(a)
    _, j = nearest(flat, below=target)
    near = j >= 0
    dist = (flat - nearest.X[j.clamp_min(0)].to(flat.dtype)).norm(dim=1)
    return torch.where(near, F.relu(target - dist), torch.zeros_like(dist)), ~near


def _encode_batched(model: nn.Module, X: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Latent codes of ``X`` (N, *input_shape) → (N, latent_dim), in batches, without gradients."""
    with torch.no_grad():
        return torch.cat(
            [model.encode(X[s : s + batch_size]) for s in range(0, len(X), batch_size)]
        )


def _box(points: torch.Tensor, margin: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-coordinate bounding box of ``points`` (N, d) enlarged by ``margin`` × its side."""
    lo, hi = points.min(0).values, points.max(0).values
    side = (hi - lo).clamp_min(1e-6)
    return lo - margin * side, hi + margin * side


def _finish(
    model: nn.Module,
    x: torch.Tensor,
    z: torch.Tensor | None,
    X_normal: torch.Tensor,
    normal_error: torch.Tensor,
    min_distance: float | None,
    reduction: str,
    method: str,
    batch_size: int,
    extra: dict | None = None,
) -> SearchResult:
    """Recompute errors and distances with a plain forward pass, sort, and package."""
    # clone outside inference mode: callers get ordinary tensors they may modify or differentiate
    x = x.clone()
    z = None if z is None else z.clone()
    extra = None if extra is None else {k: v.clone() for k, v in extra.items()}
    if len(x):
        error = reconstruction_error(model, x, reduction=reduction, batch_size=batch_size)
    else:  # e.g. no grid point is min_distance from the data
        error = normal_error[:0]
    distance = nearest_distance(x, X_normal, batch_size=batch_size)
    order = torch.argsort(error, stable=True)
    if min_distance is not None:  # candidates that keep the distance come first
        short = distance[order] <= min_distance
        order = order[torch.argsort(short.to(torch.uint8), stable=True)]
    fields = dict(
        x=x[order],
        error=error[order],
        distance=distance[order],
        z=None if z is None else z[order],
        normal_error=normal_error.clone(),
        min_distance=min_distance,
        method=method,
        reduction=reduction,
    )
    if extra is not None:
        return GridSearchResult(**fields, **extra)
    return SearchResult(**fields)


# --- latent grid --------------------------------------------------------------------------------


def _check_bounds(bounds: object) -> tuple[tuple[float, float], tuple[float, float]]:
    msg = f"bounds: expected ((z1_min, z1_max), (z2_min, z2_max)) with min < max, got {bounds!r}"
    if not (isinstance(bounds, Sequence) and len(bounds) == 2):
        raise TypeError(msg)
    out = []
    for pair in bounds:
        if not (isinstance(pair, Sequence) and len(pair) == 2):
            raise TypeError(msg)
        try:
            lo, hi = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise TypeError(msg) from None
        if not lo < hi:
            raise ValueError(msg)
        out.append((lo, hi))
    return out[0], out[1]


def latent_grid_search(
    model: nn.Module,
    X_normal: torch.Tensor,
    resolution: int = config.GRID_RESOLUTION,
    bounds: Sequence[Sequence[float]] | None = None,
    reduction: str = "mean",
    top_k: int = config.GRID_TOP_K,
    batch_size: int = config.ATTACK_BATCH_SIZE,
    *,
    min_distance: float | None = None,
    local_minima: bool = True,
    margin: float = config.GRID_MARGIN,
) -> GridSearchResult:
    """Score every point of a 2-D latent grid: a = h(z), L(a) = ‖a − h(g(a))‖² (Figure 2).

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
    reduction : {"mean", "sum"}
        Error over the features: mean squared error or sum of squared errors (the paper's
        MNIST numbers are sums over the 784 pixels).
    top_k : int
        At most this many candidates are returned.
    batch_size : int
        Grid points per forward pass; memory stays bounded whatever the resolution.
    min_distance : float, optional
        Only grid points whose decoding is farther than this from every normal sample are
        candidates (the error map itself covers the whole grid).
    local_minima : bool
        Only local minima of the error map (lowest in their 3 × 3 neighbourhood) are candidates,
        so the candidates are distinct minima rather than neighbours of one; ``False``: the
        ``top_k`` lowest grid points.
    margin : float
        Enlargement of the default box, as a fraction of its side (``config.GRID_MARGIN`` = 0.5:
        the grid spans twice the latents' range on each axis). Ignored if ``bounds`` is given.

    Returns
    -------
    GridSearchResult
        ``x`` (k, *input_shape) best first, ``error`` (k,), ``distance`` (k,), ``z`` (k, 2), and
        ``grid_x`` (R,), ``grid_y`` (R,), ``error_map`` (R, R) with ``error_map[i, j]`` at
        (grid_x[j], grid_y[i]), ``latents`` (N, 2), ``normal_error`` (N,).
    """
    _check_latent_model(model)
    X_normal = _check_normal(X_normal)
    resolution = check_positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution: expected at least 2 grid points per axis, got {resolution}")
    check_choice(reduction, "reduction", ("mean", "sum"))
    top_k = check_positive_int(top_k, "top_k")
    batch_size = check_positive_int(batch_size, "batch_size")
    min_distance = _check_min_distance(min_distance)
    if not isinstance(local_minima, bool):
        raise TypeError(f"local_minima: expected a bool, got {type(local_minima).__name__}")
    margin = check_nonnegative_float(margin, "margin")
    if bounds is not None:
        (x0, x1), (y0, y1) = _check_bounds(bounds)
    dtype, device = _param(model)
    X_normal = X_normal.to(dtype=dtype, device=device)

    with eval_mode(model):
        latents = _encode_batched(model, X_normal, batch_size)
        with torch.inference_mode():
            if latents.ndim != 2 or latents.shape[1] != 2:
                raise ValueError(
                    f"model: expected a 2-D latent space for a grid search, got latents of shape "
                    f"{tuple(latents.shape)} (use latent_pgd_search)"
                )
            if bounds is None:
                lo, hi = _box(latents, margin)
                (x0, y0), (x1, y1) = lo.tolist(), hi.tolist()
            grid_x = torch.linspace(x0, x1, resolution, dtype=dtype, device=device)
            grid_y = torch.linspace(y0, y1, resolution, dtype=dtype, device=device)
            gy, gx = torch.meshgrid(grid_y, grid_x, indexing="ij")
            zs = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)  # row i*R + j = (x_j, y_i)
            errors = torch.empty(len(zs), dtype=dtype, device=device)
            for s in range(0, len(zs), batch_size):
                a = model.decode(zs[s : s + batch_size])
                errors[s : s + batch_size] = _per_sample(model(a), a, reduction)
            error_map = errors.reshape(resolution, resolution)

            eligible = torch.ones_like(errors, dtype=torch.bool)
            if local_minima:
                pooled = -F.max_pool2d(-error_map[None, None], 3, stride=1, padding=1)[0, 0]
                eligible = (error_map <= pooled).reshape(-1)
            order = torch.argsort(errors, stable=True)
            order = order[eligible[order]]
            chosen: list[torch.Tensor] = []
            count = 0
            for s in range(0, len(order), batch_size):
                idx = order[s : s + batch_size]
                if min_distance is not None:
                    a = model.decode(zs[idx])
                    idx = idx[nearest_distance(a, X_normal) > min_distance]
                chosen.append(idx[: top_k - count])
                count += len(chosen[-1])
                if count >= top_k:
                    break
            idx = torch.cat(chosen) if chosen else order[:0]
            z = zs[idx]
            x = model.decode(z) if len(z) else model.decode(zs[:1])[:0]
    normal_error = reconstruction_error(model, X_normal, reduction=reduction, batch_size=batch_size)
    extra = dict(
        grid_x=grid_x.cpu(), grid_y=grid_y.cpu(), error_map=error_map.cpu(), latents=latents.cpu()
    )
    return _finish(
        model,
        x,
        z,
        X_normal,
        normal_error,
        min_distance,
        reduction,
        "latent grid",
        batch_size,
        extra,
    )


# --- projected gradient descent ------------------------------------------------------------------


def _check_pgd(
    steps: object, restarts: object, step_size: object, seed: object, reduction: object
) -> tuple[int, int, float, int]:
    steps = check_positive_int(steps, "steps")
    restarts = check_positive_int(restarts, "restarts")
    step_size = check_positive_float(step_size, "step_size")
    seed = check_nonnegative_int(seed, "seed")
    check_choice(reduction, "reduction", ("mean", "sum"))
    return steps, restarts, step_size, seed


class _BestTracker:
    """Keeps, per restart, the lowest-error iterate that satisfies the distance constraint."""

    def __init__(self, start: torch.Tensor) -> None:
        self.value = start.detach().clone()
        self.error = torch.full((len(start),), float("inf"), dtype=start.dtype, device=start.device)
        self.feasible = torch.zeros(len(start), dtype=torch.bool, device=start.device)

    def update(self, value: torch.Tensor, error: torch.Tensor, feasible: torch.Tensor) -> None:
        # a feasible iterate beats an infeasible one; among equals, the lower error wins
        better = (feasible & ~self.feasible) | ((feasible == self.feasible) & (error < self.error))
        self.value[better] = value.detach()[better]
        self.error[better] = error.detach()[better]
        self.feasible |= feasible


def latent_pgd_search(
    model: nn.Module,
    X_normal: torch.Tensor,
    steps: int = config.PGD_STEPS,
    restarts: int = config.PGD_RESTARTS,
    step_size: float = config.LATENT_PGD_STEP,
    min_distance: float | None = None,
    reduction: str = "mean",
    seed: int = 0,
    *,
    margin: float = config.LATENT_PGD_MARGIN,
    penalty: float = config.PGD_DISTANCE_PENALTY,
    batch_size: int = config.ATTACK_BATCH_SIZE,
    screen: int = config.PGD_SCREEN,
) -> SearchResult:
    """Projected gradient descent in latent space: minimise L(h(z)) over z (Madry et al. 2017).

    Each restart starts at the best (lowest objective, below) of ``screen`` uniformly random
    points z of the box B spanned by the training latents, enlarged by ``margin`` × its side on
    every side (so most starts lie around or outside the data). A step moves z along the normalised negative gradient (an L2 steepest-descent step of
    length ``step_size`` × B's mean side, decaying linearly to 0) and projects it back onto B.

    Keeping h(z) at least ``min_distance`` from every normal sample is a constraint on h(z), not
    on z, and has no closed-form projection in z; it is enforced by a **penalty**: the objective
    is L(h(z)) + ``penalty`` · max(0, ``min_distance`` − d(h(z)))², with d the distance to the
    nearest normal sample, and an iterate counts as a candidate only if d > ``min_distance``.
    Each restart returns its best such iterate (its lowest-error one, if none satisfies it).

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
    step_size : float
        First step length as a fraction of the latent box's mean side.
    min_distance : float, optional
        Minimum distance of h(z) to the normal data; ``None``: no constraint.
    reduction : {"mean", "sum"}
        Error over the features.
    seed : int
        Seeds the random starts.
    margin : float
        Enlargement of the latent box (fraction of its side, each way).
    penalty : float
        Weight of the squared distance shortfall.
    batch_size : int
        Rows per batch when encoding the normal data and computing distances.
    screen : int
        Random points screened per restart (1: plain uniform starts).

    Returns
    -------
    SearchResult
        ``x`` (restarts, *input_shape), ``error``, ``distance`` (restarts,), ``z``
        (restarts, latent_dim), best first, and ``normal_error`` (N,).
    """
    _check_latent_model(model)
    X_normal = _check_normal(X_normal)
    steps, restarts, step_size, seed = _check_pgd(steps, restarts, step_size, seed, reduction)
    min_distance = _check_min_distance(min_distance)
    target = _target(min_distance)
    margin = check_nonnegative_float(margin, "margin")
    penalty = check_nonnegative_float(penalty, "penalty")
    screen = check_positive_int(screen, "screen")
    batch_size = check_positive_int(batch_size, "batch_size")
    dtype, device = _param(model)
    X_normal = X_normal.to(dtype=dtype, device=device)

    with eval_mode(model):
        latents = _encode_batched(model, X_normal, batch_size)
        if latents.ndim != 2:
            raise ValueError(
                f"model: expected encode to return latents of shape (N, latent_dim), "
                f"got {tuple(latents.shape)}"
            )
        lo, hi = _box(latents, margin)
        length = step_size * float((hi - lo).mean())
        gen = torch.Generator().manual_seed(seed)

        def objective_of(
            z: torch.Tensor, nearest: NearestTracker
        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            """Objective, error and feasibility of h(z), each of shape (B,)."""
            a = model.decode(z)
            error = _per_sample(model(a), a, reduction)
            if target is None:
                return error, error, torch.ones_like(error, dtype=torch.bool)
            gap, feasible = _shortfall(a, nearest, target)
            return error + penalty * gap**2, error, feasible

        def screening_objective(v: torch.Tensor) -> torch.Tensor:
            return objective_of(v, NearestTracker(X_normal))[0]

        z = _screened_starts(screening_objective, lo, hi, restarts, screen, gen, batch_size)
        best = _BestTracker(z)
        nearest = NearestTracker(X_normal)  # follows the restarts' decodings
        for t in range(steps + 1):
            z = z.detach().requires_grad_(True)
            with torch.enable_grad():
                objective, error, feasible = objective_of(z, nearest)
                best.update(z, error, feasible)
                if t == steps:
                    break
                (grad,) = torch.autograd.grad(objective.sum(), z)
            with torch.no_grad():
                norm = grad.norm(dim=1, keepdim=True).clamp_min(1e-12)
                z = z - length * (1 - t / steps) * grad / norm
                z = torch.maximum(torch.minimum(z, hi), lo)  # projection onto the latent box
        with torch.inference_mode():
            z = best.value
            x = model.decode(z)
    x, z = x.clone(), z.clone()
    normal_error = reconstruction_error(model, X_normal, reduction=reduction, batch_size=batch_size)
    return _finish(
        model, x, z, X_normal, normal_error, min_distance, reduction, "latent PGD", batch_size
    )


def _project_away(
    x: torch.Tensor, nearest: NearestTracker, radius: float, gen: torch.Generator
) -> torch.Tensor:
    """Move each row of ``x`` (B, D) out of the ``radius``-ball around its nearest normal row."""
    _, j = nearest(x, below=radius)
    inside = j >= 0
    if not bool(inside.any()):
        return x
    centre = nearest.X[j[inside]].to(x.dtype)
    direction = x[inside] - centre
    zero = direction.norm(dim=1) == 0
    if bool(zero.any()):  # exactly on a normal sample: leave in a random direction
        rnd = torch.randn(int(zero.sum()), x.shape[1], generator=gen, dtype=x.dtype).to(x.device)
        direction[zero] = rnd
    direction = direction / direction.norm(dim=1, keepdim=True)
    x = x.clone()
    x[inside] = centre + radius * direction
    return x


def input_pgd_search(
    model: nn.Module,
    X_normal: torch.Tensor,
    steps: int = config.PGD_STEPS,
    restarts: int = config.PGD_RESTARTS,
    step_size: float = config.INPUT_PGD_STEP,
    min_distance: float | None = None,
    clamp: tuple[float, float] | None = (0.0, 1.0),
    reduction: str = "mean",
    seed: int = 0,
    *,
    margin: float = config.INPUT_PGD_MARGIN,
    batch_size: int = config.ATTACK_BATCH_SIZE,
    norm: str = config.INPUT_PGD_NORM,
    screen: int = config.PGD_SCREEN,
) -> SearchResult:
    """Projected gradient descent directly on inputs: minimise L(x) = ‖x − f(x)‖² (Madry et al.).

    Each restart starts at the lowest-error of ``screen`` uniformly random points of the valid
    box (after the projection below): ``clamp`` on every feature (e.g. pixels in [0, 1]), or,
    with ``clamp=None``, the normal data's bounding box enlarged by ``margin`` × its side. A step is a steepest-descent step whose length decays linearly to 0:
    with ``norm="linf"`` Madry's x ← x − α · sign(∇L), α = ``step_size`` × the box's mean side;
    with ``norm="l2"`` x ← x − α √D · ∇L / ‖∇L‖ (D features: the same length as a full sign
    step). Then the projection: out of the ball of radius ``min_distance`` around the nearest
    normal sample (radially), then onto the box (clipping); the two are alternated three times,
    an approximate projection onto their intersection. Each restart returns its lowest-error
    iterate that is farther than ``min_distance`` from the data (its lowest-error one, if none
    is).

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
    step_size : float
        First step as a fraction of the box's mean side.
    min_distance : float, optional
        Minimum distance of a candidate to the normal data; ``None``: no constraint.
    clamp : (float, float) or None
        The valid range of every feature; ``None`` for unbounded (tabular) data.
    reduction : {"mean", "sum"}
        Error over the features.
    seed : int
        Seeds the random starts.
    margin : float
        With ``clamp=None``: enlargement of the data box (fraction of its side, each way).
    batch_size : int
        Rows per batch for the final errors and distances.
    norm : {"l2", "linf"}
        The step's geometry. ``"l2"`` (default) slides along the boundary of the distance
        constraint, whose projection is Euclidean; ``"linf"`` (sign steps) can stall there.
    screen : int
        Random points screened per restart (1: plain uniform starts).

    Returns
    -------
    SearchResult
        ``x`` (restarts, *input_shape), ``error``, ``distance`` (restarts,), best first,
        ``z = None`` and ``normal_error`` (N,).
    """
    check_module(model)
    X_normal = _check_normal(X_normal)
    steps, restarts, step_size, seed = _check_pgd(steps, restarts, step_size, seed, reduction)
    min_distance = _check_min_distance(min_distance)
    target = _target(min_distance)
    margin = check_nonnegative_float(margin, "margin")
    batch_size = check_positive_int(batch_size, "batch_size")
    check_choice(norm, "norm", ("l2", "linf"))
    screen = check_positive_int(screen, "screen")
    dtype, device = _param(model)
    X_normal = X_normal.to(dtype=dtype, device=device)
    ref = _flat(X_normal)
    if clamp is None:
        lo, hi = _box(ref, margin)
    else:
        if not (isinstance(clamp, Sequence) and len(clamp) == 2):
            raise TypeError(f"clamp: expected None or a pair (low, high), got {clamp!r}")
        c0, c1 = (float(c) for c in clamp)
        if not c0 < c1:
            raise ValueError(f"clamp: expected low < high, got {clamp!r}")
        if float(ref.min()) < c0 or float(ref.max()) > c1:
            raise ValueError(
                f"clamp: expected the normal data to lie in the valid range {(c0, c1)}, got values "
                f"in [{float(ref.min()):.4g}, {float(ref.max()):.4g}] (pass clamp=None for "
                "unbounded tabular data)"
            )
        lo = torch.full_like(ref[0], c0)
        hi = torch.full_like(ref[0], c1)
    length = step_size * float((hi - lo).mean())
    gen = torch.Generator().manual_seed(seed)
    shape = (-1, *X_normal.shape[1:])

    def project(v: torch.Tensor, nearest: NearestTracker) -> torch.Tensor:
        for _ in range(3 if target else 1):
            if target:
                v = _project_away(v, nearest, target, gen)
            v = torch.maximum(torch.minimum(v, hi), lo)
        return v

    def error_of(v: torch.Tensor) -> torch.Tensor:
        v = project(v, NearestTracker(ref)).reshape(shape)
        return _per_sample(model(v), v, reduction)

    nearest = NearestTracker(ref)  # follows the restarts' iterates
    with eval_mode(model):
        starts = _screened_starts(error_of, lo, hi, restarts, screen, gen, batch_size)
        x = project(starts, nearest)
        best = _BestTracker(x)
        for t in range(steps + 1):
            x = x.detach().requires_grad_(True)
            with torch.enable_grad():
                xs = x.reshape(shape)
                error = _per_sample(model(xs), xs, reduction)
                if min_distance is None:
                    feasible = torch.ones_like(error, dtype=torch.bool)
                else:
                    feasible = nearest(x, below=target * (1 - 1e-6))[1] < 0
                best.update(x, error, feasible)
                if t == steps or not error.requires_grad:
                    break
                (grad,) = torch.autograd.grad(error.sum(), x)
            with torch.no_grad():
                if norm == "linf":
                    direction = grad.sign()
                else:
                    scale = ref.shape[1] ** 0.5 / grad.norm(dim=1, keepdim=True).clamp_min(1e-12)
                    direction = grad * scale
                x = project(x - length * (1 - t / steps) * direction, nearest)
    x = best.value.reshape(shape)
    normal_error = reconstruction_error(model, X_normal, reduction=reduction, batch_size=batch_size)
    return _finish(
        model, x, None, X_normal, normal_error, min_distance, reduction, "input PGD", batch_size
    )
