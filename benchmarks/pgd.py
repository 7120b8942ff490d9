"""Latent PGD: time to the first adversarial anomaly for latent dimensions 2, 8 and 16.

    .venv/bin/python benchmarks/pgd.py

For each latent size d in ``config.NB10_LATENT_DIMS`` the course's convolutional autoencoder
(digits 4, 5, 7, ``mnist_autoencoder(latent_dim=d)``) is trained once (or loaded from the cache).
``aelib.attacks.latent_pgd_search`` then runs with ``config.NB10_PGD_STEPS`` steps and 1, 2, 4, ...
restarts, until a search returns an adversarial anomaly: error <= min_i L(x_i) and farther from
every training image than ``aelib.audit.default_min_distance`` (the 95 % quantile of the training
images' nearest-neighbour distances). Reported: the time of that first successful search, the
time of all searches up to it, and how many anomalies it found. Threads: ``config.MNIST_THREADS``
(the course's setting for these tiny convolutions).
"""

from __future__ import annotations

import json
import time

from _common import log, torch_threads

MAX_RESTARTS = 64


def measure() -> list[dict]:
    from aelib.attacks import latent_pgd_search
    from aelib.audit import default_min_distance
    from aelib.course import config
    from aelib.course.mnist_experiments import mnist_autoencoder

    rows = []
    for d in config.NB10_LATENT_DIMS:
        t = time.perf_counter()
        run = mnist_autoencoder(latent_dim=d)
        load_s = time.perf_counter() - t
        model, X = run.model.eval(), run.X
        min_distance = default_min_distance(X)
        tries, total, first = [], 0.0, None
        with torch_threads(config.MNIST_THREADS):
            restarts = 1
            while restarts <= MAX_RESTARTS:
                t = time.perf_counter()
                res = latent_pgd_search(
                    model,
                    X,
                    steps=config.NB10_PGD_STEPS,
                    restarts=restarts,
                    min_distance=min_distance,
                    seed=0,
                )
                seconds = time.perf_counter() - t
                total += seconds
                found = int(res.adversarial().sum())
                tries.append({"restarts": restarts, "seconds": seconds, "found": found})
                if found:
                    first = {
                        "restarts": restarts,
                        "seconds": seconds,
                        "cumulative_seconds": total,
                        "found": found,
                        "best_error": float(res.error[0]),
                        "min_normal_error": res.min_normal_error,
                        "best_distance": float(res.distance[0]),
                    }
                    break
                restarts *= 2
        row = {
            "latent_dim": d,
            "train_or_load_seconds": load_s,
            "min_distance": min_distance,
            "steps": config.NB10_PGD_STEPS,
            "first": first,
            "tries": tries,
        }
        log(f"pgd d={d}: {row}")
        rows.append(row)
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
