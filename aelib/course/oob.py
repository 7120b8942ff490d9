"""Out-of-bounds reconstruction on the 2-D input plane (§4.4, Figure 1), measured.

:func:`error_grid` evaluates a model's per-point MSE on a regular grid over a wide plane.
:func:`out_of_bounds` finds the *out-of-bounds zone*: grid points farther than ``margin`` from
every training point whose MSE is still below ε. It reports the zone's area, its farthest
distance from the data, and the worst case of §4.1: is some far point scored as normal as the most
normal training point, ``L(a) <= min_i L(x_i)``?

A grid is finite: a zone that reaches the edge of the plane may continue beyond it (ReLU networks
become linear far away), which :attr:`OutOfBounds.touches_edge` says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import torch
from torch import nn

from aelib._grid import check_bounds, plane_grid
from aelib._validation import (
    as_float_tensor,
    check_module,
    check_nonnegative_float,
    check_positive_float,
)
from aelib.course import config
from aelib.metrics import reconstruction_error
from aelib.neighbors import nearest_distance

__all__ = ["error_grid", "out_of_bounds", "OutOfBounds", "activation_pattern", "distance_to_data"]


def error_grid(
    model: nn.Module,
    bounds: object | None = None,
    resolution: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The model's per-point MSE on a regular grid over the plane.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (B, 2) to reconstructions (B, 2).
    bounds : (lo, hi) or ((xlo, xhi), (ylo, yhi)), optional
        Extent of the grid; default: ``config.TOY_PLANE`` (read at call time).
    resolution : int, optional
        Grid points per axis (≥ 2); default: ``config.TOY_GRID`` (read at call time).

    Returns
    -------
    xx, yy, errors : torch.Tensor
        Each of shape (resolution, resolution), ``xx``/``yy`` as from
        ``meshgrid(..., indexing="xy")``; ``errors`` is the MSE over the 2 coordinates.
    """
    bounds = config.TOY_PLANE if bounds is None else bounds
    resolution = config.TOY_GRID if resolution is None else resolution
    check_module(model)
    (xlo, xhi), (ylo, yhi) = check_bounds(bounds)
    xx, yy, points = plane_grid(((xlo, xhi), (ylo, yhi)), resolution)
    errors = reconstruction_error(model, points).reshape(resolution, resolution)
    return xx, yy, errors.float()


def distance_to_data(points: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Euclidean distance from each point (M, D) to its nearest data point in ``X`` (N, D).

    :func:`aelib.neighbors.nearest_distance`, returned as float32 of shape (M,).
    """
    return nearest_distance(points, X).float()


# out_of_bounds' grid distances by (grid, data): notebook 07 measures 30 models per activation
# on 3 data sets, and the distances depend on the data set only (11 % of its time, measured)
_GRID_DISTANCES: dict[tuple, torch.Tensor] = {}
_GRID_DISTANCES_MAX = 16


def _grid_distance(points: torch.Tensor, X: torch.Tensor, grid_key: tuple) -> torch.Tensor:
    """:func:`distance_to_data` of a plane grid's points, remembered per grid and data set."""
    data = X.detach().cpu().contiguous()
    key = (grid_key, tuple(data.shape), str(data.dtype), hashlib.sha1(data.numpy()).hexdigest())
    if key not in _GRID_DISTANCES:
        if len(_GRID_DISTANCES) >= _GRID_DISTANCES_MAX:
            _GRID_DISTANCES.pop(next(iter(_GRID_DISTANCES)))  # the oldest
        _GRID_DISTANCES[key] = distance_to_data(points, X)
    return _GRID_DISTANCES[key].clone()


def activation_pattern(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Which hidden units have a positive pre-activation (for ReLU: are *active*) at each point.

    Parameters
    ----------
    model : torch.nn.Module
        An :class:`aelib.models.MLPAutoencoder` (its ``encoder`` and ``decoder`` are walked).
    X : torch.Tensor or numpy.ndarray
        Points, shape (N, D).

    Returns
    -------
    torch.Tensor
        bool, shape (N, H) with H the number of hidden units (all layers but the output, in order).
    """
    check_module(model)
    if not (hasattr(model, "encoder") and hasattr(model, "decoder")):
        raise TypeError(
            f"model: expected an MLPAutoencoder with .encoder and .decoder, got {type(model).__name__}"
        )
    X = as_float_tensor(X, "X", ndim=2, shape="(N, D)", dtype=torch.float32)
    layers = [*model.encoder, *model.decoder]
    linear_idx = [i for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    pattern = []
    h = X
    with torch.no_grad():
        for i, layer in enumerate(layers):
            h = layer(h)
            if isinstance(layer, nn.Linear) and i != linear_idx[-1]:
                pattern.append(h > 0)
    if not pattern:
        raise ValueError("model: expected at least one hidden layer, got none")
    return torch.cat(pattern, dim=1)


@dataclass
class OutOfBounds:
    """The out-of-bounds zone of one model on one data set (see :func:`out_of_bounds`).

    Attributes
    ----------
    xx, yy, errors, distance : torch.Tensor
        The grid (H, W): coordinates, per-point MSE, distance to the nearest training point.
    zone : torch.Tensor
        bool (H, W): ``errors < eps`` and ``distance > margin``.
    area : float
        Area of the zone (grid cells × cell area).
    max_distance : float
        Largest distance from the data of a zone point (0.0 if the zone is empty).
    farthest_point : torch.Tensor or None
        That point, shape (2,).
    data_radius : float
        Largest distance from the data's centroid to a training point (a scale for distances).
    min_normal_error : float
        ``min_i L(x_i)`` over the training data.
    worst_case : bool
        Some grid point farther than ``margin`` has ``L(a) <= min_i L(x_i)`` (§4.1).
    worst_case_distance : float
        Largest distance from the data of such a point (0.0 if none).
    far_min_error : float
        Smallest MSE among grid points farther than ``margin`` (``inf`` if there are none).
    touches_edge : bool
        The zone reaches the border of the grid, so it may extend beyond the plane.
    eps, margin : float
        The thresholds used.
    cell_area : float
        Area of one grid cell.
    """

    xx: torch.Tensor
    yy: torch.Tensor
    errors: torch.Tensor
    distance: torch.Tensor
    zone: torch.Tensor
    area: float
    max_distance: float
    farthest_point: torch.Tensor | None
    data_radius: float
    min_normal_error: float
    worst_case: bool
    worst_case_distance: float
    far_min_error: float
    touches_edge: bool
    eps: float
    margin: float
    cell_area: float

    @property
    def has_zone(self) -> bool:
        """Whether any out-of-bounds point reconstructs below ε."""
        return bool(self.zone.any())

    def summary(self) -> dict[str, float | bool]:
        """The headline numbers, rounded to 3 significant digits (for tables and printing)."""
        return {
            "oob": self.has_zone,
            "area": float(f"{self.area:.3g}"),
            "max_distance": float(f"{self.max_distance:.3g}"),
            "in_data_radii": float(f"{self.max_distance / self.data_radius:.3g}"),
            "touches_edge": self.touches_edge,
            "worst_case": self.worst_case,
            "far_min_error": float(f"{self.far_min_error:.3g}"),
            "min_normal_error": float(f"{self.min_normal_error:.3g}"),
        }

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"OutOfBounds(eps={self.eps:g}, margin={self.margin:g}: zone area {s['area']}, "
            f"farthest {s['max_distance']} = {s['in_data_radii']} data radii"
            f"{' (reaches the grid edge)' if self.touches_edge else ''}; "
            f"worst case L(a) <= min L(x_i) far away: {self.worst_case})"
        )


def out_of_bounds(
    model: nn.Module,
    X: torch.Tensor,
    eps: float | None = None,
    margin: float | None = None,
    bounds: object | None = None,
    resolution: int | None = None,
) -> OutOfBounds:
    """Measure out-of-bounds reconstruction of ``model`` around the training data ``X``.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (B, 2) to reconstructions (B, 2).
    X : torch.Tensor or numpy.ndarray
        The normal (training) data, shape (N, 2).
    eps : float, optional
        Near-perfect threshold on the per-point MSE (the paper: 0.1); default:
        ``config.EPSILON`` (read at call time).
    margin : float, optional
        A grid point counts as *outside the data* if it is farther than this from every point;
        default: ``config.OOB_MARGIN`` (read at call time).
    bounds : (lo, hi) or ((xlo, xhi), (ylo, yhi)), optional
        The plane searched; default: ``config.TOY_PLANE`` (read at call time).
    resolution : int, optional
        Grid points per axis; default: ``config.TOY_GRID`` (read at call time).

    Returns
    -------
    OutOfBounds
        The grid, the zone and its measurements.
    """
    eps = config.EPSILON if eps is None else eps
    margin = config.OOB_MARGIN if margin is None else margin
    bounds = config.TOY_PLANE if bounds is None else bounds
    resolution = config.TOY_GRID if resolution is None else resolution
    check_module(model)
    X = as_float_tensor(X, "X", ndim=2, last_dim=2, shape="(N, 2)", dtype=torch.float32)
    eps = check_positive_float(eps, "eps")
    margin = check_nonnegative_float(margin, "margin")
    xx, yy, errors = error_grid(model, bounds, resolution)
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
    grid_key = (tuple(map(tuple, check_bounds(bounds))), tuple(xx.shape))
    distance = _grid_distance(points, X, grid_key).reshape(xx.shape)
    far = distance > margin
    zone = (errors < eps) & far
    (xlo, xhi), (ylo, yhi) = check_bounds(bounds)
    cell = (xhi - xlo) * (yhi - ylo) / (xx.shape[1] - 1) / (xx.shape[0] - 1)
    normal = reconstruction_error(model, X)
    min_normal = float(normal.min())
    worst = (errors <= min_normal) & far
    centroid = X.double().mean(0)
    data_radius = float((X.double() - centroid).norm(dim=1).max())
    farthest = None
    max_distance = 0.0
    if zone.any():
        idx = torch.argmax(torch.where(zone, distance, torch.tensor(-1.0)))
        max_distance = float(distance.reshape(-1)[idx])
        farthest = points[idx]
    edge = torch.zeros_like(zone)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    return OutOfBounds(
        xx=xx,
        yy=yy,
        errors=errors,
        distance=distance,
        zone=zone,
        area=float(zone.sum()) * cell,
        max_distance=max_distance,
        farthest_point=farthest,
        data_radius=data_radius,
        min_normal_error=min_normal,
        worst_case=bool(worst.any()),
        worst_case_distance=float(distance[worst].max()) if worst.any() else 0.0,
        far_min_error=float(errors[far].min()) if far.any() else float("inf"),
        touches_edge=bool((zone & edge).any()),
        eps=eps,
        margin=margin,
        cell_area=cell,
    )
