"""Checkers for notebook 05 (ReLU autoencoders on tabular data, Figure 1a–d)."""

from __future__ import annotations

import torch

from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = [
    "check_05_collapse_loss",
    "check_05_eps_onset",
    "check_05_far_min_error",
    "collapse_loss",
    "eps_onset",
]

#: Slider step of the notebook's ε explorer (``aelib.course.widgets.epsilon_explorer``).
EPS_STEP = 0.01


def collapse_loss() -> float:
    """The accepted answer of Exercise 1: the MSE of outputting the banana data's mean."""
    from aelib.course.toy_recipes import figure1_data

    X = figure1_data("banana").double()
    return float(((X - X.mean(0)) ** 2).mean())


def eps_onset() -> float:
    """The accepted answer of Exercise 2: the smallest MSE outside the data (Figure-1c model)."""
    from aelib.course.oob import out_of_bounds
    from aelib.course.toy_recipes import figure1_model

    fit, X = figure1_model("1c")
    return float(out_of_bounds(fit.model, X).far_min_error)


@never_raises
def check_05_collapse_loss(answer: object) -> bool:
    """The training loss a collapsed (dead-ReLU) autoencoder reaches on the banana data."""
    from aelib.course.toy_recipes import figure1_data

    fb = Feedback("05 · loss of a collapsed autoencoder")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected one number (finite), got {answer!r:.40}")
    X = figure1_data("banana").double()
    right = collapse_loss()
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


@never_raises
def check_05_eps_onset(answer: object) -> bool:
    """The smallest ε at which the Figure-1c model shows an out-of-bounds zone (slider exercise).

    The zone is where MSE < ε, so it opens only for ε *above* the smallest MSE outside the data,
    m = :func:`eps_onset`. Accepted: m itself (rounded to 3 decimals) up to one slider step above
    it, the slider's first reading with a zone.
    """
    fb = Feedback("05 · ε at which an out-of-bounds zone appears (1c)")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected one number (an ε from the slider), got {answer!r:.40}")
    right = eps_onset()
    if right - 5e-4 <= value <= right + EPS_STEP + 1e-9:
        return fb.correct(
            f"the smallest MSE outside the data is {right:.3g}; any ε above it opens a zone."
        )
    if value < right:
        return fb.wrong("at that ε there is no zone yet; increase ε.")
    return fb.wrong("a zone already exists below that ε; decrease ε until it just disappears.")


def _far_min_error(
    model: torch.nn.Module,
    X: torch.Tensor,
    lim: float,
    resolution: int,
    margin: float,
    far_only: bool = True,
    reduce: str = "mean",
) -> float:
    """The checker's own grid search, with two typical mistakes as switches."""
    g = torch.linspace(-lim, lim, resolution, dtype=torch.float64)
    P = torch.cartesian_prod(g, g)
    with torch.no_grad():
        sq = (model(P.float()).double() - P) ** 2
    err = sq.mean(1) if reduce == "mean" else sq.sum(1)
    if far_only:
        err = err[torch.cdist(P, X.double()).min(1).values > margin]
    return float(err.min())


def _far_min_cases() -> list[tuple[str, torch.nn.Module, torch.Tensor]]:
    """Fresh random networks and data sets (not the notebook's)."""
    from aelib.models import MLPAutoencoder

    gen = torch.Generator().manual_seed(505)
    cases = []
    for seed, sizes in [(21, [2, 5, 1, 5, 2]), (22, [2, 16, 2]), (23, [2, 8, 1, 8, 2])]:
        model = MLPAutoencoder(sizes, activation="relu", seed=seed).eval()
        X = torch.randn(40, 2, generator=gen) * torch.tensor([2.0, 0.5]) + torch.randn(
            2, generator=gen
        )
        cases.append((f"sizes {sizes}", model, X))
    return cases


@never_raises
def check_05_far_min_error(answer: object) -> bool:
    """A function ``far_min_error(model, X, lim, resolution, margin) -> float``.

    The smallest per-point MSE (mean over the 2 coordinates) on a ``resolution`` × ``resolution``
    grid over [-lim, lim]², among the grid points farther than ``margin`` from every row of X:
    the ε at which an out-of-bounds zone opens. Tested on fresh random networks and data.
    """
    fb = Feedback("05 · the smallest error outside the data")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(
            f"expected a function far_min_error(model, X, lim, resolution, margin), got "
            f"{answer!r:.40}"
        )
    lim, resolution, margin = 6.0, 61, 1.0
    for case, model, X in _far_min_cases():
        right = _far_min_error(model, X, lim, resolution, margin)
        try:
            got = fb.number(answer(model, X.clone(), lim, resolution, margin))
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(f"your function raised {type(err).__name__}: {err} ({case}).")
        if got is None:
            return fb.wrong(f"expected your function to return one number, {case}.")
        if abs(got - right) <= 1e-4 * max(1.0, right):
            continue
        if abs(got - _far_min_error(model, X, lim, resolution, margin, far_only=False)) <= 1e-6:
            return fb.wrong(
                f"{case}: {got:.3g} is the minimum over *all* grid points; keep only those "
                f"farther than margin from every training point (expected {right:.3g})."
            )
        if abs(got - _far_min_error(model, X, lim, resolution, margin, reduce="sum")) <= 1e-4:
            return fb.wrong(f"{case}: that is a sum over the coordinates; the MSE is their mean.")
        return fb.wrong(f"{case}: expected {right:.4g}, got {got:.4g}.")
    return fb.correct("it matches the grid search on every fresh network and data set.")


@register_answer("check_05_collapse_loss")
def _collapse_loss_key() -> AnswerKey:
    return AnswerKey(values=(collapse_loss(),))


@register_answer("check_05_eps_onset")
def _eps_onset_key() -> AnswerKey:
    return AnswerKey(values=(eps_onset(),))


@register_answer("check_05_far_min_error")
def _far_min_error_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on fresh networks: nothing to print
