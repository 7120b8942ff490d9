"""aelib.neighbors against a brute-force torch.cdist oracle written here."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aelib.neighbors import nearest_distance, nn_distance_quantile, nn_distances

EXACT = "donot_use_mm_for_euclid_dist"  # cdist's direct differences, not its matmul shortcut


def oracle_nearest(points: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Distance to the nearest row, all pairs at once in float64."""
    p = torch.as_tensor(points).flatten(1).double()
    x = torch.as_tensor(X).flatten(1).double()
    return torch.cdist(p, x, compute_mode=EXACT).min(1).values


def oracle_loo(X: torch.Tensor) -> torch.Tensor:
    """Each row's distance to its nearest other row."""
    x = torch.as_tensor(X).flatten(1).double()
    d = torch.cdist(x, x, compute_mode=EXACT)
    d.fill_diagonal_(float("inf"))
    return d.min(1).values


def data(n: int, d: int, seed: int = 0, dtype=torch.float32) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=gen, dtype=dtype)


# --- nearest_distance ------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 3, 784])
@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_nearest_distance_matches_brute_force(dim, chunk_size, dtype):
    X = data(53, dim, seed=1, dtype=dtype)
    points = data(37, dim, seed=2, dtype=dtype)
    got = nearest_distance(points, X, chunk_size=chunk_size)
    assert got.shape == (37,) and got.dtype == dtype
    tol = 1e-12 if dtype == torch.float64 else 1e-6
    torch.testing.assert_close(got.double(), oracle_nearest(points, X), rtol=tol, atol=tol)


def test_duplicates_and_points_on_the_data_are_exactly_zero():
    X = data(40, 784, seed=3) + 10.0  # large norms: the expansion alone would not give 0
    X[7] = X[30]  # a duplicated row
    points = torch.cat([X[[0, 7, 30, 39]], data(5, 784, seed=4)])
    got = nearest_distance(points, X, chunk_size=6)
    assert torch.equal(got[:4], torch.zeros(4))
    torch.testing.assert_close(got.double(), oracle_nearest(points, X), rtol=1e-6, atol=0.0)


def test_near_duplicates_keep_their_relative_precision():
    X = data(30, 784, seed=5, dtype=torch.float64) + 5.0
    offset = 1e-9 * data(30, 784, seed=6, dtype=torch.float64)
    got = nearest_distance(X + offset, X, chunk_size=8)
    torch.testing.assert_close(got, offset.norm(dim=1), rtol=1e-6, atol=0.0)


def test_numpy_inputs_and_image_shapes():
    X = data(20, 12, seed=7).reshape(20, 1, 3, 4)
    points = data(6, 12, seed=8).reshape(6, 1, 3, 4)
    got = nearest_distance(points.numpy(), X.numpy().astype(np.float64), chunk_size=4)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32
    torch.testing.assert_close(got.double(), oracle_nearest(points, X), rtol=1e-6, atol=1e-6)
    assert nearest_distance(points[:0], X).shape == (0,)


# --- nn_distances (leave one out) ------------------------------------------------------------


@pytest.mark.parametrize(("dim", "chunk_size"), [(1, 3), (784, 16), (5, 1000)])
def test_nn_distances_leave_one_out_matches_brute_force(dim, chunk_size):
    X = data(45, dim, seed=9, dtype=torch.float64)
    X[11] = X[12]  # duplicates: each other's nearest, at 0
    got = nn_distances(X, chunk_size=chunk_size)
    assert got.dtype == torch.float64 and got[11] == 0 and got[12] == 0
    torch.testing.assert_close(got, oracle_loo(X), rtol=1e-12, atol=1e-12)


# --- nn_distance_quantile ------------------------------------------------------------------------


@pytest.mark.parametrize("q", [0.05, 0.5, 0.95])
def test_quantile_is_exact_when_the_sample_covers_the_data(q):
    X = data(120, 6, seed=10)
    r = nn_distance_quantile(X, q, sample_size=120, chunk_size=17)
    expected = float(torch.quantile(oracle_loo(X), q))
    assert r.value == pytest.approx(expected, rel=1e-12)
    assert r.exact and r.sample_size == r.n == 120 and r.low == r.high == r.value
    assert "exact" in r.describe()
    assert nn_distance_quantile(X, q, sample_size=10_000).value == r.value


def test_confidence_interval_covers_the_exact_quantile():
    X = torch.cat([data(2000, 4, seed=11), 3 * data(1000, 4, seed=12)])  # a skewed mixture
    exact = float(torch.quantile(oracle_loo(X), 0.95))
    covered = 0
    for seed in range(40):
        r = nn_distance_quantile(X, 0.95, sample_size=300, seed=seed)
        assert not r.exact and r.sample_size == 300 and r.n == 3000
        assert r.low <= r.value <= r.high
        covered += r.low <= exact <= r.high
    assert covered >= 34  # a 95 % interval: 38 expected; 34 or fewer has probability < 4 %
    assert "300 of the 3000" in r.describe() and "95 % confidence interval" in r.describe()


def test_quantile_is_deterministic_for_a_seed_and_leaves_global_rng_alone():
    X = data(500, 8, seed=13)
    state = torch.get_rng_state()
    a = nn_distance_quantile(X, 0.9, sample_size=50, seed=3)
    b = nn_distance_quantile(X, 0.9, sample_size=50, seed=3)
    assert torch.equal(state, torch.get_rng_state())
    assert a == b
    assert nn_distance_quantile(X, 0.9, sample_size=50, seed=4) != a


# --- errors ----------------------------------------------------------------------------------------

X4 = torch.zeros(5, 4)


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: nearest_distance(torch.zeros(3), X4), ValueError, r"points: expected shape"),
        (lambda: nearest_distance(torch.zeros(2, 4), torch.zeros(4)), ValueError, r"X: expected"),
        (lambda: nearest_distance(torch.zeros(2, 5), X4), ValueError, r"points: .*input shape"),
        (lambda: nearest_distance(X4.tolist(), X4), TypeError, r"points: expected a torch.Tensor"),
        (lambda: nearest_distance(X4, X4.long()), TypeError, r"X: expected a floating-point"),
        (
            lambda: nearest_distance(torch.tensor([[float("nan")] * 4]), X4),
            ValueError,
            r"points: expected finite values, got 4 NaN and 0 inf",
        ),
        (
            lambda: nearest_distance(X4, torch.full((2, 4), float("inf"))),
            ValueError,
            r"X: expected finite values, got 0 NaN and 8 inf",
        ),
        (lambda: nearest_distance(X4, X4[:0]), ValueError, r"X: expected a non-empty"),
        (lambda: nearest_distance(X4, X4, chunk_size=0), ValueError, r"chunk_size: .*positive"),
        (lambda: nearest_distance(X4, X4, chunk_size=2.5), TypeError, r"chunk_size"),
        (lambda: nn_distances(X4[:1]), ValueError, r"X: expected at least 2 samples, got 1"),
        (lambda: nn_distances(X4, chunk_size=-1), ValueError, r"chunk_size"),
        (lambda: nn_distance_quantile(X4, 0.0), ValueError, r"q: expected a number in \(0, 1\)"),
        (lambda: nn_distance_quantile(X4, 1.0), ValueError, r"q: .*got 1.0"),
        (lambda: nn_distance_quantile(X4, float("nan")), ValueError, r"q: "),
        (lambda: nn_distance_quantile(X4, "0.5"), TypeError, r"q: expected a number"),
        (lambda: nn_distance_quantile(X4, 0.5, sample_size=0), ValueError, r"sample_size"),
        (lambda: nn_distance_quantile(X4, 0.5, seed=-1), ValueError, r"seed"),
        (lambda: nn_distance_quantile(X4, 0.5, confidence=1.5), ValueError, r"confidence"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, err, match):
    with pytest.raises(err, match=match):
        call()
