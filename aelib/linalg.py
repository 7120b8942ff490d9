"""The linear theory of §4.2–4.3: PCA by SVD, the Theorem 2 construction, principal angles.

Computations keep the input's floating-point dtype: pass float64 data to see Lemma 1's zero loss
down to ~1e-30 rather than float32's ~1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from aelib._validation import (
    as_float_tensor,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)

__all__ = ["PCA", "pca", "hyperplane_anomaly", "principal_angles"]


@dataclass(frozen=True)
class PCA:
    """A fitted PCA "autoencoder": g(x) = (x − μ) V_d, h(y) = y V_dᵀ + μ.

    Attributes
    ----------
    mean : torch.Tensor
        μ, shape (n,); all zeros when fitted with ``center=False``.
    components : torch.Tensor
        V_d, shape (n, d), orthonormal columns (the first d right-singular vectors).
    singular_values : torch.Tensor
        The first d singular values of the (centred) data, shape (d,), descending.
    """

    mean: torch.Tensor
    components: torch.Tensor
    singular_values: torch.Tensor

    @property
    def n_features(self) -> int:
        """n, the input dimension."""
        return self.components.shape[0]

    @property
    def d(self) -> int:
        """d, the latent dimension."""
        return self.components.shape[1]

    def _points(self, x: object, name: str = "x") -> torch.Tensor:
        n = self.n_features
        x = as_float_tensor(x, name, ndim=(1, 2), last_dim=n, shape=f"(N, {n}) or ({n},)")
        return x.to(self.components.dtype)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Project onto the principal subspace: (N, n) → (N, d), or (n,) → (d,)."""
        return (self._points(x) - self.mean) @ self.components

    def decode(self, y: torch.Tensor) -> torch.Tensor:
        """Map latent coordinates back: (N, d) → (N, n), or (d,) → (n,)."""
        d = self.d
        y = as_float_tensor(y, "y", ndim=(1, 2), last_dim=d, shape=f"(N, {d}) or ({d},)")
        return y.to(self.components.dtype) @ self.components.T + self.mean

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """h(g(x)), same shape as ``x``."""
        return self.decode(self.encode(x))

    def reconstruction_error(self, x: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
        """Per-point squared reconstruction error, (N, n) → (N,) (or (n,) → scalar).

        ``reduction="mean"`` is the paper's L_R (mean over the n features); ``"sum"`` the
        squared Euclidean distance to the subspace.
        """
        check_choice(reduction, "reduction", ("mean", "sum"))
        x = self._points(x)
        sq = (x - self.reconstruct(x)) ** 2
        return sq.mean(-1) if reduction == "mean" else sq.sum(-1)


def pca(X: torch.Tensor, d: int, center: bool = True) -> PCA:
    """Fit PCA by singular value decomposition, X − μ = U Σ Vᵀ (§4.2).

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Data, shape (m, n), floating point.
    d : int
        Number of components, 1 ≤ d ≤ min(m, n).
    center : bool
        Subtract the column means first (Appendix A.1); ``False`` gives the paper's plain
        X = U Σ Vᵀ of §4.2.

    Returns
    -------
    PCA
        ``.mean`` (n,), ``.components`` V_d (n, d), ``.singular_values`` (d,).
    """
    X = as_float_tensor(X, "X", ndim=2, shape="(m, n)")
    d = check_positive_int(d, "d")
    if not isinstance(center, bool):
        raise TypeError(f"center: expected a bool, got {type(center).__name__}")
    m, n = X.shape
    if d > n:
        raise ValueError(
            f"d: expected at most n = {n} components (the number of features), got {d}"
        )
    if d > m:
        raise ValueError(f"d: expected at most m = {m} components (the number of samples), got {d}")
    mean = X.mean(0) if center else torch.zeros(n, dtype=X.dtype)
    _, s, vh = torch.linalg.svd(X - mean, full_matrices=False)
    return PCA(mean=mean, components=vh[:d].T.contiguous(), singular_values=s[:d])


def hyperplane_anomaly(
    X: torch.Tensor, pca: PCA, delta: float, direction: torch.Tensor | None = None
) -> torch.Tensor:
    """Construct an adversarial anomaly of Theorem 2: zero loss, farther than δ from all data.

    Start from the training point whose projection is extreme along ``direction`` (a vertex of
    the convex hull of X V_d), and move along the principal hyperplane, away from the hull:
    a = μ + (yᵢ + t u) V_dᵀ with yᵢ = (xᵢ − μ) V_d, u the unit direction and t > δ. Every
    training point then lies at least t from ``a`` (the projection onto the plane shortens
    distances and every projected point is ≥ t behind ``a`` along u), while h(g(a)) = a.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        The normal data, shape (m, n).
    pca : PCA
        A PCA fitted to (typically) ``X``.
    delta : float
        The distance to exceed, δ ≥ 0.
    direction : torch.Tensor, optional
        Direction u in latent coordinates, shape (d,), nonzero; default the first principal
        direction (1, 0, …, 0).

    Returns
    -------
    torch.Tensor
        The anomaly a, shape (n,), in the PCA's dtype.
    """
    if not isinstance(pca, PCA):
        raise TypeError(f"pca: expected a PCA from aelib.linalg.pca, got {type(pca).__name__}")
    X = pca._points(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X: expected shape (m, {pca.n_features}), got shape {tuple(X.shape)}")
    delta = check_nonnegative_float(delta, "delta")
    if direction is None:
        u = torch.zeros(pca.d, dtype=pca.components.dtype)
        u[0] = 1.0
    else:
        u = as_float_tensor(direction, "direction", ndim=1, last_dim=pca.d, shape=f"({pca.d},)")
        u = u.to(pca.components.dtype)
        if float(u.norm()) == 0.0:
            raise ValueError("direction: expected a nonzero vector, got all zeros")
        u = u / u.norm()
    y = pca.encode(X)
    start = y[torch.argmax(y @ u)]
    # t = delta + margin, strictly beyond delta; the margin also covers the rounding of a in the
    # PCA's dtype (float32 data of size 1e5 rounds a by ~1e-2), and is doubled until the returned
    # point is verifiably farther than delta from every row of X.
    scale = float(X.abs().max()) + float(pca.mean.abs().max()) + delta
    margin = 1e-6 * (1 + delta) + 16 * torch.finfo(X.dtype).eps * scale
    X64 = X.double()
    for _ in range(64):
        a = pca.decode(start + (delta + margin) * u)
        if float((X64 - a.double()).norm(dim=1).min()) > delta:
            return a
        margin *= 2
    raise RuntimeError("hyperplane_anomaly: could not place a point beyond delta")  # unreachable


def principal_angles(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """Principal angles between the column spans of A and B (Björck & Golub).

    0 means the spans share a direction; all zeros means span(A) ⊆ span(B) or the reverse.

    Parameters
    ----------
    A : torch.Tensor or numpy.ndarray
        Shape (n, p), full column rank.
    B : torch.Tensor or numpy.ndarray
        Shape (n, q), full column rank.

    Returns
    -------
    torch.Tensor
        min(p, q) angles in radians, ascending, in float64.
    """
    A = as_float_tensor(A, "A", ndim=2, shape="(n, p)", dtype=torch.float64)
    B = as_float_tensor(B, "B", ndim=2, shape="(n, q)", dtype=torch.float64)
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            f"A, B: expected the same number of rows n, got shapes {tuple(A.shape)} and {tuple(B.shape)}"
        )
    bases = []
    for name, M in (("A", A), ("B", B)):
        rank = int(torch.linalg.matrix_rank(M))
        if rank < M.shape[1]:
            raise ValueError(f"{name}: expected full column rank {M.shape[1]}, got rank {rank}")
        bases.append(torch.linalg.qr(M).Q)
    qa, qb = sorted(bases, key=lambda q: q.shape[1])  # qa has min(p, q) columns
    # cosines from Qaᵀ Qb and sines from (I − Qb Qbᵀ) Qa; atan2 of the pair is accurate for small
    # angles too, where arccos alone loses everything below ~1e-8 (Knyazev & Argentati, 2002).
    cosines = torch.linalg.svdvals(qa.T @ qb)  # descending: smallest angle first
    sines = torch.linalg.svdvals(qa - qb @ (qb.T @ qa)).flip(0)  # ascending: smallest first
    angles = torch.atan2(sines, cosines).clamp(0.0, torch.pi / 2)
    return angles.sort().values
