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

__all__ = [
    "plane_data",
    "far_point_state",
    "far_thresholds",
    "check_02_far_point",
    "check_02_theorem2_point",
]


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


def far_thresholds() -> dict[str, float]:
    """Where the slider point of notebook 02 becomes far, on either side of the data.

    a(c) = μ + (yₛ + c) v₁ᵀ is at distance √((yₛ + c − yᵢ)² + rᵢ²) from xᵢ, with yᵢ its first
    principal coordinate and rᵢ its distance to the principal line. Solving for distance
    ``config.NB02_FAR_DISTANCE`` = D gives, for each point, the c beyond which a is D away from
    it; the thresholds are the extreme ones.

    Returns
    -------
    dict
        ``positive``: the smallest c > 0 with a ≥ D from every training point (a point past the
        hull vertex along +v₁); ``negative``: the largest c < 0 with the same property (the point
        has crossed the data and passed the hull vertex along −v₁); ``spread``: the data's
        extent along v₁, max yᵢ − min yᵢ.
    """
    X, p = _toy()
    y = p.encode(X)[:, 0]
    r2 = p.reconstruction_error(X) * X.shape[1]  # squared distance to the line, ‖xᵢ − x̂ᵢ‖²
    D = config.NB02_FAR_DISTANCE
    reach = torch.sqrt((D**2 - r2).clamp_min(0.0))  # along-line distance that makes xᵢ D away
    ys = y.max()
    return {
        "positive": float((y - ys + reach).max()),
        "negative": float((y - ys - reach).min()),
        "spread": float(y.max() - y.min()),
    }


@never_raises
def check_02_far_point(answer: object) -> bool:
    """``(c_predicted, c)``: a prediction, then a slider value c < 0 putting a at least
    ``config.NB02_FAR_DISTANCE`` from every training point.

    The verdict depends on c (any negative c far enough is right); the prediction must be a
    number and gets feedback against the exact threshold (:func:`far_thresholds`).
    """
    fb = Feedback("02 · far point")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return fb.wrong(f"expected a pair (c_predicted, c_far), got {answer!r:.60}")
    if all(x is NOT_ATTEMPTED for x in answer):
        return fb.not_attempted()
    predicted, c = fb.finite_number(answer[0]), fb.finite_number(answer[1])
    if predicted is None:
        return fb.wrong(
            f"c_predicted should be your prediction, one finite number, got {answer[0]!r:.40}. "
            "Write it down before you move the slider."
        )
    if c is None:
        return fb.wrong(
            f"c_far should be one finite number read from the slider, got {answer[1]!r:.40}"
            + (" (a number, not a string: drop the quotes)." if isinstance(answer[1], str) else ".")
        )
    target = config.NB02_FAR_DISTANCE
    state = far_point_state(c)
    if c >= 0:
        return fb.wrong(
            f"c = {c:g} is not negative: we asked for a *negative* c, a point that leaves the "
            "data on the other side."
        )
    if state["min_distance"] < target:
        return fb.wrong(
            f"at c = {c:g} the point is still within {target:g} of the data (nearest training "
            f"point {state['min_distance']:.3f} away): it has to pass the opposite side of the "
            "data cloud, the hull vertex along −v₁, and then go another "
            f"{target:g}. Make c more negative."
        )
    th = far_thresholds()
    neg, spread = th["negative"], th["spread"]
    loss = state["loss"]
    shown = "< 1e-20 (zero up to rounding)" if loss < 1e-20 else f"{loss:.1e}"
    verdict = (
        f"a is {state['min_distance']:.3f} from every training point, with loss {shown}. "
        f"Negative c is far enough from c = {neg:.1f} on, positive c from {th['positive']:.1f}: "
        f"the negative side needs more by about the data's extent along v₁, {spread:.2f}, "
        "because the point must first cross the whole cloud and pass the hull vertex along −v₁."
    )
    if predicted >= 0:
        remark = "Your prediction was not negative: the point must move *back* along −v₁."
    elif abs(predicted - neg) <= spread / 2:
        remark = f"Your prediction {predicted:g} was close: well reasoned."
    elif predicted > neg:
        remark = (
            f"Your prediction {predicted:g} was too small in magnitude (by {predicted - neg:.3g}):"
            " moving toward −v₁, the point first crosses the whole cloud."
        )
    else:
        remark = (
            f"Your prediction {predicted:g} was more negative than needed (by {neg - predicted:.3g}"
            f"): the cloud is only {spread:.2f} wide along v₁."
        )
    return fb.correct(f"{verdict} {remark}")


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
    # any c at or beyond the negative threshold is right: the threshold (and its size) decides it
    th = far_thresholds()
    return AnswerKey(values=(th["negative"], -th["negative"], th["spread"]))


@register_answer("check_02_theorem2_point")
def _theorem2_key() -> AnswerKey:
    # a function; its answer is the construction a = x_s V Vᵀ + (y_s + t u) Vᵀ written out
    return AnswerKey()
