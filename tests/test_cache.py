"""aelib.course.cache: keys, atomic writes, warm loads, corrupt entries (conftest isolates the directory)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import aelib
from aelib.course import cache
from aelib.course.cache import cache_dir, cache_key, fingerprint, load_or_train
from aelib.data import gaussian
from aelib.models import MLPAutoencoder
from aelib.train import fit

CONFIG = {"sizes": [2, 5, 1, 5, 2], "activation": "relu", "seed": 0, "epochs": 5, "lr": 1e-2}


class _Trainer:
    """A train(model) callable that counts its calls and returns the losses."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, model):
        self.calls += 1
        return fit(model, gaussian(n=20), epochs=CONFIG["epochs"], lr=CONFIG["lr"], progress=False)


def _never(model):
    raise AssertionError("train was called although the cache entry is valid")


def _fresh(seed: int = 0) -> MLPAutoencoder:
    return MLPAutoencoder(CONFIG["sizes"], seed=seed)


def _files() -> list[Path]:
    d = cache_dir()
    return sorted(d.iterdir()) if d.exists() else []


def _same_weights(a, b) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# --- cache_dir and cache_key -------------------------------------------------------------------


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AELIB_CACHE_DIR", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.delenv("AELIB_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "aelib"


def test_key_is_stable_and_ignores_key_order():
    key = cache_key(CONFIG)
    assert key == cache_key(dict(reversed(list(CONFIG.items()))))
    assert len(key) == 20 and all(ch in "0123456789abcdef" for ch in key)


def test_key_is_stable_across_processes():
    code = f"from aelib.course.cache import cache_key; print(cache_key({CONFIG!r}))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == cache_key(CONFIG)


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 1},
        {"epochs": 6},
        {"lr": 1e-3},
        {"activation": "sigmoid"},
        {"sizes": [2, 5, 2, 5, 2]},
        {"extra_setting": None},
    ],
)
def test_key_changes_with_any_setting(change):
    assert cache_key(CONFIG | change) != cache_key(CONFIG)


def test_key_changes_with_the_aelib_version(monkeypatch):
    before = cache_key(CONFIG)
    monkeypatch.setattr(aelib, "__version__", aelib.__version__ + ".post1")
    assert cache_key(CONFIG) != before


def test_key_changes_with_the_training_code_version(monkeypatch):
    before = cache_key(CONFIG)
    monkeypatch.setattr(cache, "TRAINING_CODE_VERSION", cache.TRAINING_CODE_VERSION + 1)
    assert cache_key(CONFIG) != before


@dataclasses.dataclass(frozen=True)
class _Settings:
    seed: int = 0
    lr: float = 1e-2


@dataclasses.dataclass(frozen=True)
class _Other:
    seed: int = 0
    lr: float = 1e-2


def test_key_of_a_settings_dataclass_hashes_all_of_it_and_its_class():
    key = cache_key(_Settings())
    assert key == cache_key(_Settings(seed=0, lr=1e-2))
    assert key != cache_key(_Settings(seed=1)) and key != cache_key(_Settings(lr=1e-3))
    assert key != cache_key(_Other())  # same fields, another recipe
    assert key != cache_key(dataclasses.asdict(_Settings()))


def test_key_fingerprints_tensor_inputs():
    X = gaussian(n=10)
    key = cache_key(CONFIG, {"X": X})
    assert key == cache_key(CONFIG, {"X": X.clone()}) == cache_key(CONFIG, {"X": X.numpy()})
    for other in (X + 1e-6, X[:9], X.double(), X.reshape(5, 4)):
        assert cache_key(CONFIG, {"X": other}) != key
    assert cache_key(CONFIG, {"X": X, "far": 1.5}) != cache_key(CONFIG, {"X": X, "far": 1.25})
    nested = {"sets": {"a": X, "b": X[:5]}, "pairs": [["a", 0]], "start": _Settings()}
    assert cache_key(CONFIG, nested) == cache_key(CONFIG, dict(nested))
    assert cache_key(CONFIG, nested) != cache_key(CONFIG, nested | {"start": _Settings(seed=2)})


def test_fingerprint_sees_values_shape_and_dtype():
    X = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    fp = fingerprint(X)
    assert len(fp) == 16 and fp == fingerprint(X.clone()) == fingerprint(X.numpy())
    assert fp == fingerprint(X.transpose(2, 3).transpose(2, 3))  # layout does not matter
    assert fp != fingerprint(X[:3]) and fp != fingerprint(X + 1e-3)
    assert fp != fingerprint(X.reshape(4, 784)) and fp != fingerprint(X.double())
    labels = torch.tensor([4, 5, 7])
    assert fingerprint(labels) != fingerprint(labels.int()) != fingerprint(labels.float())
    assert fingerprint(np.array([True, False])) != fingerprint(np.array([1, 0], dtype=np.uint8))
    with pytest.raises(TypeError, match="X: expected a torch.Tensor or numpy.ndarray, got list"):
        fingerprint([1.0, 2.0])


def test_key_bad_settings():
    with pytest.raises(
        TypeError, match="settings: expected a settings dataclass instance or a mapping of settings"
    ):
        cache_key([("seed", 0)])
    with pytest.raises(TypeError, match="settings: expected a settings dataclass instance"):
        cache_key(_Settings)  # the class, not an instance
    with pytest.raises(TypeError, match="settings, inputs: expected JSON-serialisable values"):
        cache_key({"digits": {4, 5, 7}})
    with pytest.raises(TypeError, match="settings, inputs: expected JSON-serialisable values"):
        cache_key(CONFIG, {"model": torch.nn.Linear(2, 2)})
    with pytest.raises(TypeError, match="inputs: expected a mapping name -> value, got list"):
        cache_key(CONFIG, [1, 2])


# --- load_or_train -----------------------------------------------------------------------------


def test_cold_then_warm_gives_identical_weights_without_training():
    trainer = _Trainer()
    model, losses = load_or_train(_fresh(), CONFIG, trainer, name="toy")
    assert trainer.calls == 1 and not model.training
    assert isinstance(losses, list) and len(losses) == CONFIG["epochs"]
    files = _files()
    assert [f.name for f in files] == [f"toy-{cache_key(CONFIG)}.pt"]  # no temporary left over

    warm, warm_losses = load_or_train(_fresh(seed=99), CONFIG, _never, name="toy")
    assert _same_weights(warm, model) and not warm.training
    assert warm_losses == losses
    assert not _same_weights(_fresh(seed=99), model)  # the load did change the weights


def test_different_config_or_name_is_a_different_entry():
    trainer = _Trainer()
    load_or_train(_fresh(), CONFIG, trainer, name="toy")
    load_or_train(_fresh(), CONFIG | {"seed": 1}, trainer, name="toy")
    load_or_train(_fresh(), CONFIG, trainer, name="other")
    assert trainer.calls == 3 and len(_files()) == 3


def test_extra_with_tensors_and_dicts_round_trips():
    extra = {"losses": [0.5, 0.25], "best": torch.tensor([1.0, 2.0]), "note": "ok", "k": 3}
    load_or_train(_fresh(), CONFIG, lambda m: extra, name="toy")
    _, got = load_or_train(_fresh(), CONFIG, _never, name="toy")
    assert got["losses"] == extra["losses"] and got["note"] == "ok" and got["k"] == 3
    assert torch.equal(got["best"], extra["best"])


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # truncated
        lambda p: p.write_bytes(b"not a torch file"),  # garbage
        lambda p: p.write_bytes(b""),  # empty
        lambda p: torch.save({"key": "0" * 20, "state_dict": {}}, p),  # someone else's entry
        lambda p: torch.save([1, 2, 3], p),  # not an entry at all
    ],
    ids=["truncated", "garbage", "empty", "key-mismatch", "not-a-dict"],
)
def test_corrupt_entry_warns_and_retrains(corrupt):
    trainer = _Trainer()
    model, _ = load_or_train(_fresh(), CONFIG, trainer, name="toy")
    (path,) = _files()
    corrupt(path)
    with pytest.warns(
        UserWarning, match=f"ignoring unreadable cache entry {path.name}.*retraining"
    ):
        again, _ = load_or_train(_fresh(), CONFIG, trainer, name="toy")
    assert trainer.calls == 2
    assert _same_weights(again, model)  # training is deterministic, so the same weights
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rewritten entry is good again
        load_or_train(_fresh(), CONFIG, _never, name="toy")


def test_architecture_mismatch_warns_and_retrains():
    load_or_train(_fresh(), CONFIG, _Trainer(), name="toy")
    other = MLPAutoencoder([2, 8, 1, 8, 2], seed=0)
    trainer = _Trainer()
    with pytest.warns(UserWarning, match="ignoring unreadable cache entry"):
        load_or_train(other, CONFIG, trainer, name="toy")
    assert trainer.calls == 1


def test_use_cache_false_trains_every_time_and_writes_nothing():
    trainer = _Trainer()
    model, losses = load_or_train(_fresh(), CONFIG, trainer, name="toy", use_cache=False)
    assert trainer.calls == 1 and not model.training and len(losses) == CONFIG["epochs"]
    assert _files() == []
    load_or_train(_fresh(), CONFIG, trainer, name="toy")  # now write an entry …
    load_or_train(_fresh(), CONFIG, trainer, name="toy", use_cache=False)  # … and ignore it
    assert trainer.calls == 3 and len(_files()) == 1


def test_write_is_atomic(monkeypatch):
    """A save that dies half-way leaves neither a partial entry nor a temporary file."""
    load_or_train(_fresh(), CONFIG, _Trainer(), name="toy")
    (good,) = _files()
    before = good.read_bytes()
    real_save = torch.save

    def dying_save(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        f.truncate(10)
        raise OSError("disk full")

    monkeypatch.setattr(cache.torch, "save", dying_save)
    with pytest.raises(OSError, match="disk full"):
        load_or_train(_fresh(), CONFIG | {"seed": 1}, _Trainer(), name="toy")
    assert _files() == [good] and good.read_bytes() == before


def test_bad_arguments():
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module, got function"):
        load_or_train(lambda x: x, CONFIG, _never)
    with pytest.raises(TypeError, match="settings: expected a settings dataclass instance"):
        load_or_train(_fresh(), "seed=0", _never)
    with pytest.raises(TypeError, match=r"train: expected a callable train\(model\), got list"):
        load_or_train(_fresh(), CONFIG, [1, 2])
    for name in ("", "../escape", "a/b", "."):
        with pytest.raises(ValueError, match="name: expected a plain file-name prefix"):
            load_or_train(_fresh(), CONFIG, _never, name=name)
    with pytest.raises(TypeError, match="name: expected a str file-name prefix, got int"):
        load_or_train(_fresh(), CONFIG, _never, name=5)
    with pytest.raises(TypeError, match="use_cache: expected a bool, got str"):
        load_or_train(_fresh(), CONFIG, _never, use_cache="no")
    assert _files() == []
