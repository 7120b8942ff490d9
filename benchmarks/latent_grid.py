"""Latent grid search throughput at 200 x 200 against a FLOP count and the machine's matmul peak.

    .venv/bin/python benchmarks/latent_grid.py

Model: the course's convolutional autoencoder with a 2-D latent (``aelib.course.mnist_experiments.
mnist_autoencoder()``, digits 4, 5, 7; trained once, then loaded from the model cache). Every grid
point z costs one decode a = h(z) and one forward pass h(g(a)), i.e. 2 decoder + 1 encoder
evaluations; those FLOPs are *counted* with ``torch.utils.flop_counter.FlopCounterMode`` on one
point. The achieved GFLOP/s (FLOPs per point x points / time) is compared with the measured float32
matmul throughput (1024 x 1024, best of 10) at the same thread count.
"""

from __future__ import annotations

import json
import resource

import torch
from _common import log, matmul_gflops, median_time, torch_threads
from torch.utils.flop_counter import FlopCounterMode

RESOLUTION = 200  # grid points per axis (the target: < 2 s at 200 x 200)
REPEATS = 3  # timed searches per setting (median)
# (threads, batch size): the course default at 1 and 2 threads, and smaller batches at 1 thread
# (on this CPU the tiny convolutions run faster on batches that stay in cache).
SETTINGS = ((1, None), (2, None), (1, 128))


def flops_per_grid_point(model: torch.nn.Module) -> dict:
    """Counted FLOPs of the decoder and the encoder on one latent point."""
    z = torch.zeros(1, 2)
    with torch.inference_mode():
        with FlopCounterMode(display=False) as counter:
            a = model.decode(z)
        decoder = counter.get_total_flops()
        with FlopCounterMode(display=False) as counter:
            model.encode(a)
        encoder = counter.get_total_flops()
    return {"decoder": decoder, "encoder": encoder, "per_point": 2 * decoder + encoder}


def measure(settings: tuple[tuple[int, int | None], ...] = SETTINGS) -> dict:
    from aelib.attacks import latent_grid_search
    from aelib.course import config
    from aelib.course.mnist_experiments import mnist_autoencoder

    run = mnist_autoencoder()
    model, X = run.model.eval(), run.X
    flops = flops_per_grid_point(model)
    points = RESOLUTION**2
    rows = []
    peaks = {}
    for threads, batch in settings:
        batch = batch or config.ATTACK_BATCH_SIZE
        peak = peaks.setdefault(threads, matmul_gflops(threads))
        with torch_threads(threads):
            latent_grid_search(model, X, resolution=20, batch_size=batch)  # warm up
            seconds = median_time(
                lambda b=batch: latent_grid_search(model, X, resolution=RESOLUTION, batch_size=b),
                REPEATS,
            )
        achieved = flops["per_point"] * points / seconds / 1e9
        rows.append(
            {
                "threads": threads,
                "batch_size": batch,
                "default_batch": batch == config.ATTACK_BATCH_SIZE,
                "seconds": seconds,
                "points_per_s": points / seconds,
                "gflops": achieved,
                "matmul_gflops": peak,
                "fraction_of_matmul": achieved / peak,
            }
        )
        log(f"grid {RESOLUTION}x{RESOLUTION}: {rows[-1]}")
    return {
        "resolution": RESOLUTION,
        "n_normal": len(X),
        "flops": flops,
        "rows": rows,
        "process_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
