"""aelib.data: the 2-D toy data sets (load_mnist is tested elsewhere)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aelib import data
from aelib.course import config

TOY = [data.gaussian, data.two_gaussians, data.banana, data.diagonal]
ROWS_PER_N = {data.gaussian: 1, data.two_gaussians: 2, data.banana: 1, data.diagonal: 1}


@pytest.mark.parametrize("make", TOY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n", [1, 7, 100])
def test_shape_dtype_finite(make, n):
    X = make(n=n, seed=0)
    assert isinstance(X, torch.Tensor)
    assert X.dtype == torch.float32
    assert X.shape == (ROWS_PER_N[make] * n, 2)
    assert torch.isfinite(X).all()


@pytest.mark.parametrize("make", TOY, ids=lambda f: f.__name__)
def test_defaults_are_100_per_set_and_seed_0(make):
    assert torch.equal(make(), make(n=100, seed=0))


@pytest.mark.parametrize("make", TOY, ids=lambda f: f.__name__)
def test_seed_reproducible_and_seed_sensitive(make):
    assert torch.equal(make(n=50, seed=3), make(n=50, seed=3))
    assert not torch.equal(make(n=50, seed=3), make(n=50, seed=4))


@pytest.mark.parametrize("make", TOY, ids=lambda f: f.__name__)
def test_does_not_touch_global_rngs(make):
    """Toy sets use their own generator: the legacy global NumPy and torch states stay put."""
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 - the legacy global state is what is being checked
    make(n=10, seed=5)
    t, a = torch.rand(1), np.random.rand()  # noqa: NPY002
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002
    assert torch.equal(t, torch.rand(1)) and a == np.random.rand()  # noqa: NPY002


def test_gaussian_moments_match_config():
    X = data.gaussian(n=20_000, seed=1).double()
    np.testing.assert_allclose(X.mean(0).numpy(), config.GAUSSIAN_MEAN, atol=0.03)
    np.testing.assert_allclose(torch.cov(X.T).numpy(), config.GAUSSIAN_COV, atol=0.04)


def test_two_gaussians_first_half_is_first_cluster():
    n = 5_000
    X = data.two_gaussians(n=n, seed=2).double()
    for k, mean in enumerate(config.TWO_GAUSSIANS_MEANS):
        part = X[k * n : (k + 1) * n]
        np.testing.assert_allclose(part.mean(0).numpy(), mean, atol=0.05)
        np.testing.assert_allclose(torch.cov(part.T).numpy(), config.TWO_GAUSSIANS_COV, atol=0.05)


def test_banana_is_a_noisy_parabola():
    X = data.banana(n=20_000, seed=3).double()
    lo, hi = config.BANANA_X1_RANGE
    assert X[:, 0].min() >= lo and X[:, 0].max() <= hi
    residual = X[:, 1] - X[:, 0] ** 2
    assert abs(float(residual.mean())) < 0.01
    assert float(residual.std()) == pytest.approx(config.BANANA_NOISE_STD, rel=0.03)


def test_diagonal_columns_are_equal_and_in_range():
    X = data.diagonal(n=500, seed=4)
    assert torch.equal(X[:, 0], X[:, 1])
    lo, hi = config.DIAGONAL_ALPHA_RANGE
    assert X.min() >= lo and X.max() <= hi
    assert float(X[:, 0].std()) > 0.3  # spread over the range, not a constant


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("make", TOY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n", [0, -3])
def test_nonpositive_n_is_a_value_error(make, n):
    with pytest.raises(ValueError, match=f"n: expected a positive integer, got {n}"):
        make(n=n)


@pytest.mark.parametrize("make", TOY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n", [True, 2.0, "10", None, [10]])
def test_non_integer_n_is_a_type_error(make, n):
    with pytest.raises(TypeError, match="n: expected a positive integer, got"):
        make(n=n)


@pytest.mark.parametrize("make", TOY, ids=lambda f: f.__name__)
def test_bad_seed(make):
    with pytest.raises(ValueError, match="seed: expected a non-negative integer, got -1"):
        make(n=3, seed=-1)
    with pytest.raises(TypeError, match="seed: expected a non-negative integer, got bool"):
        make(n=3, seed=False)
    with pytest.raises(TypeError, match="seed: expected a non-negative integer, got float"):
        make(n=3, seed=0.5)


def test_numpy_integers_are_accepted():
    assert data.gaussian(n=np.int64(4), seed=np.int32(1)).shape == (4, 2)
