"""Checkers for notebook 09 (latent-space attacks, Figure 2)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = [
    "check_09_adversarial_z",
    "check_09_percentile",
    "check_09_grid_min",
    "attack_457",
    "percentile_answer",
]


@dataclass(frozen=True)
class Attack457:
    """Notebook 09's grid attack on the {4, 5, 7} model, recomputed from the course's recipe.

    Attributes
    ----------
    model : torch.nn.Module
        The cached {4, 5, 7} ConvAutoencoder (2-D latent).
    X : torch.Tensor
        Its training images, (N, 1, 28, 28).
    far : float
        The "far" distance: ``config.MNIST_FAR_QUANTILE`` quantile of the NN distances.
    best_distance : float
        Distance of the grid's best far candidate to its nearest training image.
    best_z : tuple of float
        Its latent point.
    nn : torch.Tensor
        Each training image's distance to its nearest other one, (N,).
    """

    model: nn.Module
    X: torch.Tensor
    far: float
    best_distance: float
    best_z: tuple[float, float]
    nn: torch.Tensor


@lru_cache(maxsize=2)
def attack_457(source: str = "bundled") -> Attack457:
    """The grid attack of notebook 09 §1–3 on the {4, 5, 7} model (never read from a notebook)."""
    from aelib.attacks import latent_grid_search, nn_distances
    from aelib.audit import default_min_distance
    from aelib.course import config
    from aelib.course.mnist_experiments import mnist_autoencoder

    run = mnist_autoencoder(config.MNIST_DIGITS_A, source=source)
    far = default_min_distance(run.X, config.MNIST_FAR_QUANTILE)
    res = latent_grid_search(
        run.model,
        run.X,
        resolution=config.MNIST_GRID_RESOLUTION,
        reduction="sum",
        min_distance=far,
    )
    z = res.z[0].tolist()
    return Attack457(
        run.model, run.X, far, float(res.distance[0]), (z[0], z[1]), nn_distances(run.X)
    )


def percentile_answer(source: str = "bundled") -> float:
    """The accepted answer of Exercise 1: % of training images with NN distance below d_best."""
    att = attack_457(source)
    return 100 * float((att.nn < att.best_distance).double().mean())


@never_raises
def check_09_adversarial_z(
    answer: object,
    model: object = None,
    X_normal: object = None,
    min_distance: object = None,
    reduction: str = "sum",
    *,
    source: str = "bundled",
) -> bool:
    """A latent point z = (z1, z2) whose decoding a = h(z) is an adversarial anomaly.

    Correct: L(a) ≤ minᵢ L(xᵢ) (sums of squares) and a is farther than the far distance from
    every training image of the {4, 5, 7} model. Model, data and distance come from
    :func:`attack_457` (the course's recipe); ``model``, ``X_normal``, ``min_distance`` and
    ``reduction`` are ignored (accepted so that older calls keep working).
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
    att = attack_457(source)
    with torch.inference_mode():
        a = att.model.decode(z).clone()
    err = float(reconstruction_error(att.model, a, reduction="sum")[0])
    min_normal = float(reconstruction_error(att.model, att.X, reduction="sum").min())
    dist = float(nearest_distance(a, att.X)[0])
    if err > min_normal:
        return fb.wrong(
            f"L(h(z)) = {err:.3g} is above the lowest normal error {min_normal:.3g}; look in "
            "the red zones of the map."
        )
    if dist <= att.far:
        return fb.wrong(
            f"low error ({err:.3g}), but h(z) is only {dist:.3g} from a training image "
            f"(need > {att.far:.3g}): it decodes to a normal-looking digit. Far in the latent "
            "plane is not enough: the distance is measured between images. Look for a red zone "
            "whose decoding h(z) (the explorer shows it) is not a digit."
        )
    return fb.correct(
        f"L(a) = {err:.3g} ≤ {min_normal:.3g} at distance {dist:.3g} > {att.far:.3g}."
    )


@never_raises
def check_09_percentile(
    answer: object, distance: object = None, nn_distances: object = None, *, source: str = "bundled"
) -> bool:
    """The percentage of {4, 5, 7} training images that are closer to their nearest neighbour
    than the best adversarial anomaly is to *its* nearest training image.

    The distances come from :func:`attack_457` (the course's recipe); ``distance`` and
    ``nn_distances`` are ignored (accepted so that older calls keep working).
    """
    fb = Feedback("09 · how far is far?")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected a number (a percentage), got {answer!r:.40}")
    right = percentile_answer(source)
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


def _grid_min(model: nn.Module, lo: float, hi: float, resolution: int) -> tuple[list, float]:
    """The checker's own latent grid minimum (sum of squared errors of each decoded point)."""
    g = torch.linspace(lo, hi, resolution)
    Z = torch.cartesian_prod(g, g)
    with torch.inference_mode():
        A = model.decode(Z)
        err = ((model(A) - A) ** 2).flatten(1).sum(1)
    k = int(err.argmin())
    return Z[k].tolist(), float(err[k])


class _ShiftedLatent(nn.Module):
    """A fresh autoencoder whose latent plane is shifted by ``shift`` (2,).

    An untrained model's lowest error sits at z = 0, on the diagonal z1 = z2 of every square grid
    around it, where a search over the diagonal only, or one that returns (z2, z1), would find it
    too; shifting the plane moves the minimum off the diagonal.
    """

    def __init__(self, base: nn.Module, shift: tuple[float, float]) -> None:
        super().__init__()
        self.base = base
        self.register_buffer("shift", torch.tensor(shift))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.base.encode(x) + self.shift

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.base.decode(z - self.shift)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


# (seed, lo, hi, points per axis, latent shift): each shift is a grid point off the diagonal
_GRID_MIN_CASES = [
    (41, -3.0, 3.0, 13, (1.5, -2.0)),
    (42, -1.0, 5.0, 9, (3.5, 0.5)),
    (43, -8.0, 2.0, 11, (-6.0, 1.0)),
]


@never_raises
def check_09_grid_min(answer: object) -> bool:
    """A function ``grid_min(model, lo, hi, resolution) -> (z, error)``: the latent-grid minimum.

    Over the ``resolution`` × ``resolution`` grid on [lo, hi]², decode each z, score the decoded
    image a = h(z) by L(a) = ‖a − f(a)‖² (sum over pixels) and return the z with the lowest
    L and that L. Tested on fresh random convolutional autoencoders.
    """
    from aelib.models import ConvAutoencoder

    fb = Feedback("09 · the latent-grid minimum")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(
            f"expected a function grid_min(model, lo, hi, resolution), got {answer!r:.40}"
        )
    for seed, lo, hi, res, shift in _GRID_MIN_CASES:
        model = _ShiftedLatent(ConvAutoencoder(2, (2, 4), seed=seed), shift).eval()
        case = f"random model (seed {seed}), grid [{lo:g}, {hi:g}]², {res} points per axis"
        z_right, e_right = _grid_min(model, lo, hi, res)
        try:
            z, e = answer(model, lo, hi, res)
            z = torch.as_tensor(z, dtype=torch.float32).flatten().tolist()
            e = float(e)
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(
                f"your function raised or returned no (z, error): {err!r:.80} ({case})."
            )
        if len(z) != 2:
            return fb.wrong(f"z should be a latent point (z1, z2), got {len(z)} numbers ({case}).")
        if abs(e - e_right) <= 1e-4 * max(1.0, e_right) and max(
            abs(a - b) for a, b in zip(z, z_right, strict=True)
        ) <= 1e-4 * max(1.0, hi - lo):
            continue
        if abs(e - e_right / 784) <= 1e-4 * max(1.0, e_right / 784):
            return fb.wrong(f"{case}: that is a mean over pixels; L is the *sum* of squares.")
        if abs(e - e_right) <= 1e-4 * max(1.0, e_right):
            return fb.wrong(
                f"{case}: the error is right but z = {z} is not where it is attained ({z_right}); "
                "return the z of the lowest error, in the order (z1, z2)."
            )
        return fb.wrong(f"{case}: expected L = {e_right:.4g} at z = {z_right}, got {e:.4g}.")
    return fb.correct("it finds the grid minimum of every fresh model.")


@register_answer("check_09_percentile")
def _percentile_key() -> AnswerKey:
    right = percentile_answer()  # may be 100: too few digits for a number, so also as "100 %"
    return AnswerKey(values=(right,), patterns=(rf"\b{right:.0f}(?:\.\d+)?\s?%",))


@register_answer("check_09_adversarial_z")
def _adversarial_z_key() -> AnswerKey:
    return AnswerKey(values=attack_457().best_z)


@register_answer("check_09_grid_min")
def _grid_min_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on fresh models: nothing to print
