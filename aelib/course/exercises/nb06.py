"""Checkers for notebook 06 (sigmoid autoencoders, Figure 1e–f)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = [
    "check_06_band_direction",
    "check_06_band_fraction",
    "check_06_ring_min",
    "band_fraction",
    "line_points",
    "lowest_error_direction",
    "equal_distance_offsets",
    "DirectionScan",
    "BAND_HALF_LENGTH",
    "BAND_POINTS",
    "BAND_ANGLES",
]

#: Half-length of every scanned line (the half-width of the 1f error grid, ``config.TOY_PLANE``).
BAND_HALF_LENGTH = 10.0
#: Points per scanned line (step 0.05 over [-10, 10]).
BAND_POINTS = 401
#: Line angles scanned through the midpoint: 0°, 1°, …, 179°.
BAND_ANGLES = 180
#: The checker accepts a direction within this angle (degrees, either sign) of the derived one.
BAND_TOLERANCE_DEG = 15.0


def _unit(direction: object) -> torch.Tensor:
    """A float32 unit 2-vector, or ValueError."""
    d = torch.as_tensor(np.asarray(direction, dtype=float), dtype=torch.float32)
    if d.shape != (2,) or not torch.isfinite(d).all() or float(d.norm()) == 0:
        raise ValueError(f"direction: expected a finite non-zero 2-vector, got {direction!r:.60}")
    return d / d.norm()


def line_points(
    origin: torch.Tensor,
    direction: object,
    offset: float = 0.0,
    half_length: float = BAND_HALF_LENGTH,
    n_points: int = BAND_POINTS,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Points ``origin + offset·n + t·d`` of a line segment, t in [-half_length, half_length].

    Parameters
    ----------
    origin : torch.Tensor
        Shape (2,): the line's centre for ``offset = 0``.
    direction : 2-vector
        The line's direction d (normalised here; any non-zero length).
    offset : float
        Shift along the normal n = d rotated by +90° (parallel lines).
    half_length : float
        The segment runs over t in [-half_length, half_length].
    n_points : int
        Number of equally spaced points, at least 2.

    Returns
    -------
    ts : torch.Tensor
        Shape (n_points,): the positions t along the line.
    points : torch.Tensor
        Shape (n_points, 2), float32.
    """
    d = _unit(direction)
    o = torch.as_tensor(origin, dtype=torch.float32).reshape(-1)
    if o.shape != (2,):
        raise ValueError(f"origin: expected a 2-vector, got shape {tuple(o.shape)}")
    if not half_length > 0 or int(n_points) < 2:
        raise ValueError(
            f"half_length must be > 0 and n_points >= 2, got {half_length}, {n_points}"
        )
    n = torch.stack([-d[1], d[0]])
    ts = torch.linspace(-half_length, half_length, int(n_points))
    return ts, o + float(offset) * n + ts[:, None] * d


class DirectionScan(NamedTuple):
    """Result of :func:`lowest_error_direction`.

    Attributes
    ----------
    direction : torch.Tensor
        Shape (2,): the unit direction with the lowest median MSE (angle in [0°, 180°)).
    angle : float
        Its angle in degrees from the x₁ axis.
    angles : torch.Tensor
        Shape (n_angles,): every scanned angle (degrees).
    medians : torch.Tensor
        Shape (n_angles,): the median per-point MSE along the line at each angle.
    """

    direction: torch.Tensor
    angle: float
    angles: torch.Tensor
    medians: torch.Tensor


def lowest_error_direction(
    model: nn.Module,
    X: torch.Tensor,
    n_angles: int = BAND_ANGLES,
    half_length: float = BAND_HALF_LENGTH,
    n_points: int = BAND_POINTS,
) -> DirectionScan:
    """The direction through the data's midpoint along which the reconstruction error stays lowest.

    Scans lines through ``X.mean(0)`` (for two equal clusters: the midpoint between them) at
    ``n_angles`` angles 0°, 180°/n_angles, … and takes the one with the lowest *median* per-point
    MSE over its ``n_points`` points, t in [-half_length, half_length] (a fixed length, so every
    line is judged over the same stretch of the error field the 1f grid shows).

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder on 2-D data.
    X : torch.Tensor
        Training data, shape (N, 2).
    n_angles, half_length, n_points
        The scan (defaults: 1° steps, the grid's half-width 10, 401 points per line).

    Returns
    -------
    DirectionScan
    """
    from aelib.metrics import reconstruction_error

    X = torch.as_tensor(X, dtype=torch.float32)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"X: expected shape (N, 2) with N >= 1, got {tuple(X.shape)}")
    if int(n_angles) < 2:
        raise ValueError(f"n_angles must be >= 2, got {n_angles}")
    angles = torch.arange(int(n_angles), dtype=torch.float64) * (180.0 / int(n_angles))
    rad = torch.deg2rad(angles)
    dirs = torch.stack([rad.cos(), rad.sin()], 1).float()
    centre = X.mean(0)
    lines = [line_points(centre, d, 0.0, half_length, n_points)[1] for d in dirs]
    err = reconstruction_error(model, torch.cat(lines)).reshape(len(dirs), -1)
    medians = err.median(1).values
    best = int(medians.argmin())
    return DirectionScan(dirs[best], float(angles[best]), angles.float(), medians)


def equal_distance_offsets(
    X: torch.Tensor,
    direction: object,
    half_length: float = BAND_HALF_LENGTH,
    n_points: int = BAND_POINTS,
) -> tuple[float, float, float]:
    """Parallel lines beyond the data that are as far from it as the line through the midpoint.

    The line through ``X.mean(0)`` in ``direction`` (a segment, as in :func:`line_points`) lies
    at distance D₀ from the nearest data point. On each side, beyond all the data, the distance
    of a parallel line grows with its offset; bisection finds the offsets whose line is again D₀
    from the data — the fair comparison for "lower loss than would be expected" at that distance.

    Parameters
    ----------
    X : torch.Tensor
        Training data, shape (N, 2).
    direction : 2-vector
        The lines' direction.
    half_length, n_points
        The segments (as in :func:`line_points`).

    Returns
    -------
    (d0, s_minus, s_plus) : tuple of float
        D₀ and the offsets (along the normal, see :func:`line_points`) on the negative and the
        positive side.
    """
    from aelib.course.oob import distance_to_data

    X = torch.as_tensor(X, dtype=torch.float32)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"X: expected shape (N, 2) with N >= 1, got {tuple(X.shape)}")
    d = _unit(direction)
    centre = X.mean(0)

    def dist(s: float) -> float:
        return float(distance_to_data(line_points(centre, d, s, half_length, n_points)[1], X).min())

    d0 = dist(0.0)
    proj = (X - centre) @ torch.stack([-d[1], d[0]])
    offsets = []
    for sign, edge in ((-1.0, float(-proj.min())), (1.0, float(proj.max()))):
        lo, hi = edge, edge + d0 + 1.0  # dist(lo) ~ 0 <= d0 < dist(hi)
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if dist(sign * mid) < d0 else (lo, mid)
        offsets.append(sign * (lo + hi) / 2)
    return d0, offsets[0], offsets[1]


@never_raises
def check_06_band_direction(answer: object) -> bool:
    """The direction (2-vector) through the middle of Figure 1f along which the MSE stays lowest.

    The reference is :func:`lowest_error_direction` of the cached 1f model (either sign; within
    ``BAND_TOLERANCE_DEG``).
    """
    from aelib.course.toy_recipes import figure1_model

    fb = Feedback("06 · direction of the low-loss region through the middle")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    try:
        if isinstance(answer, str):
            raise ValueError(answer)
        d = torch.as_tensor(np.asarray(answer, dtype=float), dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        d = None
    if d is None or tuple(d.shape) != (2,):
        return fb.wrong(f"expected a 2-vector of numbers such as (1.0, 0.0), got {answer!r:.40}")
    if not torch.isfinite(d).all() or float(d.norm()) == 0:
        return fb.wrong("expected a finite, non-zero vector.")
    d = d / d.norm()
    fit, X = figure1_model("1f")
    scan = lowest_error_direction(fit.model, X)
    ref = scan.direction.double()
    cos = abs(float(d @ ref))  # either sign
    if cos >= math.cos(math.radians(BAND_TOLERANCE_DEG)):
        return fb.correct(
            f"through the middle the MSE stays lowest along ({ref[0]:.2f}, {ref[1]:.2f}), "
            f"{scan.angle:.0f}° from the x₁ axis: along the first principal component, through "
            "both clusters — not orthogonal to it, where the paper puts its band. The cells below "
            "measure both lines."
        )
    if cos <= math.sin(math.radians(BAND_TOLERANCE_DEG)):
        return fb.wrong(
            "that is the paper's hyperplane, orthogonal to the first principal component. Look "
            "again at the 1f panel: which way does the red (low-error) region run through the "
            "empty middle?"
        )
    return fb.wrong(
        "not quite: follow the red (low-error) region of the 1f panel through the empty middle "
        "between the clusters; either sign is fine."
    )


def band_fraction(model: torch.nn.Module, X: torch.Tensor) -> float:
    """Fraction of training points whose MSE is *higher* than the MSE at the band centre X.mean(0)."""
    from aelib.metrics import reconstruction_error

    centre = X.mean(0, keepdim=True)
    err_c = reconstruction_error(model, centre)[0]
    return float((reconstruction_error(model, X) > err_c).double().mean())


@never_raises
def check_06_band_fraction(answer: object) -> bool:
    """Fraction of normal points of Figure 1f scored as *more* anomalous than the band centre."""
    from aelib.course.toy_recipes import figure1_model

    fb = Feedback("06 · how normal the band centre looks")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected one number in [0, 1], got {answer!r:.40}")
    if not 0 <= value <= 1:
        return fb.wrong(f"a fraction lies in [0, 1], got {value:.3g}.")
    fit, X = figure1_model("1f")
    right = band_fraction(fit.model, X)
    if abs(value - right) <= 0.011:
        return fb.correct(
            f"{right:.0%} of the normal points look *more* anomalous than the empty centre."
        )
    if abs(value - (1 - right)) <= 0.011:
        return fb.wrong(
            "you counted the points with a *lower* loss; count those with a higher one."
        )
    return fb.wrong(
        f"{value:.3g} is not it: compare each normal point's MSE with the MSE at the centre."
    )


def _ring_min(model: torch.nn.Module, radius: float, n_angles: int, reduce: str = "mean") -> float:
    """The checker's own circle scan (``reduce="sum"``: a typical mistake)."""
    angles = torch.arange(n_angles, dtype=torch.float64) * (2 * torch.pi / n_angles)
    P = radius * torch.stack([angles.cos(), angles.sin()], 1)
    with torch.no_grad():
        sq = (model(P.float()).double() - P) ** 2
    return float((sq.mean(1) if reduce == "mean" else sq.sum(1)).min())


@never_raises
def check_06_ring_min(answer: object) -> bool:
    """A function ``ring_min_error(model, radius, n_angles) -> float``.

    The smallest per-point MSE over ``n_angles`` points equally spaced on the circle of
    ``radius`` around the origin (angles 2πk/n, k = 0 … n − 1). Tested on fresh random sigmoid
    and ReLU networks, at several radii.
    """
    from aelib.models import MLPAutoencoder

    fb = Feedback("06 · the smallest error on a circle")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(
            f"expected a function ring_min_error(model, radius, n_angles), got {answer!r:.40}"
        )
    for seed, act, radius, n in [
        (31, "sigmoid", 3.0, 360),
        (32, "sigmoid", 12.0, 90),
        (33, "relu", 7.5, 181),
    ]:
        model = MLPAutoencoder([2, 5, 1, 5, 2], activation=act, seed=seed).eval()
        case = f"{act} network, radius {radius:g}, {n} angles"
        right = _ring_min(model, radius, n)
        try:
            got = fb.number(answer(model, radius, n))
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(f"your function raised {type(err).__name__}: {err} ({case}).")
        if got is None:
            return fb.wrong(f"expected your function to return one number, {case}.")
        if abs(got - right) <= 1e-4 * max(1.0, right):
            continue
        if abs(got - _ring_min(model, radius, n, reduce="sum")) <= 1e-4 * max(1.0, right):
            return fb.wrong(f"{case}: that is a sum over the coordinates; the MSE is their mean.")
        if abs(got - _ring_min(model, 1.0, n)) <= 1e-4 * max(1.0, right):
            return fb.wrong(f"{case}: the points must lie at distance radius from the origin.")
        return fb.wrong(f"{case}: expected {right:.4g}, got {got:.4g}.")
    return fb.correct("it matches the circle scan on every fresh network.")


@register_answer("check_06_band_direction")
def _band_direction_key() -> AnswerKey:
    # the reference is derived from the grid (lowest_error_direction); for the seeded 1f model it
    # is the diagonal (1, 1), up to sign: the answer that must not be printed before the check
    return AnswerKey(
        patterns=(
            r"\(\s*1(?:\.0)?\s*,\s*1(?:\.0)?\s*\)",
            r"\(\s*[-−]\s*1(?:\.0)?\s*,\s*[-−]\s*1(?:\.0)?\s*\)",
        )
    )


@register_answer("check_06_band_fraction")
def _band_fraction_key() -> AnswerKey:
    from aelib.course.toy_recipes import figure1_model

    fit, X = figure1_model("1f")
    return AnswerKey(values=(band_fraction(fit.model, X),))


@register_answer("check_06_ring_min")
def _ring_min_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on fresh networks: nothing to print
