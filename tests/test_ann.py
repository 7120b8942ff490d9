"""The optional approximate index (faiss HNSW): agrees with exact search, errors are clear."""

from __future__ import annotations

import os

import pytest
import torch
from torch import nn

from aelib.audit import audit
from aelib.data import gaussian
from aelib.neighbors import ApproximateIndex, nearest_distance, nn_distance_quantile, nn_distances

if os.environ.get("CI"):  # the dev extra installs faiss: CI must run these, never skip them
    import faiss  # noqa: F401
else:
    pytest.importorskip("faiss", reason='the optional `ann` extra: pip install "aelib[ann]"')


def blobs(n: int = 3000, dim: int = 20, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    centres = torch.randn(10, dim, generator=gen) * 5
    return centres[torch.randint(10, (n,), generator=gen)] + torch.randn(n, dim, generator=gen)


def test_search_finds_the_exact_nearest_rows_almost_always():
    X = blobs()
    queries = blobs(500, seed=1)
    index = ApproximateIndex(X)
    approx, rows = index.search(queries, k=1)
    exact = nearest_distance(queries, X).double()
    recall = float((torch.isclose(approx[:, 0], exact, rtol=1e-4)).double().mean())
    assert recall >= 0.95
    assert torch.all(approx[:, 0] >= exact * (1 - 1e-4))  # a miss can only be farther
    direct = (queries - X[rows[:, 0]]).norm(dim=1).double()
    torch.testing.assert_close(approx[:, 0], direct, rtol=1e-4, atol=1e-4)


def test_quantile_from_the_index_matches_the_exact_one():
    X = blobs()
    exact = nn_distance_quantile(X, 0.95, sample_size=1000, seed=0)
    approx = nn_distance_quantile(X, 0.95, sample_size=1000, seed=0, index=ApproximateIndex(X))
    assert approx.approximate and not exact.approximate
    assert approx.value == pytest.approx(exact.value, rel=0.02)
    assert "approximate index" in approx.describe()


def test_leave_one_out_with_duplicates_is_zero():
    X = torch.cat([gaussian(50, seed=0), gaussian(50, seed=0)[:5]])
    q = nn_distance_quantile(X, 0.01, index=ApproximateIndex(X))
    assert q.value == 0.0
    assert float(nn_distances(X).min()) == 0.0


def test_audit_uses_the_index_only_for_min_distance():
    X = gaussian(300, seed=0)
    plain = audit(nn.Identity(), X, steps=5, restarts=2, miss_rate=False)
    indexed = audit(
        nn.Identity(), X, steps=5, restarts=2, miss_rate=False, nn_index=ApproximateIndex(X)
    )
    assert indexed.min_distance == pytest.approx(plain.min_distance, rel=0.02)
    assert "approximate index" in repr(indexed)
    d = nearest_distance(indexed.adversarial_anomalies, X)
    torch.testing.assert_close(indexed.distances, d.to(indexed.distances.dtype))  # exact


def test_bad_input_is_named():
    X = gaussian(30, seed=0)
    index = ApproximateIndex(X)
    with pytest.raises(ValueError, match="features per row"):
        index.search(torch.zeros(2, 3), k=1)
    with pytest.raises(ValueError, match="at most the 30 indexed rows"):
        index.search(X[:2], k=31)
    with pytest.raises(ValueError, match="build it on X"):
        nn_distance_quantile(gaussian(40, seed=1), 0.5, index=index)
    with pytest.raises(TypeError, match="index: expected an ApproximateIndex"):
        nn_distance_quantile(X, 0.5, index="hnsw")
    with pytest.raises(ValueError, match="links"):
        ApproximateIndex(X, links=0)
