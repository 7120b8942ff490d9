"""Checkers for notebook 10 (PGD, audit and defences)."""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = ["check_10_grid_cost", "check_10_mahalanobis_threshold", "mahalanobis_scores"]


def _grid_cost() -> tuple[int, int]:
    from aelib.course import config

    return config.MNIST_GRID_RESOLUTION, max(config.NB10_LATENT_DIMS)


@never_raises
def check_10_grid_cost(
    answer: object, resolution: object = None, latent_dim: object = None
) -> bool:
    """Decoder evaluations of a full latent grid: R^d for R = ``config.MNIST_GRID_RESOLUTION``
    points per axis and the notebook's largest latent, d = ``max(config.NB10_LATENT_DIMS)``.

    ``resolution`` and ``latent_dim`` are ignored (the reference comes from the course's
    configuration); they are accepted so that older calls keep working.
    """
    fb = Feedback("10 · the cost of a grid")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None or not value > 0:
        return fb.wrong(f"expected a positive number, got {answer!r:.40}")
    if math.isinf(value):
        return fb.wrong("inf: compute the power in floating point, float(R) ** d, or as an int.")
    R, d = _grid_cost()
    right = float(R) ** d
    if abs(math.log10(value) - math.log10(right)) < 0.01:
        return fb.correct(f"{R}^{d} ≈ {right:.3g}: impossible, hence PGD.")
    if math.isclose(value, R * d, rel_tol=1e-6):
        return fb.wrong(
            "R·d counts one line per axis; a grid has every combination of coordinates."
        )
    if math.isclose(math.log10(value), R * math.log10(d), rel_tol=1e-3):
        return fb.wrong("base and exponent are swapped: R choices for each of the d coordinates.")
    return fb.wrong(f"{value:.3g} is not it: R choices for each of d coordinates.")


@lru_cache(maxsize=2)
def mahalanobis_scores(source: str = "bundled") -> tuple[torch.Tensor, torch.Tensor]:
    """Latent Mahalanobis scores of notebook 10's PGD adversarial anomalies and normal test images.

    Recomputed from the course's seeded, cached recipe (the 16-D ReLU {4, 5, 7} model, the
    notebook's latent PGD settings with seed 0, ``LatentMahalanobis``), never read from the
    notebook. Returns ``(adversarial_scores, normal_scores)``.
    """
    from aelib.attacks import LatentPGD
    from aelib.audit import default_min_distance
    from aelib.course import config
    from aelib.course.mitigations import LatentMahalanobis
    from aelib.course.mnist_experiments import mnist_autoencoder
    from aelib.data import load_mnist

    digits = config.MNIST_DIGITS_A
    run = mnist_autoencoder(digits, latent_dim=max(config.NB10_LATENT_DIMS), source=source)
    far = default_min_distance(run.X, config.MNIST_FAR_QUANTILE)
    search = LatentPGD(
        steps=config.NB10_PGD_STEPS,
        restarts=config.NB10_PGD_RESTARTS,
        step_size=config.NB10_PGD_STEP,
    )
    res = search(run.model, run.X, min_distance=far, reduction="sum", seed=0)
    maha = LatentMahalanobis(run.model, run.X)
    X_test, y_test = load_mnist(range(10), train=False, source=source, verbose=False)
    normal = torch.isin(y_test, torch.tensor(digits))
    return maha.score(res.x[res.adversarial()]), maha.score(X_test[normal])


@never_raises
def check_10_mahalanobis_threshold(
    answer: object,
    adversarial_scores: object = None,
    normal_scores: object = None,
    *,
    source: str = "bundled",
) -> bool:
    """The largest Mahalanobis threshold that still flags every adversarial anomaly found.

    Correct: below the smallest adversarial score and at least 95 % of it (slider resolution).
    The scores come from :func:`mahalanobis_scores` (the course's recipe);
    ``adversarial_scores`` and ``normal_scores`` are ignored (accepted so that older calls
    ``check_10_mahalanobis_threshold(answer, adv_scores, normal_scores)`` keep working).
    """
    fb = Feedback("10 · a threshold that catches them all")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected a number (the threshold), got {answer!r:.40}")
    adv, normal = (s.double() for s in mahalanobis_scores(source))
    lowest = float(adv.min())
    if value >= lowest:
        missed = int((adv <= value).sum())
        return fb.wrong(
            f"at {value:.3g}, {missed} adversarial "
            f"{'anomaly passes' if missed == 1 else 'anomalies pass'} unflagged: lower it."
        )
    if value < 0.95 * lowest:
        return fb.wrong(
            f"{value:.3g} catches them all but flags more normal data than needed: raise it "
            f"towards the smallest adversarial score."
        )
    fpr = float((normal > value).double().mean())
    return fb.correct(
        f"just below {lowest:.3g}; the price is {fpr:.1%} false alarms on normal test images."
    )


@register_answer("check_10_grid_cost")
def _grid_cost_key() -> AnswerKey:
    R, d = _grid_cost()
    return AnswerKey(values=(float(R) ** d,))


@register_answer("check_10_mahalanobis_threshold")
def _mahalanobis_key() -> AnswerKey:
    return AnswerKey(values=(float(mahalanobis_scores()[0].min()),))
