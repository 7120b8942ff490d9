"""Slider update latency: time from setting a slider's ``.value`` to the redrawn output.

    .venv/bin/python benchmarks/slider_latency.py [--cache-dir DIR [--warm]] [notebooks ...]

Each notebook is executed in a fresh kernel (warm model cache); then the first slider of every
``ipywidgets.interactive`` it created is moved back and forth between two neighbouring values.
In a kernel the update is synchronous: setting ``.value`` runs the callback, which renders the
figure's PNG (inline backend) into the widget's Output before ``.value`` returns. So the time
measured is callback + figure rendering, the kernel's share of what a learner waits for; the
browser adds the comm round trip and the image decode (the browser test prints that end-to-end
time for notebooks 02 and 09).

Without ``--cache-dir`` the model cache is a temporary folder, filled by a first (untimed) run
of each notebook. ``--cache-dir DIR`` keeps the cache in DIR; add ``--warm`` when DIR already
holds every model the notebooks train, to skip the filling run.

Prints a table (per slider: median and max ms), the median over all sliders, the slowest
slider's median and the load averages before and after, then the raw rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

import _common
from _common import course_notebooks, log, run_notebook, slider_latency_cell
from notebook_resources import SLIDER_MOVES


def measure(notebooks: list[Path], cache_dir: Path | None = None, warm: bool = False) -> list[dict]:
    """Run each notebook plus the slider-timing cell; one row per notebook."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="aelib-bench-cache-") as tmp:
        cache = cache_dir or Path(tmp)
        for path in notebooks:
            if not (warm and cache_dir):
                run_notebook(path, cache_dir=cache)  # fill the cache: the timed run is warm
            out = run_notebook(path, [slider_latency_cell(SLIDER_MOVES)], cache_dir=cache)
            log(f"{path.name}: {out}")
            rows.append({"notebook": path.stem, **out})
    return rows


def summary(rows: list[dict]) -> tuple[list[str], float | None, float | None]:
    """Table lines, median over all sliders and the slowest slider's median (ms)."""
    lines = ["| notebook | slider | n | median ms | max ms |", "|---|---|---:|---:|---:|"]
    medians = []
    for row in rows:
        if row.get("error"):
            lines.append(f"| {row['notebook']} | error: {row['error']} | | | |")
        for s in row.get("sliders", []):
            medians.append(s["median_ms"])
            lines.append(
                f"| {row['notebook']} | {s['slider']} | {s['n']} | "
                f"{s['median_ms']:.0f} | {s['max_ms']:.0f} |"
            )
    if not medians:
        return lines, None, None
    return lines, statistics.median(medians), max(medians)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--warm", action="store_true", help="DIR is filled: skip the fill run")
    parser.add_argument(
        "--cell-timeout", type=int, default=_common.CELL_TIMEOUT_S, help="seconds per cell"
    )
    args = parser.parse_args()
    _common.CELL_TIMEOUT_S = args.cell_timeout  # a hung widget cell (nbclient#312) costs this
    paths = [p.resolve() for p in args.notebooks] or course_notebooks()
    load_before = os.getloadavg()
    rows = measure(paths, args.cache_dir, args.warm)
    load_after = os.getloadavg()
    lines, overall, slowest = summary(rows)
    print("\n".join(lines))
    if overall is not None:
        print(f"\nmedian over all sliders: {overall:.0f} ms; slowest median: {slowest:.0f} ms")

    def fmt(load: tuple[float, ...]) -> str:
        return ", ".join(f"{x:.2f}" for x in load)

    print(f"load average (1, 5, 15 min): before {fmt(load_before)}, after {fmt(load_after)}")
    print(f"CPUs: {os.cpu_count()}")
    print(f"aelib imported by the kernels: {sorted({r.get('aelib') for r in rows})}")
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
