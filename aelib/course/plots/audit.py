"""The audit's "how far does the failure reach" view: miss rate by distance (notebook 10)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

from aelib._miss_rate import MissRate
from aelib._report import AuditReport

__all__ = ["plot_miss_rate"]


def plot_miss_rate(
    source: AuditReport | MissRate,
    ax: Axes | None = None,
    *,
    label: str | None = None,
    show_reach: bool = True,
) -> Axes:
    """Fraction of random probes that pass as normal, against their distance to the data.

    Parameters
    ----------
    source : AuditReport or MissRate
        An audit's report (its ``.miss_rate``, and its ``.max_distance`` as a dashed line) or a
        :class:`~aelib.audit.MissRate` from :func:`aelib.audit.miss_rate_by_distance`.
    ax : matplotlib Axes, optional
        Drawn into; a new 5 × 3.2 in figure otherwise.
    label : str, optional
        Legend label of the curve.
    show_reach : bool
        With a report: mark its ``max_distance`` (the farthest adversarial anomaly found).

    Returns
    -------
    matplotlib.axes.Axes
        x: distance to the nearest normal sample in data radii, log scale; y: pass rate in %.
    """
    report = source if isinstance(source, AuditReport) else None
    miss = source.miss_rate if report is not None else source
    if not isinstance(miss, MissRate):
        raise TypeError(
            "source: expected an AuditReport run with miss_rate=True or a MissRate, got "
            f"{type(source).__name__}" + (" without a miss rate" if report is not None else "")
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    ok = ~torch.isnan(miss.pass_fraction)
    ax.plot(
        miss.scales[ok].numpy(),
        100 * miss.pass_fraction[ok].numpy(),
        "o-",
        label=label or "random probes",
    )
    if report is not None and show_reach and report.max_distance > 0:
        reach = report.max_distance / miss.data_radius
        ax.axvline(reach, color="C3", ls="--", label=f"farthest adversarial ({reach:.2g} radii)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel(f"distance to the nearest normal sample (data radii of {miss.data_radius:.3g})")
    ax.set_ylabel("probes passing as normal (%)")
    top = float(100 * miss.pass_fraction[ok].max()) if bool(ok.any()) else 0.0
    ax.set_ylim(-2, max(10.0, math.ceil(top / 10) * 10 + 2))
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax
