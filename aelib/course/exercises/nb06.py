"""Checkers for notebook 06 (sigmoid autoencoders, Figure 1e–f)."""

from __future__ import annotations

import numpy as np
import torch

from aelib.course.exercises._feedback import NOT_ATTEMPTED, Feedback

__all__ = ["check_06_band_direction", "check_06_band_fraction", "band_fraction"]


def check_06_band_direction(answer: object) -> bool:
    """A direction (2-vector) along the paper's 1f hyperplane (orthogonal to the 1st PC)."""
    fb = Feedback("06 · direction of the paper's low-loss band")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if isinstance(answer, list | tuple):
        answer = np.asarray(answer, dtype=float)
    if not isinstance(answer, np.ndarray | torch.Tensor) or tuple(answer.shape) != (2,):
        return fb.wrong(f"expected a 2-vector such as (1.0, 0.0), got {answer!r}")
    d = torch.as_tensor(np.asarray(answer, dtype=float))
    if not torch.isfinite(d).all() or float(d.norm()) == 0:
        return fb.wrong("expected a finite, non-zero vector.")
    d = d / d.norm()
    pc = torch.tensor([1.0, 1.0], dtype=torch.float64) / 2**0.5
    if abs(float(d @ pc)) > 0.99:
        return fb.wrong(
            "that is the first principal component (the line through both clusters); the paper's "
            "hyperplane is orthogonal to it."
        )
    if abs(float(d[0] + d[1])) / 2**0.5 < 0.05:
        return fb.correct(
            "the paper's hyperplane runs along (1, -1), orthogonal to the first principal "
            "component; the cells below test whether the loss is low along it."
        )
    return fb.wrong(
        "not quite: find the first principal component (the line through both clusters) in the "
        "1f panel and take the direction orthogonal to it."
    )


def band_fraction(model: torch.nn.Module, X: torch.Tensor) -> float:
    """Fraction of training points whose MSE is *higher* than the MSE at the band centre X.mean(0)."""
    from aelib.metrics import reconstruction_error

    centre = X.mean(0, keepdim=True)
    err_c = reconstruction_error(model, centre)[0]
    return float((reconstruction_error(model, X) > err_c).double().mean())


def check_06_band_fraction(answer: object) -> bool:
    """Fraction of normal points of Figure 1f scored as *more* anomalous than the band centre."""
    from aelib.course.toy_recipes import figure1_model

    fb = Feedback("06 · how normal the band centre looks")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.number(answer)
    if value is None:
        return fb.wrong(f"expected one number in [0, 1], got {type(answer).__name__}")
    if not 0 <= value <= 1:
        return fb.wrong(f"a fraction lies in [0, 1], got {value:.3g}.")
    fit, X = figure1_model("1f")
    right = band_fraction(fit.model, X)
    if abs(value - right) <= 0.011:
        return fb.correct(
            f"{right:.0%} of the normal points look *more* anomalous than the empty centre."
        )
    if abs(value - (1 - right)) <= 0.011:
        return fb.wrong(
            "you counted the points with a *lower* loss; count those with a higher one."
        )
    return fb.wrong(
        f"{value:.3g} is not it: compare each normal point's MSE with the MSE at the centre."
    )
