"""Miss rate by distance: how often a random point at distance r from the data passes as normal.

Random probes leave the normal data along random directions: from a normal sample xᵢ (drawn at
random) along a uniformly random unit direction u, at steps t on a log scale, p = xᵢ + t·u
(clipped to the valid range when there is one). Each probe's *actual* distance to the data,
d(p) = minⱼ ‖p − xⱼ‖, is measured, and the probes are binned by it on a log scale: the miss
rate at distance r is the fraction of the probes in the bin around r whose error passes the
criterion. It complements the audit's search, which finds the *worst* points: this says how
*common* passing points are at each distance, for anomalies that come from no adversary.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from aelib.neighbors import nearest_distance

__all__ = ["MissRate", "probe_miss_rate"]

#: Bin centres, in data radii: 1/8 … 16 on a log-2 scale; each bin spans ×/÷ √2 around its centre.
SCALES = tuple(2.0**k for k in range(-3, 5))
#: Probe steps, in data radii: half-octaves from 2^-3.5 to 2^4.5 (the bins' outer edges).
STEPS = tuple(2.0 ** (j / 2) for j in range(-7, 10))
MIN_PROBES = 10  # a bin with fewer probes gets no rate (NaN)


@dataclass(frozen=True, repr=False)
class MissRate:
    """Fraction of random probes that pass the criterion, by their distance to the data.

    Attributes
    ----------
    radii : torch.Tensor
        Bin centres, shape (K,), in the data's units (``scales`` × ``data_radius``).
    scales : torch.Tensor
        The same centres in data radii, shape (K,): 1/8, 1/4, …, 16.
    pass_fraction : torch.Tensor
        Shape (K,), float64: passing probes / probes in the bin; NaN where a bin has fewer
        than 10 probes.
    probes : torch.Tensor
        Probes per bin, shape (K,), int64.
    data_radius : float
        The largest distance of a normal sample from the normal data's mean.
    bound : float
        The largest error that passes (the audit's criterion).
    rays : int
        Random directions probed.
    """

    radii: torch.Tensor
    scales: torch.Tensor
    pass_fraction: torch.Tensor
    probes: torch.Tensor
    data_radius: float
    bound: float
    rays: int

    def summary(self) -> str:
        """One line: the miss rate at each distance with enough probes."""
        parts = [
            f"{_scale(float(s))}: {100 * float(f):.0f} %"
            for s, f in zip(self.scales, self.pass_fraction, strict=True)
            if not math.isnan(float(f))
        ]
        head = f"random probes passing, by distance in data radii ({self.data_radius:.3g})"
        return f"{head}: " + (" · ".join(parts) if parts else "too few probes")

    def __repr__(self) -> str:
        return f"MissRate({self.summary()}; {self.rays} rays, bound {self.bound:.3g})"


def _scale(s: float) -> str:
    return f"1/{round(1 / s)}" if s < 1 else f"{s:g}"


def probe_miss_rate(
    score: Callable[[torch.Tensor], torch.Tensor],
    X_normal: torch.Tensor,
    bound: float,
    data_radius: float,
    *,
    rays: int,
    clamp: tuple[float, float] | None,
    seed: int,
    batch_size: int = 1024,
) -> MissRate:
    """Probe ``rays`` random directions from the data; see the module docstring.

    ``score`` maps a batch (B, *input_shape) to errors (B,) in the units of ``bound``;
    ``X_normal`` is (N, *input_shape); ``clamp``: the valid range of every feature, or None.
    """
    gen = torch.Generator().manual_seed(seed)
    flat = X_normal.flatten(1)
    n, dim = flat.shape
    start = flat[torch.randint(n, (rays,), generator=gen)]
    u = torch.randn(rays, dim, generator=gen, dtype=torch.float64).to(flat.dtype)
    u = u / u.norm(dim=1, keepdim=True).clamp_min(1e-12)
    steps = torch.tensor(STEPS, dtype=flat.dtype) * data_radius
    probes = (start[:, None, :] + steps[None, :, None] * u[:, None, :]).reshape(-1, dim)
    if clamp is not None:
        probes = probes.clamp(*clamp)
    distance = nearest_distance(probes, flat, chunk_size=batch_size).double()
    shaped = probes.reshape(-1, *X_normal.shape[1:])
    errors = torch.cat(
        [score(shaped[s : s + batch_size]) for s in range(0, len(shaped), batch_size)]
    )
    passed = errors.double().cpu() <= bound
    scales = torch.tensor(SCALES, dtype=torch.float64)
    centre = scales * data_radius
    lo, hi = centre / math.sqrt(2), centre * math.sqrt(2)
    in_bin = (distance.cpu()[None, :] >= lo[:, None]) & (distance.cpu()[None, :] < hi[:, None])
    counts = in_bin.sum(1)
    hits = (in_bin & passed[None, :]).sum(1)
    fraction = hits.double() / counts.clamp_min(1)
    fraction[counts < MIN_PROBES] = float("nan")
    return MissRate(
        radii=centre,
        scales=scales,
        pass_fraction=fraction,
        probes=counts,
        data_radius=float(data_radius),
        bound=float(bound),
        rays=int(rays),
    )
