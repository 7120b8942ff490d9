"""Checkers for notebook 04 (ReLU on the diagonal, §4.4.1)."""

from __future__ import annotations

import torch

from aelib.course import config
from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback

__all__ = ["check_04_min_bias", "check_04_pattern_freeze", "pattern_freeze_point"]


def check_04_min_bias(answer: object) -> bool:
    """The smallest encoder bias b keeping every pre-activation x_i W_enc + b ≥ 0.

    For the diagonal data of :func:`aelib.course.toy_recipes.figure1_data` (``"diagonal"``) and
    W_enc = β (1, 1)ᵀ with β = ``config.DIAG_BETA``.
    """
    from aelib.course.toy_recipes import figure1_data

    fb = Feedback("04 · smallest encoder bias")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected one number, got {type(answer).__name__}")
    alpha = figure1_data("diagonal")[:, 0].double()
    beta = config.DIAG_BETA
    right = float(-2 * beta * alpha.min())
    tol = 1e-3 * max(1.0, abs(right))
    if abs(value - right) <= tol:
        return fb.correct(
            f"b = -min_i(x_i W_enc) = {right:.4g}: the lowest point gives 0, the rest > 0."
        )
    if abs(value + right) <= tol:
        return fb.wrong("the sign is flipped: b must *cancel* the most negative x_i W_enc.")
    if abs(value - float(-beta * alpha.min())) <= tol:
        return fb.wrong("x_i W_enc = β(α_i + α_i) = 2βα_i — both coordinates add up.")
    if abs(value - float(-2 * beta * alpha.max())) <= tol:
        return fb.wrong("you used the largest α; the constraint binds at the *smallest* x_i W_enc.")
    return fb.wrong(f"{value:.4g} is not it. Compute x_i W_enc for every point and take -min.")


def pattern_freeze_point(
    model: torch.nn.Module,
    direction: tuple[float, float] = (1.0, 1.0),
    t_max: float = 20.0,
    step: float = 0.01,
) -> float:
    """Smallest t ≥ 0 beyond which the activation pattern of a = t·d/|d| no longer changes.

    Parameters
    ----------
    model : torch.nn.Module
        An :class:`aelib.models.MLPAutoencoder` on 2-D data.
    direction : pair of float
        The ray's direction d (default: the diagonal).
    t_max, step : float
        Scan range [0, t_max] and resolution.

    Returns
    -------
    float
        The last t (on the scan) where the pattern changed (0.0 if it never does).
    """
    from aelib.course.oob import activation_pattern

    d = torch.as_tensor(direction, dtype=torch.float32)
    if d.shape != (2,) or not torch.isfinite(d).all() or float(d.norm()) == 0:
        raise ValueError(f"direction: expected a finite non-zero pair, got {direction!r}")
    if not (t_max > 0 and step > 0):
        raise ValueError(f"t_max, step: expected positive numbers, got {t_max}, {step}")
    ts = torch.arange(0.0, t_max + step / 2, step)
    points = ts[:, None] * d / d.norm()
    pattern = activation_pattern(model, points)
    changed = (pattern[1:] != pattern[:-1]).any(1)
    idx = torch.nonzero(changed).flatten()
    return float(ts[idx[-1] + 1]) if len(idx) else 0.0


def check_04_pattern_freeze(answer: object) -> bool:
    """The t beyond which the trained diagonal model's ReLU pattern freezes (slider exercise)."""
    from aelib.course.toy_recipes import figure1_data, fit_toy_autoencoder

    fb = Feedback("04 · where the pattern freezes")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected one number (a slider position t), got {type(answer).__name__}")
    X = figure1_data("diagonal")
    model = fit_toy_autoencoder(X, activation="relu").model
    right = pattern_freeze_point(model)
    edge = float(X.norm(dim=1).max())
    if abs(value - right) <= 0.15:
        where = (
            f"inside the data's edge (t = {edge:.2f})"
            if right <= edge
            else f"about {right / edge:.2g} × the data's edge on this side (t = {edge:.2f})"
        )
        return fb.correct(
            f"the last change is at t ≈ {right:.2f}, {where}; "
            "farther out the network is a single linear map."
        )
    if value < right:
        return fb.wrong("move farther out: the set of active units still changes after that t.")
    return fb.wrong(
        "the pattern already stopped changing before that t; move back until it last changes."
    )
