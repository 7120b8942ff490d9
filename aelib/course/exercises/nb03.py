"""Checkers for notebook 03 (linear autoencoders, §4.3 and Appendix A.1), and its training run."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch

from aelib._validation import as_float_tensor, check_positive_int
from aelib.course import config
from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)
from aelib.threads import torch_threads

__all__ = [
    "LinearRun",
    "train_linear_autoencoder",
    "largest_angles",
    "check_03_biases",
    "check_03_converged_epoch",
    "prediction_lr",
]


@dataclass(frozen=True)
class LinearRun:
    """A trained linear autoencoder and its encoder weights after every epoch.

    Attributes
    ----------
    model : aelib.models.MLPAutoencoder
        Sizes [n, d, n], no activation, float64, trained.
    losses : list of float
        Training MSE at each epoch, length E (from :func:`aelib.train.fit`).
    encoder_weights : torch.Tensor
        W_enc after 0, 1, …, E epochs, shape (E + 1, n, d) (x ↦ x W_enc + b_enc).
    """

    model: torch.nn.Module
    losses: list[float]
    encoder_weights: torch.Tensor


def train_linear_autoencoder(
    X: torch.Tensor,
    d: int,
    epochs: int | None = None,
    lr: float | None = None,
    seed: int | None = None,
) -> LinearRun:
    """Train ``MLPAutoencoder([n, d, n], activation=None)`` in float64 with :func:`aelib.train.fit`.

    A forward hook on the encoder records W_enc each time the full batch passes through it,
    i.e. once per epoch before the optimiser step; the final weights are appended after
    training. Runs on one CPU thread (restored afterwards): for these tiny matrices that is
    about ten times faster than several threads.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Training data, shape (m, n).
    d : int
        Latent dimension, 1 ≤ d < n.
    epochs, lr, seed : optional
        Full-batch Adam steps, learning rate and initialisation seed; defaults:
        ``config.LINEAR_AE_EPOCHS``, ``config.LINEAR_AE_LR`` and ``config.LINEAR_AE_SEED``
        (read at call time).

    Returns
    -------
    LinearRun
    """
    from aelib.models import MLPAutoencoder
    from aelib.train import fit

    epochs = config.LINEAR_AE_EPOCHS if epochs is None else epochs
    lr = config.LINEAR_AE_LR if lr is None else lr
    seed = config.LINEAR_AE_SEED if seed is None else seed
    X = as_float_tensor(X, "X", ndim=2, shape="(m, n)", dtype=torch.float64)
    m, n = X.shape
    d = check_positive_int(d, "d")
    if d >= n:
        raise ValueError(f"d: expected a bottleneck 1 ≤ d < n = {n}, got {d}")
    model = MLPAutoencoder([n, d, n], activation=None, seed=seed).double()
    weights: list[torch.Tensor] = []

    def record(module, inputs, output):
        if inputs[0].shape[0] == m:  # skip fit's one-sample shape check
            weights.append(module[0].weight.detach().T.clone())

    hook = model.encoder.register_forward_hook(record)
    # (3 × 2) matrices: one thread is ~10× faster than several (synchronisation dominates)
    try:
        with torch_threads(1):
            losses = fit(model, X, epochs, lr=lr, seed=seed, progress=False)
    finally:
        hook.remove()
    weights.append(model.encoder[0].weight.detach().T.clone())
    return LinearRun(model=model, losses=losses, encoder_weights=torch.stack(weights))


def largest_angles(run: LinearRun, V: torch.Tensor) -> torch.Tensor:
    """Largest principal angle between span(W_enc) and span(V) after each epoch.

    Parameters
    ----------
    run : LinearRun
    V : torch.Tensor
        Reference basis, shape (n, d), e.g. the PCA's V_d.

    Returns
    -------
    torch.Tensor
        float64 radians, shape (E + 1,).
    """
    if not isinstance(run, LinearRun):
        raise TypeError(f"run: expected a LinearRun, got {type(run).__name__}")
    W = run.encoder_weights
    V = as_float_tensor(V, "V", ndim=2, shape=f"({W.shape[1]}, d)", dtype=torch.float64)
    if V.shape[0] != W.shape[1]:
        raise ValueError(f"V: expected {W.shape[1]} rows, got shape {tuple(V.shape)}")
    # Batched version of aelib.linalg.principal_angles, largest angle only: with orthonormal
    # bases Q of span(W) and V, cos θ_max = σ_min(Vᵀ Q) and sin θ_max = σ_max((I − V Vᵀ) Q).
    V = torch.linalg.qr(V).Q
    Q = torch.linalg.qr(W).Q
    cos = torch.linalg.svdvals(V.T @ Q).min(-1).values
    sin = torch.linalg.svdvals(Q - V @ (V.T @ Q)).max(-1).values
    return torch.atan2(sin, cos).clamp(0.0, torch.pi / 2)


def prediction_lr() -> float:
    """The learning rate of Exercise 1's prediction: twice ``config.LINEAR_AE_LR`` (read at
    call time)."""
    return 2.0 * config.LINEAR_AE_LR


@lru_cache(maxsize=4)
def _notebook_angles(lr: float | None = None) -> torch.Tensor:
    """Largest principal angles (radians) of the notebook's run: seed ``config.LINEAR_AE_SEED``,
    the given learning rate (default ``config.LINEAR_AE_LR``)."""
    from aelib.course.exercises.nb02 import plane_data
    from aelib.linalg import pca

    X = plane_data()
    run = train_linear_autoencoder(X, 2, lr=lr)
    return largest_angles(run, pca(X, 2).components)


def _first_below(curve: torch.Tensor, target: float) -> int:
    above = torch.nonzero(curve >= target).flatten()
    return int(above[-1]) + 1 if len(above) else 0


def _grade_main_epoch(fb: Feedback, e: int | None, answer: object) -> tuple[bool, int]:
    """Exercise 1 (a): the epoch read from the main run's slider. Prints a hint if wrong."""
    deg = torch.rad2deg(_notebook_angles())
    target = config.NB03_ANGLE_TARGET_DEG
    right = _first_below(deg, target)
    if e is None:
        return fb.wrong(f"epoch_1deg: expected a whole number of epochs, got {answer!r:.40}"), right
    if not 0 <= e < len(deg):
        return fb.wrong(f"epochs run from 0 to {len(deg) - 1}, got {e}."), right
    if e == right:
        return True, right
    if e == _first_below(torch.deg2rad(deg), target):
        return fb.wrong(
            f"that epoch compares radians with {target:g}; the target is in degrees."
        ), right
    if deg[e] >= target:
        return fb.wrong(
            f"at epoch {e} the largest angle is still {float(deg[e]):.3g}° ≥ {target:g}°: "
            "move the slider to later epochs."
        ), right
    return fb.wrong(
        f"at epoch {e} the angle {float(deg[e]):.3g}° is already below {target:g}°, but "
        f"epoch {e - 1} was too: find the *first* epoch where it drops below."
    ), right


_WHY = (
    "Why: Adam normalises its steps, so in the first epochs every weight moves by about lr and "
    "the larger lr turns the encoder faster at first. As the gradients shrink, Adam's steps "
    "shrink far below lr (it divides by a slowly decaying average of past squared gradients), "
    "and from then on the speed is not simply proportional to lr."
)


@never_raises
def check_03_converged_epoch(answer: object) -> bool:
    """``(epoch_1deg, epoch_predicted)``: the first epoch after which the largest principal
    angle between the notebook's trained encoder and V_2 stays below
    ``config.NB03_ANGLE_TARGET_DEG`` degrees (read from the slider, graded exactly), and a
    prediction of that epoch for the same run at :func:`prediction_lr` (not graded: any
    positive prediction is compared with the actual epoch, naive 1/lr scaling pointed out)."""
    fb = Feedback("03 · convergence epoch")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return fb.wrong(f"expected a pair (epoch_1deg, epoch_predicted), got {answer!r:.60}")
    if all(x is NOT_ATTEMPTED for x in answer):
        return fb.not_attempted()
    e = fb.integer(answer[0])
    ok, main = _grade_main_epoch(fb, e, answer[0])
    if not ok:
        return False  # the prediction is compared once the main run's epoch is right
    pred = fb.finite_number(answer[1])
    if pred is None or pred <= 0:
        return fb.wrong(
            f"epoch_1deg = {main} is right. epoch_predicted should be your prediction, a "
            f"positive number of epochs, got {answer[1]!r:.40}."
        )
    lr, lr2 = config.LINEAR_AE_LR, prediction_lr()
    actual = _first_below(torch.rad2deg(_notebook_angles(lr2)), config.NB03_ANGLE_TARGET_DEG)
    head = (
        f"epoch_1deg = {main} is right (lr {lr:g}). At lr {lr2:g} the angle drops below "
        f"{config.NB03_ANGLE_TARGET_DEG:g}° from epoch {actual} on; you predicted {pred:g}"
    )
    saved = f"{lr2 / lr:g}× the lr saved {1 - actual / main:.0%} of the epochs"
    # The measured epoch is what is graded; any prediction made is credited and compared, so
    # the learner sees how their reasoning fared without a ✗ that only reveals the number.
    if abs(pred - main * lr / lr2) <= 0.15 * main * lr / lr2 and lr2 != lr:
        verdict = (
            f"you scaled the epochs by 1/{lr2 / lr:g} with the lr: that is the intuition this "
            f"exercise tests, and it is off here, {saved}, not {1 - lr / lr2:.0%}."
        )
    elif pred == main or (pred < main) != (actual < main):
        went = "no change" if pred == main else ("later" if pred > main else "earlier")
        came = "earlier" if actual < main else "later"
        verdict = f"you expected {went}, but it came {came}; {saved}."
    else:
        ratio = pred / max(actual, 1)
        verdict = f"the right direction, ×{ratio:.2f} the actual; {saved}."
    return fb.correct(f"{head}: {verdict} {_WHY}")


@never_raises
def check_03_biases(answer: object) -> bool:
    """A function ``biases(X, W_enc) -> (b_enc, b_dec)`` giving Theorem 4's mean-centring biases.

    X: (m, n), W_enc: (n, d); returns b_enc of shape (d,) and b_dec of shape (n,), with
    x ↦ (x W_enc + b_enc) W_decᵀ + b_dec.
    """
    fb = Feedback("03 · Theorem 4 biases")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(f"expected a function biases(X, W_enc), got {answer!r}")
    gen = torch.Generator().manual_seed(0)
    for m, n, d in [(40, 3, 2), (25, 5, 1), (30, 4, 3)]:
        X = torch.randn(m, n, generator=gen, dtype=torch.float64) + 3 * torch.arange(n) - 2
        W = torch.randn(n, d, generator=gen, dtype=torch.float64)
        case = f"m = {m}, n = {n}, d = {d}"
        try:
            out = answer(X.clone(), W.clone())
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(f"your function raised {type(err).__name__}: {err} ({case}).")
        if not isinstance(out, tuple | list) or len(out) != 2:
            return fb.wrong(f"expected a pair (b_enc, b_dec), got {type(out).__name__} ({case}).")
        try:
            b_enc, b_dec = (torch.as_tensor(b, dtype=torch.float64) for b in out)
        except (TypeError, ValueError, RuntimeError):
            return fb.wrong(
                f"expected two numeric vectors (b_enc, b_dec), got {out!r:.60} ({case})."
            )
        xbar = X.mean(0)
        if b_enc.shape != (d,) or b_dec.shape != (n,):
            return fb.wrong(
                f"expected shapes ({d},) and ({n},), got {tuple(b_enc.shape)} and "
                f"{tuple(b_dec.shape)} ({case}). Average over the samples, X.mean(0)."
            )
        if torch.allclose(b_enc, xbar @ W) and torch.allclose(b_dec, xbar):
            return fb.wrong("b_enc has the wrong sign: the encoder must *subtract* x̄ W_enc.")
        if not torch.allclose(b_dec, xbar):
            return fb.wrong(
                f"b_dec should add the mean back: b_dec = x̄, the column means ({case})."
            )
        if not torch.allclose(b_enc, -xbar @ W):
            return fb.wrong(f"b_enc should be −x̄ W_enc, shape (d,) ({case}).")
    return fb.correct("b_enc = −x̄ W_enc and b_dec = x̄: the network centres and un-centres.")


def converged_epoch() -> int:
    """Exercise 1's accepted answer: the first epoch from which the angle stays below target."""
    return _first_below(torch.rad2deg(_notebook_angles()), config.NB03_ANGLE_TARGET_DEG)


def predicted_run_epoch() -> int:
    """Exercise 1's other number: the same epoch for the run at :func:`prediction_lr`."""
    deg = torch.rad2deg(_notebook_angles(prediction_lr()))
    return _first_below(deg, config.NB03_ANGLE_TARGET_DEG)


@register_answer("check_03_converged_epoch")
def _converged_epoch_key() -> AnswerKey:
    return AnswerKey(values=(float(converged_epoch()), float(predicted_run_epoch())))


@register_answer("check_03_biases")
def _biases_key() -> AnswerKey:
    # a function; its answer is the formula, in the notebook's notations (LaTeX, prose, prints)
    return AnswerKey(
        patterns=(
            r"b_\\text\{enc\}\s*=\s*-\s*\\bar\s*x",
            r"b_\\text\{dec\}\s*=\s*\\bar\s*x",
            r"[-−]\s*x̄\s*W_enc",
        )
    )
