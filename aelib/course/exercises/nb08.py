"""Checkers for notebook 08 (convolutional autoencoder on MNIST)."""

from __future__ import annotations

from functools import lru_cache

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
    "check_08_hardest_digit",
    "check_08_threshold",
    "check_08_threshold_at",
    "mnist_test_errors",
    "digit_aucs",
]

#: The false-alarm rate of Exercise 2.
RATE = 0.05


@lru_cache(maxsize=2)
def mnist_test_errors(source: str = "bundled") -> tuple[torch.Tensor, torch.Tensor]:
    """Test errors (sums of squares) of the {4, 5, 7} model and the test labels.

    Recomputed from the course's seeded, cached recipe (``mnist_autoencoder`` with
    ``config.MNIST_DIGITS_A``) and the test split of ``source``, never read from the notebook.
    """
    from aelib.course import config
    from aelib.course.mnist_experiments import mnist_autoencoder
    from aelib.data import load_mnist
    from aelib.metrics import reconstruction_error

    X_test, y_test = load_mnist(range(10), train=False, source=source, verbose=False)
    run = mnist_autoencoder(config.MNIST_DIGITS_A, source=source)
    return reconstruction_error(run.model, X_test, reduction="sum"), y_test


def digit_aucs(source: str = "bundled") -> dict[int, float]:
    """ROC AUC of each anomaly digit against the normal test digits, for the {4, 5, 7} model."""
    from aelib.course import config
    from aelib.metrics import roc_auc

    err, y = mnist_test_errors(source)
    normal = torch.isin(y, torch.tensor(config.MNIST_DIGITS_A))
    return {
        d: float(roc_auc(err[normal], err[y == d]))
        for d in range(10)
        if d not in config.MNIST_DIGITS_A
    }


def _normal_errors(source: str) -> torch.Tensor:
    from aelib.course import config

    err, y = mnist_test_errors(source)
    return err[torch.isin(y, torch.tensor(config.MNIST_DIGITS_A))].double()


@never_raises
def check_08_hardest_digit(answer: object, aucs: object = None, *, source: str = "bundled") -> bool:
    """The anomaly digit the {4, 5, 7} detector separates worst from the normal test digits.

    The AUCs come from :func:`digit_aucs` (the course's recipe), not from the notebook;
    ``aucs`` is ignored (accepted so that older calls ``check_08_hardest_digit(answer, aucs)``
    keep working). ``source`` is the notebook's ``MNIST_SOURCE``.
    """
    fb = Feedback("08 · the hardest anomaly digit")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    digit = fb.integer(answer)
    if digit is None:
        return fb.wrong(f"expected a digit (an int), got {type(answer).__name__} {answer!r:.40}")
    aucs = digit_aucs(source)
    right = min(aucs, key=aucs.get)
    if digit == right:
        return fb.correct(
            f"digit {right} has the lowest AUC ({aucs[right]:.3f}): many of its images are "
            "reconstructed as well as normal ones."
        )
    if digit not in aucs:
        return fb.wrong(f"{digit} is not one of the anomaly digits {sorted(aucs)}.")
    if digit == max(aucs, key=aucs.get):
        return fb.wrong(
            f"digit {digit} has the *highest* AUC ({aucs[digit]:.3f}), it is the easiest; "
            "look for the smallest."
        )
    return fb.wrong(f"digit {digit} has AUC {aucs[digit]:.3f}; another digit has a lower one.")


def _lowest_threshold(errors: torch.Tensor, rate: float) -> float:
    """The smallest observed error t with at most ``rate`` of ``errors`` strictly above it."""
    values = torch.sort(errors.double()).values
    n = len(values)
    allowed = int(np.floor(rate * n + 1e-9))  # how many may lie above
    return float(values[n - allowed - 1])


@never_raises
def check_08_threshold(
    answer: object, normal_errors: object = None, rate: float = RATE, *, source: str = "bundled"
) -> bool:
    """A threshold with at most 5 % false alarms on the normal test errors, as low as possible.

    Correct: at most 5 % of the {4, 5, 7} model's normal test errors lie above it, and it is no
    more than 10 % above the smallest such threshold (the slider's resolution). The errors come
    from :func:`mnist_test_errors`, not from the notebook; ``normal_errors`` and ``rate`` are
    ignored (accepted so that older calls keep working).
    """
    fb = Feedback("08 · a 5 % false-alarm threshold")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected a number (the threshold), got {answer!r:.40}")
    errors = _normal_errors(source)
    fpr = float((errors > value).double().mean())
    lowest = _lowest_threshold(errors, RATE)
    if fpr > RATE:
        return fb.wrong(
            f"at {value:.3g} the detector flags {fpr:.1%} of the normal test images, more than "
            f"{RATE:.0%}: raise the threshold."
        )
    if value > 1.1 * lowest:
        return fb.wrong(
            f"{value:.3g} flags only {fpr:.1%} of normal images, but a lower threshold would "
            f"too (and catch more anomalies): lower it until the false alarms reach {RATE:.0%}."
        )
    return fb.correct(
        f"{value:.3g} flags {fpr:.1%} of normal test images; the lowest such threshold is "
        f"{lowest:.3g}."
    )


@never_raises
def check_08_threshold_at(answer: object) -> bool:
    """A function ``threshold_at(errors, rate) -> float``: the lowest threshold t with at most
    ``rate`` of ``errors`` strictly above it. Tested on fresh random errors, ties included."""
    fb = Feedback("08 · the lowest threshold for a false-alarm rate")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(f"expected a function threshold_at(errors, rate), got {answer!r:.40}")
    gen = torch.Generator().manual_seed(808)
    cases = [
        ("200 exponential errors, 5 %", torch.empty(200).exponential_(generator=gen), 0.05),
        ("37 errors, 10 %", torch.rand(37, generator=gen) * 50, 0.10),
        ("ties", torch.tensor([1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 4.0, 5.0, 5.0, 9.0]), 0.25),
        ("rate 0", torch.rand(20, generator=gen), 0.0),
    ]
    for name, errors, rate in cases:
        try:
            got = fb.number(answer(errors.clone(), rate))
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(f"your function raised {type(err).__name__}: {err} ({name}).")
        if got is None:
            return fb.wrong(f"expected your function to return one number ({name}).")
        right = _lowest_threshold(errors, rate)
        fpr = float((errors.double() > got).double().mean())
        if fpr > rate + 1e-12:
            if abs(got - float(torch.quantile(errors, rate))) < 1e-6:
                return fb.wrong(
                    f"{name}: that is the {rate:.0%} quantile; false alarms are the errors "
                    f"*above* t, so take the {1 - rate:.0%} end."
                )
            return fb.wrong(
                f"{name}: at {got:.4g}, {fpr:.1%} of the errors lie above it, more than "
                f"{rate:.0%}; the lowest allowed threshold is {right:.4g}."
            )
        if got > right + 1e-9 and float((errors.double() <= got).sum()) > float(
            (errors.double() <= right).sum()
        ):
            return fb.wrong(
                f"{name}: {got:.4g} is allowed, but {right:.4g} is lower and still within "
                f"{rate:.0%} false alarms: return the lowest."
            )
    return fb.correct("the lowest threshold within the false-alarm rate, on every case.")


@register_answer("check_08_hardest_digit")
def _hardest_digit_key() -> AnswerKey:
    aucs = digit_aucs()
    d = min(aucs, key=aucs.get)
    # the hardest digit's AUC, printed, gives it away (as does naming it as the hard one)
    return AnswerKey(values=(aucs[d],), patterns=(rf"\b(?:a|the) {d}s?\b",))


@register_answer("check_08_threshold")
def _threshold_key() -> AnswerKey:
    return AnswerKey(values=(_lowest_threshold(_normal_errors("bundled"), RATE),))


@register_answer("check_08_threshold_at")
def _threshold_at_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on fresh errors: nothing to print
