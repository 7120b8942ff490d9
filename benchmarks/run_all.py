"""Run every benchmark and write benchmarks/RESULTS.md.

    make bench            # = .venv/bin/python benchmarks/run_all.py
    .venv/bin/python benchmarks/run_all.py --skip notebooks   # only grid and PGD

Not part of the test suite: the numbers depend on the machine and on its load, which is recorded.
Measurements (one script each, runnable alone):

- notebook_resources.py  run time and peak RSS of each notebook, empty and warm model cache,
                         against a kernel that only imports the course's libraries;
- slider_latency.py      median time from a slider's ``.value`` change to the redrawn output
                         (measured during the warm pass);
- latent_grid.py         200 x 200 latent grid throughput vs. counted FLOPs and matmul peak;
- pgd.py                 latent PGD time to the first adversarial anomaly, latent dims 2/8/16;
- audit_scale.py         ``audit`` with defaults on 60,000 x 784 samples: seconds and memory.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import audit_scale  # noqa: E402
import latent_grid  # noqa: E402
import notebook_resources  # noqa: E402
import pgd  # noqa: E402
from _common import ROOT, course_notebooks, log, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TARGETS = {
    "course_cold_s": 120.0,  # whole course from an empty cache, 2 CPU cores
    "notebook_over_floor_mb": 350.0,  # each notebook from its own empty cache, over the floor
    "grid_200_s": 1.0,  # 200 x 200 latent grid search, library defaults
    "grid_fraction_of_matmul": 0.35,  # its model FLOPs / s over the same run's matmul rate
    "threads_default_over_best": 1.5,  # fit, grid, audit at torch's default threads vs the best
    "slider_median_ms": 120.0,  # median over all sliders
    "slider_slowest_ms": 200.0,  # the slowest slider's median
    "audit_60k_s": 30.0,  # audit with defaults on 60,000 x 784 normal samples
    "audit_60k_mb": 1024.0,  # ... its peak RSS above the process's before the call
}
BINDER_GUARANTEE_MB, BINDER_LIMIT_MB = 1024, 2048


def ok(value: float | None, limit: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value < limit else "**missed**"


def fmt(x: float | None, spec: str = ".1f") -> str:
    return "—" if x is None else format(x, spec)


def uptime() -> str:
    try:
        return os.popen("uptime").read().strip()
    except OSError:  # pragma: no cover
        return "unknown"


def _busy(run: dict) -> float | None:
    """A run's notebook seconds: the kernel's own (wall seconds from older results)."""
    return run.get("kernel_seconds", run.get("seconds"))


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def notebook_section(res: dict) -> tuple[list[str], dict]:
    floor = res["floor_rss_mb"]
    lines = [
        "## Notebooks: run time and peak memory",
        "",
        "Each notebook in a fresh kernel (as `make run` / Binder), cells only (kernel start "
        f"≈ {fmt(res['kernel_start_seconds'])} s each, not included). Peak RSS = the kernel's "
        "`ru_maxrss` (VmHWM) at the end of the notebook. **Floor** = a kernel that only runs "
        "`import torch, matplotlib.pyplot, ipywidgets, aelib, aelib.course.plots`: "
        f"**{fmt(floor, '.0f')} MB** (`import torch` alone: {fmt(res['torch_only_rss_mb'], '.0f')} MB "
        f"with this machine's torch build; floor + only notebook 10's PyOD fit: "
        f"{fmt(res.get('pyod_only_rss_mb'), '.0f')} MB, "
        f"+{fmt(_minus(res.get('pyod_only_rss_mb'), floor), '.0f')} MB). "
        f"Times are the kernel's own (execute_input to "
        "execute_reply of each cell, summed): a headless client that waits on a kernel which has "
        "already replied (see benchmarks/_common.py) cannot inflate them; such waits are listed.",
        "",
        "| notebook | cold s | warm s | own empty cache: peak RSS MB | over floor MB | "
        "warm peak RSS MB | status |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    cold_total = warm_total = 0.0
    worst_over = None
    failures = []
    for row in res["notebooks"]:
        cold, warm, own = row["cold"], row["warm"], row.get("own", row["cold"])
        cold_s, warm_s = _busy(cold), _busy(warm)
        cold_total += cold_s or 0.0
        warm_total += warm_s or 0.0
        peak = own.get("peak_rss_mb")
        over = None if peak is None or floor is None else peak - floor
        if over is not None:
            worst_over = over if worst_over is None else max(worst_over, over)
        status = "ok"
        retried = [
            name for name, r in (("cold", cold), ("warm", warm), ("own", own)) if "retried" in r
        ]
        if retried:  # a stalled headless run, repeated (benchmarks/_common.run_notebook)
            status = f"ok (after a stalled {', '.join(retried)} run, repeated)"
        waits = [
            f"{name}: {w}"
            for name, r in (("cold", cold), ("warm", warm), ("own", own))
            for w in r.get("client_waits", [])
        ]
        if waits:
            status += f" (client waited: {'; '.join(waits)})"
        if cold["error"] or warm["error"] or own["error"]:
            status = f"FAILED: {cold['error'] or warm['error'] or own['error']}"
            failures.append(row["notebook"])
        lines.append(
            f"| {row['notebook']} | {fmt(cold_s)} | {fmt(warm_s)} | "
            f"{fmt(own.get('peak_rss_mb'), '.0f')} | {fmt(over, '.0f')} | "
            f"{fmt(warm.get('peak_rss_mb'), '.0f')} | {status} |"
        )
    lines += [
        f"| **total** | **{cold_total:.1f}** | **{warm_total:.1f}** | | | | |",
        "",
        f"Model cache written by the cold pass: {fmt(res['cache_mb'])} MB.",
        "",
    ]
    summary = {
        "cold_total": cold_total,
        "warm_total": warm_total,
        "worst_over": worst_over,
        "failures": failures,
        "floor": floor,
    }
    return lines, summary


def slider_section(res: dict) -> tuple[list[str], tuple[float | None, float | None]]:
    lines = [
        "## Slider update latency",
        "",
        "Warm pass, in the kernel: the first slider of every `ipywidgets.interactive` a notebook "
        f"creates is moved {notebook_resources.SLIDER_MOVES} times between two neighbouring "
        "values; the time from setting `.value` until it returns (callback + figure rendered by "
        "the inline backend into the Output widget). The browser adds the comm round trip and "
        "the PNG decode: the browser test prints that end-to-end time for notebooks 02 and 09.",
        "",
        "| notebook | widget callback | slider | median ms | max ms |",
        "|---|---|---|---:|---:|",
    ]
    medians = []
    for row in res["notebooks"]:
        for s in row["warm"].get("sliders", []):
            medians.append(s["median_ms"])
            lines.append(
                f"| {row['notebook']} | `{s['widget']}` | {s['slider']} | "
                f"{s['median_ms']:.0f} | {s['max_ms']:.0f} |"
            )
    overall = statistics.median(medians) if medians else None
    worst = max(medians) if medians else None
    lines += [
        "",
        f"Median over all sliders: **{fmt(overall, '.0f')} ms**; slowest slider's median: "
        f"{fmt(worst, '.0f')} ms.",
        "",
    ]
    return lines, (overall, worst)


def audit_section(rows: list[dict]) -> list[str]:
    lines = [
        "## `audit` at full-MNIST scale (60,000 × 784)",
        "",
        "`benchmarks/audit_scale.py`: the bundled MNIST subset tiled to 60,000 noisy copies, an "
        "untrained `ConvAutoencoder(latent_dim=16)`, `audit(model, X)` with every default (latent "
        "PGD, the reach step, the miss-rate probes), each setting in a fresh process.",
        "",
        "| torch threads | seconds | RSS before MB | peak over before MB | load |",
        "|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        load = ", ".join(f"{x:.1f}" for x in r["load_avg"])
        lines.append(
            f"| {r['torch_threads']} | {r['seconds']:.1f} | {r['rss_before_mb']:.0f} | "
            f"{r['peak_increase_mb']:.0f} | {load} |"
        )
    return lines + [""]


def grid_section(res: dict) -> tuple[list[str], float | None]:
    f = res["flops"]
    lines = [
        "## Latent grid search throughput (200 × 200)",
        "",
        f"`aelib.attacks.latent_grid_search` on the 2-D-latent convolutional autoencoder "
        f"(digits 4, 5, 7; {res['n_normal']} training images). Counted FLOPs "
        f"(`torch.utils.flop_counter`): decoder {f['decoder'] / 1e6:.3f} MFLOP, encoder "
        f"{f['encoder'] / 1e6:.3f} MFLOP per point; a grid point costs 2 decodes + 1 encode = "
        f"**{f['per_point'] / 1e6:.3f} MFLOP**, {f['per_point'] * res['resolution'] ** 2 / 1e9:.1f}"
        " GFLOP for the grid. Matmul peak: float32 1024 × 1024, best of 10, same threads.",
        "",
        "| threads | batch | seconds | points/s | GFLOP/s | matmul GFLOP/s | fraction of matmul |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    default_1 = None
    for r in res["rows"]:
        lines.append(
            f"| {r['threads']} | {r['batch_size']}{' (default)' if r['default_batch'] else ''} | "
            f"{r['seconds']:.2f} | {r['points_per_s']:,.0f} | {r['gflops']:.1f} | "
            f"{r['matmul_gflops']:.0f} | {r['fraction_of_matmul']:.1%} |"
        )
        if r.get("defaults", r["default_batch"]):
            default_1 = r["seconds"] if default_1 is None else min(default_1, r["seconds"])
    best = min(r["seconds"] for r in res["rows"])
    if "executed_per_point" in f:
        lines += [
            "",
            f"`model.decode` executes {f['executed_per_point'] / 1e6:.3f} MFLOP per point (the "
            "decoder's linear layer folded into its first transposed convolution, `aelib/_conv.py`);"
            " the rates above count the model's layer-by-layer FLOPs.",
        ]
    if "threads" in res:
        lines += [
            "",
            "| work | default s | 1 thread s | 2 threads s | default / best |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, t in res["threads"].items():
            sec = t["seconds"]
            lines.append(
                f"| {name} | {sec['default']:.2f} | {sec['1']:.2f} | {sec['2']:.2f} | "
                f"{t['default_over_best']:.2f} |"
            )
    lines += [
        "",
        f"Ideal time at the matmul peak: "
        f"{f['per_point'] * res['resolution'] ** 2 / 1e9 / max(r['matmul_gflops'] for r in res['rows']):.2f} s.",
        f"Peak RSS of the benchmark process after the searches: {res['process_peak_rss_mb']:.0f} MB "
        "(the search decodes in batches, so memory does not grow with the resolution).",
        "",
    ]
    return lines, (default_1, best)


def pgd_section(rows: list[dict]) -> list[str]:
    lines = [
        "## Latent PGD: time to the first adversarial anomaly",
        "",
        "`aelib.attacks.latent_pgd_search` on `mnist_autoencoder(latent_dim=d)` (digits 4, 5, 7), "
        "steps = `config.NB10_PGD_STEPS`, restarts doubled from 1 until a search returns a point "
        "with error ≤ minᵢ L(xᵢ) farther than `default_min_distance` (95 % quantile of training "
        "nearest-neighbour distances) from every training image; `config.MNIST_THREADS` thread(s).",
        "",
        "| latent dim | steps | restarts needed | time of that search s | all searches s | found | "
        "best error / min normal error | train or load s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        first = r["first"]
        if first is None:
            tried = sum(t["seconds"] for t in r["tries"])
            lines.append(
                f"| {r['latent_dim']} | {r['steps']} | none up to {r['tries'][-1]['restarts']} | — | "
                f"{tried:.1f} | 0 | — | {r['train_or_load_seconds']:.1f} |"
            )
            continue
        ratio = first["best_error"] / first["min_normal_error"]
        lines.append(
            f"| {r['latent_dim']} | {r['steps']} | {first['restarts']} | {first['seconds']:.2f} | "
            f"{first['cumulative_seconds']:.2f} | {first['found']} | {ratio:.3g} | "
            f"{r['train_or_load_seconds']:.1f} |"
        )
    lines.append("")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks, write RESULTS.md.")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["notebooks", "grid", "pgd", "audit"]
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.perf_counter()
    info = machine()
    load_before = uptime()
    log(f"machine: {json.dumps(info)}")
    raw: dict = {"machine": info}
    with tempfile.TemporaryDirectory(prefix="aelib-bench-cache-") as cache:
        os.environ["AELIB_CACHE_DIR"] = cache  # notebooks fill it; grid and PGD reuse it
        if "notebooks" not in args.skip:
            raw["notebooks"] = notebook_resources.measure(course_notebooks(), Path(cache))
        if "grid" not in args.skip:
            raw["grid"] = latent_grid.measure()
        if "pgd" not in args.skip:
            raw["pgd"] = pgd.measure()
        if "audit" not in args.skip:
            raw["audit"] = audit_scale.measure_in_subprocesses(audit_scale.N_DEFAULT)
    load_after = uptime()

    md = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/run_all.py`) on "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC "
        f"in {time.perf_counter() - started:.0f} s. Not part of the test suite.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, {info['cores_usable']} usable core(s), "
        f"{fmt(info['memory_gb'])} GB RAM; {info['platform']}",
        f"- Python {info['python']}, torch {info['torch']} "
        f"({'CUDA ' + info['torch_cuda_build'] + ' build, no GPU used' if info['torch_cuda_build'] else 'CPU build'}), "
        f"{info['torch_threads']} torch threads by default; numpy {info.get('numpy')}, "
        f"matplotlib {info.get('matplotlib')}",
        f"- Load before: `{load_before}`",
        f"- Load after: `{load_after}`",
        "- The machine was shared with other work while these numbers were taken: a load "
        "average above the core count means every time below is inflated by roughly that ratio.",
        "",
    ]
    verdicts = []
    if "notebooks" in raw:
        lines, s = notebook_section(raw["notebooks"])
        md += lines
        slines, (median_slider, worst_slider) = slider_section(raw["notebooks"])
        md += slines
        verdicts += [
            (
                "whole course, empty cache",
                f"< {TARGETS['course_cold_s']:.0f} s",
                f"{s['cold_total']:.1f} s",
                ok(s["cold_total"], TARGETS["course_cold_s"]),
            ),
            (
                "each notebook's peak RSS over the floor",
                f"< {TARGETS['notebook_over_floor_mb']:.0f} MB",
                f"{fmt(s['worst_over'], '.0f')} MB (worst)",
                ok(s["worst_over"], TARGETS["notebook_over_floor_mb"]),
            ),
            (
                "slider update, median over all sliders",
                f"< {TARGETS['slider_median_ms']:.0f} ms",
                f"{fmt(median_slider, '.0f')} ms",
                ok(median_slider, TARGETS["slider_median_ms"]),
            ),
            (
                "slider update, slowest slider's median",
                f"< {TARGETS['slider_slowest_ms']:.0f} ms",
                f"{fmt(worst_slider, '.0f')} ms",
                ok(worst_slider, TARGETS["slider_slowest_ms"]),
            ),
        ]
        if s["failures"]:
            verdicts.append(
                ("notebooks that failed", "none", ", ".join(s["failures"]), "**missed**")
            )
    if "grid" in raw:
        lines, (default_s, best_s) = grid_section(raw["grid"])
        md += lines
        verdicts.append(
            (
                "200 × 200 latent grid (default batch / best setting)",
                f"< {TARGETS['grid_200_s']:.0f} s",
                f"{fmt(default_s, '.2f')} s / {best_s:.2f} s",
                ok(default_s, TARGETS["grid_200_s"]),
            )
        )
    if "pgd" in raw:
        md += pgd_section(raw["pgd"])
    if "audit" in raw:
        md += audit_section(raw["audit"])
        default = raw["audit"][0]
        verdicts += [
            (
                "audit, 60,000 × 784, defaults (torch's default threads)",
                f"< {TARGETS['audit_60k_s']:.0f} s",
                f"{default['seconds']:.1f} s",
                ok(default["seconds"], TARGETS["audit_60k_s"]),
            ),
            (
                "audit, 60,000 × 784: peak memory over before the call",
                f"< {TARGETS['audit_60k_mb']:.0f} MB",
                f"{default['peak_increase_mb']:.0f} MB",
                ok(default["peak_increase_mb"], TARGETS["audit_60k_mb"]),
            ),
        ]
    md[md.index("## Machine") : md.index("## Machine")] = [
        "## Targets",
        "",
        "| target | limit | measured | verdict |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts],
        "",
        "NOTES_PLACEHOLDER",
        "",
    ]
    notes_file = ROOT / "benchmarks" / "NOTES.md"
    notes = notes_file.read_text().strip() if notes_file.exists() else ""
    text = "\n".join(md).replace("NOTES_PLACEHOLDER", notes)
    text += "\n<details><summary>Raw measurements (JSON)</summary>\n\n```json\n"
    text += json.dumps(raw, indent=1, default=str) + "\n```\n</details>\n"
    args.out.write_text(text)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
