"""The one place where aelib touches torch's thread count: a scoped, restored context manager.

Why two threads can be slower than one. torch's CPU kernels split each operation across OpenMP
threads, which meet at a barrier when it ends. By default (``OMP_WAIT_POLICY`` unset) a thread that
arrives first *spins* there. The course's models are small: one layer on one batch is 0.1–1 ms of
work, so every op pays a fork and a barrier, and on a 2-vCPU machine whose other core is busy (a
Jupyter server, a second kernel, another user of a shared VM) the spinning thread takes the core its
partner needs. Measured on this project's 2-vCPU machine (earlier runs, other work on the machine):
an epoch of the MNIST autoencoder took 10.5 s at two threads and 1.5 s at one; a 100² latent grid
4.7 s and 1.5 s; 3 epochs of ``fit`` (1,200 digits, batch 64) 2.1 s and 0.7 s. With
``OMP_WAIT_POLICY=PASSIVE`` (threads sleep at barriers) two threads took about as long as one: the
cost is the waiting, not the arithmetic. That variable is read once, when torch starts, so it belongs
to the process, not to a library; libgomp offers no call to change it later.

What aelib does about it. :func:`torch_threads` runs a block with a given number of threads and
restores the previous count on exit, also when the block raises. ``torch_threads("auto", work=w)``
picks one thread when the work of a typical op is small (``w`` below :data:`AUTO_MAX_WORK`
multiply-adds, see :func:`batch_work`) and otherwise leaves torch's setting alone: ``fit``, the
searches of :mod:`aelib.attacks` and :func:`aelib.audit.audit` run inside it, so they run at one
thread for the course's models and at torch's default for large models, where threads pay. The
numbers behind the threshold are in ``benchmarks/latent_grid.py`` (``make bench``), which times fit,
the 200² grid and audit at torch's default and at the best thread count in one run.

Where one thread per op leaves cores idle, the searches use them another way: inside
``torch_threads("auto", ...)`` with small work, :func:`batch_workers` is the thread count torch
had before the block, and :func:`aelib.attacks` scores independent batches of grid points on that
many Python threads at once (torch's ops release the GIL), each op on one thread: no barrier per
op, and every batch computed exactly as alone, so the results are the same bits. Measured on the
200² grid: 1.03 s on one thread, 0.62 s on two such workers.

The course's recipes train inside ``torch_threads(1)`` (one thread, so cached weights do not depend
on the number of cores). Such one-thread computations that do not depend on each other (two models
to train, two models to audit) can use the idle cores through :func:`side_by_side`: each runs on
its own Python thread, its ops on one thread each, so each gives the bits it gives alone.

:func:`flush_denormals`, the other scoped setting here, makes the CPU treat subnormal floats
(below 1.2e-38 in float32) as zero while ``fit`` trains: a saturated sigmoid's gradients underflow
into them, and every x86 instruction touching one takes a slow microcode path. Measured: the 16-D
sigmoid MNIST autoencoder of notebook 10 trained in 5.2 s, 2.5 s with flushing, to the same
weights bit for bit (the ReLU one 2.5 s either way).

The environment variable ``AELIB_NUM_THREADS`` overrides the count asked for, ``"auto"`` included:
a positive integer uses that many threads, ``default`` leaves torch's setting alone (turns the
context manager off).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import TypeVar

import torch
from tqdm.auto import tqdm

__all__ = [
    "AUTO_MAX_WORK",
    "ENV_VAR",
    "batch_work",
    "batch_workers",
    "flush_denormals",
    "side_by_side",
    "torch_threads",
]

ENV_VAR = "AELIB_NUM_THREADS"
#: ``torch_threads("auto")``: below this many multiply-adds per batch and layer-sized op, one thread.
AUTO_MAX_WORK = 1 << 24
_WORKERS: ContextVar[int] = ContextVar("aelib_batch_workers", default=1)
_K = TypeVar("_K")
_T = TypeVar("_T")


def batch_work(model: object, rows: int) -> int:
    """Multiply-adds of one batch through ``model``, as ``rows`` × its number of parameters.

    Exact for fully connected layers, a lower bound for convolutions (×positions); 0 for an
    object without ``parameters()`` (e.g. a PyOD detector), which counts as small work.
    """
    params = getattr(model, "parameters", None)
    return rows * sum(p.numel() for p in params()) if callable(params) else 0


def batch_workers() -> int:
    """Independent batches to run at once in the current :func:`torch_threads` block (≥ 1).

    More than 1 only inside ``torch_threads("auto", work=...)`` with small work and no
    ``$AELIB_NUM_THREADS``: then it is the thread count torch had before the block (or the
    enclosing such block's workers), and each op inside runs on one thread. 1 everywhere else
    (outside any block, an explicit count, large work), where the block's intra-op threads are
    the only parallelism.

    Returns
    -------
    int
        How many batches a search may score side by side, each on its own Python thread.
    """
    return _WORKERS.get()


def _requested(n: int | str | None, work: int | None) -> int | None:
    env = os.environ.get(ENV_VAR, "").strip()
    if env == "default":
        return None
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ValueError(f"${ENV_VAR}: expected a positive integer or 'default', got {env!r}")
        return int(env)
    if n == "auto":
        if isinstance(work, bool) or not isinstance(work, int) or work < 0:
            raise ValueError(f"work: expected a non-negative int with n='auto', got {work!r}")
        return 1 if work < AUTO_MAX_WORK else None
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n: expected a positive int or None, or 'auto', got {n!r}")
    return n


@contextmanager
def torch_threads(n: int | str | None = 1, *, work: int | None = None) -> Iterator[int]:
    """Run the block with ``n`` torch intra-op threads, then restore the previous count.

    Parameters
    ----------
    n : int, "auto" or None
        Threads inside the block; ``None`` leaves the setting alone; ``"auto"`` picks one thread
        if ``work`` < :data:`AUTO_MAX_WORK`, else leaves it alone. ``$AELIB_NUM_THREADS``
        (a positive integer, or ``default`` for "leave alone") overrides it.
    work : int, optional
        With ``"auto"``: multiply-adds of one batch, e.g. :func:`batch_work`.

    Yields
    ------
    int
        The thread count in effect inside the block.

    Examples
    --------
    >>> with torch_threads(1):
    ...     pass  # tiny models train here without thread synchronisation overhead
    """
    wanted = _requested(n, work)
    before = torch.get_num_threads()
    small_auto = n == "auto" and not os.environ.get(ENV_VAR, "").strip() and wanted == 1
    # nested in another small-work "auto" block, keep its workers (``before`` is then 1)
    token = _WORKERS.set(max(before, _WORKERS.get()) if small_auto else 1)
    try:
        if wanted is None or wanted == before:
            yield before
            return
        torch.set_num_threads(wanted)
        try:
            yield wanted
        finally:
            torch.set_num_threads(before)
    finally:
        _WORKERS.reset(token)


def _flushing() -> bool:
    """Whether this thread's CPU currently flushes subnormal floats to zero."""
    subnormal = torch.tensor(torch.finfo(torch.float32).tiny / 4)
    return bool(subnormal * 1.0 == 0)


@contextmanager
def flush_denormals() -> Iterator[bool]:
    """Run the block with subnormal floats treated as zero on this thread, then restore the mode.

    ``torch.set_flush_denormal`` sets the calling thread's CPU flags (x86 with SSE3 only; a no-op
    elsewhere), so it covers the ops that run on this thread: all of them inside
    ``torch_threads(1)`` or a small-work ``"auto"`` block. Values below float32's smallest normal
    (1.2e-38) become 0; nothing a model computes is affected at that scale, and on x86 each op
    that meets them otherwise runs many times slower.

    Yields
    ------
    bool
        Whether subnormals are flushed inside the block (False where the CPU cannot).
    """
    was = _flushing()
    if was:
        yield True
        return
    on = torch.set_flush_denormal(True)
    try:
        yield on
    finally:
        if on:
            torch.set_flush_denormal(False)


def side_by_side(
    tasks: Mapping[_K, Callable[[], _T]],
    *,
    workers: int | None = None,
    progress: bool = False,
    desc: str = "side by side",
) -> dict[_K, _T]:
    """Run independent computations at once on idle cores, each giving what it gives alone.

    Each task runs on its own Python thread inside ``torch_threads(1)``: every op on one thread
    (torch releases the GIL inside its ops, so the threads overlap), no barrier per op. A task
    whose ops already run on one thread — aelib's ``fit``, searches and ``audit`` on the course's
    models, the course's recipes — is computed exactly as alone: the same bits. Measured on 2
    cores: notebook 10's first cell, which trains its 8- and 16-D autoencoders, 4.2 s instead of
    6.6 s; two latent PGD searches, where each op is shorter and the threads queue on the GIL,
    1.09 s instead of 1.56 s; four toy ensembles (``fit_many``) 3.98 s instead of 4.97 s.

    The tasks must not share mutable state: not the same model to train, not torch's global
    random generator (aelib's seeded functions use their own generators; building a model from a
    seed holds a lock).

    Parameters
    ----------
    tasks : mapping of key to callable
        Functions without arguments (``functools.partial`` binds them), e.g.
        ``{d: partial(mnist_autoencoder, digits, latent_dim=d) for d in (8, 16)}``.
    workers : int, optional
        Tasks at once; default: torch's thread count (the cores torch would use), 1 when
        ``$AELIB_NUM_THREADS`` is set (an explicit thread count: one task at a time, each inside
        that setting's block as usual). ``workers=1`` runs them one after the other on this thread.
    progress : bool
        Show one ``tqdm`` bar over the tasks, the same whichever way they run.
    desc : str
        The bar's label.

    Returns
    -------
    dict
        Key → the task's return value, in the order of ``tasks``. A task's exception is raised
        here, noted with its key (after the tasks already running have finished).

    Examples
    --------
    >>> from functools import partial
    >>> side_by_side({n: partial(sum, range(n)) for n in (3, 4)})
    {3: 3, 4: 6}
    """
    if not isinstance(tasks, Mapping):
        raise TypeError(
            f"tasks: expected a mapping key -> callable without arguments, got {type(tasks).__name__}"
        )
    for key, task in tasks.items():
        if not callable(task):
            raise TypeError(f"tasks[{key!r}]: expected a callable, got {type(task).__name__}")
    if workers is None:
        workers = 1 if os.environ.get(ENV_VAR, "").strip() else torch.get_num_threads()
    elif isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers: expected a positive int or None, got {workers!r}")
    if not isinstance(desc, str):
        raise TypeError(f"desc: expected a string, got {type(desc).__name__}")
    keys = list(tasks)
    workers = min(workers, len(keys))
    out: dict = {}
    with tqdm(total=len(keys), desc=desc, disable=not progress, leave=False) as bar:
        if workers <= 1:
            for key in keys:
                out[key] = _noted(key, tasks[key])
                bar.update()
            return out
        # each task in a copy of this context (aelib's context variables), all on one thread each
        with (
            torch_threads(1),
            ThreadPoolExecutor(workers, thread_name_prefix="aelib-side") as pool,
        ):
            context = copy_context()
            futures = [pool.submit(context.copy().run, tasks[key]) for key in keys]
            for key, future in zip(keys, futures, strict=True):
                out[key] = _noted(key, future.result)
                bar.update()
    return out


def _noted(key: object, call: Callable[[], _T]) -> _T:
    """``call()``, its exception (if any) noted with the task's key."""
    try:
        return call()
    except Exception as err:
        err.add_note(f"(in side_by_side's task {key!r})")
        raise
