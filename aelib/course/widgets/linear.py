"""Slider explorers for notebooks 01–03 (linear theory).

Each function returns an ``ipywidgets.interactive``; moving a control (or setting its
``.value`` from code) updates the figure (built once, see :class:`LiveFigure`), shows it in the
widget's output and stores the shown numbers in ``.result``.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import torch

from aelib._validation import as_float_tensor, check_positive_float
from aelib.course import config
from aelib.course.plots.linear import (
    _principal_segment,
    angle_curves,
    principal_line,
    score_grid,
    score_map,
)
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import LiveFigure
from aelib.linalg import PCA

__all__ = ["score_explorer", "hyperplane_explorer", "training_explorer"]


def _check_pca(pca: object, n: int, d: int | None = None) -> PCA:
    if not isinstance(pca, PCA):
        raise TypeError(f"pca: expected a PCA from aelib.linalg.pca, got {type(pca).__name__}")
    if pca.n_features != n or (d is not None and pca.d != d):
        want = f"{n}-D data" + (f" with d = {d}" if d is not None else "")
        raise ValueError(f"pca: expected a PCA of {want}, got n = {pca.n_features}, d = {pca.d}")
    return pca


def score_explorer(
    pca: PCA,
    X: torch.Tensor,
    r_max: float | None = None,
    r_step: float | None = None,
) -> widgets.interactive:
    """Move a test point a = r (cos θ, sin θ) over a 2-D PCA model's score map.

    The detector flags a if its score exceeds the largest training score (the strictest
    threshold that flags no training point).

    Parameters
    ----------
    pca : PCA
        Fitted to 2-D data.
    X : torch.Tensor or numpy.ndarray
        Training data, shape (N, 2).
    r_max, r_step : float, optional
        Range [0, r_max] and step of the radius slider; defaults: ``config.NB01_PLANE[1]`` and
        ``config.NB01_R_STEP`` (read at call time).

    Returns
    -------
    ipywidgets.interactive
        Sliders ``r`` and ``theta`` (degrees); ``.result`` is a dict with ``r``, ``theta``,
        ``point`` (tensor (2,)), ``score``, ``threshold``, ``flagged`` and ``distance`` (to the
        nearest training point).
    """
    r_max = config.NB01_PLANE[1] if r_max is None else r_max
    r_step = config.NB01_R_STEP if r_step is None else r_step
    pca = _check_pca(pca, 2)
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)").detach().cpu()
    X = X.to(pca.components.dtype)
    r_max = check_positive_float(r_max, "r_max")
    r_step = check_positive_float(r_step, "r_step")
    threshold = float(pca.reconstruction_error(X).max())
    grid = score_grid(pca, (-r_max, r_max), config.NB01_GRID)
    live = LiveFigure(figsize=(6, 4.6))
    ax = live.axes
    score_map(pca, X, threshold, ax=ax, grid=grid)
    (star,) = ax.plot([0.0], [0.0], "*", ms=16, mec="black")
    title = ax.set_title("", fontsize=9)

    def update(r: float, theta: float) -> dict:
        t = math.radians(theta)
        a = torch.tensor([r * math.cos(t), r * math.sin(t)], dtype=pca.components.dtype)
        score = float(pca.reconstruction_error(a))
        flagged = score > threshold
        dist = float((X - a).norm(dim=1).min())
        star.set_data(*a.numpy()[:, None])
        star.set_color("cyan" if flagged else "magenta")
        title.set_text(
            f"score {score:.3g} {'>' if flagged else '≤'} max training score {threshold:.3g}: "
            f"{'FLAGGED' if flagged else 'called normal'}\n"
            f"(red: called normal)   nearest training point {dist:.2f} away"
        )
        return {
            "r": r,
            "theta": theta,
            "point": a,
            "score": score,
            "threshold": threshold,
            "flagged": flagged,
            "distance": dist,
        }

    def show(r: float, theta: float) -> dict:
        shown = update(r, theta)
        live.show()
        return shown

    update(0.0, 0.0)
    live.readable()
    live.freeze([star, title])
    return explorer_widget(
        show,
        r=widgets.FloatSlider(
            value=0.0, min=0.0, max=r_max, step=r_step, description="r", continuous_update=False
        ),
        theta=widgets.FloatSlider(
            value=0.0, min=0.0, max=360.0, step=5.0, description="θ (°)", continuous_update=False
        ),
    )


def hyperplane_explorer(
    X: torch.Tensor,
    pca: PCA,
    c_max: float | None = None,
    c_step: float | None = None,
) -> widgets.interactive:
    """Slide a = μ + (yₛ + c) v₁ᵀ along a 2-D PCA line (Theorem 2 with d = 1).

    yₛ is the largest first principal coordinate of the data, the hull vertex in the +v₁
    direction; c > 0 moves away from all data, c < 0 back through it.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Training data, shape (N, 2).
    pca : PCA
        Fitted to 2-D data with d = 1.
    c_max, c_step : float, optional
        Range [-c_max, c_max] and step of the slider; defaults: ``config.NB02_C_MAX`` and
        ``config.NB02_C_STEP`` (read at call time).

    Returns
    -------
    ipywidgets.interactive
        Slider ``c``; ``.result`` is a dict with ``c``, ``point`` (tensor (2,)), ``loss``,
        ``min_distance`` (nearest training point), ``start_distance`` (‖a − xₛ‖ ≥ |c|) and
        ``min_normal_loss`` (smallest training loss).
    """
    c_max = config.NB02_C_MAX if c_max is None else c_max
    c_step = config.NB02_C_STEP if c_step is None else c_step
    pca = _check_pca(pca, 2, 1)
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)").detach().cpu()
    X = X.to(pca.components.dtype)
    c_max = check_positive_float(c_max, "c_max")
    c_step = check_positive_float(c_step, "c_step")
    y = pca.encode(X)
    s = int(torch.argmax(y[:, 0]))
    min_normal = float(pca.reconstruction_error(X).min())
    live = LiveFigure(figsize=(6, 4.2))
    ax = live.axes
    Xd = X.double()
    principal_line(Xd, pca, Xd[s], ax=ax)
    # the artists principal_line drew, in its order: line, a, its nearest-point circle and ring
    line, star, ring = ax.lines
    (circle,) = ax.patches
    ax.plot(*X[s].numpy(), "s", ms=7, color="C1", mec="black", label="start $x_s$")
    ax.legend(fontsize=8, loc="upper left")
    title = ax.set_title("", fontsize=9)

    def update(c: float) -> dict:
        a = pca.decode(y[s] + torch.tensor([c], dtype=y.dtype))
        loss = float(pca.reconstruction_error(a))
        dist = float((X - a).norm(dim=1).min())
        ad = a.detach().double()
        line.set_data(*_principal_segment(Xd, pca, ad).T.numpy())
        star.set_data(*ad.numpy()[:, None])
        circle.set(center=ad.numpy(), radius=dist)
        ring.set_data(*Xd[int((Xd - ad).norm(dim=1).argmin())].numpy()[:, None])
        ax.relim()  # lines and the circle; the scatter of X is not a line: add it back
        ax.update_datalim(Xd.numpy())
        ax.autoscale_view()
        title.set_text(
            f"c = {c:g}: loss $L_R(a)$ = {loss:.1e} (smallest training loss {min_normal:.1e})\n"
            f"nearest training point {dist:.3f} away"  # 3 decimals: 49.997 must not read 50
        )
        return {
            "c": c,
            "point": a,
            "loss": loss,
            "min_distance": dist,
            "start_distance": float((X[s] - a).norm()),
            "min_normal_loss": min_normal,
        }

    def show(c: float) -> dict:
        shown = update(c)
        live.show()  # never frozen: the view follows a, so the whole figure is redrawn
        return shown

    update(0.0)
    live.readable()
    live.fig.tight_layout()

    slider = widgets.FloatSlider(
        value=0.0, min=-c_max, max=c_max, step=c_step, description="c", continuous_update=False
    )
    return explorer_widget(show, c=slider)


def training_explorer(angles: torch.Tensor, losses: list[float]) -> widgets.interactive:
    """Scrub through a training run: the largest principal angle and the loss at an epoch.

    Parameters
    ----------
    angles : torch.Tensor or numpy.ndarray
        Largest principal angle (radians) after 0, 1, …, E epochs, shape (E + 1,).
    losses : list of float
        Training loss at each epoch, length E (as returned by :func:`aelib.train.fit`).

    Returns
    -------
    ipywidgets.interactive
        Integer slider ``epoch`` in [0, E]; ``.result`` is a dict with ``epoch``,
        ``angle_deg`` (largest angle in degrees) and ``loss`` (the loss of epoch ``epoch``,
        ``None`` at epoch 0).
    """
    angles = as_float_tensor(angles, "angles", ndim=1, shape="(E + 1,)").detach().cpu().double()
    if not isinstance(losses, list | tuple) or len(losses) != len(angles) - 1:
        raise ValueError(
            f"losses: expected a list of {len(angles) - 1} floats (one per epoch), got "
            f"{type(losses).__name__} of length {len(losses) if hasattr(losses, '__len__') else '?'}"
        )
    deg = torch.rad2deg(angles)
    live = LiveFigure(figsize=(10, 3.4), ncols=2)
    ax1, ax2 = live.axes
    angle_curves({"largest principal angle": deg}, ax=ax1)
    ax1.set_ylabel("angle (°)")
    ax1.axhline(config.NB03_ANGLE_TARGET_DEG, color="grey", ls=":", lw=1)
    ax2.semilogy(range(1, len(losses) + 1), losses, color="C1")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("training MSE")
    live.fix_limits()  # the epoch cursor must not widen the axes
    cursors = [ax.axvline(0, color="black", lw=1) for ax in (ax1, ax2)]
    title = live.fig.suptitle("", fontsize=10)

    def update(epoch: int) -> dict:
        loss = float(losses[epoch - 1]) if epoch > 0 else None
        for cursor in cursors:
            cursor.set_xdata([epoch, epoch])
        title.set_text(
            f"epoch {epoch}: largest angle {float(deg[epoch]):.3g}°"
            + (f", loss {loss:.4g}" if loss is not None else "")
        )
        return {"epoch": epoch, "angle_deg": float(deg[epoch]), "loss": loss}

    def show(epoch: int) -> dict:
        shown = update(epoch)
        live.show()
        return shown

    update(0)
    live.readable()
    live.freeze([*cursors, title])

    slider = widgets.IntSlider(
        value=0, min=0, max=len(angles) - 1, step=1, description="epoch", continuous_update=False
    )
    return explorer_widget(show, epoch=slider)
