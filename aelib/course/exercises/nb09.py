"""Checkers for notebook 09 (latent-space attacks, Figure 2)."""

from __future__ import annotations

import torch
from torch import nn

from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback

__all__ = ["check_09_adversarial_z", "check_09_percentile"]


def check_09_adversarial_z(
    answer: object,
    model: nn.Module,
    X_normal: torch.Tensor,
    min_distance: float,
    reduction: str = "sum",
) -> bool:
    """A latent point z = (z1, z2) whose decoding a = h(z) is an adversarial anomaly.

    Correct: L(a) ≤ minᵢ L(xᵢ) and a is farther than ``min_distance`` from every training image.
    """
    from aelib.attacks import nearest_distance
    from aelib.metrics import reconstruction_error

    fb = Feedback("09 · find an adversarial anomaly")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    try:
        z = torch.as_tensor(answer, dtype=torch.float32).reshape(1, 2)
    except (TypeError, ValueError, RuntimeError):
        return fb.wrong(f"expected a latent point (z1, z2), got {answer!r:.60}")
    if not bool(torch.isfinite(z).all()):
        return fb.wrong("z must be finite.")
    with torch.inference_mode():
        a = model.decode(z).clone()
    err = float(reconstruction_error(model, a, reduction=reduction)[0])
    min_normal = float(reconstruction_error(model, X_normal, reduction=reduction).min())
    dist = float(nearest_distance(a, X_normal)[0])
    if err > min_normal:
        return fb.wrong(
            f"L(h(z)) = {err:.3g} is above the lowest normal error {min_normal:.3g}; look in "
            "the red zones of the map."
        )
    if dist <= min_distance:
        return fb.wrong(
            f"low error ({err:.3g}), but h(z) is only {dist:.3g} from a training image "
            f"(need > {min_distance:.3g}): that is a normal-looking digit. Go farther from the codes."
        )
    return fb.correct(
        f"L(a) = {err:.3g} ≤ {min_normal:.3g} at distance {dist:.3g} > {min_distance:.3g}."
    )


def check_09_percentile(answer: object, distance: float, nn_distances: torch.Tensor) -> bool:
    """The percentage of training images that are closer to their nearest neighbour than
    the adversarial anomaly is to *its* nearest training image."""
    fb = Feedback("09 · how far is far?")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected a number (a percentage), got {type(answer).__name__}")
    right = 100 * float((torch.as_tensor(nn_distances) < distance).double().mean())
    if abs(value - right) <= 0.5:
        return fb.correct(f"{right:.1f} % of training images are less isolated than it.")
    if abs(100 * value - right) <= 0.5:
        return fb.wrong("that looks like a fraction; give a percentage (0 to 100).")
    if abs((100 - value) - right) <= 0.5:
        return fb.wrong("reversed: count the training images whose NN distance is *below* it.")
    return fb.wrong(
        f"{value:.3g} % is off; compare the anomaly's distance with each training image's "
        "nearest-neighbour distance and take the percentage below."
    )
