"""The one grid over a 2-D plane (input plane or latent plane) and the one check of its bounds."""

from __future__ import annotations

import math
import numbers

import torch

__all__ = ["check_bounds", "plane_grid"]


def check_bounds(bounds: object) -> tuple[tuple[float, float], tuple[float, float]]:
    """``(lo, hi)`` for both axes, or ``((xlo, xhi), (ylo, yhi))`` → two checked float pairs.

    Raises TypeError for anything that is not two numbers or two pairs of numbers, ValueError
    unless each pair is finite with lo < hi.
    """
    msg = f"bounds: expected (lo, hi) or ((xlo, xhi), (ylo, yhi)) of numbers, got {bounds!r}"
    try:
        pairs = (
            (tuple(bounds), tuple(bounds))
            if len(bounds) == 2 and all(isinstance(b, numbers.Real) for b in bounds)
            else tuple(tuple(b) for b in bounds)
        )
    except TypeError:
        raise TypeError(msg) from None
    if len(pairs) != 2 or any(len(p) != 2 for p in pairs):
        raise TypeError(msg)
    out = []
    for axis, (lo, hi) in zip("xy", pairs, strict=True):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (lo, hi)):
            raise TypeError(msg)
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(
                f"bounds: expected finite lo < hi on the {axis} axis, got ({lo}, {hi})"
            )
        out.append((lo, hi))
    return out[0], out[1]


def plane_grid(
    bounds: object,
    resolution: int,
    *,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A ``resolution`` × ``resolution`` grid over a rectangle of the plane.

    Parameters
    ----------
    bounds : (lo, hi) or ((xlo, xhi), (ylo, yhi))
        The rectangle, see :func:`check_bounds`.
    resolution : int
        Points per axis, at least 2 (end points included).
    dtype, device : optional
        Of the returned tensors (torch's default dtype when ``None``).

    Returns
    -------
    xx, yy : torch.Tensor
        Coordinates, shape (R, R) each, as ``meshgrid(ys, xs, indexing="ij")`` (row i is y_i).
    points : torch.Tensor
        Shape (R·R, 2); row ``i * R + j`` is ``(x_j, y_i)``, so ``values.reshape(R, R)`` lines up
        with ``xx`` and ``yy``.
    """
    (xlo, xhi), (ylo, yhi) = check_bounds(bounds)
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral):
        raise TypeError(f"resolution: expected an int, got {type(resolution).__name__}")
    if resolution < 2:
        raise ValueError(f"resolution: expected at least 2 points per axis, got {resolution}")
    xs = torch.linspace(xlo, xhi, int(resolution), dtype=dtype, device=device)
    ys = torch.linspace(ylo, yhi, int(resolution), dtype=dtype, device=device)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return xx, yy, torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
