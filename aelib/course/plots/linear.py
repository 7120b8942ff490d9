"""Figures for notebooks 01–03: anomaly scores, principal subspaces, the convex-hull argument.

Every function draws on a given Matplotlib ``Axes`` (or creates one) and returns it, so the
notebooks and the slider widgets compose panels freely; none of them calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Circle, Polygon

from aelib._grid import plane_grid
from aelib._validation import as_float_tensor, check_positive_float
from aelib.course.plots._contour import error_contour
from aelib.linalg import PCA

__all__ = [
    "score_grid",
    "score_map",
    "score_histograms",
    "plane_3d",
    "principal_line",
    "hull_argument",
    "angle_curves",
]


def _axes(ax: Axes | None, projection: str | None = None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(5, 4))
        return fig.add_subplot(projection=projection)
    if not isinstance(ax, Axes):
        raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _check_pca(pca: object, n: int | None = None) -> PCA:
    if not isinstance(pca, PCA):
        raise TypeError(f"pca: expected a PCA from aelib.linalg.pca, got {type(pca).__name__}")
    if n is not None and pca.n_features != n:
        raise ValueError(f"pca: expected a PCA of {n}-D data, got one of {pca.n_features}-D data")
    return pca


def score_grid(
    pca: PCA, bounds: tuple[float, float] = (-8.0, 8.0), resolution: int = 161
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The reconstruction error (anomaly score) of a 2-D PCA model on a square grid.

    Parameters
    ----------
    pca : PCA
        Fitted to 2-D data.
    bounds : pair of float
        (low, high) of both axes.
    resolution : int
        Grid points per axis, ≥ 2.

    Returns
    -------
    xx, yy, scores : torch.Tensor
        Each of shape (resolution, resolution); ``scores`` is the mean squared error L_R.
    """
    pca = _check_pca(pca, 2)
    xx, yy, points = plane_grid(bounds, resolution, dtype=pca.components.dtype)
    return xx, yy, pca.reconstruction_error(points).reshape(xx.shape)


def score_map(
    pca: PCA,
    X: torch.Tensor,
    threshold: float,
    ax: Axes | None = None,
    bounds: tuple[float, float] = (-8.0, 8.0),
    resolution: int = 161,
    grid: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
) -> Axes:
    """Contours of a 2-D PCA model's anomaly score; red where it is below ``threshold``.

    With ``threshold`` the largest training score, the red zone is everything a detector with
    that threshold calls *normal* — including points far from every training sample.

    Parameters
    ----------
    pca : PCA
        Fitted to 2-D data.
    X : torch.Tensor or numpy.ndarray
        Training data, shape (N, 2), drawn as white dots.
    threshold : float
        Scores below it are painted red, > 0.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if ``None``.
    bounds, resolution :
        The grid, as in :func:`score_grid` (ignored when ``grid`` is given).
    grid : tuple of torch.Tensor, optional
        A precomputed ``score_grid(pca, ...)`` (the widgets reuse one).

    Returns
    -------
    matplotlib.axes.Axes
    """
    pca = _check_pca(pca, 2)
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)").detach().cpu()
    threshold = check_positive_float(threshold, "threshold")
    ax = _axes(ax)
    xx, yy, scores = grid if grid is not None else score_grid(pca, bounds, resolution)
    cs = error_contour(ax, xx, yy, scores.clamp_min(1e-12), eps=threshold)
    ax.figure.colorbar(cs, ax=ax, format="%.0e", label="score $L_R$ (MSE)")
    ax.scatter(X[:, 0], X[:, 1], s=8, c="white", edgecolors="black", linewidths=0.3)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def score_histograms(
    scores_normal: torch.Tensor,
    scores_anomalous: torch.Tensor,
    threshold: float | None = None,
    axes: Sequence[Axes] | None = None,
) -> Sequence[Axes]:
    """Histograms of normal and anomalous scores (log x-axis) and the ROC curve.

    Parameters
    ----------
    scores_normal : torch.Tensor or numpy.ndarray
        Shape (N,), non-negative.
    scores_anomalous : torch.Tensor or numpy.ndarray
        Shape (M,), non-negative.
    threshold : float, optional
        Drawn as a vertical line (e.g. the largest training score).
    axes : pair of Axes, optional
        Where to draw; a new 1×2 figure if ``None``.

    Returns
    -------
    pair of matplotlib.axes.Axes
    """
    from sklearn.metrics import roc_curve  # here: sklearn.metrics is slow to import

    sn = as_float_tensor(scores_normal, "scores_normal", ndim=1, shape="(N,)").detach().cpu()
    sa = as_float_tensor(scores_anomalous, "scores_anomalous", ndim=1, shape="(M,)")
    sa = sa.detach().cpu()
    if (sn < 0).any() or (sa < 0).any():
        raise ValueError("scores: expected non-negative reconstruction errors, got negatives")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    if len(axes) != 2 or not all(isinstance(a, Axes) for a in axes):
        raise TypeError("axes: expected a pair of matplotlib Axes or None")
    floor = 1e-8
    both = torch.cat([sn, sa]).clamp_min(floor)
    bins = np.logspace(np.log10(float(both.min())), np.log10(float(both.max())), 40)
    ax = axes[0]
    ax.hist(sn.clamp_min(floor).numpy(), bins=bins, alpha=0.6, label="normal (test)")
    ax.hist(sa.clamp_min(floor).numpy(), bins=bins, alpha=0.6, color="C3", label="anomalous")
    if threshold is not None:
        ax.axvline(threshold, color="black", ls="--", lw=1, label="max training score")
    ax.set_xscale("log")
    ax.set_xlabel("score $L_R$ (MSE, log scale)")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    labels = np.r_[np.zeros(len(sn)), np.ones(len(sa))]
    fpr, tpr, _ = roc_curve(labels, torch.cat([sn, sa]).double().numpy())
    ax = axes[1]
    ax.plot(fpr, tpr, color="C3")
    ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1, label="chance")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="lower right")
    return axes


def plane_3d(
    X: torch.Tensor,
    pca: PCA,
    points: Mapping[str, torch.Tensor] | None = None,
    ax: Axes | None = None,
    extent: float | None = None,
) -> Axes:
    """3-D scatter of the data with its 2-D principal plane μ + span(V_2) drawn as a surface.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Data, shape (N, 3).
    pca : PCA
        With ``n_features == 3`` and ``d == 2``.
    points : dict of str to torch.Tensor, optional
        Extra labelled points, each of shape (3,) or (k, 3), drawn as large markers.
    ax : Axes, optional
        A 3-D axes; a new one if ``None``.
    extent : float, optional
        Half-width of the drawn plane patch in latent units; default covers the data and points.

    Returns
    -------
    matplotlib.axes.Axes
    """
    X = as_float_tensor(X, "X", ndim=2, last_dim=3, shape="(N, 3)").detach().cpu().double()
    pca = _check_pca(pca, 3)
    if pca.d != 2:
        raise ValueError(f"pca: expected d = 2 components (a plane), got d = {pca.d}")
    points = {} if points is None else dict(points)
    pts = {
        k: as_float_tensor(v, f"points[{k!r}]", ndim=(1, 2), last_dim=3, shape="(3,) or (k, 3)")
        .detach()
        .cpu()
        .double()
        .reshape(-1, 3)
        for k, v in points.items()
    }
    ax = _axes(ax, projection="3d")
    V = pca.components.detach().cpu().double()
    mu = pca.mean.detach().cpu().double()
    allpts = torch.cat([X, *pts.values()]) if pts else X
    half = extent if extent is not None else float(((allpts - mu) @ V).abs().max()) * 1.35
    s = torch.linspace(-half, half, 2, dtype=torch.float64)
    ss, tt = torch.meshgrid(s, s, indexing="ij")
    surf = mu + ss[..., None] * V[:, 0] + tt[..., None] * V[:, 1]
    ax.plot_surface(*(surf[..., k].numpy() for k in range(3)), alpha=0.25, color="C0")
    ax.scatter(*X.T.numpy(), s=6, color="C0", label="training data")
    for i, (label, p) in enumerate(pts.items()):
        ax.scatter(*p.T.numpy(), s=60, color=f"C{i + 3}", edgecolors="black", label=label)
    # equal scale on all three axes, so the plane's tilt is not distorted
    corners = torch.cat([allpts, surf.reshape(-1, 3)])
    centre = (corners.max(0).values + corners.min(0).values) / 2
    radius = float((corners.max(0).values - corners.min(0).values).max()) / 2
    for k, setter in enumerate((ax.set_xlim, ax.set_ylim, ax.set_zlim)):
        setter(float(centre[k]) - radius, float(centre[k]) + radius)
    ax.set_box_aspect((1, 1, 1))
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_zlabel("$x_3$")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def principal_line(
    X: torch.Tensor,
    pca: PCA,
    a: torch.Tensor | None = None,
    ax: Axes | None = None,
    circle: bool = True,
) -> Axes:
    """2-D data with the principal line μ + span(v_1), and optionally a point ``a`` on it.

    A circle around ``a`` with radius minᵢ‖xᵢ − a‖ shows that no training point is closer.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Data, shape (N, 2).
    pca : PCA
        Fitted to 2-D data with d = 1.
    a : torch.Tensor, optional
        A point, shape (2,).
    ax : Axes, optional
        Where to draw; a new figure if ``None``.
    circle : bool
        Draw the nearest-training-point circle around ``a``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)").detach().cpu().double()
    pca = _check_pca(pca, 2)
    if pca.d != 1:
        raise ValueError(f"pca: expected d = 1 component (a line), got d = {pca.d}")
    ax = _axes(ax)
    if a is not None:
        a = as_float_tensor(a, "a", ndim=1, last_dim=2, shape="(2,)").detach().cpu().double()
    line = _principal_segment(X, pca, a)
    ax.plot(*line.T.numpy(), color="C0", lw=1, label=r"principal line $\mu + t\,v_1$")
    ax.scatter(*X.T.numpy(), s=8, color="C0", alpha=0.7, label="training data")
    if a is not None:
        dist = (X - a).norm(dim=1)
        ax.plot(*a.numpy(), "*", ms=14, color="C3", mec="black", label="a")
        if circle:
            r = float(dist.min())
            ax.add_patch(Circle(a.numpy(), r, fill=False, color="C3", ls="--", lw=1))
            ax.plot(*X[int(dist.argmin())].numpy(), "o", ms=7, mfc="none", mec="C3")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def _principal_segment(X: torch.Tensor, pca: PCA, a: torch.Tensor | None) -> torch.Tensor:
    """End points (2, 2) of the drawn principal line: past every point of X and a."""
    v = pca.components[:, 0].detach().cpu().double()
    mu = pca.mean.detach().cpu().double()
    pts = X if a is None else torch.cat([X, a[None]])
    reach = float(((pts - mu) @ v).abs().max()) * 1.15 + 1.0
    return mu + torch.tensor([-reach, reach], dtype=torch.float64)[:, None] * v


def hull_argument(
    Y: torch.Tensor,
    direction: torch.Tensor,
    t: float,
    interior_index: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Theorem 2's convex-hull argument, drawn in the 2-D latent plane of the projected data.

    Start at the hull vertex yₛ that is extreme along the unit direction u and move to
    yₛ + t·u: every projected point lies behind the line through yₛ perpendicular to u, hence at
    least t away. Starting at an *interior* point instead (``interior_index``) and moving the
    same distance can land right next to other data.

    Parameters
    ----------
    Y : torch.Tensor or numpy.ndarray
        Projected data (xᵢ − μ) V_d, shape (N, 2), N ≥ 3 not all on a line.
    direction : torch.Tensor or numpy.ndarray
        u, shape (2,), nonzero (normalised here).
    t : float
        Distance moved, > 0.
    interior_index : int, optional
        Index of a point to show the failing "start inside the hull" move from; its legend
        entry gives the distance from the end point to the nearest other yᵢ *in the latent
        plane* (the distance in the input space is at least as large).
    ax : Axes, optional
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from scipy.spatial import ConvexHull  # here: scipy.spatial is slow to import

    Y = as_float_tensor(Y, "Y", ndim=2, last_dim=2, shape="(N, 2)").detach().cpu().double()
    if Y.shape[0] < 3:
        raise ValueError(f"Y: expected at least 3 points for a hull, got {Y.shape[0]}")
    u = as_float_tensor(direction, "direction", ndim=1, last_dim=2, shape="(2,)").double()
    if float(u.norm()) == 0.0:
        raise ValueError("direction: expected a nonzero vector, got all zeros")
    u = (u / u.norm()).detach().cpu()
    t = check_positive_float(t, "t")
    ax = _axes(ax)
    hull = ConvexHull(Y.numpy())
    ax.add_patch(
        Polygon(Y[hull.vertices].numpy(), closed=True, alpha=0.15, color="C0", label="convex hull")
    )
    ax.scatter(*Y.T.numpy(), s=6, color="C0")
    s = int(torch.argmax(Y @ u))
    start = Y[s]
    a = start + t * u
    normal = torch.stack([-u[1], u[0]])
    span = float((Y - start).norm(dim=1).max())
    wall = torch.stack([start - span * normal, start + span * normal])
    ax.plot(*wall.T.numpy(), color="grey", ls=":", lw=1, label=r"$\{y: (y - y_s)\cdot u = 0\}$")
    ax.annotate("", xy=a.numpy(), xytext=start.numpy(), arrowprops={"arrowstyle": "->"})
    ax.plot(*start.numpy(), "o", ms=7, color="C1", mec="black", label="hull vertex $y_s$")
    ax.plot(*a.numpy(), "*", ms=14, color="C3", mec="black", label=r"$y_s + t\,u$ (all $\geq t$)")
    ax.add_patch(Circle(a.numpy(), t, fill=False, color="C3", ls="--", lw=1))
    if interior_index is not None:
        i = int(interior_index)
        if not 0 <= i < Y.shape[0]:
            raise ValueError(f"interior_index: expected 0 ≤ i < {Y.shape[0]}, got {i}")
        b = Y[i] + t * u
        near = float(torch.cat([Y[:i], Y[i + 1 :]]).sub(b).norm(dim=1).min())
        ax.annotate("", xy=b.numpy(), xytext=Y[i].numpy(), arrowprops={"arrowstyle": "->"})
        label = f"interior start + t u: nearest other $y_i$ at {near:.2f}\n(latent-plane distance)"
        ax.plot(*b.numpy(), "X", ms=10, color="C4", mec="black", label=label)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("$y_1$ (first principal coordinate)")
    ax.set_ylabel("$y_2$")
    ax.legend(fontsize=7, loc="lower left")
    return ax


def angle_curves(
    curves: Mapping[str, torch.Tensor], ax: Axes | None = None, degrees: bool = False
) -> Axes:
    """Largest principal angle against epoch, one line per labelled run, log y-axis.

    Parameters
    ----------
    curves : dict of str to torch.Tensor
        Each value has shape (E + 1,) (angle after 0, 1, …, E epochs), radians, ≥ 0.
    ax : Axes, optional
        Where to draw; a new figure if ``None``.
    degrees : bool
        Plot in degrees instead of radians.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError("curves: expected a non-empty dict of label to angle curve")
    ax = _axes(ax)
    for label, c in curves.items():
        c = as_float_tensor(c, f"curves[{label!r}]", ndim=1, shape="(E + 1,)").detach().cpu()
        c = c.double()
        if (c < 0).any():
            raise ValueError(f"curves[{label!r}]: expected non-negative angles, got negatives")
        y = torch.rad2deg(c) if degrees else c
        ax.semilogy(np.arange(len(y)), y.clamp_min(1e-18).numpy(), label=str(label))
    ax.set_xlabel("epoch")
    ax.set_ylabel("largest principal angle " + ("(°)" if degrees else "(rad)"))
    ax.legend(fontsize=8)
    return ax
