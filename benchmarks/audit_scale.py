"""How ``aelib.audit`` scales with the normal data: wall time and peak memory at 60,000 × 784.

    .venv/bin/python benchmarks/audit_scale.py                 # default threads, then 1 thread
    .venv/bin/python benchmarks/audit_scale.py --measure --threads 1   # one run, this process
    .venv/bin/python benchmarks/audit_scale.py --n 8000 --profile      # cProfile (stderr)
    .venv/bin/python benchmarks/audit_scale.py --accuracy 10           # sampled vs exact quantile

Data: the bundled real-MNIST subset (``load_mnist(range(10), source="bundled")``, 4,000 training
images) tiled to ``--n`` rows, each copy plus Gaussian noise of standard deviation
``NOISE_STD`` and clipped to [0, 1]: MNIST-like structure, with many near-duplicates (each
image has about n / 4,000 noisy copies, a hard case for nearest-neighbour distances). Model: an
untrained ``ConvAutoencoder(latent_dim=16)`` (seed 0), so the audit runs latent PGD with its
defaults. Each measurement runs in a fresh subprocess, so that one run's allocations do not
hide in the next one's baseline.

Reported per thread setting: seconds of ``audit(model, X)`` alone, the process's resident set
size (RSS) just before the call, and the peak RSS during the call minus that (the peak is reset
before the call through ``/proc/self/clear_refs`` where Linux allows it, else sampled every
10 ms). Targets: < 30 s and < 1 GiB above the RSS before the call, on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark this checkout's aelib, not an installed one

N_DEFAULT = 60_000
NOISE_STD = 0.05
SEED = 0


def structured_data(n: int):
    """(n, 1, 28, 28) float32 in [0, 1]: bundled MNIST tiled with small noise (see the module)."""
    import torch

    from aelib.data import load_mnist

    base, _ = load_mnist(range(10), source="bundled", verbose=False)
    gen = torch.Generator().manual_seed(SEED)
    reps = -(-n // len(base))
    X = base.repeat(reps, 1, 1, 1)[:n]
    X += NOISE_STD * torch.randn(X.shape, generator=gen)
    return X.clamp_(0.0, 1.0)


def _status_mb(key: str) -> float:
    """A memory line of /proc/self/status (``VmRSS``: now, ``VmHWM``: peak) in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)
        return True
    except OSError:
        return False


class _Sampler(threading.Thread):
    """Fallback peak RSS: sample VmRSS every 10 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _status_mb("VmRSS")
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.01):
            self.peak = max(self.peak, _status_mb("VmRSS"))


def measure(n: int, threads: int | None, profile: bool) -> dict:
    import torch

    import aelib
    from aelib.audit import audit
    from aelib.models import ConvAutoencoder

    if threads is not None:
        torch.set_num_threads(threads)
    X = structured_data(n)
    model = ConvAutoencoder(latent_dim=16, seed=0).eval()
    audit(model, X[:64], steps=2, restarts=2)  # warm up kernels and lazy imports, not timed
    rss_before = _status_mb("VmRSS")
    exact_peak = _reset_peak()
    sampler = _Sampler()
    sampler.start()
    t = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        report = prof.runcall(audit, model, X)
    else:
        report = audit(model, X)
    seconds = time.perf_counter() - t
    sampler.stop.set()
    sampler.join()
    peak = _status_mb("VmHWM") if exact_peak else sampler.peak
    if profile:
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    return {
        "aelib": aelib.__file__,
        "n": n,
        "shape": list(X.shape),
        "torch_threads": torch.get_num_threads(),
        "seconds": round(seconds, 2),
        "rss_before_mb": round(rss_before, 1),
        "peak_increase_mb": round(peak - rss_before, 1),
        "peak_measured_by": "VmHWM after clear_refs" if exact_peak else "VmRSS sampled / 10 ms",
        "method": report.method,
        "min_distance": report.min_distance,
        "reliable": report.reliable,
        "load_avg": os.getloadavg(),
    }


def accuracy(n: int, seeds: int) -> dict:
    """The sampled quantile against the exact one (all n rows, O(n²)), over ``seeds`` draws."""
    import torch

    from aelib import config
    from aelib.neighbors import nn_distance_quantile, nn_distances

    X = structured_data(n)
    q = config.AUDIT_NN_QUANTILE
    t = time.perf_counter()
    exact = float(torch.quantile(nn_distances(X).double(), q))
    exact_s = time.perf_counter() - t
    t = time.perf_counter()
    est = [nn_distance_quantile(X, q, seed=s) for s in range(seeds)]
    sampled_s = (time.perf_counter() - t) / seeds
    return {
        "n": n,
        "q": q,
        "sample_size": est[0].sample_size,
        "exact": exact,
        "exact_seconds": round(exact_s, 1),
        "sampled_seconds": round(sampled_s, 2),
        "estimates": [round(e.value, 4) for e in est],
        "max_relative_error": max(abs(e.value - exact) / exact for e in est),
        "intervals": [[round(e.low, 4), round(e.high, 4)] for e in est],
        "intervals_covering_exact": sum(e.low <= exact <= e.high for e in est),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=N_DEFAULT, help="normal samples")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's default)"
    )
    parser.add_argument(
        "--measure", action="store_true", help="measure in this process (one row) and exit"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the call (stderr)")
    parser.add_argument(
        "--accuracy",
        type=int,
        metavar="SEEDS",
        help="instead: the sampled NN-distance quantile vs the exact one (O(n²)) over SEEDS draws",
    )
    args = parser.parse_args()
    if args.accuracy:
        if args.threads is not None:
            import torch

            torch.set_num_threads(args.threads)
        print(json.dumps(accuracy(args.n, args.accuracy), indent=2))
        return
    if args.measure or args.profile:
        print(json.dumps(measure(args.n, args.threads, args.profile)))
        return
    print(json.dumps(measure_in_subprocesses(args.n), indent=2))


def measure_in_subprocesses(n: int) -> list[dict]:
    """torch's default threads, then one thread: each measured in a fresh process."""
    rows = []
    for threads in (None, 1):
        cmd = [sys.executable, __file__, "--measure", "--n", str(n)]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


if __name__ == "__main__":
    main()
