"""Checkers for notebook 02 (PCA, Lemma 1 and Theorem 2, §4.2), and its 3-D data set."""

from __future__ import annotations

import numpy as np
import torch

from aelib._validation import check_nonnegative_int, check_positive_int
from aelib.course import config
from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = ["plane_data", "far_point_state", "check_02_far_point", "check_02_theorem2_point"]


def plane_data(m: int | None = None, seed: int | None = None) -> torch.Tensor:
    """A 3-D data set that is nearly flat: a tilted, shifted Gaussian "pancake".

    x = z Qᵀ + μ with z ~ N(0, diag(σ²)), σ = ``config.PLANE3D_STDS`` (two large in-plane
    spreads, one small normal spread), Q a random rotation and μ = ``config.PLANE3D_MEAN``.
    Its 2-D principal plane is therefore close to μ + span(q₁, q₂).

    Parameters
    ----------
    m : int, optional
        Number of points; default: ``config.PLANE3D_M`` (read at call time).
    seed : int, optional
        Seed of the random generator (rotation and points); default: ``config.PLANE3D_SEED``
        (read at call time).

    Returns
    -------
    torch.Tensor
        float64, shape (m, 3).
    """
    m = config.PLANE3D_M if m is None else m
    seed = config.PLANE3D_SEED if seed is None else seed
    m = check_positive_int(m, "m")
    seed = check_nonnegative_int(seed, "seed")
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    Z = rng.normal(size=(m, 3)) * np.asarray(config.PLANE3D_STDS)
    return torch.from_numpy(Z @ Q.T + np.asarray(config.PLANE3D_MEAN))


def _toy():
    from aelib.data import gaussian
    from aelib.linalg import pca

    X = gaussian(config.TOY_N, seed=0).double()
    return X, pca(X, config.LINEAR_D_TOY)


def far_point_state(c: float) -> dict[str, float]:
    """The slider point of notebook 02 at a given c: its loss and distances.

    a = μ + (yₛ + c) v₁ᵀ on the toy Gaussian's principal line, yₛ the largest first principal
    coordinate (the hull vertex in the +v₁ direction).

    Returns
    -------
    dict
        ``loss`` (L_R of a), ``min_distance`` (to the nearest training point),
        ``min_normal_loss`` (smallest training loss).
    """
    X, p = _toy()
    y = p.encode(X)
    s = int(torch.argmax(y[:, 0]))
    a = p.decode(y[s] + torch.tensor([float(c)], dtype=torch.float64))
    return {
        "loss": float(p.reconstruction_error(a)),
        "min_distance": float((X - a).norm(dim=1).min()),
        "min_normal_loss": float(p.reconstruction_error(X).min()),
    }


@never_raises
def check_02_far_point(answer: object) -> bool:
    """``(c, loss)``: a slider value c putting a ≥ ``config.NB02_FAR_DISTANCE`` from every
    training point, and the loss read off at that c."""
    fb = Feedback("02 · far point")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return fb.wrong(f"expected a pair (c, loss), got {answer!r}")
    c, loss = fb.finite_number(answer[0]), fb.finite_number(answer[1])
    if c is None or loss is None:
        return fb.wrong(f"expected two finite numbers (c, loss), got {answer!r:.60}")
    target = config.NB02_FAR_DISTANCE
    state = far_point_state(c)
    if state["min_distance"] < target:
        if c < 0:
            return fb.wrong(
                f"with c = {c:g} the point moves back *through* the data cloud (nearest point "
                f"{state['min_distance']:.3g} away): move away from the hull, c > 0."
            )
        return fb.wrong(
            f"at c = {c:g} the nearest training point is only {state['min_distance']:.3g} "
            f"away; you need ≥ {target:g}. Increase c."
        )
    # the slider shows the loss as "1.2e-32": accept that reading (±6 %), or 0 for a loss that
    # is zero up to rounding; anything else (the smallest training loss, a distance) is wrong
    zero = state["loss"] < 1e-20 and abs(loss) < 1e-20
    if not zero and abs(loss - state["loss"]) > 0.06 * state["loss"]:
        if abs(loss - state["min_normal_loss"]) <= 0.06 * state["min_normal_loss"]:
            return fb.wrong(
                "that is the smallest *training* loss (in the slider's title); enter the loss "
                "of the point a itself."
            )
        return fb.wrong(
            f"c = {c:g} is far enough, but the loss there is not {loss:.3g}: read the "
            "slider's loss (it is the mean squared error, not the distance)."
        )
    shown = "< 1e-20 (zero up to rounding)" if state["loss"] < 1e-20 else f"{state['loss']:.1e}"
    return fb.correct(
        f"a is {state['min_distance']:.3g} from every training point, yet its loss "
        f"{shown} is below the smallest training loss "
        f"{state['min_normal_loss']:.1e} — Theorem 2's worst case."
    )


@never_raises
def check_02_theorem2_point(answer: object) -> bool:
    """A function ``far_point(X, mean, V, delta) -> a`` implementing Theorem 2's construction.

    Tested on random data of several dimensions: ``a`` must have (relative) zero PCA loss and
    lie farther than δ from every row of X. X: (m, n), mean: (n,), V: (n, d) orthonormal,
    delta: float; returns a tensor of shape (n,).
    """
    from aelib.linalg import pca

    fb = Feedback("02 · Theorem 2 construction")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(f"expected a function far_point(X, mean, V, delta), got {answer!r}")
    gen = torch.Generator().manual_seed(0)
    for n, d, delta in [(2, 1, 5.0), (3, 2, 100.0), (10, 3, 1e4), (5, 1, 0.5)]:
        X = torch.randn(60, n, generator=gen, dtype=torch.float64) * torch.linspace(3, 0.2, n)
        X = X + torch.randn(n, generator=gen, dtype=torch.float64)
        p = pca(X, d)
        case = f"n = {n}, d = {d}, δ = {delta:g}"
        try:
            a = answer(X.clone(), p.mean.clone(), p.components.clone(), delta)
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(f"your function raised {type(err).__name__}: {err} ({case}).")
        if not isinstance(a, torch.Tensor) or a.shape != (n,):
            got = tuple(a.shape) if isinstance(a, torch.Tensor) else type(a).__name__
            return fb.wrong(f"expected a tensor of shape ({n},), got {got} ({case}).")
        a = a.double()
        if not bool(torch.isfinite(a).all()):
            return fb.wrong(f"a has NaN or inf entries ({case}).")
        rel = float(p.reconstruction_error(a) / (1 + float((a - p.mean).norm()) ** 2))
        if rel > 1e-20:
            return fb.wrong(
                f"a is not reconstructed perfectly (relative loss {rel:.1e}, {case}). "
                "a − mean must be a combination of V's columns: a = mean + (yₛ + t u) Vᵀ."
            )
        dist = float((X - a).norm(dim=1).min())
        if dist <= delta:
            return fb.wrong(
                f"loss is 0 but the nearest point is only {dist:.3g} ≤ δ away ({case}). "
                "Start from the point with the largest latent coordinate along your "
                "direction (a hull vertex) and move by more than δ *outward*."
            )
    return fb.correct("zero loss and farther than δ on every test case.")


@register_answer("check_02_far_point")
def _far_point_key() -> AnswerKey:
    return AnswerKey(values=(far_point_state(config.NB02_FAR_DISTANCE)["loss"],))


@register_answer("check_02_theorem2_point")
def _theorem2_key() -> AnswerKey:
    # a function; its answer is the construction a = x_s V Vᵀ + (y_s + t u) Vᵀ written out
    return AnswerKey()
