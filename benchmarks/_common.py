"""Helpers shared by the benchmark scripts: machine description, matmul peak, kernel runs."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import nbformat
import torch

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "execute_notebook", ROOT / "tools/execute_notebook.py"
)
_execute_notebook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_execute_notebook)
NotebookClient = _execute_notebook.PollingNotebookClient  # jupyter/nbclient#312 workaround
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL = "python3"
# A cell that has not replied after this long ends its wait (the slowest cell takes ~25 s on an
# idle 2-core machine, so a load of 4 still fits). Headless runs in this long-lived process now and then wait for the reply
# of a cell that the kernel finished long before (kernel idle; seen at stops 10 and 11, on cells
# that display a widget; not reproduced in a fresh process, 0 of 8 runs): such a wait ends at
# this timeout, with the reply or with an error that repeats the notebook once (run_notebook).
CELL_TIMEOUT_S = 120
# A cell whose wall time exceeds the kernel's own time for it by more than this is reported as a
# client-side wait; the notebook's time is the kernel's own, which such a wait cannot inflate.
STALL_S = 20.0
MARKER = "AELIB_BENCH_JSON "  # a result line printed by an injected measurement cell

# Injected after a notebook's last cell: the kernel's peak resident set size (VmHWM, in MB).
PEAK_RSS_CELL = f"""
import json as _json, resource as _resource
print({MARKER!r} + _json.dumps({{"peak_rss_mb": _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

# The floor: a kernel that only imports what every course notebook imports.
FLOOR_CELL = "import torch, matplotlib.pyplot as plt, ipywidgets, aelib, aelib.course.plots"

# Injected after the peak-RSS cell: move the first slider of every ipywidgets.interactive the
# notebook created and time the synchronous redraw (callback + figure rendered by the inline
# backend into the Output widget), from setting `.value` until it returns.
SLIDER_LATENCY_CELL = """
import json as _json, statistics as _stats, time as _time
import ipywidgets as _w
from ipywidgets.widgets.widget import _instances as _inst
_res = []
for _obj in list(_inst.values()):
    if not isinstance(_obj, _w.interactive):
        continue
    _sl = [c for c in _obj.children
           if isinstance(c, (_w.FloatSlider, _w.IntSlider, _w.FloatLogSlider))]
    if not _sl:
        continue
    _s = _sl[0]
    _v0 = _s.value
    if isinstance(_s, _w.FloatLogSlider):  # its step is in the exponent
        _up = _v0 * _s.base**_s.step
        _v1 = _up if _up <= _s.base**_s.max else _v0 / _s.base**_s.step
    else:
        _v1 = _v0 + _s.step if _v0 + _s.step <= _s.max else _v0 - _s.step
    _times = []
    for _k in range(__MOVES__):
        _t = _time.perf_counter()
        _s.value = _v1 if _k % 2 == 0 else _v0
        _times.append(_time.perf_counter() - _t)
    _s.value = _v0
    _f = getattr(_obj, "f", None)
    _res.append({"widget": getattr(_f, "__name__", "?"), "slider": _s.description,
                 "n": len(_times), "median_ms": 1000 * _stats.median(_times),
                 "max_ms": 1000 * max(_times)})
import aelib as _aelib
print("__MARKER__" + _json.dumps({"sliders": _res, "aelib": _aelib.__file__}))
""".replace("__MARKER__", MARKER)


def slider_latency_cell(moves: int) -> str:
    """The injected cell that moves each slider ``moves`` times."""
    return SLIDER_LATENCY_CELL.replace("__MOVES__", str(int(moves)))


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def machine() -> dict:
    """What the numbers were measured on (CPU, cores, memory, load, library versions)."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = int(line.split()[1]) / 1024**2
    try:
        import matplotlib
        import numpy

        versions = {"numpy": numpy.__version__, "matplotlib": matplotlib.__version__}
    except ImportError:  # pragma: no cover
        versions = {}
    return {
        "cpu": cpu,
        "cores_usable": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gb": mem_gb,
        "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "torch_cuda_build": torch.version.cuda,
        "torch_threads": torch.get_num_threads(),
        **versions,
    }


@contextmanager
def torch_threads(n: int):
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def matmul_gflops(threads: int, n: int = 1024, repeats: int = 10) -> float:
    """Measured float32 matmul throughput (GFLOP/s, best of ``repeats``) with ``threads``."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    with torch_threads(threads):
        a @ b  # warm up
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            a @ b
            best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _parse_markers(cell) -> dict:
    found = {}
    for out in cell.get("outputs", []):
        for line in out.get("text", "").splitlines():
            if line.startswith(MARKER):
                found.update(json.loads(line[len(MARKER) :]))
    return found


def run_in_kernel(
    cells: list[str], extra_cells: list[str] = (), cache_dir: Path | None = None, cwd: Path = None
) -> dict:
    """Execute code cells in a fresh kernel; return timings, errors and measured values.

    ``seconds`` covers ``cells`` only (not the kernel start, reported as ``start_seconds``, nor
    the ``extra_cells`` that measure). ``AELIB_CACHE_DIR`` is set to ``cache_dir`` for the kernel.
    """
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in [*cells, *extra_cells]]
    return _execute(nb, len(cells), cache_dir, cwd or NOTEBOOK_DIR)


def run_notebook(path: Path, extra_cells: list[str] = (), cache_dir: Path | None = None) -> dict:
    """Execute a course notebook (as ``make run`` does) plus measuring cells; see run_in_kernel.

    A run whose cell times out is repeated once in a new kernel (same cache, which the first try
    may have filled in part): now and then a headless run waits for a reply from a kernel that
    is already idle (at stop 10: 13 minutes on notebook 03). The result then says ``retried``
    with the first error, so the table shows it.
    """
    result = None
    for attempt in range(2):
        nb = nbformat.read(path, as_version=4)
        n = len(nb.cells)
        nb.cells.extend(nbformat.v4.new_code_cell(c) for c in extra_cells)
        first = result
        result = _execute(nb, n, cache_dir, path.parent)
        if attempt == 1:
            result["retried"] = first["error"]
        if not (result["error"] or "").startswith(("CellTimeoutError", "TimeoutError")):
            break
        log(f"{path.name}: {result['error']} (stalled?), running it again in a new kernel")
    return result


def _execute(nb, n_course_cells: int, cache_dir: Path | None, cwd: Path) -> dict:
    env_before = os.environ.get("AELIB_CACHE_DIR")
    if cache_dir is not None:
        os.environ["AELIB_CACHE_DIR"] = str(cache_dir)
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL, resources={"metadata": {"path": str(cwd)}}
    )
    result = {"error": None}
    try:
        t0 = time.perf_counter()
        with client.setup_kernel():
            t1 = time.perf_counter()
            result["start_seconds"] = t1 - t0
            kernel_seconds, waits = 0.0, []
            for index, cell in enumerate(nb.cells):
                if index == n_course_cells:
                    result["seconds"] = time.perf_counter() - t1
                    result["kernel_seconds"] = kernel_seconds
                if cell.cell_type == "code":
                    t_cell = time.perf_counter()
                    client.execute_cell(cell, index)
                    wall, busy = time.perf_counter() - t_cell, _kernel_busy(cell)
                    if index < n_course_cells:
                        kernel_seconds += busy
                        if wall - busy > STALL_S:
                            waits.append(f"cell {index}: {wall:.0f} s, kernel busy {busy:.1f} s")
                    result.update(_parse_markers(cell))
            result.setdefault("seconds", time.perf_counter() - t1)
            result.setdefault("kernel_seconds", kernel_seconds)
            if waits:
                result["client_waits"] = waits
    except Exception as err:  # report, never hide: the caller prints it in RESULTS.md
        result["error"] = f"{type(err).__name__}: {str(err).strip().splitlines()[-1][:200]}"
    finally:
        if cache_dir is not None:
            if env_before is None:
                os.environ.pop("AELIB_CACHE_DIR", None)
            else:
                os.environ["AELIB_CACHE_DIR"] = env_before
    return result


def _kernel_busy(cell) -> float:
    """Seconds the kernel spent on ``cell``: from its execute_input to its execute_reply, both
    stamped by the kernel (nbclient's ``record_timing`` metadata)."""
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return (end - start).total_seconds()


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
