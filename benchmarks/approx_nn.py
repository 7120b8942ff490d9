"""Recall and speed of the optional approximate index (faiss HNSW) against exact search.

    .venv/bin/python benchmarks/approx_nn.py [--n 60000]

Data as in audit_scale.py (bundled MNIST tiled with noise, N × 784). Reported: the index's build
time; for 1,000 random rows, leave-one-out nearest-neighbour distances exact (chunked, all N)
and from the index, their recall (fraction where the index found a neighbour as near as the exact
one, within 1e-4 relative) and both times; the 95 % quantile (the audit's default
``min_distance``) from each.
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from audit_scale import structured_data

from aelib.neighbors import ApproximateIndex, nn_distance_quantile


def measure(n: int, queries: int = 1000) -> dict:
    X = structured_data(n)
    t = time.perf_counter()
    index = ApproximateIndex(X)
    build = time.perf_counter() - t
    t = time.perf_counter()
    exact = nn_distance_quantile(X, 0.95, sample_size=queries, seed=0)
    exact_s = time.perf_counter() - t
    t = time.perf_counter()
    approx = nn_distance_quantile(X, 0.95, sample_size=queries, seed=0, index=index)
    approx_s = time.perf_counter() - t
    rows = torch.randperm(n, generator=torch.Generator().manual_seed(0))[:queries].sort().values
    from aelib.neighbors import _leave_one_out, _leave_one_out_indexed

    d_exact = _leave_one_out(X.flatten(1), rows, 1024)
    d_approx = _leave_one_out_indexed(X, rows, index)
    recall = float(torch.isclose(d_approx, d_exact, rtol=1e-4, atol=1e-6).double().mean())
    return {
        "n": n,
        "queries": queries,
        "build_s": round(build, 2),
        "exact_s": round(exact_s, 2),
        "index_s": round(approx_s, 3),
        "recall_at_1": recall,
        "quantile_exact": exact.value,
        "quantile_index": approx.value,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=60_000)
    print(json.dumps(measure(parser.parse_args().n), indent=2))
