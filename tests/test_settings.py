"""aelib.course.settings: the recipes' settings as values, and the cache keys made from them."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest
from settings_changes import each_field_changed

import aelib
from aelib.course import cache, config
from aelib.course.cache import cache_key, load_or_train
from aelib.course.settings import (
    FIGURE1_PANELS,
    ClassifierSettings,
    MnistSettings,
    NegativeSettings,
    ToySettings,
    ToyStudySettings,
    resolve,
)
from aelib.models import MLPAutoencoder

ALL = [ToySettings, ToyStudySettings, MnistSettings, ClassifierSettings, NegativeSettings]

#: The course's choices before settings became values (aelib.course.config at commit dad72e2): results
#: depend on them, so they are pinned here, not read from the code under test.
COURSE_VALUES = {
    ToySettings: {
        "sizes": (2, 5, 1, 5, 2),
        "activation": "relu",
        "seed": 0,
        "restarts": 8,
        "epochs": 2000,
        "lr": 1e-2,
        "collapse_fraction": 0.5,
    },
    ToyStudySettings: {
        "sizes": (2, 5, 1, 5, 2),
        "epochs": 1000,
        "lr": 2e-2,
        "collapse_fraction": 0.5,
    },
    MnistSettings: {
        "digits": (4, 5, 7),
        "seed": 0,
        "latent_dim": 2,
        "channels": (16, 32),
        "activation": "relu",
        "epochs": 20,
        "lr": 5e-3,
        "batch_size": 128,
        "snapshot_epochs": tuple(range(1, 21)),
        "threads": 1,
    },
    ClassifierSettings: {"epochs": 5, "lr": 3e-3, "batch_size": 128, "seed": 0, "threads": 1},
    NegativeSettings: {
        "epochs": 5,
        "lr": 1e-3,
        "batch_size": 128,
        "samples": 64,
        "steps": 5,
        "step": 0.05,
        "weight": 1.0,
        "cap": 0.05,
        "margin": 1.0,
        "seed": 0,
        "threads": 1,
    },
}


@pytest.mark.parametrize("kind", ALL, ids=lambda k: k.__name__)
def test_defaults_are_the_course_values(kind):
    assert dataclasses.asdict(kind()) == COURSE_VALUES[kind]


def test_figure1_panels_are_the_course_values():
    shallow, deep = (2, 5, 1, 5, 2), (2, 100, 20, 1, 20, 100, 2)
    assert dict(FIGURE1_PANELS) == {
        "1a": ("gaussian", shallow, "relu", 1e-2),
        "1b": ("two_gaussians", shallow, "relu", 1e-2),
        "1c": ("banana", shallow, "relu", 1e-2),
        "1d": ("banana", deep, "relu", 3e-3),
        "1e": ("gaussian", shallow, "sigmoid", 1e-2),
        "1f": ("two_gaussians", shallow, "sigmoid", 1e-2),
    }


def test_config_shows_the_settings_under_the_names_the_notebooks_print():
    toy, study, mnist = ToySettings(), ToyStudySettings(), MnistSettings()
    clf, neg = ClassifierSettings(), NegativeSettings()
    assert (config.TOY_SIZES_SHALLOW, config.TOY_EPOCHS, config.TOY_LR) == (
        toy.sizes,
        toy.epochs,
        toy.lr,
    )
    assert (config.TOY_RESTARTS, config.COLLAPSE_FRACTION) == (toy.restarts, toy.collapse_fraction)
    assert (config.TOY_SIZES_DEEP, config.TOY_LR_DEEP) == ((2, 100, 20, 1, 20, 100, 2), 3e-3)
    assert (config.ACT_EPOCHS, config.ACT_LR) == (study.epochs, study.lr)
    assert config.MNIST_DIGITS_A == mnist.digits and config.MNIST_SEED == mnist.seed
    assert (config.MNIST_LATENT_DIM, config.MNIST_CHANNELS) == (mnist.latent_dim, mnist.channels)
    assert (config.MNIST_EPOCHS, config.MNIST_LR, config.MNIST_BATCH_SIZE) == (
        mnist.epochs,
        mnist.lr,
        mnist.batch_size,
    )
    assert config.MNIST_SNAPSHOT_EPOCHS == mnist.snapshot_epochs
    assert config.MNIST_THREADS == mnist.threads
    assert (config.CLASSIFIER_EPOCHS, config.CLASSIFIER_LR) == (clf.epochs, clf.lr)
    assert (config.CLASSIFIER_BATCH_SIZE, config.CLASSIFIER_SEED) == (clf.batch_size, clf.seed)
    assert (config.NEG_EPOCHS, config.NEG_LR, config.NEG_BATCH_SIZE) == (
        neg.epochs,
        neg.lr,
        neg.batch_size,
    )
    assert (config.NEG_SAMPLES, config.NEG_STEPS, config.NEG_STEP) == (
        neg.samples,
        neg.steps,
        neg.step,
    )
    assert (config.NEG_WEIGHT, config.NEG_CAP, config.NEG_MARGIN) == (
        neg.weight,
        neg.cap,
        neg.margin,
    )
    from aelib.course.mitigations import LatentMahalanobis
    from aelib.course.toy_recipes import figure1_data

    assert inspect.signature(figure1_data).parameters["n"].default == config.TOY_N
    quantile = inspect.signature(LatentMahalanobis).parameters["quantile"].default
    assert quantile == config.MAHALANOBIS_QUANTILE


@pytest.mark.parametrize("kind", ALL, ids=lambda k: k.__name__)
def test_settings_are_printable_copyable_hashable_and_frozen(kind):
    s = kind()
    assert repr(s).startswith(f"{kind.__name__}(") and all(
        f"{f.name}=" in repr(s) for f in dataclasses.fields(s)
    )
    assert hash(s) == hash(kind()) and s == kind() and {s: 1}[kind()] == 1
    for name, other in each_field_changed(s):
        assert other != s and hash(other) != hash(s), name
        assert dataclasses.replace(other, **{name: getattr(s, name)}) == s
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, dataclasses.fields(s)[0].name, None)


def test_lists_become_tuples_and_numbers_are_normalised():
    s = MnistSettings(digits=[0, 1], channels=[2, 4], snapshot_epochs=range(1, 3), lr=1)
    assert (s.digits, s.channels, s.snapshot_epochs) == ((0, 1), (2, 4), (1, 2))
    assert type(s.lr) is float and hash(s) == hash(
        MnistSettings(digits=(0, 1), channels=(2, 4), snapshot_epochs=(1, 2), lr=1.0)
    )
    assert MnistSettings(epochs=3, snapshot_epochs=(1, 5)).snapshots == (1, 3)
    assert ToySettings(activation=None).activation is None


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: ToySettings(epochs=0), ValueError, "epochs: expected a positive integer, got 0"),
        (lambda: ToySettings(lr=-1.0), ValueError, "lr: expected a positive number"),
        (lambda: ToySettings(sizes="25152"), TypeError, "sizes: expected a non-empty tuple"),
        (lambda: ToySettings(sizes=(2, 0, 2)), ValueError, r"sizes\[1\]: expected a positive"),
        (lambda: ToySettings(activation="swish"), ValueError, "activation: expected one of"),
        (lambda: ToyStudySettings(collapse_fraction=0), ValueError, "collapse_fraction"),
        (lambda: MnistSettings(digits=(4, 10)), ValueError, r"digits\[1\]: expected one of"),
        (lambda: MnistSettings(digits=()), TypeError, "digits: expected a non-empty tuple"),
        (lambda: MnistSettings(channels=(1, 2, 3)), ValueError, "channels: expected two"),
        (lambda: MnistSettings(activation=None), ValueError, "activation: expected one of"),
        (lambda: MnistSettings(threads=0), ValueError, "threads: expected a positive integer"),
        (lambda: ClassifierSettings(seed=-1), ValueError, "seed: expected a non-negative"),
        (lambda: ClassifierSettings(batch_size=2.0), TypeError, "batch_size: expected a positive"),
        (lambda: NegativeSettings(cap=0.0), ValueError, "cap: expected a positive number"),
        (lambda: NegativeSettings(steps=-1), ValueError, "steps: expected a non-negative"),
    ],
)
def test_bad_settings_name_the_field(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_resolve():
    assert resolve(None, MnistSettings, {}) == MnistSettings()
    base = MnistSettings(seed=3)
    assert resolve(base, MnistSettings, {}) is base
    assert resolve(base, MnistSettings, {"epochs": 2}) == MnistSettings(seed=3, epochs=2)
    with pytest.raises(TypeError, match="settings: expected a MnistSettings, got ToySettings"):
        resolve(ToySettings(), MnistSettings, {})
    with pytest.raises(TypeError, match="epoch: not a setting of MnistSettings; expected one of"):
        resolve(None, MnistSettings, {"epoch": 2})
    with pytest.raises(ValueError, match="epochs: expected a positive integer"):
        resolve(None, MnistSettings, {"epochs": 0})


# --- the cache key hashes the whole settings object -------------------------------------------


class _Count:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, model):
        self.calls += 1
        return {"calls": self.calls}


@pytest.mark.parametrize("kind", ALL, ids=lambda k: k.__name__)
def test_changing_any_field_changes_the_key_and_retrains(kind):
    base = kind()
    keys = {cache_key(base)}
    train = _Count()
    load_or_train(MLPAutoencoder([2, 1, 2], seed=0), base, train, name="s")
    for name, other in each_field_changed(base):
        key = cache_key(other)
        assert key not in keys, f"{kind.__name__}.{name} does not change the key"
        keys.add(key)
        calls = train.calls
        load_or_train(MLPAutoencoder([2, 1, 2], seed=0), other, train, name="s")
        assert train.calls == calls + 1, name
    load_or_train(MLPAutoencoder([2, 1, 2], seed=0), base, _never, name="s")  # still cached


def _never(model):
    raise AssertionError("retrained although nothing changed")


def test_bumping_the_training_code_version_retrains(monkeypatch):
    train = _Count()
    load_or_train(MLPAutoencoder([2, 1, 2], seed=0), ToySettings(), train, name="s")
    monkeypatch.setattr(cache, "TRAINING_CODE_VERSION", cache.TRAINING_CODE_VERSION + 1)
    load_or_train(MLPAutoencoder([2, 1, 2], seed=0), ToySettings(), train, name="s")
    assert train.calls == 2


# --- no recipe reads a module constant --------------------------------------------------------

RECIPE_MODULES = [
    "course/toy_recipes",
    "course/toy_training",
    "course/mnist_experiments",
    "course/mitigations",
    "train",
]


@pytest.mark.parametrize("module", RECIPE_MODULES)
def test_recipes_do_not_read_aelib_config(module):
    """Settings come from the settings object only: no ``config`` import, so no default and no
    key can read a mutable module constant."""
    tree = ast.parse((Path(aelib.__file__).parent / f"{module}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "aelib.course":
            assert "config" not in [a.name for a in node.names], module
        if isinstance(node, ast.ImportFrom):
            assert node.module != "aelib.course.config", module


class _Seen(Exception):
    pass


def test_setting_a_config_constant_changes_no_recipe(monkeypatch):
    """The stale-settings bug: ``config.NEG_EPOCHS = 10`` used to change the key, not the training."""
    from aelib.course import mnist_experiments

    def spy(model, settings, train, **kwargs):
        raise _Seen(settings)

    monkeypatch.setattr(config, "MNIST_EPOCHS", 1)
    monkeypatch.setattr(mnist_experiments, "load_or_train", spy)
    with pytest.raises(_Seen) as seen:
        mnist_experiments.mnist_autoencoder((0, 1))
    assert seen.value.args[0] == MnistSettings(digits=(0, 1))


def test_thread_counts_are_set_only_by_aelib_threads():
    root = Path(aelib.__file__).parent
    users = sorted(
        str(p.relative_to(root)) for p in root.rglob("*.py") if "set_num_threads" in p.read_text()
    )
    assert users == ["threads.py"]
