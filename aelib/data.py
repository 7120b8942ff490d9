"""Data sets: the paper's 2-D toy distributions and MNIST.

Toy sets are float32 tensors of shape (N, 2), drawn with NumPy's seeded ``default_rng`` so that the
same ``seed`` gives the same points on every machine. Their parameters are the constants below.
"""

from __future__ import annotations

import numpy as np
import torch

from aelib._mnist import load_mnist
from aelib._validation import check_nonnegative_int, check_positive_int

# The toy data sets' definitions (our choices: the paper gives no parameters).
GAUSSIAN_MEAN = (0.0, 0.0)
GAUSSIAN_COV = ((1.0, 0.75), (0.75, 1.0))
TWO_GAUSSIANS_MEANS = ((-2.5, -2.5), (2.5, 2.5))
TWO_GAUSSIANS_COV = ((0.5, 0.0), (0.0, 0.5))
BANANA_X1_RANGE = (-2.0, 2.0)  # x1 ~ Uniform(range)
BANANA_NOISE_STD = 0.25  # x2 = x1**2 + Normal(0, std)
DIAGONAL_ALPHA_RANGE = (-1.0, 1.0)  # x = alpha * (1, 1), alpha ~ Uniform(range)

__all__ = ["gaussian", "two_gaussians", "banana", "diagonal", "load_mnist"]


def _rng(n: int, seed: int) -> np.random.Generator:
    check_positive_int(n, "n")
    check_nonnegative_int(seed, "seed")
    return np.random.default_rng(seed)


def _to_tensor(points: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(points.astype(np.float32))


def gaussian(n: int = 100, seed: int = 0) -> torch.Tensor:
    """One correlated 2-D Gaussian (Figure 1a, 1e).

    Parameters
    ----------
    n : int
        Number of points.
    seed : int
        Seed of the random generator.

    Returns
    -------
    torch.Tensor
        float32, shape (n, 2).
    """
    rng = _rng(n, seed)
    return _to_tensor(rng.multivariate_normal(GAUSSIAN_MEAN, GAUSSIAN_COV, size=n))


def two_gaussians(n: int = 100, seed: int = 0) -> torch.Tensor:
    """Two separated 2-D Gaussian clusters (Figure 1b, 1f).

    Parameters
    ----------
    n : int
        Number of points *per cluster*.
    seed : int
        Seed of the random generator.

    Returns
    -------
    torch.Tensor
        float32, shape (2 n, 2); the first n rows are the first cluster.
    """
    rng = _rng(n, seed)
    clusters = [
        rng.multivariate_normal(mean, TWO_GAUSSIANS_COV, size=n) for mean in TWO_GAUSSIANS_MEANS
    ]
    return _to_tensor(np.concatenate(clusters))


def banana(n: int = 100, seed: int = 0) -> torch.Tensor:
    """The banana: x2 = x1² plus Gaussian noise (Figure 1c, 1d).

    Parameters
    ----------
    n : int
        Number of points.
    seed : int
        Seed of the random generator.

    Returns
    -------
    torch.Tensor
        float32, shape (n, 2).
    """
    rng = _rng(n, seed)
    x1 = rng.uniform(*BANANA_X1_RANGE, size=n)
    x2 = x1**2 + rng.normal(0.0, BANANA_NOISE_STD, size=n)
    return _to_tensor(np.stack([x1, x2], axis=1))


def diagonal(n: int = 100, seed: int = 0) -> torch.Tensor:
    """Points on the diagonal, xᵢ = αᵢ (1, 1) (§4.4.1).

    Parameters
    ----------
    n : int
        Number of points.
    seed : int
        Seed of the random generator.

    Returns
    -------
    torch.Tensor
        float32, shape (n, 2), both columns equal.
    """
    rng = _rng(n, seed)
    alpha = rng.uniform(*DIAGONAL_ALPHA_RANGE, size=n)
    return _to_tensor(np.stack([alpha, alpha], axis=1))
