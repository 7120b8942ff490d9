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

(The third mitigation, sigmoid units, is a model choice: :func:`aelib.mnist_experiments.conv_autoencoder`.)
"""

from __future__ import annotations

import torch
from torch import nn

from aelib import config
from aelib._torch_utils import eval_mode
from aelib._validation import (
    as_float_tensor,
    check_module,
    check_nonnegative_float,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.attacks import nearest_distance

__all__ = ["LatentMahalanobis", "negative_finetune"]


def _encode(model: nn.Module, X: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    if not callable(getattr(model, "encode", None)):
        raise TypeError(
            f"model: expected an autoencoder with .encode(x), got {type(model).__name__}"
        )
    with eval_mode(model), torch.inference_mode():
        z = torch.cat([model.encode(X[s : s + batch_size]) for s in range(0, len(X), batch_size)])
    return z.clone().double()


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
        The flagging threshold is this quantile of the training scores.
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
        quantile: float = config.MAHALANOBIS_QUANTILE,
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


def negative_finetune(
    model: nn.Module,
    X: torch.Tensor,
    min_distance: float,
    epochs: int = config.NEG_EPOCHS,
    lr: float = config.NEG_LR,
    batch_size: int = config.MNIST_BATCH_SIZE,
    samples: int = config.NEG_SAMPLES,
    steps: int = config.NEG_STEPS,
    weight: float = config.NEG_WEIGHT,
    cap: float = config.NEG_CAP,
    margin: float = config.LATENT_PGD_MARGIN,
    seed: int = 0,
) -> dict:
    """Fine-tune an autoencoder to reconstruct normal data *and* not its own far-away decodings.

    Each mini-batch: draw ``samples`` latent points uniformly in the box of the training codes
    enlarged by ``margin`` × its side, take ``steps`` normalised gradient steps that *lower* the
    error of h(z) (what an attacker does), decode x⁻ = h(z) and keep those farther than
    ``min_distance`` from every training image. The loss is

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
    epochs, lr, batch_size : int, float, int
        Adam fine-tuning settings.
    samples, steps : int
        Negatives per batch and their latent descent steps.
    weight, cap : float
        Weight and cap of the negatives' term.
    margin : float
        Enlargement of the latent box.
    seed : int
        Seeds batch order and negative starts.

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
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_float(lr, "lr")
    batch_size = check_positive_int(batch_size, "batch_size")
    samples = check_positive_int(samples, "samples")
    steps = check_nonnegative_int(steps, "steps")
    weight = check_nonnegative_float(weight, "weight")
    cap = check_positive_float(cap, "cap")
    margin = check_nonnegative_float(margin, "margin")
    seed = check_nonnegative_int(seed, "seed")
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def err(a: torch.Tensor) -> torch.Tensor:
        return ((model(a) - a) ** 2).flatten(1).mean(1)

    losses, neg_errors = [], []
    for _ in range(epochs):
        z_train = _encode(model, X).float()
        lo, hi = z_train.min(0).values, z_train.max(0).values
        side = (hi - lo).clamp_min(1e-6)
        lo, hi = lo - margin * side, hi + margin * side
        step = 0.05 * float(side.mean())
        order = torch.randperm(len(X), generator=gen)
        total_pos, total_neg, count_neg = 0.0, 0.0, 0
        for start in range(0, len(X), batch_size):
            batch = X[order[start : start + batch_size]]
            model.eval()
            z = lo + (hi - lo) * torch.rand(samples, len(lo), generator=gen)
            for _ in range(steps):
                z = z.detach().requires_grad_(True)
                (g,) = torch.autograd.grad(err(model.decode(z)).sum(), z)
                z = torch.maximum(
                    torch.minimum(z - step * g / g.norm(dim=1, keepdim=True).clamp_min(1e-12), hi),
                    lo,
                )
            with torch.no_grad():
                neg = model.decode(z.detach())
                neg = neg[nearest_distance(neg, X) > min_distance]
            model.train()
            pos_err = err(batch).mean()
            loss = pos_err
            if len(neg):
                neg_err = err(neg)
                loss = loss - weight * neg_err.clamp(max=cap).mean()
                total_neg += float(neg_err.detach().sum())
                count_neg += len(neg)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_pos += float(pos_err.detach()) * len(batch)
        losses.append(total_pos / len(X))
        neg_errors.append(total_neg / max(count_neg, 1))
    model.eval()
    return {"losses": losses, "negative_errors": neg_errors}
