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
