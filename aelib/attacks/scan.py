"""The exhaustive latent scan (1-D latents): decode a dense line of latents, score it, refine minima.

:func:`run` does the work for :class:`aelib.attacks.LatentScan` and
:func:`aelib.attacks.latent_scan_search`, which validate the settings and document them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

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
from aelib.attacks._results import ScanSearchResult, finish

if TYPE_CHECKING:
    from aelib.attacks.configs import LatentScan

REFINED = 4  # local minima re-scanned per candidate asked for (top_k)


def _local_minima(errors: torch.Tensor) -> torch.Tensor:
    """Indices i with errors[i] ≤ both neighbours (the ends compare with their one neighbour)."""
    padded = torch.cat([errors[:1], errors, errors[-1:]])
    return torch.nonzero((errors <= padded[:-2]) & (errors <= padded[2:]), as_tuple=False).flatten()


def _refine(
    model: nn.Module,
    zs: torch.Tensor,
    errors: torch.Tensor,
    minima: torch.Tensor,
    s: LatentScan,
    reduction: str,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each minimum re-scanned with ``s.refine`` points between its two neighbours.

    Returns the refined latents (m, 1) and their errors (m,): a valley narrower than the scan's
    spacing is found at its bottom, not at whichever scan point fell nearest to it.
    """
    if s.refine == 0 or len(minima) == 0:
        return zs[minima], errors[minima]
    lo = zs[(minima - 1).clamp_min(0), 0]
    hi = zs[(minima + 1).clamp_max(len(zs) - 1), 0]
    t = torch.linspace(0, 1, s.refine, dtype=zs.dtype, device=zs.device)
    fine = (lo[:, None] + (hi - lo)[:, None] * t).reshape(-1, 1)  # (m · refine, 1)
    fine_err = decoded_errors(model, fine, reduction, s.batch_size).view(len(minima), s.refine)
    best = fine_err.argmin(1)
    rows = torch.arange(len(minima), device=zs.device)
    return fine.view(len(minima), s.refine, 1)[rows, best], fine_err[rows, best]


def run(
    model: nn.Module,
    X_normal: object,
    s: LatentScan,
    min_distance: float | None,
    reduction: str,
) -> ScanSearchResult:
    """Scan the latent line ``s`` describes; ``min_distance`` and ``reduction`` checked."""
    check_latent_model(model)
    X_normal = check_normal(X_normal)
    dtype, device = param_kind(model)
    X_normal = X_normal.to(dtype=dtype, device=device)

    with eval_mode(model):
        latents = encode_batched(model, X_normal, s.batch_size)
        with torch.inference_mode():
            if latents.shape[1] != 1:
                raise ValueError(
                    "model: expected a 1-D latent space for a latent scan, got latents of shape "
                    f"{tuple(latents.shape)} (use latent_grid_search for 2-D, latent_pgd_search "
                    "above)"
                )
            if s.bounds is None:
                lo, hi = (float(v) for v in box(latents, s.margin))
            else:
                lo, hi = s.bounds
            zs = torch.linspace(lo, hi, s.resolution, dtype=dtype, device=device)[:, None]
            errors = decoded_errors(model, zs, reduction, s.batch_size)
            minima = _local_minima(errors)
            # refine the lowest minima only: a flat stretch (e.g. dead ReLUs) is all minima
            minima = minima[torch.argsort(errors[minima], stable=True)[: REFINED * s.top_k]]
            z_min, err_min = _refine(model, zs, errors, minima, s, reduction)
            z = z_min[torch.argsort(err_min, stable=True)]
            if min_distance is not None and len(z):
                z = z[nearest_distance(model.decode(z), X_normal, s.batch_size) > min_distance]
            z = z[: s.top_k]
            x = model.decode(z) if len(z) else model.decode(zs[:1])[:0]
    extra = dict(grid_z=zs[:, 0].cpu(), error_curve=errors.cpu(), latents=latents.cpu())
    return finish(model, x, z, X_normal, s, min_distance, reduction, extra, ScanSearchResult)
