"""Checkers for notebook 07 (other activation functions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import torch

from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = [
    "check_07_continuity",
    "check_07_largest_smooth",
    "check_07_far_slopes",
    "mean_oob_areas",
]

#: The data sets of notebook 07's table.
DATASETS = ("gaussian", "two_gaussians", "banana")


@never_raises
def check_07_continuity(answer: object) -> bool:
    """A dict activation name → order of continuity, "C0", "C1" or "Cinf"."""
    from aelib.models import ACTIVATIONS

    fb = Feedback("07 · order of continuity")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not isinstance(answer, Mapping):
        return fb.wrong(
            f"expected a dict such as {{'relu': 'C0', ...}}, got {type(answer).__name__}"
        )
    missing = sorted(set(ACTIVATIONS) - set(answer))
    if missing:
        return fb.wrong(f"missing activations: {missing}")
    wrong = {k: answer[k] for k in ACTIVATIONS if answer[k] != ACTIVATIONS[k][1]}
    if not wrong:
        return fb.correct(
            "kinks (ReLU, LeakyReLU) are C0, ELU's second derivative jumps at 0 (C1), "
            "the rest are smooth."
        )
    if "elu" in wrong and wrong["elu"] in ("C0", "Cinf"):
        return fb.wrong(
            "ELU (α = 1) has a continuous first derivative at 0 but its second jumps: C1."
        )
    name = sorted(wrong)[0]
    if wrong[name] not in ("C0", "C1", "Cinf"):
        return fb.wrong(
            f"{name}: write its order as one of 'C0', 'C1', 'Cinf', got {wrong[name]!r}"
        )
    return fb.wrong(
        f"{name}: {wrong[name]!r} is not its order; is it differentiable at 0, and how often?"
    )


@lru_cache(maxsize=1)
def mean_oob_areas() -> dict[str, float]:
    """Mean out-of-bounds area per C^∞ activation, over notebook 07's data sets and successful
    seeds: recomputed from the course's seeded, cached recipe (``fit_many``), never read from
    the notebook.
    """
    from aelib.course import config
    from aelib.course.oob import out_of_bounds
    from aelib.course.toy_recipes import figure1_data, fit_many
    from aelib.models import ACTIVATIONS

    datasets = {name: figure1_data(name) for name in DATASETS}
    seeds = list(range(config.ACT_SEEDS))
    areas = {}
    for act, (_, order) in ACTIVATIONS.items():
        if order != "Cinf":
            continue
        ok = [
            out_of_bounds(run.model, datasets[run.data], resolution=config.ACT_GRID).area
            for run in fit_many(datasets, act, seeds)
            if not run.collapsed
        ]
        areas[act] = float(sum(ok) / len(ok))
    return areas


@never_raises
def check_07_largest_smooth(answer: object, table: object = None) -> bool:
    """The C^∞ activation with the largest mean out-of-bounds area (notebook 07's table).

    The reference areas come from :func:`mean_oob_areas` (the course's recipe, cached), not
    from the notebook. ``table`` is ignored: it is accepted so that older notebooks' calls
    ``check_07_largest_smooth(answer, table)`` keep working.
    """
    from aelib.models import ACTIVATIONS

    fb = Feedback("07 · the worst smooth activation")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not isinstance(answer, str) or answer not in ACTIVATIONS:
        return fb.wrong(
            f"expected an activation name from {sorted(ACTIVATIONS)}, got {answer!r:.40}"
        )
    if ACTIVATIONS[answer][1] != "Cinf":
        return fb.wrong(f"{answer} is {ACTIVATIONS[answer][1]}, not C^∞.")
    areas = mean_oob_areas()
    right = max(areas, key=areas.get)
    if answer == right:
        return fb.correct(
            f"{right}: smooth, yet it grows *linearly* far away, like a ReLU. What protects is "
            "saturation, not smoothness."
        )
    if answer in ("tanh", "sigmoid"):
        return fb.wrong(
            f"{answer} saturates: far from the data it outputs a constant, and its zones are "
            "the smallest. Which smooth activations keep growing?"
        )
    return fb.wrong(f"{answer} has mean area {areas[answer]:.3g}; another C^∞ one has more.")


def _slopes(f: Callable[[torch.Tensor], torch.Tensor], big: float) -> tuple[float, float]:
    """The checker's own far slopes, in float64."""
    x = torch.tensor([-2 * big, -big, big, 2 * big], dtype=torch.float64)
    y = f(x).double()
    return float((y[1] - y[0]) / big), float((y[3] - y[2]) / big)


def _slope_cases() -> list[tuple[str, Callable[[torch.Tensor], torch.Tensor]]]:
    """Fresh activations (none of them in the notebook's table)."""
    return [
        ("softsign", torch.nn.functional.softsign),
        ("hardtanh", torch.nn.functional.hardtanh),
        ("mish", torch.nn.functional.mish),
        ("0.3x + tanh(x)", lambda x: 0.3 * x + torch.tanh(x)),
        ("2x for x > 0, 0.1x below", lambda x: torch.where(x > 0, 2 * x, 0.1 * x)),
    ]


@never_raises
def check_07_far_slopes(answer: object) -> bool:
    """A function ``far_slopes(f, big) -> (left, right)``: an activation's slopes far out.

    left = (f(-big) − f(-2·big)) / big and right = (f(2·big) − f(big)) / big: 0 for an
    activation that saturates, > 0 for one that keeps growing. Tested on fresh activations.
    """
    fb = Feedback("07 · slopes far from zero")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(f"expected a function far_slopes(f, big), got {answer!r:.40}")
    big = 1e3
    for name, f in _slope_cases():
        left, right = _slopes(f, big)
        try:
            got = answer(f, big)
            got = tuple(float(v) for v in got)
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            hint = " f takes a tensor: call it on torch.tensor(big)." if "float" in str(err) else ""
            return fb.wrong(
                f"your function raised or returned no pair: {err!r:.80} ({name}).{hint}"
            )
        if len(got) != 2:
            return fb.wrong(f"expected a pair (left, right), got {len(got)} values ({name}).")
        if abs(got[0] - left) <= 1e-3 and abs(got[1] - right) <= 1e-3:
            continue
        if abs(got[0] + left) <= 1e-3 and abs(got[1] - right) <= 1e-3 and left != 0:
            return fb.wrong(
                f"{name}: the left slope has the wrong sign; divide f(-big) − f(-2·big) by +big "
                "(the step from -2·big to -big is +big)."
            )
        if abs(got[0] - right) <= 1e-3 and abs(got[1] - left) <= 1e-3:
            return fb.wrong(f"{name}: left and right are swapped.")
        return fb.wrong(
            f"{name}: expected ({left:.3g}, {right:.3g}), got ({got[0]:.3g}, {got[1]:.3g})."
        )
    return fb.correct(
        "saturating activations have slope 0 on both sides; the others grow linearly."
    )


@register_answer("check_07_continuity")
def _continuity_key() -> AnswerKey:
    # ELU is the one C1 activation: naming its class (in prose or the table) gives it away
    return AnswerKey(patterns=(r"(?i)\belu\b[^.\n]{0,30}(?:\bC1\b|C¹)",))


@register_answer("check_07_largest_smooth")
def _largest_smooth_key() -> AnswerKey:
    areas = mean_oob_areas()
    return AnswerKey(values=(max(areas.values()),))


@register_answer("check_07_far_slopes")
def _far_slopes_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on fresh activations: nothing to print
