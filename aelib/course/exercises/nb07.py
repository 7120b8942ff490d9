"""Checkers for notebook 07 (other activation functions)."""

from __future__ import annotations

from collections.abc import Mapping

from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback

__all__ = ["check_07_continuity", "check_07_largest_smooth"]


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
            "kinks (ReLU, LeakyReLU) are C0, ELU's second derivative jumps at 0 (C1), the rest are smooth."
        )
    if "elu" in wrong and wrong["elu"] in ("C0", "Cinf"):
        return fb.wrong(
            "ELU (α = 1) has a continuous first derivative at 0 but its second jumps: C1."
        )
    name = sorted(wrong)[0]
    return fb.wrong(
        f"{name}: {wrong[name]!r} is not its order; is it differentiable at 0, and how often?"
    )


def check_07_largest_smooth(answer: object, table: Mapping[str, Mapping[str, float]]) -> bool:
    """The C^∞ activation with the largest mean out-of-bounds area in the notebook's ``table``.

    ``table[activation]["area"]`` holds the mean area over data sets and successful seeds.
    """
    from aelib.models import ACTIVATIONS

    fb = Feedback("07 · the worst smooth activation")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not isinstance(answer, str) or answer not in ACTIVATIONS:
        return fb.wrong(f"expected an activation name from {sorted(ACTIVATIONS)}, got {answer!r}")
    smooth = [k for k in table if ACTIVATIONS[k][1] == "Cinf"]
    right = max(smooth, key=lambda k: table[k]["area"])
    if answer == right:
        return fb.correct(
            f"{right}: smooth, yet it grows *linearly* far away, like a ReLU. What protects is saturation, not smoothness."
        )
    if ACTIVATIONS[answer][1] != "Cinf":
        return fb.wrong(f"{answer} is {ACTIVATIONS[answer][1]}, not C^∞.")
    return fb.wrong(
        f"{answer} has mean area {table[answer]['area']:.3g}; another C^∞ one has more."
    )
