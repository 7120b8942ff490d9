"""aelib._tracking.NearestTracker against a brute-force torch.cdist oracle along random walks."""

from __future__ import annotations

import torch

from aelib._tracking import NearestTracker

EXACT = "donot_use_mm_for_euclid_dist"  # cdist's direct differences, not its matmul shortcut


def data(n: int, d: int, seed: int) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed))


def test_tracker_is_exact_along_a_random_walk_and_saves_full_passes():
    X = data(400, 10, seed=14)
    tracker = NearestTracker(X, k=32, chunk_size=64)
    gen = torch.Generator().manual_seed(15)
    points = data(8, 10, seed=16)
    for _ in range(60):
        points = points + 0.02 * torch.randn(points.shape, generator=gen)
        full = torch.cdist(points.double(), X.double(), compute_mode=EXACT).min(1)
        ranked = full.values.sort().values
        for below in (float("inf"), float(ranked[3] + ranked[4]) / 2):
            dist, index = tracker(points, below=below)
            near = full.values < below
            assert torch.equal(index >= 0, near)
            torch.testing.assert_close(dist[near], full.values[near], rtol=1e-12, atol=1e-12)
            assert torch.equal(index[near], full.indices[near])
            assert bool(
                (dist[~near] >= below).all() and (dist[~near] <= full.values[~near] + 1e-12).all()
            )
    assert tracker.full_rows < 8 * 60 / 4  # most calls used the listed rows only


def test_tracker_with_every_row_listed_and_a_new_batch_size():
    X = data(20, 3, seed=17)
    tracker = NearestTracker(X, k=100)
    for m in (5, 5, 9):
        points = data(m, 3, seed=18 + m) * 3
        dist, index = tracker(points, below=float("inf"))
        full = torch.cdist(points.double(), X.double(), compute_mode=EXACT).min(1)
        torch.testing.assert_close(dist, full.values)
        assert torch.equal(index, full.indices)
    assert tracker.full_rows == 5 + 9


def test_default_list_length_grows_with_the_data():
    assert [NearestTracker(torch.zeros(n, 2)).k for n in (5, 200, 1200, 8000, 60_000)] == [
        5,
        8,
        9,
        62,
        128,
    ]


def test_cached_float64_copy_gives_the_same_bits_as_converting_per_call(monkeypatch):
    import aelib._tracking as tracking

    X = data(300, 12, seed=19)
    walk = [data(6, 12, seed=20 + t) * 0.05 for t in range(20)]

    def run() -> list[tuple[torch.Tensor, torch.Tensor]]:
        tracker, points, out = NearestTracker(X), data(6, 12, seed=40), []
        for step in walk:
            points = points + step
            out.append(tracker(points, below=float("inf")))
        return out

    cached = run()
    monkeypatch.setattr(tracking, "_CACHE_BYTES", 0)  # as for data too large to copy
    assert NearestTracker(X)._X_sq is None
    for (d1, i1), (d2, i2) in zip(cached, run(), strict=True):
        assert torch.equal(d1, d2) and torch.equal(i1, i2)
    points = data(6, 12, seed=40)
    for step in walk:
        points = points + step
    full = torch.cdist(points.double(), X.double(), compute_mode=EXACT).min(1)
    torch.testing.assert_close(cached[-1][0], full.values, rtol=1e-12, atol=1e-12)
    assert torch.equal(cached[-1][1], full.indices)
