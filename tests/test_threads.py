"""torch_threads: scoped, restored (also on error), overridable from the environment."""

from __future__ import annotations

import pytest
import torch

from aelib.threads import ENV_VAR, torch_threads


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
