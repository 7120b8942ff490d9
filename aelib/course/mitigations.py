"""Mitigations of out-of-bounds reconstruction that notebook 10 measures.

- :class:`LatentMahalanobis`: a second score, the Mahalanobis distance of the code g(x) to the
  training codes. An adversarial anomaly found far out in latent space has a tiny reconstruction
  error but an unusual code; flagging either score catches it — unless the attacker stays inside
  the training codes' ellipsoid (notebook 10 measures that too).
- :func:`negative_finetune`: a small variant of the *normalized autoencoder* idea of Yoon et al.
  (2021), the fix the paper names: besides lowering the error of normal data, *raise* the error of
  negative samples drawn from the model itself — decodings h(z) that the model reconstructs well
  but that lie far from the data. Ours draws them like the attack does (latent gradient descent
  from random starts), not by NAE's Langevin sampling, and caps how far it pushes them up.

(The third mitigation, sigmoid units, is a model choice: ``ConvAutoencoder(activation="sigmoid")``.)
"""

from __future__ import annotations

import torch
from torch import nn

from aelib._torch_utils import eval_mode
from aelib._validation import as_float_tensor, check_module, check_nonnegative_float
from aelib.attacks import nearest_distance
from aelib.attacks._common import encode_batched
from aelib.course.settings import NegativeSettings, resolve
from aelib.threads import torch_threads
from aelib.train import fit

__all__ = ["LatentMahalanobis", "negative_finetune"]


def _encode(model: nn.Module, X: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    if not callable(getattr(model, "encode", None)):
        raise TypeError(
            f"model: expected an autoencoder with .encode(x), got {type(model).__name__}"
        )
    with eval_mode(model):
        return encode_batched(model, X, batch_size).double()


class LatentMahalanobis:
    """Mahalanobis distance of an input's code g(x) to the training codes.

    d_M(x) = sqrt((g(x) − μ)ᵀ Σ⁻¹ (g(x) − μ)) with μ, Σ the mean and covariance of the training
    codes (Σ + ``ridge``·I for stability).

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder with ``encode``.
    X_train : torch.Tensor or numpy.ndarray
        The normal training data, shape (N, *input_shape), N > latent_dim.
    quantile : float
        The flagging threshold is this quantile of the training scores (the course's
        ``config.MAHALANOBIS_QUANTILE``).
    ridge : float
        Added to the covariance's diagonal.

    Attributes
    ----------
    mean : torch.Tensor
        μ, shape (d,).
    precision : torch.Tensor
        (Σ + ridge I)⁻¹, shape (d, d).
    threshold : float
        Scores above it are flagged.
    """

    def __init__(
        self,
        model: nn.Module,
        X_train: torch.Tensor,
        quantile: float = 0.99,
        ridge: float = 1e-6,
    ) -> None:
        check_module(model)
        X_train = as_float_tensor(X_train, "X_train", min_ndim=2, shape="(N, *input_shape)")
        q = check_nonnegative_float(quantile, "quantile")
        if q > 1:
            raise ValueError(f"quantile: expected a number in [0, 1], got {quantile}")
        ridge = check_nonnegative_float(ridge, "ridge")
        self.model = model
        z = _encode(model, X_train)
        if len(z) <= z.shape[1]:
            raise ValueError(
                f"X_train: expected more samples than latent dimensions ({z.shape[1]}), got {len(z)}"
            )
        self.mean = z.mean(0)
        cov = torch.cov(z.T).reshape(z.shape[1], z.shape[1])
        self.precision = torch.linalg.inv(cov + ridge * torch.eye(z.shape[1], dtype=z.dtype))
        self.threshold = float(torch.quantile(self._score_codes(z), q))

    def _score_codes(self, z: torch.Tensor) -> torch.Tensor:
        d = z - self.mean
        return torch.einsum("ni,ij,nj->n", d, self.precision, d).clamp_min(0).sqrt()

    def score(self, X: torch.Tensor) -> torch.Tensor:
        """Mahalanobis distance of each input's code, shape (N,) for X of shape (N, *input_shape)."""
        X = as_float_tensor(X, "X", min_ndim=2, shape="(N, *input_shape)")
        return self._score_codes(_encode(self.model, X)).float()

    def score_latent(self, z: torch.Tensor) -> torch.Tensor:
        """Mahalanobis distance of latent points z, shape (N, d) → (N,)."""
        z = as_float_tensor(z, "z", ndim=2, last_dim=len(self.mean), shape=f"(N, {len(self.mean)})")
        return self._score_codes(z.detach().double()).float()

    def flags(self, X: torch.Tensor) -> torch.Tensor:
        """Boolean (N,): the code is more unusual than the threshold."""
        return self.score(X) > self.threshold


def _latent_box(
    model: nn.Module, X: torch.Tensor, margin: float, step: float
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """The training codes' box enlarged by ``margin`` × its side, and ``step`` × its mean side."""
    z = _encode(model, X).float()
    lo, hi = z.min(0).values, z.max(0).values
    side = (hi - lo).clamp_min(1e-6)
    return lo - margin * side, hi + margin * side, step * float(side.mean())


def negative_finetune(
    model: nn.Module,
    X: torch.Tensor,
    min_distance: float,
    settings: NegativeSettings | None = None,
) -> dict:
    """Fine-tune an autoencoder to reconstruct normal data *and* not its own far-away decodings.

    Each mini-batch: draw ``samples`` latent points uniformly in the box of the training codes
    enlarged by ``margin`` × its side (the box is recomputed at the start of every epoch), take
    ``steps`` normalised gradient steps of length ``step`` × the box's mean side that *lower* the
    error of h(z) (what an attacker does), decode x⁻ = h(z) and keep those farther than
    ``min_distance`` from every training image. The loss, minimised by :func:`aelib.train.fit`, is

        mean_batch L(x) − weight · mean_neg min(L(x⁻), cap),

    L the per-sample mean squared error: normal errors go down, negatives' errors go up to ``cap``.

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder with ``encode``/``decode``; trained in place.
    X : torch.Tensor
        Normal training images, shape (N, *input_shape).
    min_distance : float
        Only negatives farther than this from the data are pushed up.
    settings : NegativeSettings, optional
        Epochs, learning rate, batch size, the negatives' number, steps, step, weight, cap and box
        margin, the seed of batch order and negative starts (one generator), and threads;
        default ``NegativeSettings()``.

    Returns
    -------
    dict
        ``{"losses": [...], "negative_errors": [...]}`` per epoch (mean normal error, mean
        negative error before the step).
    """
    check_module(model)
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "decode", None))):
        raise TypeError(f"model: expected .encode and .decode, got {type(model).__name__}")
    X = as_float_tensor(X, "X", min_ndim=2, shape="(N, *input_shape)").detach()
    min_distance = check_nonnegative_float(min_distance, "min_distance")
    s = resolve(settings, NegativeSettings, {})
    gen = torch.Generator().manual_seed(s.seed)  # batch order and negatives: one stream
    box = _latent_box(model, X, s.margin, s.step)
    totals = {"pos": 0.0, "neg": 0.0, "count": 0}
    losses: list[float] = []
    neg_errors: list[float] = []

    def err(a: torch.Tensor) -> torch.Tensor:
        return ((model(a) - a) ** 2).flatten(1).mean(1)

    def objective(m: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        lo, hi, step = box
        m.eval()
        z = lo + (hi - lo) * torch.rand(s.samples, len(lo), generator=gen)
        for _ in range(s.steps):
            z = z.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(err(m.decode(z)).sum(), z)
            z = torch.maximum(
                torch.minimum(z - step * g / g.norm(dim=1, keepdim=True).clamp_min(1e-12), hi), lo
            )
        with torch.no_grad():
            neg = m.decode(z.detach())
            neg = neg[nearest_distance(neg, X) > min_distance]
        m.train()
        pos_err = err(batch).mean()
        loss = pos_err
        if len(neg):
            neg_err = err(neg)
            loss = loss - s.weight * neg_err.clamp(max=s.cap).mean()
            totals["neg"] += float(neg_err.detach().sum())
            totals["count"] += len(neg)
        totals["pos"] += float(pos_err.detach()) * len(batch)
        return loss

    def end_of_epoch(epoch: int, _: float) -> None:
        nonlocal box
        losses.append(totals["pos"] / len(X))
        neg_errors.append(totals["neg"] / max(totals["count"], 1))
        totals.update(pos=0.0, neg=0.0, count=0)
        if epoch < s.epochs:
            box = _latent_box(model, X, s.margin, s.step)

    with torch_threads(s.threads):
        fit(
            model,
            X,
            s.epochs,
            lr=s.lr,
            batch_size=s.batch_size,
            progress=False,
            callback=end_of_epoch,
            loss=objective,
            generator=gen,
        )
    return {"losses": losses, "negative_errors": neg_errors}
