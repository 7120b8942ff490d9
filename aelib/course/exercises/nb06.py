"""Checkers for notebook 06 (sigmoid autoencoders, Figure 1e–f)."""

from __future__ import annotations

import numpy as np
import torch

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
]


@never_raises
def check_06_band_direction(answer: object) -> bool:
    """A direction (2-vector) along the paper's 1f hyperplane (orthogonal to the 1st PC)."""
    fb = Feedback("06 · direction of the paper's low-loss band")
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
    pc = torch.tensor([1.0, 1.0], dtype=torch.float64) / 2**0.5
    if abs(float(d @ pc)) > 0.99:
        return fb.wrong(
            "that is the first principal component (the line through both clusters); the paper's "
            "hyperplane is orthogonal to it."
        )
    if abs(float(d[0] + d[1])) / 2**0.5 < 0.05:
        return fb.correct(
            "the paper's hyperplane runs along (1, -1), orthogonal to the first principal "
            "component; the cells below test whether the loss is low along it."
        )
    return fb.wrong(
        "not quite: find the first principal component (the line through both clusters) in the "
        "1f panel and take the direction orthogonal to it."
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
    return AnswerKey(patterns=(r"\(\s*1(?:\.0)?\s*,\s*[-−]\s*1(?:\.0)?\s*\)",))


@register_answer("check_06_band_fraction")
def _band_fraction_key() -> AnswerKey:
    from aelib.course.toy_recipes import figure1_model

    fit, X = figure1_model("1f")
    return AnswerKey(values=(band_fraction(fit.model, X),))


@register_answer("check_06_ring_min")
def _ring_min_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on fresh networks: nothing to print
