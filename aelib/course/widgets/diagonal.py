"""The direction-angle explorer of notebook 04 (§4.4.1): error along rays from the data's centre.

Far from the data a ReLU autoencoder is one frozen affine map x ↦ A x + b, so along a ray
x₀ + r u the error f(x) - x = (A - I)(x₀ + r u) + b grows like r unless A u = u: only the
eigen-directions of A with eigenvalue 1 (:func:`aelib.course.exercises.nb04.fixed_directions`)
have a bounded far-field error. The explorer turns the ray's angle θ and shows the error along it
for several models at once.
"""

from __future__ import annotations

import copy
import math

import ipywidgets as widgets
import numpy as np
import torch
from torch import nn

from aelib._validation import as_float_tensor, check_module, check_positive_float
from aelib.course import config
from aelib.course.plots.toy import _data_points
from aelib.course.widgets._controls import explorer_widget
from aelib.course.widgets._live import LiveFigure

__all__ = ["direction_explorer", "ray_errors"]

#: Errors below this are drawn at it on the log axis (a perfect reconstruction is 0).
ERROR_FLOOR = 1e-12

_COLOURS = ("black", "tab:blue", "tab:orange", "tab:green", "tab:purple")


def ray_errors(
    model: nn.Module, origin: torch.Tensor, theta: float, r: torch.Tensor
) -> torch.Tensor:
    """MSE ‖f(x) - x‖²/D at x = origin + r·(cos θ, sin θ), in float64.

    Parameters
    ----------
    model : torch.nn.Module
        An autoencoder on 2-D points (a float64 copy is evaluated; the model is not changed).
    origin : torch.Tensor
        The ray's start x₀, shape (2,).
    theta : float
        The ray's angle in degrees.
    r : torch.Tensor
        Distances along the ray, shape (R,).

    Returns
    -------
    torch.Tensor
        float64, shape (R,).
    """
    check_module(model)
    o = torch.as_tensor(origin, dtype=torch.float64)
    r = torch.as_tensor(r, dtype=torch.float64)
    if o.shape != (2,) or r.ndim != 1:
        raise ValueError(f"origin, r: expected shapes (2,) and (R,), got {o.shape}, {r.shape}")
    if not math.isfinite(theta):
        raise ValueError(f"theta: expected a finite angle in degrees, got {theta!r}")
    u = torch.tensor([math.cos(math.radians(theta)), math.sin(math.radians(theta))])
    x = o + r[:, None] * u.double()
    net = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        return ((net(x) - x) ** 2).mean(1)


def direction_explorer(
    models: dict[str, nn.Module],
    X: torch.Tensor,
    r_max: float = 20.0,
    step: float = 5.0,
    eps: float | None = None,
) -> widgets.interactive:
    """Turn a ray x₀ + r·u_θ around the data's centre x₀ and plot each model's error along it.

    Parameters
    ----------
    models : dict of str to torch.Module
        Up to five ReLU :class:`aelib.models.MLPAutoencoder` on 2-D data, by legend label.
    X : torch.Tensor or numpy.ndarray
        Training data, shape (N, 2); x₀ is its mean.
    r_max : float
        The ray is drawn for r in [0, r_max]; the "far field" is read at r_max.
    step : float
        Slider step in degrees (θ in [0, 360 - step]).
    eps : float, optional
        The detection threshold ε (drawn as a line); default ``config.EPSILON``.

    Returns
    -------
    ipywidgets.interactive
        One slider ``theta``; ``.result`` is a dict with ``theta``, ``direction`` (unit vector),
        ``r`` (R,), and per label: ``errors`` (R,), ``far_error`` (at r_max), ``below_eps``
        (far error < ε) and ``on_fixed`` (θ is within 0.05° of one of the model's fixed
        directions, :func:`aelib.course.exercises.nb04.fixed_directions`); ``fixed`` holds those
        directions per label.
    """
    from aelib.course.exercises.nb04 import fixed_directions

    if not isinstance(models, dict) or not 0 < len(models) <= len(_COLOURS):
        raise TypeError(f"models: expected a dict of 1 to {len(_COLOURS)} label -> model")
    for label, model in models.items():
        check_module(model, f"models[{label!r}]")
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)", dtype=torch.float64)
    r_max = check_positive_float(r_max, "r_max")
    step = check_positive_float(step, "step")
    if step >= 360:
        raise ValueError(f"step: expected an angle below 360 degrees, got {step}")
    eps = check_positive_float(config.EPSILON if eps is None else eps, "eps")
    origin = X.mean(0)
    r = torch.linspace(0.0, r_max, 201, dtype=torch.float64)
    fixed = {label: fixed_directions(m, origin) for label, m in models.items()}
    colours = dict(zip(models, _COLOURS, strict=False))

    live = LiveFigure(figsize=(9.0, 3.9), ncols=2, gridspec_kw={"width_ratios": [1, 1.3]})
    ax_plane, ax_err = live.axes
    lim = 1.1 * r_max
    x0, y0 = (float(v) for v in origin)
    ax_plane.set_xlim(x0 - lim, x0 + lim)
    ax_plane.set_ylim(y0 - lim, y0 + lim)
    ax_plane.set_aspect("equal")
    _data_points(ax_plane, X)
    for i, (label, angles) in enumerate(fixed.items()):
        width = 3.5 if i == 0 else 1.5  # the first drawn widest: equal arrows stay visible
        for k, angle in enumerate(angles):
            u = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
            ax_plane.annotate(
                "",
                xy=tuple(origin.numpy() + r_max * u),
                xytext=tuple(origin.numpy()),
                arrowprops={"arrowstyle": "->", "color": colours[label], "lw": width, "ls": "--"},
            )
            if k == 0:
                ax_plane.plot([], [], ls="--", color=colours[label], label=f"fixed: {label}")
    (ray_line,) = ax_plane.plot([], [], color="red", lw=4, alpha=0.4, label="ray θ", zorder=1)
    ax_plane.legend(loc="lower right", fontsize=8)
    ax_plane.set_xlabel("$x_1$")
    ax_plane.set_ylabel("$x_2$")
    ax_plane.set_title("rays from the data's centre (dashed: fixed directions)", fontsize=9)

    ax_err.set_yscale("log")
    ax_err.set_xlim(0, r_max)
    ax_err.set_ylim(ERROR_FLOOR / 3, 1e4 * max(1.0, r_max**2))  # room for the readout
    ax_err.axhline(eps, color="red", lw=0.8, ls=":", label=f"ε = {eps:g}")
    curves = {}
    for k, label in enumerate(models):  # the first drawn widest: equal curves stay visible
        width = 4.0 if k == 0 else 1.5
        (curves[label],) = ax_err.plot([], [], color=colours[label], lw=width, label=label)
    ax_err.legend(loc="lower right", fontsize=8)
    ax_err.set_xlabel("distance r from the data's centre along the ray")
    ax_err.set_ylabel(f"MSE (below {ERROR_FLOOR:g} drawn at it)")
    title = ax_err.set_title("", fontsize=9)
    readout = ax_err.text(
        0.02,
        0.97,
        "",
        transform=ax_err.transAxes,
        va="top",
        ha="left",
        fontsize=8,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )

    def update(theta: float) -> dict:
        u = torch.tensor([math.cos(math.radians(theta)), math.sin(math.radians(theta))])
        ends = torch.stack([origin, origin + r_max * u.double()])
        ray_line.set_data(ends[:, 0].numpy(), ends[:, 1].numpy())
        result: dict = {"theta": theta, "direction": u, "r": r, "fixed": fixed}
        result.update(errors={}, far_error={}, below_eps={}, on_fixed={})
        parts = []
        for label, model in models.items():
            err = ray_errors(model, origin, theta, r)
            curves[label].set_data(r.numpy(), err.clamp_min(ERROR_FLOOR).numpy())
            far = float(err[-1])
            on_fixed = any(abs((theta - a + 180.0) % 360.0 - 180.0) <= 0.05 for a in fixed[label])
            result["errors"][label] = err
            result["far_error"][label] = far
            result["below_eps"][label] = far < eps
            result["on_fixed"][label] = on_fixed
            parts.append(f"{label}: {far:.2g}{'  (fixed direction)' if on_fixed else ''}")
        title.set_text(f"θ = {theta:g}°: error along the ray")
        readout.set_text(f"MSE at r = {r_max:g}:\n" + "\n".join(parts))
        return result

    def show(theta: float) -> dict:
        shown = update(theta)
        live.show()
        return shown

    update(45.0)
    live.readable()
    live.freeze([ray_line, title, readout, *curves.values()])
    slider = widgets.FloatSlider(
        value=45.0,
        min=0.0,
        max=360.0 - step,
        step=step,
        description="θ (degrees)",
        continuous_update=False,
    )
    return explorer_widget(show, theta=slider)
