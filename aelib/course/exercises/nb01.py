"""Checkers for notebook 01 (reconstruction error as an anomaly score, §3.1 and §4.1)."""

from __future__ import annotations

import math

import numpy as np
import torch

from aelib.course import config
from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = ["check_01_flag_radius", "check_01_auc", "flag_radius"]


def _toy_pca():
    from aelib.data import gaussian
    from aelib.linalg import pca

    X = gaussian(config.TOY_N, seed=0).double()
    return X, pca(X, config.LINEAR_D_TOY)


def flag_radius(angle_deg: float | None = None) -> float:
    """Smallest r at which a = r (cos θ, sin θ) scores above the largest training score.

    For notebook 01's model: PCA with d = ``config.LINEAR_D_TOY`` fitted to
    ``aelib.data.gaussian(config.TOY_N, seed=0)``. Solved exactly: the score of a point on the
    ray is a quadratic in r.

    Parameters
    ----------
    angle_deg : float, optional
        θ in degrees; default: ``config.NB01_FLAG_ANGLE`` (read at call time).

    Returns
    -------
    float
        The radius, or ``inf`` if the point is never flagged along that ray (the ray lies in
        the principal subspace).
    """
    angle_deg = config.NB01_FLAG_ANGLE if angle_deg is None else angle_deg
    if isinstance(angle_deg, bool) or not isinstance(angle_deg, int | float):
        raise TypeError(f"angle_deg: expected a number, got {type(angle_deg).__name__}")
    X, p = _toy_pca()
    threshold = float(p.reconstruction_error(X).max())
    theta = math.radians(angle_deg)
    d = torch.tensor([math.cos(theta), math.sin(theta)], dtype=torch.float64)
    # residual of r d is (I - P)(r d - μ) = r w - w0; score = |r w - w0|² / n
    P = p.components @ p.components.T
    w, w0 = d - P @ d, p.mean - P @ p.mean
    A, B, C = float(w @ w), -2 * float(w @ w0), float(w0 @ w0) - 2 * threshold
    if A < 1e-24:
        return math.inf
    return (-B + math.sqrt(B * B - 4 * A * C)) / (2 * A)


@never_raises
def check_01_flag_radius(answer: object) -> bool:
    """The radius at which the test point, moving at ``config.NB01_FLAG_ANGLE`` degrees, is flagged.

    Accepts the slider reading: any r within one slider step (``config.NB01_R_STEP``) above the
    exact value.
    """
    fb = Feedback("01 · flag radius")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    r = fb.finite_number(answer)
    if r is None:
        return fb.wrong(f"expected one number (the slider's r, finite), got {answer!r:.40}")
    right = flag_radius()
    step = config.NB01_R_STEP
    default = flag_radius(0.0)  # the slider's starting angle
    if right - 1e-9 <= r <= right + step + 1e-9:
        return fb.correct(
            f"exactly r = {right:.3f}. Beyond it the point's score exceeds every training "
            "score — but only because this direction leaves the principal line."
        )
    if r < 0:
        return fb.wrong("r is a distance from the origin: use r ≥ 0 and the angle for direction.")
    if r < right:
        return fb.wrong(
            f"at r = {r:.3g} the score is still at or below the largest training score "
            "(the point is not flagged yet): move it farther out."
        )
    if abs(r - default) <= step:
        return fb.wrong(
            f"that is the radius for θ = 0°; set θ to {config.NB01_FLAG_ANGLE:g}° first."
        )
    return fb.wrong(
        f"at r = {r:.3g} the point is flagged, but it already was at a smaller radius: "
        "find the *first* r where 'flagged' turns True."
    )


def _reference_auc(sn: np.ndarray, sa: np.ndarray) -> float:
    greater = (sa[:, None] > sn[None, :]).sum()
    ties = (sa[:, None] == sn[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(sn) * len(sa)))


def _auc_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    return [
        ("perfect detector", np.array([0.1, 0.2, 0.3]), np.array([0.5, 0.9])),
        ("reversed scores", np.array([0.5, 0.9]), np.array([0.1, 0.2, 0.3])),
        ("ties", np.array([0.1, 0.2, 0.2, 0.4]), np.array([0.2, 0.4, 0.4])),
        ("random", rng.random(30), rng.random(20) + 0.3),
        ("integer-valued", rng.integers(0, 5, 25).astype(float), rng.integers(2, 7, 15) * 1.0),
    ]


@never_raises
def check_01_auc(answer: object) -> bool:
    """A function ``auc_by_counting(scores_normal, scores_anomalous) -> float``: ROC AUC by counting.

    The AUC is the probability that a random anomaly scores higher than a random normal
    sample, ties counting one half. Tested on NumPy arrays, including ties.
    """
    fb = Feedback("01 · ROC AUC by counting")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(
            f"expected a function auc_by_counting(scores_normal, scores_anomalous), got {answer!r}"
        )
    for name, sn, sa in _auc_cases():
        right = _reference_auc(sn, sa)
        try:
            got = fb.number(answer(sn.copy(), sa.copy()))
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(f"your function raised {type(err).__name__}: {err} (case {name!r}).")
        if got is None:
            return fb.wrong(f"expected your function to return one number, case {name!r}.")
        if abs(got - right) < 1e-9:
            continue
        strict = float((sa[:, None] > sn[None, :]).mean())
        weak = float((sa[:, None] >= sn[None, :]).mean())
        if abs(got - (1 - right)) < 1e-9:
            return fb.wrong(
                f"case {name!r}: you got {got:.3g}, which is 1 − AUC: count pairs where the "
                "*anomaly* scores higher than the normal sample."
            )
        if abs(got - strict) < 1e-9 or abs(got - weak) < 1e-9:
            return fb.wrong(
                f"case {name!r}: ties must count one half (you got {got:.3g}, expected "
                f"{right:.3g})."
            )
        if got > 1 or got < 0:
            return fb.wrong(
                f"case {name!r}: {got:.3g} is not a probability — divide the count by the "
                "number of (normal, anomalous) pairs, len(sn) × len(sa)."
            )
        return fb.wrong(f"case {name!r}: expected {right:.3g}, got {got:.3g}.")
    return fb.correct("it matches aelib.metrics.roc_auc on every test case, ties included.")


@register_answer("check_01_flag_radius")
def _flag_radius_key() -> AnswerKey:
    return AnswerKey(values=(flag_radius(),))


@register_answer("check_01_auc")
def _auc_key() -> AnswerKey:
    return AnswerKey()  # a function: tested on the checker's own cases, nothing to print
