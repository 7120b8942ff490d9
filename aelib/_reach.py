"""How far the failure reaches: after a search, look for the farthest points that still pass.

A search returns the *lowest-error* candidates beyond ``min_distance``, which cluster just past
it (the constraint is active at a minimum). :func:`extend_reach` adds, from the same model and
criterion, the *farthest* passing points it can verify:

- a latent scan or grid already scored every point of its map: among the map points that pass
  (error ≤ the bound), the farthest from the data are decoded and measured. If a passing point
  far from the data lies on the map's edge, the failure may continue beyond it, so the map is
  re-run on an interval (box) twice as wide, up to ``EXPANSIONS`` times;
- a PGD search is re-run (with half of its restarts, and its box's margin doubled each
  round) with ``min_distance`` set to twice the farthest distance found so far, up to ``ROUNDS`` times, until no restart passes; each round
  adds its farthest passing point.

Every point added is re-scored by :func:`aelib.attacks._results.finish` (a plain forward pass),
so what is reported is what the model does to it; the caller's criterion decides which count.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from aelib._torch_utils import eval_mode
from aelib.attacks import (
    GridSearchResult,
    InputPGD,
    LatentGrid,
    LatentPGD,
    LatentScan,
    ScanSearchResult,
    SearchResult,
)
from aelib.attacks._common import nearest_distance
from aelib.attacks._results import finish, merge

__all__ = ["extend_reach"]

KEEP = 4  # farthest verified points added per map
BUDGET = 2048  # passing map points measured in input space per map
LATENT_SAMPLE = 4096  # training latents used to rank passing map points by isolation
EXPANSIONS = {"latent scan": 6, "latent grid": 2}  # a scan is cheap; a grid costs R² decodes
GROWTH = 1.01  # widening stops unless the farthest distance grows by more than 1 %
ROUNDS = 3  # extra PGD runs, each at twice the distance reached
ROUND_RESTARTS = 2  # a round needs passing points, less diversity than the search: restarts ÷ 2


def _map_points(result: SearchResult) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Latents (M, d), errors (M,) and an on-the-edge mask (M,) of a scan's or grid's map."""
    if isinstance(result, ScanSearchResult):
        z = result.grid_z[:, None]
        edge = torch.zeros(len(z), dtype=torch.bool)
        edge[[0, -1]] = True
        return z, result.error_curve, edge
    R = len(result.grid_x)
    yy, xx = torch.meshgrid(result.grid_y, result.grid_x, indexing="ij")
    border = torch.zeros(R, R, dtype=torch.bool)
    border[[0, -1], :] = True
    border[:, [0, -1]] = True
    z = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
    return z, result.error_map.reshape(-1), border.reshape(-1)


def _farthest_on_map(
    model: nn.Module,
    X_normal: torch.Tensor,
    result: SearchResult,
    settings: LatentScan | LatentGrid,
    bound: float,
    min_distance: float,
    reduction: str,
    seed: int,
) -> tuple[SearchResult, bool]:
    """The ``KEEP`` farthest passing map points beyond ``min_distance``, and whether one of them
    lies on the map's edge."""
    z, errors, edge = _map_points(result)
    passing = torch.nonzero(errors <= bound).flatten()
    if len(passing) > BUDGET:  # rank by isolation in latent space, measure the most isolated
        gen = torch.Generator().manual_seed(seed)
        lat = result.latents
        sample = lat[torch.randperm(len(lat), generator=gen)[:LATENT_SAMPLE]]
        isolation = nearest_distance(z[passing], sample)
        passing = passing[torch.argsort(isolation, descending=True, stable=True)[:BUDGET]]
    p = next(model.parameters())
    zp = z[passing].to(dtype=p.dtype, device=p.device)
    bs = settings.batch_size
    with eval_mode(model), torch.inference_mode():
        a = torch.cat(
            [model.decode(zp[s : s + bs]) for s in range(0, len(zp), bs)]
            or [model.decode(zp[:1])[:0]]
        )
    X_normal = X_normal.to(dtype=a.dtype, device=a.device)
    d = nearest_distance(a, X_normal, bs)
    far = d > min_distance
    d = d[far]
    pick = torch.argsort(d, descending=True, stable=True)[:KEEP]
    chosen = passing[far.cpu()][pick.cpu()]
    at_edge = bool(edge[chosen].any())
    found = finish(model, a[far][pick], zp[far][pick], X_normal, settings, min_distance, reduction)
    return found, at_edge


def _widened(result: SearchResult, settings: LatentScan | LatentGrid):
    """``settings`` on an interval (box) twice as wide as ``result``'s map, same centre."""
    if isinstance(result, ScanSearchResult):
        lo, hi = float(result.grid_z[0]), float(result.grid_z[-1])
        c, h = (lo + hi) / 2, hi - lo
        return dataclasses.replace(settings, bounds=(c - h, c + h))
    bounds = []
    for g in (result.grid_x, result.grid_y):
        lo, hi = float(g[0]), float(g[-1])
        c, h = (lo + hi) / 2, hi - lo
        bounds.append((c - h, c + h))
    return dataclasses.replace(settings, bounds=tuple(bounds))


def extend_reach(
    model: nn.Module,
    X_normal: torch.Tensor,
    result: SearchResult,
    settings: LatentScan | LatentGrid | LatentPGD | InputPGD,
    bound: float,
    min_distance: float,
    reduction: str,
    seed: int,
) -> tuple[SearchResult, bool]:
    """``result`` with the farthest passing points found added; and whether the farthest lies
    on the edge of the searched region (then the failure may reach farther than reported).

    ``bound``: the largest error that passes, in the search's units (``reduction``).
    """
    if isinstance(result, ScanSearchResult | GridSearchResult):
        found, at_edge = _farthest_on_map(
            model, X_normal, result, settings, bound, min_distance, reduction, seed
        )
        parts, current = [found], result
        for _ in range(EXPANSIONS[settings.method] if at_edge else 0):
            settings = _widened(current, settings)
            current = settings(model, X_normal, min_distance=min_distance, reduction=reduction)
            wider, at_edge = _farthest_on_map(
                model, X_normal, current, settings, bound, min_distance, reduction, seed
            )
            parts.append(wider)
            if _farthest(wider) <= GROWTH * _farthest(found):  # the failure levels off
                at_edge = False
            found = wider
            if not at_edge:
                break
        return merge(result, *parts), at_edge
    parts, reached = [], _reached(result, bound)
    restarts = max(1, settings.restarts // ROUND_RESTARTS)
    for r in range(ROUNDS):
        if reached <= 0:
            break
        # the search box must grow with the distance asked for (a clamp still bounds inputs)
        light = dataclasses.replace(
            settings, restarts=restarts, margin=settings.margin * 2 ** (r + 1)
        )
        found = light(
            model, X_normal, min_distance=2 * reached, reduction=reduction, seed=seed + 1 + r
        )
        mask = found.adversarial(bound)
        if not bool(mask.any()):  # none passes this far
            break
        i = int(torch.nonzero(mask).flatten()[found.distances[mask].argmax()])
        parts.append(_subset(found, slice(i, i + 1)))
        reached = float(found.distances[i])
    return merge(result, *parts), False


def _subset(result: SearchResult, rows: slice) -> SearchResult:
    """``result`` with only the candidates ``rows``."""
    return dataclasses.replace(
        result,
        x=result.x[rows],
        errors=result.errors[rows],
        distances=result.distances[rows],
        z=None if result.z is None else result.z[rows],
    )


def _farthest(result: SearchResult) -> float:
    return float(result.distances.max()) if len(result) else 0.0


def _reached(result: SearchResult, bound: float) -> float:
    """The farthest distance of a candidate that passes and keeps the result's distance."""
    mask = result.adversarial(bound)
    return float(result.distances[mask].max()) if bool(mask.any()) else 0.0
