"""Checkers for notebook 05 (ReLU autoencoders on tabular data, Figure 1a–d)."""

from __future__ import annotations

from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback

__all__ = ["check_05_collapse_loss", "check_05_eps_onset"]


def check_05_collapse_loss(answer: object) -> bool:
    """The training loss a collapsed (dead-ReLU) autoencoder reaches on the banana data."""
    from aelib.course.toy_recipes import figure1_data
    from aelib.course.toy_training import baseline_loss

    fb = Feedback("05 · loss of a collapsed autoencoder")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected one number, got {type(answer).__name__}")
    X = figure1_data("banana").double()
    right = baseline_loss(X)
    if abs(value - right) <= 0.02 * right:
        return fb.correct(
            f"{right:.4g}: a dead network outputs one constant; the best constant is the mean, "
            "and its MSE is the average per-coordinate variance."
        )
    if abs(value - 2 * right) <= 0.04 * right:
        return fb.wrong(
            "that is the *sum* of the variances; the MSE averages over the 2 coordinates."
        )
    if abs(value - float((X**2).mean())) <= 0.02 * right:
        return fb.wrong(
            "that is the MSE of outputting 0; the collapsed decoder outputs the *mean*."
        )
    return fb.wrong(
        f"{value:.4g} is not it. What constant minimises the MSE, and what MSE does it give?"
    )


def check_05_eps_onset(answer: object) -> bool:
    """The smallest ε at which the Figure-1c model shows an out-of-bounds zone (slider exercise)."""
    from aelib.course.oob import out_of_bounds
    from aelib.course.toy_recipes import figure1_model

    fb = Feedback("05 · ε at which an out-of-bounds zone appears (1c)")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected one number (an ε from the slider), got {type(answer).__name__}")
    fit, X = figure1_model("1c")
    right = out_of_bounds(fit.model, X).far_min_error
    if abs(value - right) <= 0.015:
        return fb.correct(
            f"the smallest MSE outside the data is {right:.3g}; any ε above it opens a zone."
        )
    if value < right:
        return fb.wrong("at that ε there is no zone yet; increase ε.")
    return fb.wrong("a zone already exists below that ε; decrease ε until it just disappears.")
