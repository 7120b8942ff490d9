"""Headless run time and peak memory of every course notebook, from an empty and a warm cache.

    .venv/bin/python benchmarks/notebook_resources.py [notebooks ...]

Each notebook runs in its own fresh kernel (as ``make run`` and Binder do). Reported per notebook:
wall time of its cells (kernel start excluded, reported once), and the kernel's peak resident set
size (``ru_maxrss``, i.e. VmHWM) together with its increase over the *floor*: a kernel that only
imports torch, matplotlib, ipywidgets and aelib (its plots). The first pass uses an empty model
cache shared along the course (a learner's first run of the whole course: its total is the
"whole course" time), the second pass the cache the first one filled. The memory target is
measured in a third pass: each notebook from *its own* empty cache (a learner who opens it
first, so 09 and 10 also train the models 08 would have cached). During the warm pass every
slider of the notebook is moved and timed (see slider_latency.py).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _common import (
    FLOOR_CELL,
    PEAK_RSS_CELL,
    course_notebooks,
    log,
    run_in_kernel,
    run_notebook,
    slider_latency_cell,
)

SLIDER_MOVES = 9  # redraws timed per slider (alternating between two neighbouring values)


# Notebook 10's PyOD section alone, after the floor's imports: PyOD's own footprint (its imports,
# torch.optim's first optimizer, numba compiling PyOD's distance helper), no course code.
PYOD_CELL = """
from pyod.models.auto_encoder import AutoEncoder
from aelib.data import two_gaussians
AutoEncoder(hidden_neuron_list=[16, 1, 16], epoch_num=100, batch_size=64, batch_norm=False,
            dropout_rate=0.0, random_state=0, verbose=0).fit(two_gaussians(200, seed=0).numpy())
"""


def floor(cache_dir: Path) -> dict:
    """Peak RSS of a kernel that only imports the course's heavy libraries (and import torch),
    and of one that then only fits notebook 10's PyOD detector."""
    base = run_in_kernel([FLOOR_CELL], [PEAK_RSS_CELL], cache_dir=cache_dir)
    torch_only = run_in_kernel(["import torch"], [PEAK_RSS_CELL], cache_dir=cache_dir)
    pyod_only = run_in_kernel([FLOOR_CELL, PYOD_CELL], [PEAK_RSS_CELL], cache_dir=cache_dir)
    return {
        "floor_rss_mb": base.get("peak_rss_mb"),
        "floor_import_seconds": base.get("seconds"),
        "torch_only_rss_mb": torch_only.get("peak_rss_mb"),
        "pyod_only_rss_mb": pyod_only.get("peak_rss_mb"),
        "kernel_start_seconds": base.get("start_seconds"),
    }


def measure(notebooks: list[Path], cache_dir: Path, slider_latency: bool = True) -> dict:
    """Cold pass, then warm pass (with slider timings); ``cache_dir`` must start empty."""
    if any(cache_dir.iterdir()):
        raise ValueError(f"cache_dir: expected an empty directory, {cache_dir} has files")
    result = floor(cache_dir)
    log(f"floor: {result}")
    rows = []
    for path in notebooks:
        cold = run_notebook(path, [PEAK_RSS_CELL], cache_dir=cache_dir)
        log(f"cold {path.name}: {cold}")
        rows.append({"notebook": path.stem, "cold": cold})
    for row, path in zip(rows, notebooks, strict=True):
        with tempfile.TemporaryDirectory(prefix="aelib-bench-own-") as own:
            row["own"] = run_notebook(path, [PEAK_RSS_CELL], cache_dir=Path(own))
        log(f"own empty cache {path.name}: {row['own']}")
    for row, path in zip(rows, notebooks, strict=True):
        extra = [PEAK_RSS_CELL] + ([slider_latency_cell(SLIDER_MOVES)] if slider_latency else [])
        warm = run_notebook(path, extra, cache_dir=cache_dir)
        log(f"warm {path.name}: {warm}")
        row["warm"] = warm
    result["notebooks"] = rows
    result["cache_mb"] = sum(f.stat().st_size for f in cache_dir.rglob("*") if f.is_file()) / 2**20
    return result


if __name__ == "__main__":
    paths = [Path(p).resolve() for p in sys.argv[1:]] or course_notebooks()
    with tempfile.TemporaryDirectory(prefix="aelib-bench-cache-") as cache:
        print(json.dumps(measure(paths, Path(cache)), indent=2))
