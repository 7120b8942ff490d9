"""Nearest-neighbour distances to a data set in bounded memory: the one implementation in aelib.

Distances are Euclidean over all features (pixels, for images). Work goes in blocks of
``chunk_size`` query rows × ``chunk_size`` data rows with ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b in
float64, so memory is O(chunk_size · (chunk_size + D)) whatever M and N. The expansion leaves
rounding of about 1e-7 relative to the norms, so each nearest candidate's distance is then
recomputed directly as ‖a − b‖: a duplicate comes out exactly 0.

- :func:`nearest_distance`: each point's distance to its nearest row of X, O(M · N).
- :func:`nn_distances`: each row's distance to its nearest *other* row (leave one out), O(N²).
- :func:`nn_distance_quantile`: a quantile of those from a random sample of rows, O(sample · N),
  with a distribution-free confidence interval; with ``index=`` an
  :class:`~aelib.neighbors.ApproximateIndex` (faiss HNSW, optional) for data beyond exact search.

(:class:`aelib._tracking.NearestTracker` follows the searches' moving iterates on top of this.)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from aelib._ann import ApproximateIndex
from aelib._validation import (
    as_float_tensor,
    check_fraction,
    check_nonnegative_int,
    check_positive_int,
)

__all__ = [
    "ApproximateIndex",
    "NNQuantile",
    "nearest_distance",
    "nn_distance_quantile",
    "nn_distances",
]


def _check_data(X: object, name: str = "X") -> torch.Tensor:
    X = as_float_tensor(X, name, min_ndim=2, shape="(N, *input_shape)")
    if len(X) < 2:
        raise ValueError(f"{name}: expected at least 2 samples, got {len(X)}")
    return X


def _smallest(
    points: torch.Tensor,
    X: torch.Tensor,
    k: int,
    chunk_size: int,
    exclude=None,
    X_sq: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Distances (M, k) ascending and row indices of the k nearest rows of X (N, D), k ≤ N.

    Column 0 is recomputed exactly; the others carry the expansion's rounding. ``exclude`` (M,):
    the row of X each point must skip (leave one out), or ``None``. ``X_sq`` (N,): the rows'
    squared norms in float64 if already known (a caller making many passes over one X).
    """
    dist = torch.empty(len(points), k, dtype=torch.float64, device=X.device)
    index = torch.empty(len(points), k, dtype=torch.long, device=X.device)
    for s in range(0, len(points), chunk_size):
        p = points[s : s + chunk_size].to(X.device, torch.float64)
        best = p.new_empty(len(p), 0)
        best_i = index.new_empty(len(p), 0)
        for t in range(0, len(X), chunk_size):
            x = X[t : t + chunk_size].to(torch.float64)
            x_sq = (x * x).sum(1) if X_sq is None else X_sq[t : t + chunk_size]
            d2 = (p * p).sum(1, keepdim=True) + x_sq
            d2 = d2.addmm_(p, x.T, alpha=-2).clamp_min_(0)
            if exclude is not None:
                own = exclude[s : s + chunk_size].to(X.device) - t
                rows = ((own >= 0) & (own < len(x))).nonzero().squeeze(1)
                d2[rows, own[rows]] = float("inf")
            cols = torch.arange(t, t + len(x), device=X.device).expand(len(p), -1)
            best, pos = torch.cat([best, d2], 1).topk(min(k, best.shape[1] + len(x)), largest=False)
            best_i = torch.cat([best_i, cols], 1).gather(1, pos)
        best = best.sqrt_()
        best[:, 0] = (p - X[best_i[:, 0]].to(torch.float64)).norm(dim=1)
        dist[s : s + len(p)], index[s : s + len(p)] = best, best_i
    return dist, index


def nearest_distance(
    points: torch.Tensor, X: torch.Tensor, *, chunk_size: int = 1024, _names=None
) -> torch.Tensor:
    """Euclidean distance from each point to its nearest row of ``X``.

    Parameters
    ----------
    points : torch.Tensor or numpy.ndarray
        Shape (M, *input_shape), M ≥ 0.
    X : torch.Tensor or numpy.ndarray
        Shape (N, *input_shape), N ≥ 1, the same input shape.
    chunk_size : int
        Rows per block on both sides; memory is about chunk_size × (chunk_size + D) doubles.

    Returns
    -------
    torch.Tensor
        Shape (M,), in the dtype of ``points``, computed in float64.
    """
    p_name, x_name = _names or ("points", "X")
    X = as_float_tensor(X, x_name, min_ndim=2, shape="(N, *input_shape)")
    points = as_float_tensor(
        points, p_name, min_ndim=2, shape="(M, *input_shape)", allow_empty=True
    )
    if points.shape[1:] != X.shape[1:]:
        raise ValueError(
            f"{p_name}: expected input shape {tuple(X.shape[1:])} like the rows of {x_name}, "
            f"got {tuple(points.shape[1:])}"
        )
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    dist, _ = _smallest(points.flatten(1), X.flatten(1), 1, chunk_size)
    return dist[:, 0].to(points.device, points.dtype)


def _leave_one_out(X: torch.Tensor, rows: torch.Tensor | None, chunk_size: int) -> torch.Tensor:
    """float64 distance of each listed row (all if ``None``) of flat X to its nearest other row."""
    rows = torch.arange(len(X), device=X.device) if rows is None else rows.to(X.device)
    points = X if len(rows) == len(X) else X[rows]
    return _smallest(points, X, 1, chunk_size, exclude=rows)[0][:, 0]


def nn_distances(X: torch.Tensor, *, chunk_size: int = 1024, _name: str = "X") -> torch.Tensor:
    """Each row's distance to its nearest *other* row (leave one out), exactly, in O(N²) time.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Shape (N, *input_shape), N ≥ 2.
    chunk_size : int
        Rows per block on both sides.

    Returns
    -------
    torch.Tensor
        Shape (N,), dtype of ``X``. A duplicated row has distance 0.
    """
    X = _check_data(X, _name)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    return _leave_one_out(X.flatten(1), None, chunk_size).to(X.dtype)


@dataclass(frozen=True)
class NNQuantile:
    """A quantile of the leave-one-out nearest-neighbour distances (see :func:`nn_distance_quantile`).

    Attributes
    ----------
    value : float
        The quantile of the sampled rows' distances (linear interpolation, as ``torch.quantile``).
    low, high : float
        Confidence interval for the quantile over all N rows; ``low == high == value`` when every
        row was used. ``low`` is 0 and ``high`` inf where the sample is too small to bound them.
    q, confidence : float
        The quantile and the interval's confidence level, both in (0, 1).
    sample_size, n : int
        Rows whose distance was computed (each against all N rows), and N.
    """

    value: float
    low: float
    high: float
    q: float
    confidence: float
    sample_size: int
    n: int
    approximate: bool = False

    @property
    def exact(self) -> bool:
        """Whether every row was used (no sampling error)."""
        return self.sample_size == self.n

    def describe(self) -> str:
        """One line: what was estimated, from how many rows, and how precisely."""
        what = f"{100 * self.q:g} % quantile of nearest-neighbour distances"
        if self.approximate:
            what += " (approximate index)"
        if self.exact:
            return f"{what} over all {self.n} samples (exact)"
        return (
            f"{what}, from a random sample of {self.sample_size} of the {self.n} samples "
            f"(each against all {self.n}); {100 * self.confidence:g} % confidence interval "
            f"[{self.low:.3g}, {self.high:.3g}] (order statistics)"
        )


def _order_interval(sample: torch.Tensor, q: float, confidence: float) -> tuple[float, float]:
    """Distribution-free interval for the q-quantile: order statistics X_(l) ≤ ξ_q ≤ X_(u).

    With B ~ Binomial(m, q) counting sampled values below ξ_q, P(X_(l) ≤ ξ_q ≤ X_(u)) ≥
    P(l ≤ B < u); l and u cut off at most (1 − confidence) / 2 on each side. Rows drawn without
    replacement make B less spread than a binomial, so the interval is conservative (markedly
    so when the sample is a large part of the data).
    """
    from scipy.stats import binom  # imported here: scipy.stats costs ~0.6 s at import time

    m = len(sample)
    tail = (1 - confidence) / 2
    cdf = torch.from_numpy(binom.cdf(range(m + 1), m, q))
    lo = int((cdf <= tail).sum())  # P(B ≤ lo − 1) ≤ tail
    hi = int((cdf < 1 - tail).sum()) + 1  # P(B ≥ hi) ≤ tail
    s = sample.sort().values
    return (float(s[lo - 1]) if lo >= 1 else 0.0), (float(s[hi - 1]) if hi <= m else float("inf"))


def nn_distance_quantile(
    X: torch.Tensor,
    q: float,
    *,
    sample_size: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    chunk_size: int = 1024,
    index: ApproximateIndex | None = None,
    _name: str = "X",
) -> NNQuantile:
    """A quantile of the leave-one-out nearest-neighbour distances, from a sample of rows.

    Draws ``sample_size`` rows without replacement (all rows when N ≤ ``sample_size``: then the
    result is exact), computes each one's exact distance to its nearest other row among *all* N,
    and takes the ``q`` quantile, in O(sample_size · N) time instead of O(N²). The confidence
    interval comes from order statistics (binomial), valid whatever the distribution.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Shape (N, *input_shape), N ≥ 2.
    q : float
        The quantile, in (0, 1).
    sample_size : int
        Rows drawn.
    seed : int
        Seeds the draw (a local generator: the global random state is left alone).
    confidence : float
        Level of the interval, in (0, 1).
    chunk_size : int
        Rows per block on both sides.
    index : ApproximateIndex, optional
        An index built on ``X``: each sampled row's nearest other row is looked up in it
        (approximately; a missed neighbour makes a distance too large) instead of scanning all
        N rows.

    Returns
    -------
    NNQuantile
        ``.value``, ``.low``, ``.high``, ``.sample_size``, ``.n`` and ``.describe()``.
    """
    X = _check_data(X, _name)
    q = check_fraction(q, "q")
    sample_size = check_positive_int(sample_size, "sample_size")
    seed = check_nonnegative_int(seed, "seed")
    confidence = check_fraction(confidence, "confidence")
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    n = len(X)
    rows = None
    if sample_size < n:
        gen = torch.Generator().manual_seed(seed)
        rows = torch.randperm(n, generator=gen)[:sample_size].sort().values
    if index is None:
        dist = _leave_one_out(X.flatten(1), rows, chunk_size)
    else:
        dist = _leave_one_out_indexed(X, rows, index)
    value = float(torch.quantile(dist, q))
    low, high = (value, value) if rows is None else _order_interval(dist, q, confidence)
    return NNQuantile(value, low, high, q, confidence, len(dist), n, index is not None)


def _leave_one_out_indexed(
    X: torch.Tensor, rows: torch.Tensor | None, index: ApproximateIndex
) -> torch.Tensor:
    """Each sampled row's distance to its nearest *other* row, looked up in ``index``."""
    if not isinstance(index, ApproximateIndex):
        raise TypeError(f"index: expected an ApproximateIndex or None, got {type(index).__name__}")
    if index.n != len(X) or index.dim != X[0].numel():
        raise ValueError(
            f"index: built on {index.n} rows × {index.dim} features, but X has {len(X)} rows × "
            f"{X[0].numel()} features (build it on X)"
        )
    rows = torch.arange(len(X)) if rows is None else rows
    dist, found = index.search(X[rows], k=2)
    own = found[:, 0] == rows  # the row itself comes first unless a duplicate ties with it
    return torch.where(own, dist[:, 1], dist[:, 0])
