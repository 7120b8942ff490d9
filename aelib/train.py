"""A small, seeded training loop: Adam on the mean squared reconstruction error."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from tqdm.auto import tqdm

from aelib._validation import (
    as_float_tensor,
    check_module,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)

__all__ = ["fit"]


def fit(
    model: nn.Module,
    X: torch.Tensor,
    epochs: int,
    lr: float = 1e-3,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool = True,
    callback: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Train ``model`` to reconstruct ``X`` with Adam and the mean squared error.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of shape (B, *input_shape) to a reconstruction of the same shape.
        Trained in place.
    X : torch.Tensor or numpy.ndarray
        Normal training data, floating point, shape (N, *input_shape).
    epochs : int
        Number of passes over the data.
    lr : float
        Adam learning rate.
    batch_size : int, optional
        Mini-batch size; ``None`` trains full-batch (one step per epoch).
    seed : int
        Seeds the mini-batch order. (Weight initialisation is seeded by the model's ``seed``.)
        On the CPU the same seed gives the same losses.
    progress : bool
        Show a ``tqdm`` progress bar over epochs.
    callback : callable, optional
        Called as ``callback(epoch, loss)`` after each epoch (``epoch`` counts from 1), e.g. to
        keep snapshots of the weights; the model is still in training mode then.

    Returns
    -------
    list of float
        The mean squared error over the training data at each epoch (length ``epochs``;
        for mini-batches, the sample-weighted mean of the batch losses).
    """
    check_module(model)
    X = as_float_tensor(X, "X", min_ndim=2, shape="(N, *input_shape)")
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_float(lr, "lr")
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_nonnegative_int(seed, "seed")
    if callback is not None and not callable(callback):
        raise TypeError(
            f"callback: expected a callable callback(epoch, loss), got {type(callback).__name__}"
        )
    param = next(model.parameters(), None)
    if param is None:
        raise ValueError("model: expected a module with trainable parameters, got none")
    X = X.detach().to(dtype=param.dtype, device=param.device)  # data, not a parameter
    with torch.no_grad():
        try:
            out = model(X[:1])
        except (RuntimeError, ValueError, TypeError) as err:
            raise ValueError(
                f"X: expected input the model accepts, got shape {tuple(X.shape)}; "
                f"the model failed on one sample: {err}"
            ) from err
    if out.shape != X[:1].shape:
        raise ValueError(
            f"model: expected it to map a batch of shape {tuple(X[:1].shape)} to the same shape, "
            f"got {tuple(out.shape)}"
        )

    n = X.shape[0]
    size = n if batch_size is None else min(batch_size, n)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses: list[float] = []
    bar = tqdm(range(epochs), desc="training", disable=not progress, leave=False)
    for _ in bar:
        order = torch.randperm(n, generator=generator) if size < n else torch.arange(n)
        total = 0.0
        for start in range(0, n, size):
            batch = X[order[start : start + size]]
            loss = torch.mean((model(batch) - batch) ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.shape[0]
        losses.append(total / n)
        if callback is not None:
            callback(len(losses), losses[-1])
        bar.set_postfix(loss=f"{losses[-1]:.4g}")
    model.eval()
    return losses
