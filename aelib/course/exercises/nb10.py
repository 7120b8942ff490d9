"""Checkers for notebook 10 (PGD, audit and defences)."""

from __future__ import annotations

import math

import torch

from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback

__all__ = ["check_10_grid_cost", "check_10_mahalanobis_threshold"]


def check_10_grid_cost(answer: object, resolution: int, latent_dim: int) -> bool:
    """Decoder evaluations of a full latent grid with ``resolution`` points per axis: R^d."""
    fb = Feedback("10 · the cost of a grid")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None or value <= 0:
        return fb.wrong(f"expected a positive number, got {answer!r:.40}")
    right = float(resolution) ** latent_dim
    if abs(math.log10(value) - math.log10(right)) < 0.01:
        return fb.correct(f"{resolution}^{latent_dim} ≈ {right:.3g}: impossible, hence PGD.")
    if math.isclose(value, resolution * latent_dim, rel_tol=1e-6):
        return fb.wrong(
            "R·d counts one line per axis; a grid has every combination of coordinates."
        )
    if math.isclose(value, float(latent_dim) ** resolution, rel_tol=1e-3):
        return fb.wrong("base and exponent are swapped: R choices for each of the d coordinates.")
    return fb.wrong(f"{value:.3g} is not it: R choices for each of d coordinates.")


def check_10_mahalanobis_threshold(
    answer: object, adversarial_scores: torch.Tensor, normal_scores: torch.Tensor
) -> bool:
    """The largest Mahalanobis threshold that still flags every adversarial anomaly found.

    Correct: below the smallest adversarial score and at least 95 % of it (slider resolution).
    """
    fb = Feedback("10 · a threshold that catches them all")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected a number (the threshold), got {type(answer).__name__}")
    adv = torch.as_tensor(adversarial_scores).double()
    normal = torch.as_tensor(normal_scores).double()
    lowest = float(adv.min())
    if value >= lowest:
        missed = int((adv <= value).sum())
        return fb.wrong(
            f"at {value:.3g} {missed} adversarial anomal{'y' if missed == 1 else 'ies'} pass unflagged: lower it."
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
