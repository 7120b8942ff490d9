"""The one training loop: seeded mini-batch Adam, by default on the mean squared reconstruction
error; every model of the course (autoencoders, the digit classifier, the negative-sample
fine-tuning) trains through it, with its own ``loss`` where it needs one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from aelib._adam import Adam
from aelib._validation import (
    _describe,
    as_float_tensor,
    check_module,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.threads import batch_work, flush_denormals, torch_threads

__all__ = ["fit", "reconstruction_loss"]


def reconstruction_loss(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    """The mean squared reconstruction error of a batch (N, *input_shape): ``fit``'s default loss."""
    return torch.mean((model(batch) - batch) ** 2)


def fit(
    model: nn.Module,
    X: torch.Tensor,
    epochs: int,
    lr: float = 1e-3,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool = True,
    callback: Callable[[int, float], None] | None = None,
    *,
    y: torch.Tensor | np.ndarray | None = None,
    loss: Callable[[nn.Module, Any], torch.Tensor] | None = None,
    generator: torch.Generator | None = None,
) -> list[float]:
    """Train ``model`` with Adam: to reconstruct ``X`` (the default), or on any ``loss``.

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
    y : torch.Tensor or numpy.ndarray, optional
        Targets of any dtype, shape (N, ...), batched alongside ``X`` (e.g. class labels).
        Requires ``loss``.
    loss : callable, optional
        ``loss(model, batch)`` → a scalar tensor to minimise, where ``batch`` is a mini-batch of
        ``X`` (B, *input_shape), or the pair ``(X_batch, y_batch)`` when ``y`` is given. Default:
        :func:`reconstruction_loss`; then ``model`` must map a batch to its own shape.
    generator : torch.Generator, optional
        Draws the mini-batch order instead of a new generator seeded with ``seed``; pass the one
        your ``loss`` draws its random numbers from, so that one seed fixes both streams. (When
        one batch holds all the data, no order is drawn: the batch is ``X`` as given.)

    Returns
    -------
    list of float
        The loss over the training data at each epoch (length ``epochs``; for mini-batches, the
        sample-weighted mean of the batch losses). By default, the mean squared error.

    Notes
    -----
    Trains inside :func:`aelib.threads.torch_threads` ``("auto")`` (one thread for small models)
    and :func:`aelib.threads.flush_denormals` (subnormal floats count as zero: a sigmoid model's
    underflowing gradients made training 2x slower); both are restored on return.
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
    if loss is not None and not callable(loss):
        raise TypeError(
            f"loss: expected a callable loss(model, batch) -> tensor, got {type(loss).__name__}"
        )
    if y is not None and loss is None:
        raise ValueError(
            "loss: expected a loss(model, (X_batch, y_batch)) when y is given, got None"
        )
    if y is not None:
        y = _as_targets(y, len(X))
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator: expected a torch.Generator or None, got {type(generator).__name__}"
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
    if loss is None and out.shape != X[:1].shape:
        raise ValueError(
            f"model: expected it to map a batch of shape {tuple(X[:1].shape)} to the same shape, "
            f"got {tuple(out.shape)}"
        )

    if y is not None:
        y = y.to(device=param.device)

    n = X.shape[0]
    size = n if batch_size is None else min(batch_size, n)
    if generator is None:
        generator = torch.Generator().manual_seed(seed)
    if loss is None:
        loss = reconstruction_loss
    # One thread for small models: see aelib.threads (OpenMP barriers cost more than they save).
    # flush_denormals: a saturated sigmoid's tiny gradients would slow every op (aelib.threads)
    with torch_threads("auto", work=batch_work(model, size)), flush_denormals():
        optimizer = Adam(model.parameters(), lr=lr)
        model.train()
        losses: list[float] = []
        bar = tqdm(range(epochs), desc="training", disable=not progress, leave=False)
        for _ in bar:
            order = torch.randperm(n, generator=generator) if size < n else torch.arange(n)
            total = 0.0
            for start in range(0, n, size):
                idx = order[start : start + size]
                batch = X[idx]
                value = loss(model, batch if y is None else (batch, y[idx]))
                if not isinstance(value, torch.Tensor) or value.ndim != 0:
                    raise TypeError(
                        f"loss: expected it to return a scalar tensor, got {_describe(value)}"
                    )
                optimizer.zero_grad()
                value.backward()
                optimizer.step()
                total += value.item() * batch.shape[0]
            losses.append(total / n)
            if callback is not None:
                callback(len(losses), losses[-1])
            bar.set_postfix(loss=f"{losses[-1]:.4g}")
    model.eval()
    return losses


def _as_targets(y: object, n: int) -> torch.Tensor:
    if isinstance(y, np.ndarray):
        y = torch.from_numpy(np.ascontiguousarray(y))
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y: expected a torch.Tensor or numpy.ndarray, got {type(y).__name__}")
    if y.ndim == 0 or len(y) != n:
        raise ValueError(f"y: expected one target per sample ({n}), got shape {tuple(y.shape)}")
    return y.detach()
