"""Slider explorers for notebooks 04–07 (toy data, Figure 1)."""

from __future__ import annotations

import ipywidgets as widgets
import torch
from torch import nn

from aelib._validation import as_float_tensor, check_module, check_positive_float
from aelib.course import config
from aelib.course.oob import OutOfBounds, activation_pattern, distance_to_data
from aelib.course.plots._contour import _eps_zone
from aelib.course.plots.toy import _data_points, _grid_arrays, _panel_background, figure1_panel
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import LiveFigure
from aelib.metrics import reconstruction_error

__all__ = ["ray_explorer", "epsilon_explorer"]


def ray_explorer(
    model: nn.Module,
    X: torch.Tensor,
    oob: OutOfBounds,
    direction: tuple[float, float] = (1.0, 1.0),
    origin: tuple[float, float] = (0.0, 0.0),
    t_max: float = 10.0,
    step: float = 0.1,
) -> widgets.interactive:
    """Walk a point a(t) = origin + t·d/|d| outward and watch its error and active units.

    Parameters
    ----------
    model : torch.nn.Module
        An :class:`aelib.models.MLPAutoencoder` on 2-D data.
    X : torch.Tensor or numpy.ndarray
        Training data, shape (N, 2).
    oob : OutOfBounds
        The model's measured grid (drawn as background).
    direction, origin : pair of float
        The ray.
    t_max, step : float
        Slider range [-t_max, t_max] and step.

    Returns
    -------
    ipywidgets.interactive
        One slider ``t``; ``.result`` is a dict with ``t``, ``point``, ``error``,
        ``min_normal_error``, ``percentile`` (percentage of the training points whose MSE is
        lower than the point's: its percentile among the normal errors), ``distance`` (to the
        nearest data point), ``active`` (indices of the active hidden units) and ``below_eps``.
    """
    check_module(model)
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)", dtype=torch.float32)
    if not isinstance(oob, OutOfBounds):
        raise TypeError(f"oob: expected an OutOfBounds result, got {type(oob).__name__}")
    d = torch.tensor(direction, dtype=torch.float32)
    o = torch.tensor(origin, dtype=torch.float32)
    if d.shape != (2,) or o.shape != (2,) or float(d.norm()) == 0:
        raise ValueError(
            f"direction, origin: expected non-zero pair and pair, got {direction}, {origin}"
        )
    d = d / d.norm()
    t_max = check_positive_float(t_max, "t_max")
    step = check_positive_float(step, "step")
    normal = reconstruction_error(model, X)
    min_normal = float(normal.min())
    live = LiveFigure(figsize=(5, 4.3))
    ax = live.axes
    figure1_panel(oob, X, ax=ax, mark_zone=False)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.plot(*torch.stack([o - t_max * d, o + t_max * d]).T, color="white", lw=0.8, ls="--")
    (point,) = ax.plot(*o[:, None], "o", ms=9, color="cyan", mec="black")
    title = ax.set_title("", fontsize=9)
    # A ReLU unit with a negative pre-activation is off; a sigmoid or tanh unit never is.
    units = (
        "active hidden units"
        if getattr(model, "activation", None) == "relu"
        else "units with positive pre-activation"
    )

    def update(t: float) -> dict:
        a = (o + t * d)[None]
        err = float(reconstruction_error(model, a)[0])
        active = torch.nonzero(activation_pattern(model, a)[0]).flatten().tolist()
        dist = float(distance_to_data(a, X)[0])
        percentile = 100.0 * float((normal < err).double().mean())
        point.set_data(a[0, :1], a[0, 1:])
        title.set_text(
            f"t = {t:.1f}: MSE {err:.3g} ({'<' if err < oob.eps else '≥'} ε), "
            f"distance {dist:.2f}\nhigher than {percentile:.0f} % of the normal MSEs "
            f"(percentile)\n{units} {active}"
        )
        return {
            "t": t,
            "point": a[0],
            "error": err,
            "min_normal_error": min_normal,
            "percentile": percentile,
            "distance": dist,
            "active": active,
            "below_eps": err < oob.eps,
        }

    def show(t: float) -> dict:
        shown = update(t)
        live.show()
        return shown

    update(0.0)
    live.readable()
    live.freeze([point, title])
    slider = widgets.FloatSlider(
        value=0.0, min=-t_max, max=t_max, step=step, description="t", continuous_update=False
    )
    return explorer_widget(show, t=slider)


def epsilon_explorer(
    oob: OutOfBounds, X: torch.Tensor, eps_max: float = 1.0, step: float = 0.01
) -> widgets.interactive:
    """Move the threshold ε and watch the out-of-bounds zone grow or vanish.

    Parameters
    ----------
    oob : OutOfBounds
        A measured grid (its ``margin`` defines "outside the data").
    X : torch.Tensor or numpy.ndarray
        Training data, shape (N, 2).
    eps_max, step : float
        Slider range (step, eps_max] for ε.

    Returns
    -------
    ipywidgets.interactive
        One slider ``eps``; ``.result`` is a dict with ``eps``, ``area`` and ``max_distance`` of
        the zone at that ε.
    """
    if not isinstance(oob, OutOfBounds):
        raise TypeError(f"oob: expected an OutOfBounds result, got {type(oob).__name__}")
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)")
    eps_max = check_positive_float(eps_max, "eps_max")
    step = check_positive_float(step, "step")
    cell = oob.cell_area
    far = oob.distance > oob.margin
    live = LiveFigure(figsize=(5, 4))
    ax = live.axes
    _panel_background(oob, ax, colorbar=True)
    title = ax.set_title("ε", fontsize=9)  # a representative title for the layout
    live.readable()
    live.freeze([title])
    points = _data_points(ax, X)  # drawn over the red zone, so it moves with it
    xx, yy, errors = _grid_arrays(oob)

    def show(eps: float) -> dict:
        zone = (oob.errors < eps) & far
        area = float(zone.sum()) * cell
        max_distance = float(oob.distance[zone].max()) if zone.any() else 0.0
        for artist in live.moving:
            if artist not in (points, title):
                artist.remove()  # the ε zone and its outline: new contours for a new ε
        red = _eps_zone(ax, xx, yy, errors, eps)
        outline = None
        if zone.any():
            outline = ax.contour(
                oob.xx, oob.yy, zone.float(), levels=[0.5], colors="black", linewidths=1
            )
        live.set_moving([red, outline, points, title])
        title.set_text(f"ε = {eps:.2f}: out-of-bounds area {area:.3g}, farthest {max_distance:.3g}")
        live.show()
        return {"eps": eps, "area": area, "max_distance": max_distance}

    slider = widgets.FloatSlider(
        value=config.EPSILON,
        min=step,
        max=eps_max,
        step=step,
        description="ε",
        continuous_update=False,
        readout_format=".2f",
    )
    return explorer_widget(show, eps=slider)
