"""The one place where aelib touches torch's thread count: a scoped, restored context manager.

Why threads looked slow here. On a 2-vCPU machine whose other core is busy, torch's default two
intra-op threads trained the MNIST autoencoder 7x slower than one thread (an epoch: 10.5 s vs 1.5 s)
and ran a 100² latent grid 3x slower (4.7 s vs 1.5 s). The cause is OpenMP's default *active*
waiting: a thread that reaches a barrier spins, and on an oversubscribed machine it spins on the
core its partner needs. With ``OMP_WAIT_POLICY=PASSIVE`` (threads sleep at barriers) two threads took
0.6 s and 1.6 s. That variable must be set before torch is imported, so it belongs to the process,
not to a library: the course's Jupyter kernel, Binder and the test scripts set it; set it in your
own environment on a small or shared machine.

aelib never changes the process-wide thread count behind the caller's back. The course's recipes
train inside :func:`torch_threads` (one thread, so cached weights do not depend on the number of
cores), which restores the previous count on exit, also when the block raises.

The environment variable ``AELIB_NUM_THREADS`` overrides the count asked for: a positive integer
uses that many threads, ``default`` leaves torch's setting alone (turns the context manager off).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch

__all__ = ["ENV_VAR", "torch_threads"]

ENV_VAR = "AELIB_NUM_THREADS"


def _requested(n: int | None) -> int | None:
    env = os.environ.get(ENV_VAR, "").strip()
    if env == "default":
        return None
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ValueError(f"${ENV_VAR}: expected a positive integer or 'default', got {env!r}")
        return int(env)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n: expected a positive int or None, got {n!r}")
    return n


@contextmanager
def torch_threads(n: int | None = 1) -> Iterator[int]:
    """Run the block with ``n`` torch intra-op threads, then restore the previous count.

    Parameters
    ----------
    n : int or None
        Threads inside the block; ``None`` leaves the setting alone. ``$AELIB_NUM_THREADS``
        (a positive integer, or ``default`` for "leave alone") overrides it.

    Yields
    ------
    int
        The thread count in effect inside the block.

    Examples
    --------
    >>> with torch_threads(1):
    ...     pass  # tiny models train here without thread synchronisation overhead
    """
    wanted = _requested(n)
    before = torch.get_num_threads()
    if wanted is None or wanted == before:
        yield before
        return
    torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        torch.set_num_threads(before)
