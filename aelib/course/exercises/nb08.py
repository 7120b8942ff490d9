"""Checkers for notebook 08 (convolutional autoencoder on MNIST)."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback

__all__ = ["check_08_hardest_digit", "check_08_threshold"]


def check_08_hardest_digit(answer: object, aucs: Mapping[int, float]) -> bool:
    """The anomaly digit the detector separates worst from the normal test digits (lowest AUC).

    ``aucs`` maps each anomaly digit to its ROC AUC against the normal test images.
    """
    fb = Feedback("08 · the hardest anomaly digit")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if isinstance(answer, bool) or not isinstance(answer, int):
        return fb.wrong(f"expected a digit (an int), got {type(answer).__name__} {answer!r}")
    right = min(aucs, key=aucs.get)
    if answer == right:
        return fb.correct(
            f"digit {right} has the lowest AUC ({aucs[right]:.3f}): many of its images are "
            "reconstructed as well as normal ones."
        )
    if answer not in aucs:
        return fb.wrong(f"{answer} is not one of the anomaly digits {sorted(aucs)}.")
    best = max(aucs, key=aucs.get)
    if answer == best:
        return fb.wrong(
            f"digit {answer} has the *highest* AUC ({aucs[answer]:.3f}), it is the easiest; "
            "look for the smallest."
        )
    return fb.wrong(f"digit {answer} has AUC {aucs[answer]:.3f}; another digit has a lower one.")


def check_08_threshold(answer: object, normal_errors: torch.Tensor, rate: float = 0.05) -> bool:
    """A threshold with at most ``rate`` false alarms on the normal test errors, as low as possible.

    Correct: at most ``rate`` of ``normal_errors`` lie above it, and it is no more than 10 %
    above the smallest such threshold (the slider's resolution).
    """
    fb = Feedback("08 · a 5 % false-alarm threshold")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected a number (the threshold), got {type(answer).__name__}")
    errors = torch.as_tensor(normal_errors).double()
    fpr = float((errors > value).double().mean())
    lowest = float(torch.quantile(errors, 1 - rate))
    if fpr > rate:
        return fb.wrong(
            f"at {value:.3g} the detector flags {fpr:.1%} of the normal test images, more than "
            f"{rate:.0%}: raise the threshold."
        )
    if value > 1.1 * lowest:
        return fb.wrong(
            f"{value:.3g} flags only {fpr:.1%} of normal images, but a lower threshold would "
            f"too (and catch more anomalies): lower it until the false alarms reach {rate:.0%}."
        )
    return fb.correct(
        f"{value:.3g} flags {fpr:.1%} of normal test images; the exact {1 - rate:.0%} quantile "
        f"is {lowest:.3g}."
    )
