"""An approximate nearest-neighbour index (faiss HNSW) for normal data too large for exact search.

Exact chunked search (:mod:`aelib.neighbors`) costs O(sample · N · D) for the audit's default
``min_distance``: seconds at 60,000 × 784, minutes at tens of millions of rows. An HNSW graph
(Malkov & Yashunin 2018, as implemented by faiss) answers each query in roughly O(log N) distance
evaluations after an O(N log N) build, at the price of occasionally missing the true nearest
neighbour (its *recall*, measured in ``benchmarks/approx_nn.py``). A missed neighbour can only
make a distance too *large*, never too small.

faiss is an optional dependency (``pip install "aelib[ann]"``, PyPI ``faiss-cpu``), imported only
when an index is built. The audit uses an index only to estimate ``min_distance``; the distances
it reports for the points it finds are always exact.
"""

from __future__ import annotations

import numpy as np
import torch

from aelib._validation import as_float_tensor, check_positive_int

__all__ = ["ApproximateIndex"]


class ApproximateIndex:
    """An HNSW index over the rows of ``X`` for approximate nearest-neighbour distances.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        The data, shape (N, *input_shape), N ≥ 1; rows are flattened to D features (float32).
    links : int
        Graph degree (faiss ``M``): more links, higher recall, more memory (about 8·links bytes
        per row besides the 4·D of the vectors).
    search_depth : int
        Candidates kept while searching (faiss ``efSearch``): higher is slower and more exact.

    Raises
    ------
    ImportError
        If faiss is not installed, with the install command.
    """

    def __init__(self, X: object, *, links: int = 32, search_depth: int = 128) -> None:
        try:
            import faiss
        except ImportError:
            raise ImportError(
                'ApproximateIndex needs faiss: pip install "aelib[ann]" (PyPI faiss-cpu)'
            ) from None
        X = as_float_tensor(X, "X", min_ndim=2, shape="(N, *input_shape)")
        self.links = check_positive_int(links, "links")
        self.search_depth = check_positive_int(search_depth, "search_depth")
        rows = np.ascontiguousarray(X.flatten(1).detach().cpu().numpy(), dtype=np.float32)
        self.n, self.dim = rows.shape
        self._index = faiss.IndexHNSWFlat(self.dim, self.links)
        self._index.hnsw.efSearch = self.search_depth
        self._index.add(rows)

    def search(self, points: object, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The ``k`` approximately nearest rows of each point.

        Parameters
        ----------
        points : torch.Tensor or numpy.ndarray
            Shape (M, *input_shape), the index's D features per row.
        k : int
            Neighbours per point, 1 ≤ k ≤ N.

        Returns
        -------
        distances : torch.Tensor
            Euclidean distances, shape (M, k), float64, nearest first.
        rows : torch.Tensor
            Their row numbers in X, shape (M, k), int64.
        """
        points = as_float_tensor(points, "points", min_ndim=2, shape="(M, *input_shape)")
        k = check_positive_int(k, "k")
        flat = np.ascontiguousarray(points.flatten(1).detach().cpu().numpy(), dtype=np.float32)
        if flat.shape[1] != self.dim:
            raise ValueError(
                f"points: expected {self.dim} features per row (as the index's data), got "
                f"{flat.shape[1]}"
            )
        if k > self.n:
            raise ValueError(f"k: expected at most the {self.n} indexed rows, got {k}")
        sq, rows = self._index.search(flat, k)
        return torch.from_numpy(np.sqrt(np.maximum(sq, 0)).astype(np.float64)), torch.from_numpy(
            rows.astype(np.int64)
        )

    def __repr__(self) -> str:
        return (
            f"ApproximateIndex(HNSW, {self.n} rows × {self.dim} features, links={self.links}, "
            f"search_depth={self.search_depth})"
        )
