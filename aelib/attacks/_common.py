"""Helpers the searches share: shapes, validation, boxes, batched encoding and distances."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import torch
from torch import nn

from aelib import neighbors
from aelib._validation import as_float_tensor, check_module, check_nonnegative_float
from aelib.threads import batch_workers

BATCH_SIZE = 256  # rows per forward pass or distance block: bounded memory, activations in cache


def flat(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(x.shape[0], -1)


def per_sample(recon: torch.Tensor, x: torch.Tensor, reduction: str) -> torch.Tensor:
    """Squared error of each row, ``"mean"`` or ``"sum"`` over the features."""
    sq = flat((recon - x) ** 2)
    return sq.mean(1) if reduction == "mean" else sq.sum(1)


def decoded_errors(
    model: nn.Module, zs: torch.Tensor, reduction: str, batch_size: int
) -> torch.Tensor:
    """L(h(z)) = ‖h(z) − f(h(z))‖² for each latent of ``zs`` (M, d), in batches: shape (M,).

    On the CPU and without autograd (``torch.no_grad`` or ``inference_mode``) the batches run
    on :func:`aelib.threads.batch_workers` threads at once, each computed as alone: the same
    values for any number of workers.
    """
    out = torch.empty(len(zs), dtype=zs.dtype, device=zs.device)
    inference = torch.is_inference_mode_enabled()
    grad = torch.is_grad_enabled()

    def score(b: int) -> None:
        # grad and inference mode are per thread: a worker takes the caller's
        with torch.inference_mode(inference), torch.set_grad_enabled(grad):
            a = model.decode(zs[b : b + batch_size])
            out[b : b + batch_size] = per_sample(model(a), a, reduction)

    starts = range(0, len(zs), batch_size)
    # in parallel only on the CPU and without autograd (no graph shared between threads)
    parallel = zs.device.type == "cpu" and not grad
    workers = min(batch_workers(), len(starts)) if parallel else 1
    if workers <= 1:
        for b in starts:
            score(b)
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="aelib-batch") as pool:
            list(pool.map(score, starts))  # list(): re-raises a worker's exception here
    return out


def param_kind(model: nn.Module) -> tuple[torch.dtype, torch.device]:
    p = next(model.parameters(), None)
    return (p.dtype, p.device) if p is not None else (torch.float32, torch.device("cpu"))


def check_normal(X_normal: object) -> torch.Tensor:
    return as_float_tensor(X_normal, "X_normal", min_ndim=2, shape="(N, *input_shape)")


def check_latent_model(model: object) -> nn.Module:
    check_module(model)
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "decode", None))):
        raise TypeError(
            f"model: expected an autoencoder with .encode(x) and .decode(z) methods for a latent "
            f"search, got {type(model).__name__} without them (use input_pgd_search instead)"
        )
    return model


def check_min_distance(min_distance: object) -> float | None:
    return None if min_distance is None else check_nonnegative_float(min_distance, "min_distance")


def box(points: torch.Tensor, margin: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-coordinate bounding box of ``points`` (N, d) enlarged by ``margin`` × its side."""
    lo, hi = points.min(0).values, points.max(0).values
    side = (hi - lo).clamp_min(1e-6)
    return lo - margin * side, hi + margin * side


def encode_batched(model: nn.Module, X: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Latent codes of ``X`` (N, *input_shape) → (N, latent_dim), in batches, without gradients."""
    with torch.no_grad():
        latents = torch.cat(
            [model.encode(X[s : s + batch_size]) for s in range(0, len(X), batch_size)]
        )
    if latents.ndim != 2:
        raise ValueError(
            f"model: expected encode to return latents of shape (N, latent_dim), "
            f"got {tuple(latents.shape)}"
        )
    return latents


def nearest_distance(
    X: torch.Tensor, X_normal: torch.Tensor, batch_size: int = BATCH_SIZE
) -> torch.Tensor:
    """Euclidean distance of each row of ``X`` (M, *input_shape) to its nearest row of ``X_normal``.

    :func:`aelib.neighbors.nearest_distance` with ``chunk_size=batch_size``; shape (M,), dtype of
    ``X``.
    """
    return neighbors.nearest_distance(X, X_normal, chunk_size=batch_size, _names=("X", "X_normal"))


def nn_distances(X_normal: torch.Tensor, batch_size: int = BATCH_SIZE) -> torch.Tensor:
    """Each normal sample's distance to its nearest *other* normal sample (leave one out).

    :func:`aelib.neighbors.nn_distances` with ``chunk_size=batch_size``: shape (N,), N ≥ 2;
    duplicated samples have distance 0. The scale of "far from the data": a candidate farther
    from every normal sample than most normal samples are from their neighbours is isolated by
    the data's own standard.
    """
    return neighbors.nn_distances(X_normal, chunk_size=batch_size, _name="X_normal")
