"""The latent grid search (2-D latents): decode every grid point, score it, keep the minima.

:func:`run` does the work for :class:`aelib.attacks.LatentGrid` and
:func:`aelib.attacks.latent_grid_search`, which validate the settings and document them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

from aelib._grid import plane_grid
from aelib._torch_utils import eval_mode
from aelib.attacks._common import (
    box,
    check_latent_model,
    check_normal,
    decoded_errors,
    encode_batched,
    nearest_distance,
    param_kind,
)
from aelib.attacks._results import GridSearchResult, finish

if TYPE_CHECKING:
    from aelib.attacks.configs import LatentGrid


def _pick(
    model: nn.Module,
    zs: torch.Tensor,
    errors: torch.Tensor,
    eligible: torch.Tensor,
    X_normal: torch.Tensor,
    min_distance: float | None,
    top_k: int,
    batch_size: int,
) -> torch.Tensor:
    """Indices of at most ``top_k`` eligible grid points, lowest error first, far enough away."""
    order = torch.argsort(errors, stable=True)
    order = order[eligible[order]]
    chosen: list[torch.Tensor] = []
    count = 0
    for s in range(0, len(order), batch_size):
        idx = order[s : s + batch_size]
        if min_distance is not None:
            a = model.decode(zs[idx])
            idx = idx[nearest_distance(a, X_normal) > min_distance]
        chosen.append(idx[: top_k - count])
        count += len(chosen[-1])
        if count >= top_k:
            break
    return torch.cat(chosen) if chosen else order[:0]


def run(
    model: nn.Module,
    X_normal: object,
    s: LatentGrid,
    min_distance: float | None,
    reduction: str,
) -> GridSearchResult:
    """Score every point of the grid ``s`` describes; ``min_distance`` and ``reduction`` checked."""
    check_latent_model(model)
    X_normal = check_normal(X_normal)
    dtype, device = param_kind(model)
    X_normal = X_normal.to(dtype=dtype, device=device)
    R = s.resolution

    with eval_mode(model):
        latents = encode_batched(model, X_normal, s.batch_size)
        with torch.inference_mode():
            if latents.shape[1] != 2:
                raise ValueError(
                    f"model: expected a 2-D latent space for a grid search, got latents of shape "
                    f"{tuple(latents.shape)} (use latent_pgd_search)"
                )
            if s.bounds is None:
                lo, hi = box(latents, s.margin)
                (x0, y0), (x1, y1) = lo.tolist(), hi.tolist()
            else:
                (x0, x1), (y0, y1) = s.bounds
            gx, gy, zs = plane_grid(((x0, x1), (y0, y1)), R, dtype=dtype, device=device)
            grid_x, grid_y = gx[0], gy[:, 0]
            errors = decoded_errors(model, zs, reduction, s.batch_size)
            error_map = errors.reshape(R, R)

            eligible = torch.ones_like(errors, dtype=torch.bool)
            if s.local_minima:
                pooled = -F.max_pool2d(-error_map[None, None], 3, stride=1, padding=1)[0, 0]
                eligible = (error_map <= pooled).reshape(-1)
            idx = _pick(model, zs, errors, eligible, X_normal, min_distance, s.top_k, s.batch_size)
            z = zs[idx]
            x = model.decode(z) if len(z) else model.decode(zs[:1])[:0]
    extra = dict(
        grid_x=grid_x.cpu(), grid_y=grid_y.cpu(), error_map=error_map.cpu(), latents=latents.cpu()
    )
    return finish(model, x, z, X_normal, s, min_distance, reduction, extra)
