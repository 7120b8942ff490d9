"""Notebook 09's seed-and-epoch study: the margin of the best far candidate, epoch by epoch."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from aelib.attacks import GridSearchResult

__all__ = ["sweep_table", "sweep_margin_plot"]


def _margin(result: GridSearchResult) -> float:
    # the same ratio as aelib.course.mnist_experiments.sweep_margin (plots must not import recipes)
    if len(result) == 0:
        return float("inf")
    return float(result.errors[0]) / float(result.min_normal_error)


def _check_scan(scan: object) -> None:
    """Raise unless ``scan`` is a non-empty mapping (name, seed, epoch) → GridSearchResult."""
    if not isinstance(scan, Mapping) or not scan:
        raise TypeError(
            f"scan: expected a non-empty mapping (name, seed, epoch) → result, got {scan!r:.60}"
        )
    for key, result in scan.items():
        if not (isinstance(key, tuple) and len(key) == 3):
            raise ValueError(f"scan: expected keys (name, seed, epoch), got {key!r}")
        if not isinstance(result, GridSearchResult):
            raise TypeError(
                f"scan[{key!r}]: expected a GridSearchResult, got {type(result).__name__}"
            )


def sweep_table(
    scan: Mapping[tuple[str, int, int], GridSearchResult],
) -> dict[str, dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Reorder a seed-and-epoch scan by digit set and seed.

    Parameters
    ----------
    scan : mapping (name, seed, epoch) → GridSearchResult
        From :func:`aelib.course.mnist_experiments.seed_epoch_scan`.

    Returns
    -------
    dict
        ``name → seed → (epochs, margins, verdicts)``: int array (E,) in increasing order, float
        array (E,) of best far error / min normal error (``inf``: no far candidate), bool array
        (E,) of "a far adversarial anomaly was found".
    """
    _check_scan(scan)
    rows: dict[str, dict[int, list[tuple[int, float, bool]]]] = {}
    for key, result in scan.items():
        name, seed, epoch = key
        verdict = bool(result.adversarial().any())
        rows.setdefault(name, {}).setdefault(seed, []).append(
            (int(epoch), _margin(result), verdict)
        )
    out: dict[str, dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for name, by_seed in rows.items():
        out[name] = {}
        for seed, items in sorted(by_seed.items()):
            items.sort()
            out[name][seed] = (
                np.array([e for e, _, _ in items], dtype=int),
                np.array([m for _, m, _ in items], dtype=float),
                np.array([v for _, _, v in items], dtype=bool),
            )
    return out


def sweep_margin_plot(
    scan: Mapping[tuple[str, int, int], GridSearchResult],
    titles: Mapping[str, str] | None = None,
    axes: np.ndarray | list[Axes] | None = None,
) -> list[Axes]:
    """One panel per digit set: the margin per epoch, a line per seed, the threshold at 1.

    The margin is the best far candidate's error over the lowest normal error (log scale); a
    filled marker is an epoch whose grid holds a far adversarial anomaly (margin ≤ 1), an open
    one an epoch without. No far candidate at all (margin ``inf``) is drawn at the top edge, each
    seed slightly lower than the one before so that they don't hide each other.

    Parameters
    ----------
    scan : mapping (name, seed, epoch) → GridSearchResult
        From :func:`aelib.course.mnist_experiments.seed_epoch_scan`.
    titles : mapping str → str, optional
        Panel title per digit set name (default: the name).
    axes : sequence of Axes, optional
        One per digit set, in the scan's order; a new figure if ``None``.

    Returns
    -------
    list of matplotlib.axes.Axes
    """
    table = sweep_table(scan)
    if axes is None:
        _, axes = plt.subplots(1, len(table), figsize=(5.5 * len(table), 3.6), squeeze=False)
        axes = list(axes[0])
    axes = list(np.ravel(axes))
    if len(axes) != len(table):
        raise ValueError(f"axes: expected {len(table)} axes (one per digit set), got {len(axes)}")
    finite = [m for by_seed in table.values() for _, ms, _ in by_seed.values() for m in ms]
    finite = [m for m in finite if np.isfinite(m)]
    top = 10 ** np.ceil(np.log10(max(finite + [1.0]) * 2))
    bottom = 10 ** np.floor(np.log10(min(finite + [1.0]) / 2))
    for ax, (name, by_seed) in zip(axes, table.items(), strict=True):
        # "no far minimum" sits at the top edge, each seed a little lower (a fraction of a decade,
        # still above every finite margin, which is at most top / 2) so that the seeds don't hide
        # each other; markers are not clipped, so the top row is drawn whole
        drop = min(0.1, 0.25 / max(len(by_seed), 1))
        for i, (seed, (epochs, margins, verdicts)) in enumerate(by_seed.items()):
            colour = f"C{i % 10}"
            shown = np.where(np.isfinite(margins), margins, top * 10 ** (-drop * i))
            ax.plot(epochs, shown, "-", color=colour, lw=1.2, label=f"seed {seed}")
            ax.plot(epochs[verdicts], shown[verdicts], "o", color=colour, ms=5, clip_on=False)
            ax.plot(
                epochs[~verdicts],
                shown[~verdicts],
                "o",
                mfc="white",
                mec=colour,
                ms=5,
                clip_on=False,
            )
        ax.axhline(1.0, color="red", ls="--", lw=1, label="margin 1 (threshold)")
        ax.set_yscale("log")
        ax.set_ylim(bottom, top)
        ax.set_xlabel("epoch")
        ax.set_ylabel("best far error / min normal error")
        ax.set_title((titles or {}).get(name, name), fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].legend(  # outside the last panel: the margins fill every corner
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        title="filled: adversarial\nat the top: no far minimum",
        title_fontsize=8,
    )
    return axes
