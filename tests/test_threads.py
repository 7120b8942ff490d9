"""torch_threads: scoped, restored (also on error), overridable from the environment."""

from __future__ import annotations

import pytest
import torch

from aelib.threads import AUTO_MAX_WORK, ENV_VAR, batch_work, batch_workers, torch_threads


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_sets_inside_and_restores_after(two_threads):
    with torch_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2


def test_restores_when_the_block_raises(two_threads):
    with pytest.raises(RuntimeError, match="boom"), torch_threads(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == 2


def test_none_leaves_the_setting_alone(two_threads):
    with torch_threads(None) as n:
        assert n == 2 and torch.get_num_threads() == 2


def test_environment_overrides_or_turns_it_off(two_threads, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "3")
    with torch_threads(1):
        assert torch.get_num_threads() == 3
    monkeypatch.setenv(ENV_VAR, "default")
    with torch_threads(1):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_counts_are_refused(two_threads, bad):
    with pytest.raises(ValueError, match="n: expected a positive int or None"), torch_threads(bad):
        pass


@pytest.mark.parametrize("bad", ["0", "two", "-1"])
def test_bad_environment_is_refused(two_threads, monkeypatch, bad):
    monkeypatch.setenv(ENV_VAR, bad)
    with pytest.raises(ValueError, match=ENV_VAR), torch_threads(1):
        pass


def test_auto_picks_one_thread_for_small_work_only(two_threads):
    with torch_threads("auto", work=AUTO_MAX_WORK - 1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    with torch_threads("auto", work=AUTO_MAX_WORK) as n:
        assert n == 2 and torch.get_num_threads() == 2
    assert torch.get_num_threads() == 2


def test_auto_yields_to_the_environment(two_threads, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "2")
    with torch_threads("auto", work=0):
        assert torch.get_num_threads() == 2


def test_auto_needs_work(two_threads):
    with pytest.raises(ValueError, match="work"), torch_threads("auto"):
        pass


def test_batch_work_counts_parameters_times_rows():
    model = torch.nn.Linear(3, 2)  # 8 parameters
    assert batch_work(model, 10) == 80 and batch_work(object(), 10) == 0


class _Spy(torch.nn.Module):
    """A tiny autoencoder that records the thread count of each forward pass."""

    def __init__(self):
        super().__init__()
        self.enc, self.dec, self.seen = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), []

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        self.seen.append(torch.get_num_threads())
        return self.dec(z)

    def forward(self, x):
        return self.decode(self.encode(x))


def test_fit_and_searches_run_small_models_at_one_thread(two_threads):
    from aelib import attacks, train

    model = _Spy()
    train.fit(model, torch.randn(8, 2), 1, progress=False)
    attacks.latent_grid_search(model, torch.randn(8, 2), resolution=3)
    assert set(model.seen[1:]) == {1}  # [0]: fit's one-sample check of the model, before training
    assert torch.get_num_threads() == 2


def test_batch_workers_use_the_cores_only_where_each_op_runs_on_one_thread(
    two_threads, monkeypatch
):
    assert batch_workers() == 1  # outside any block
    with torch_threads("auto", work=AUTO_MAX_WORK - 1):
        assert batch_workers() == 2 and torch.get_num_threads() == 1
        with torch_threads(1):  # an explicit count inside: no batch parallelism
            assert batch_workers() == 1
        assert batch_workers() == 2  # restored
        with torch_threads("auto", work=0):  # a search inside audit's block keeps the workers
            assert batch_workers() == 2 and torch.get_num_threads() == 1
    with torch_threads("auto", work=AUTO_MAX_WORK):  # large work: torch's own threads
        assert batch_workers() == 1
    with torch_threads(1):
        assert batch_workers() == 1
    with pytest.raises(RuntimeError), torch_threads("auto", work=0):
        raise RuntimeError
    assert batch_workers() == 1  # restored after a raise
    monkeypatch.setenv(ENV_VAR, "1")  # the environment fixes the total: no workers on top
    with torch_threads("auto", work=0):
        assert batch_workers() == 1


def _scored(monkeypatch, workers: int, grad: bool) -> torch.Tensor:
    from aelib.attacks import _common
    from aelib.models import ConvAutoencoder

    monkeypatch.setattr(_common, "batch_workers", lambda: workers)
    model = ConvAutoencoder(2, (2, 4), seed=0).eval()
    zs = torch.randn(50, 2, generator=torch.Generator().manual_seed(0))
    with torch.set_grad_enabled(grad):
        return _common.decoded_errors(model, zs, "sum", batch_size=8)


def test_parallel_batches_give_the_same_bits(two_threads, monkeypatch):
    serial = _scored(monkeypatch, 1, grad=False)
    for workers in (2, 3):
        assert torch.equal(_scored(monkeypatch, workers, grad=False), serial)


def test_no_worker_threads_with_autograd_on(two_threads, monkeypatch):
    from aelib.attacks import _common

    def refuse(*args, **kwargs):
        raise AssertionError("a thread pool was started with autograd on")

    monkeypatch.setattr(_common, "ThreadPoolExecutor", refuse)
    with_grad = _scored(monkeypatch, 2, grad=True)
    assert with_grad.requires_grad  # the caller's graph is kept, built on the caller's thread
    assert torch.equal(with_grad.detach(), _scored(monkeypatch, 1, grad=False))


def test_a_worker_error_reaches_the_caller(two_threads, monkeypatch):
    from aelib.attacks import _common

    class Broken(torch.nn.Module):
        def decode(self, z):
            raise ValueError("broken decoder")

    monkeypatch.setattr(_common, "batch_workers", lambda: 2)
    with torch.no_grad(), pytest.raises(ValueError, match="broken decoder"):
        _common.decoded_errors(Broken(), torch.zeros(20, 2), "sum", batch_size=4)


def test_flush_denormals_flushes_inside_and_restores_after():
    from aelib.threads import _flushing, flush_denormals

    subnormal = torch.tensor(torch.finfo(torch.float32).tiny / 4)
    assert not _flushing() and float(subnormal * 1.0) > 0
    with flush_denormals() as on:
        # where the CPU cannot flush (no x86 DAZ), the block says so and nothing changes
        assert _flushing() == on and (float(subnormal * 1.0) == 0) == on
        with flush_denormals() as inner:  # nested: stays as it is, also after the inner exit
            assert inner == on
        assert _flushing() == on
    assert not _flushing()
    with pytest.raises(RuntimeError, match="boom"), flush_denormals():
        raise RuntimeError("boom")
    assert not _flushing()


def test_fit_flushes_denormals_while_training_and_restores_the_mode():
    from aelib.models import MLPAutoencoder
    from aelib.threads import _flushing, flush_denormals
    from aelib.train import fit

    seen = []
    X = torch.randn(20, 2)
    with flush_denormals() as on:  # what the CPU supports
        pass
    fit(
        MLPAutoencoder([2, 1, 2], seed=0),
        X,
        2,
        progress=False,
        callback=lambda e, v: seen.append(_flushing()),
    )
    assert seen == [on, on] and not _flushing()


# --- side_by_side --------------------------------------------------------------------------


def _fit_mlp(seed: int):
    from aelib.models import MLPAutoencoder
    from aelib.train import fit

    X = torch.randn(256, 6, generator=torch.Generator().manual_seed(seed))
    model = MLPAutoencoder([6, 16, 2, 16, 6], seed=seed)
    losses = fit(model, X, 3, batch_size=32, seed=seed)
    return model, losses


def test_side_by_side_gives_what_each_task_gives_alone(two_threads):
    import threading
    from functools import partial

    from aelib.threads import side_by_side

    names = []

    def task(seed):
        names.append(threading.current_thread().name)
        return _fit_mlp(seed)

    together = side_by_side({s: partial(task, s) for s in (0, 1, 2)})
    assert list(together) == [0, 1, 2]  # the order of the tasks
    assert len(names) == 3 and all(n.startswith("aelib-side") for n in names)
    assert torch.get_num_threads() == 2  # restored
    for seed, (model, losses) in together.items():
        alone, alone_losses = _fit_mlp(seed)
        assert losses == alone_losses
        for k, v in model.state_dict().items():
            assert torch.equal(v, alone.state_dict()[k])  # the same bits


def test_side_by_side_runs_one_at_a_time_when_asked(two_threads, monkeypatch):
    import threading

    from aelib.threads import side_by_side

    here = threading.current_thread().name
    names = []
    task = lambda: names.append(threading.current_thread().name)  # noqa: E731
    side_by_side({"a": task, "b": task}, workers=1)
    monkeypatch.setenv(ENV_VAR, "2")  # an explicit thread count: one task at a time
    side_by_side({"c": task, "d": task})
    assert names == [here] * 4


def test_side_by_side_shows_one_bar_whichever_way_it_runs(two_threads, capsys):
    from aelib.threads import side_by_side

    for workers in (1, 2):
        side_by_side({1: int, 2: int}, workers=workers, progress=True, desc="models")
        shown = capsys.readouterr().err
        assert shown.count("models") == 1 and "0/2" in shown


def test_side_by_side_raises_a_task_error_and_restores(two_threads):
    from aelib.threads import side_by_side

    def boom():
        raise RuntimeError("boom")

    for workers in (1, 2):
        with pytest.raises(RuntimeError, match="boom") as caught:
            side_by_side({"ok": int, "bad": boom}, workers=workers)
        assert "(in side_by_side's task 'bad')" in caught.value.__notes__
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize(
    ("tasks", "kwargs", "error", "match"),
    [
        ([int, int], {}, TypeError, "tasks: expected a mapping"),
        ({"a": 3}, {}, TypeError, r"tasks\['a'\]: expected a callable"),
        ({"a": int}, {"workers": 0}, ValueError, "workers: expected a positive int"),
        ({"a": int}, {"workers": True}, ValueError, "workers: expected a positive int"),
        ({"a": int}, {"desc": 3}, TypeError, "desc: expected a string"),
    ],
)
def test_side_by_side_refuses_bad_input(tasks, kwargs, error, match):
    from aelib.threads import side_by_side

    with pytest.raises(error, match=match):
        side_by_side(tasks, **kwargs)


def test_side_by_side_with_no_tasks_returns_nothing():
    from aelib.threads import side_by_side

    assert side_by_side({}) == {}


def test_latent_pgd_looks_up_neighbours_on_an_idle_core_with_the_same_bits(
    two_threads, monkeypatch
):
    """With a spare core, each step's nearest-sample lookup runs on a helper thread."""
    import threading

    from aelib._tracking import NearestTracker
    from aelib.attacks import LatentPGD, pgd
    from aelib.models import MLPAutoencoder

    X = torch.randn(200, 6, generator=torch.Generator().manual_seed(0))
    model = MLPAutoencoder([6, 8, 2, 8, 6], seed=0)
    search = LatentPGD(steps=20, restarts=4, screen=4)
    names, real_call = set(), NearestTracker.__call__

    def spy(self, points, below):
        names.add(threading.current_thread().name.split("_")[0])
        return real_call(self, points, below)

    monkeypatch.setattr(NearestTracker, "__call__", spy)
    helped = search(model, X, min_distance=1.0, seed=3)
    assert "aelib-nearest" in names  # the descent's lookups ran on the helper
    names.clear()
    monkeypatch.setattr(pgd, "batch_workers", lambda: 1)  # no idle core: all on this thread
    alone = search(model, X, min_distance=1.0, seed=3)
    assert "aelib-nearest" not in names
    for field in ("x", "errors", "distances", "z"):
        assert torch.equal(getattr(helped, field), getattr(alone, field))
    assert torch.get_num_threads() == 2
