"""Latent grid search at 200 x 200 against the matmul rate, and thread counts for fit, grid, audit.

    .venv/bin/python benchmarks/latent_grid.py

Model: the course's convolutional autoencoder with a 2-D latent (``aelib.course.mnist_experiments.
mnist_autoencoder()``, digits 4, 5, 7; trained once, then loaded from the model cache). Every grid
point z costs one decode a = h(z) and one forward pass h(g(a)), i.e. 2 decoder + 1 encoder
evaluations. Their FLOPs are *counted* with ``torch.utils.flop_counter.FlopCounterMode`` on one
point through the model's layers one by one (``model.decoder`` / ``model.encoder``): the work the
model defines. ``model.decode`` executes fewer (it folds the decoder's linear layer into the first
transposed convolution, see ``aelib/_conv.py``); that count is reported too. The achieved rate
(model FLOPs x points / time) is compared with the float32 matmul rate (1024 x 1024, best of 10)
measured in the same run, at torch's default thread count and at one thread.

"Defaults" means a plain call: no thread setting, the library's default batch size. The other
settings force a thread count through ``$AELIB_NUM_THREADS`` (which overrides aelib's automatic
choice). The thread check times ``fit`` (3 epochs, batch 64, 1,200 digits), the grid and ``audit``
at defaults and at 1 and 2 threads; the ratio default / best is the target (≤ 1.5).
"""

from __future__ import annotations

import json
import os
import resource
from contextlib import contextmanager

import torch
from _common import log, matmul_gflops, median_time
from torch.utils.flop_counter import FlopCounterMode

RESOLUTION = 200  # grid points per axis (the target: < 1 s at 200 x 200)
REPEATS = 3  # timed runs per setting (median)
# (threads, batch size): None = the library's default (torch's threads; aelib's batch size).
SETTINGS = ((None, None), (1, None), (2, None), (1, 128))
FIT_EPOCHS, FIT_BATCH = 3, 64


@contextmanager
def forced_threads(n: int | None):
    """``$AELIB_NUM_THREADS`` = n inside (None: unset, aelib chooses), restored after."""
    before = os.environ.pop("AELIB_NUM_THREADS", None)
    if n is not None:
        os.environ["AELIB_NUM_THREADS"] = str(n)
    try:
        yield
    finally:
        os.environ.pop("AELIB_NUM_THREADS", None)
        if before is not None:
            os.environ["AELIB_NUM_THREADS"] = before


def _count(fn) -> int:
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def flops_per_grid_point(model: torch.nn.Module, batch: int) -> dict:
    """FLOPs of one latent point: layer by layer (the model's work) and as ``decode`` runs it.

    The executed count is per point of a batch of ``batch`` (the folded map is built per call).
    """
    z = torch.zeros(batch, 2)
    with torch.inference_mode():
        a = model.decoder(z)
    decoder = _count(lambda: model.decoder(z[:1]))
    encoder = _count(lambda: model.encoder(a[:1]))
    executed = (2 * _count(lambda: model.decode(z)) + _count(lambda: model.encode(a))) / batch
    return {
        "decoder": decoder,
        "encoder": encoder,
        "per_point": 2 * decoder + encoder,
        "executed_per_point": executed,
    }


def _thread_check(model, X, default_grid_s: float) -> dict:
    """Default vs best thread count for fit, the grid and audit (median seconds)."""
    from aelib import audit as audit_module
    from aelib.attacks import latent_grid_search
    from aelib.models import ConvAutoencoder
    from aelib.train import fit

    def run_fit():
        fit(ConvAutoencoder(2, seed=0), X, FIT_EPOCHS, batch_size=FIT_BATCH, progress=False)

    jobs = {
        "fit": run_fit,
        "grid": lambda: latent_grid_search(model, X, resolution=RESOLUTION),
        "audit": lambda: audit_module.audit(model, X),
    }
    out = {}
    for name, job in jobs.items():
        times = {}
        for threads in (None, 1, 2):
            if name == "grid" and threads is None:
                times["default"] = default_grid_s
                continue
            with forced_threads(threads):
                job()  # warm up
                times["default" if threads is None else str(threads)] = median_time(job, REPEATS)
        best = min(v for k, v in times.items() if k != "default")
        out[name] = {"seconds": times, "default_over_best": times["default"] / best}
        log(f"threads {name}: {out[name]}")
    return out


def measure(settings: tuple[tuple[int | None, int | None], ...] = SETTINGS) -> dict:
    from aelib.attacks import latent_grid_search
    from aelib.attacks._common import BATCH_SIZE
    from aelib.course.mnist_experiments import mnist_autoencoder

    run = mnist_autoencoder()
    model, X = run.model.eval(), run.X
    flops = flops_per_grid_point(model, BATCH_SIZE)
    points = RESOLUTION**2
    peaks = {"default": matmul_gflops(torch.get_num_threads()), "1": matmul_gflops(1)}
    load_before = os.getloadavg()
    rows = []
    for threads, batch in settings:
        kwargs = {} if batch is None else {"batch_size": batch}
        with forced_threads(threads):
            latent_grid_search(model, X, resolution=20, **kwargs)  # warm up
            seconds = median_time(
                lambda kw=kwargs: latent_grid_search(model, X, resolution=RESOLUTION, **kw),
                REPEATS,
            )
        achieved = flops["per_point"] * points / seconds / 1e9
        peak = max(peaks.values())
        rows.append(
            {
                "threads": "default" if threads is None else threads,
                "batch_size": batch or BATCH_SIZE,
                "default_batch": batch is None,
                "defaults": threads is None and batch is None,
                "seconds": seconds,
                "points_per_s": points / seconds,
                "gflops": achieved,
                "matmul_gflops": peak,
                "fraction_of_matmul": achieved / peak,
            }
        )
        log(f"grid {RESOLUTION}x{RESOLUTION}: {rows[-1]}")
    default_s = next(r["seconds"] for r in rows if r["defaults"])
    threads = _thread_check(model, X, default_s)
    return {
        "resolution": RESOLUTION,
        "n_normal": len(X),
        "flops": flops,
        "matmul_gflops": peaks,
        "rows": rows,
        "threads": threads,
        "load_avg": {"before": load_before, "after": os.getloadavg()},
        "process_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
