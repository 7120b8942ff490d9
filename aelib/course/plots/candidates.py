"""Search candidates beside their nearest training images (notebook 10: how far is "far"?).

An adversarial anomaly found just past the "far" threshold can look like a normal digit. Showing
each candidate above the training image nearest to it, with what a digit classifier calls both,
lets the reader judge whether it is an anomaly at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch

from aelib._validation import as_float_tensor

__all__ = ["nearest_training", "candidate_pairs"]


def nearest_training(points: torch.Tensor, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Index of, and Euclidean distance to, each point's nearest row of ``X``.

    Parameters
    ----------
    points : torch.Tensor or numpy.ndarray
        Shape (K, *input_shape), K ≥ 0.
    X : torch.Tensor or numpy.ndarray
        Shape (N, *input_shape), N ≥ 1, the same input shape.

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        int64 indices (K,) into ``X`` and float64 distances (K,).
    """
    X = as_float_tensor(X, "X", min_ndim=2, shape="(N, *input_shape)")
    points = as_float_tensor(
        points, "points", min_ndim=2, shape="(K, *input_shape)", allow_empty=True
    )
    if points.shape[1:] != X.shape[1:]:
        raise ValueError(
            f"points: expected input shape {tuple(X.shape[1:])} like the rows of X, "
            f"got {tuple(points.shape[1:])}"
        )
    if len(points) == 0:
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.float64)
    d = torch.cdist(points.flatten(1).double(), X.flatten(1).double())
    dist, index = d.min(1)
    return index, dist


def candidate_pairs(
    candidates: torch.Tensor,
    neighbours: torch.Tensor,
    captions: Sequence[str],
    neighbour_captions: Sequence[str],
    title: str | None = None,
) -> plt.Figure:
    """Candidates (top row) above their nearest training images (bottom row), with captions.

    Parameters
    ----------
    candidates : torch.Tensor or numpy.ndarray
        Shape (K, 1, H, W), values in [0, 1], K ≥ 1.
    neighbours : torch.Tensor or numpy.ndarray
        Shape (K, 1, H, W): the training image nearest to each candidate.
    captions : sequence of str
        K captions under the candidates.
    neighbour_captions : sequence of str
        K captions under the neighbours.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two rows of K image axes; every text at least 8 pt.
    """
    rows = []
    for name, x in (("candidates", candidates), ("neighbours", neighbours)):
        x = as_float_tensor(x, name, ndim=4, shape="(K, 1, H, W)")
        if x.shape[1] != 1:
            raise ValueError(f"{name}: expected one channel, shape (K, 1, H, W), got {x.shape}")
        rows.append(x.detach().cpu().float().clamp(0, 1))
    if rows[0].shape != rows[1].shape:
        raise ValueError(
            f"neighbours: expected the shape of candidates {tuple(rows[0].shape)}, "
            f"got {tuple(rows[1].shape)}"
        )
    k = len(rows[0])
    for name, texts in (("captions", captions), ("neighbour_captions", neighbour_captions)):
        if isinstance(texts, str) or len(texts) != k:
            raise ValueError(f"{name}: expected {k} captions, got {texts!r:.60}")
    fig, axes = plt.subplots(2, k, figsize=(1.6 * k + 0.4, 4.6), squeeze=False)
    for r, (images, texts) in enumerate(zip(rows, (captions, neighbour_captions), strict=True)):
        for i, ax in enumerate(axes[r]):
            ax.imshow(images[i, 0].numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(str(texts[i]), fontsize=8)
    axes[0, 0].set_ylabel("candidate", fontsize=9)
    axes[1, 0].set_ylabel("nearest\ntraining image", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
