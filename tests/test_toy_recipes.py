"""Tests of aelib.course.toy_recipes: restarts, collapse detection, the Figure-1 registry, fit_many, caching."""

from __future__ import annotations

import pytest
import torch
from settings_changes import each_field_changed

from aelib import data
from aelib.course import cache, toy_recipes
from aelib.course.settings import ToySettings, ToyStudySettings
from aelib.course.toy_recipes import (
    FIGURE1_PANELS,
    figure1_data,
    figure1_model,
    figure1_settings,
    fit_many,
    fit_toy_autoencoder,
)
from aelib.course.toy_training import AutoencoderEnsemble, train_ensemble

TINY = ToySettings(sizes=(2, 3, 1, 3, 2), restarts=2, epochs=5)


@pytest.fixture
def trainings(monkeypatch):
    """Counts the batched trainings the recipes start (cache misses)."""

    class Calls(list):
        progress: list  # (progress, desc) of each training

    calls = Calls()
    progress_shown = []

    def counting(ensemble, X, epochs, lr=1e-3, progress=False, desc="training"):
        calls.append((len(ensemble), epochs, lr))
        progress_shown.append((progress, desc))
        return train_ensemble(ensemble, X, epochs=epochs, lr=lr, progress=progress, desc=desc)

    monkeypatch.setattr(toy_recipes, "train_ensemble", counting)
    calls.progress = progress_shown
    return calls


def test_restarts_keep_best_and_flag_collapse():
    X = figure1_data("diagonal")
    fit_ = fit_toy_autoencoder(X, restarts=4, epochs=300)
    assert fit_.settings == ToySettings(restarts=4, epochs=300)
    assert fit_.loss == pytest.approx(float(fit_.final_losses.min()))
    assert torch.equal(fit_.collapsed, fit_.final_losses > 0.5 * fit_.baseline)
    # the kept model reproduces its recorded loss
    assert float(((fit_.model(X).detach() - X) ** 2).mean()) == pytest.approx(fit_.loss, rel=1e-4)


def test_restarts_are_the_seeds_of_the_ensemble():
    X = data.banana(30)
    fit_ = fit_toy_autoencoder(X, TINY, seed=3, use_cache=False)
    ens = AutoencoderEnsemble(TINY.sizes, "relu", [3, 4])
    history = train_ensemble(ens, X, epochs=TINY.epochs, lr=TINY.lr)
    assert torch.equal(fit_.history, history)


def test_cache_round_trip_is_identical(trainings):
    X = data.banana(40)
    a = fit_toy_autoencoder(X, TINY)
    b = fit_toy_autoencoder(X, TINY)  # from cache
    assert len(trainings) == 1
    assert torch.equal(a.final_losses, b.final_losses)
    assert torch.equal(a.history, b.history)


def test_every_setting_and_the_data_are_in_the_key(trainings):
    X = data.banana(30)
    fit_toy_autoencoder(X, TINY)
    for name, other in each_field_changed(TINY):
        n = len(trainings)
        fit_toy_autoencoder(X, other)
        assert len(trainings) == n + 1, name
    n = len(trainings)
    fit_toy_autoencoder(X[:29], TINY)
    fit_toy_autoencoder(X.double(), TINY)  # float64 data is trained in float32: same entry
    assert len(trainings) == n + 1
    fit_toy_autoencoder(X, TINY)
    assert len(trainings) == n + 1


def test_a_new_training_code_version_retrains(trainings, monkeypatch):
    X = data.banana(30)
    fit_toy_autoencoder(X, TINY)
    monkeypatch.setattr(cache, "TRAINING_CODE_VERSION", cache.TRAINING_CODE_VERSION + 1)
    fit_toy_autoencoder(X, TINY)
    assert len(trainings) == 2


def test_a_corrupt_entry_warns_and_retrains(trainings):
    X = data.banana(30)
    first = fit_toy_autoencoder(X, TINY)
    (path,) = cache.cache_dir().glob("toy-*.pt")
    path.write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="ignoring unreadable cache entry"):
        again = fit_toy_autoencoder(X, TINY)
    assert len(trainings) == 2 and torch.equal(first.final_losses, again.final_losses)


def test_fit_many_pairs():
    runs = fit_many({"g": data.gaussian(20), "b": data.banana(25)}, "sigmoid", [0, 1], epochs=5)
    assert [(r.data, r.seed) for r in runs] == [("g", 0), ("g", 1), ("b", 0), ("b", 1)]
    assert all(isinstance(r.collapsed, bool) for r in runs)
    assert all(r.collapsed == (r.loss > 0.5 * r.baseline) for r in runs)


def test_fit_many_key(trainings):
    sets = {"g": data.gaussian(20), "b": data.banana(25)}
    base = ToyStudySettings(sizes=(2, 3, 1, 3, 2), epochs=3)
    fit_many(sets, "relu", [0, 1], settings=base)
    for name, other in each_field_changed(base):
        n = len(trainings)
        fit_many(sets, "relu", [0, 1], settings=other)
        assert len(trainings) == n + 1, name
    n = len(trainings)
    fit_many(sets, "tanh", [0, 1], settings=base)
    fit_many(sets, "relu", [1, 0], settings=base)
    fit_many({"b": sets["b"], "g": sets["g"]}, "relu", [0, 1], settings=base)  # member order
    fit_many({"g": sets["g"][:19], "b": sets["b"]}, "relu", [0, 1], settings=base)
    assert len(trainings) == n + 4
    runs = fit_many(sets, "relu", [0, 1], settings=base)
    assert len(trainings) == n + 4 and [r.data for r in runs] == ["g", "g", "b", "b"]


def test_figure1_registry():
    assert sorted(FIGURE1_PANELS) == ["1a", "1b", "1c", "1d", "1e", "1f"]
    assert figure1_settings("1d") == ToySettings(sizes=(2, 100, 20, 1, 20, 100, 2), lr=3e-3)
    assert figure1_settings("1f") == ToySettings(activation="sigmoid")
    assert torch.equal(figure1_data("banana"), data.banana(100, seed=0))


def test_figure1_model_uses_the_panel_settings(monkeypatch):
    seen = {}

    def spy(X, settings=None, *, use_cache=True, progress=False, desc="training", **overrides):
        seen.update(X=X, settings=settings, overrides=overrides, progress=progress, desc=desc)
        return "fit"

    monkeypatch.setattr(toy_recipes, "fit_toy_autoencoder", spy)
    fit_, X = figure1_model("1e")
    assert fit_ == "fit" and torch.equal(X, data.gaussian(100, seed=0))
    assert seen["settings"] == figure1_settings("1e") and seen["overrides"] == {}
    assert seen["progress"] is False  # default: no bar, as before
    figure1_model("1e", progress=True)
    assert seen["progress"] is True and seen["desc"] == "training 1e"


def test_progress_bar_only_while_training(trainings, capsys):
    X = data.banana(30)
    fit_toy_autoencoder(X, TINY)
    fit_toy_autoencoder(X, TINY, seed=1, progress=True, desc="training x")
    fit_toy_autoencoder(X, TINY, seed=1, progress=True)  # from the cache: no training, no bar
    assert trainings.progress == [(False, "training"), (True, "training x")]
    sets = {"g": data.gaussian(20)}
    fit_many(sets, "tanh", [0], epochs=3)
    fit_many(sets, "tanh", [0], epochs=3, progress=True)  # cached
    fit_many(sets, "elu", [0], epochs=3, progress=True)
    assert trainings.progress[2:] == [(False, "training tanh"), (True, "training elu")]


def test_progress_bar_text(capsys):
    # outside Jupyter tqdm.auto writes to stderr; the bar is removed when done (leave=False)
    ens = AutoencoderEnsemble(TINY.sizes, "relu", [0])
    train_ensemble(ens, data.banana(10), epochs=3, progress=True, desc="training 1z")
    assert "training 1z" in capsys.readouterr().err
    train_ensemble(ens, data.banana(10), epochs=3)
    assert capsys.readouterr().err == ""


def test_restarts_kept_in_the_fit():
    X = data.banana(30)
    fit_ = fit_toy_autoencoder(X, TINY, use_cache=False)
    for k in range(TINY.restarts):
        err = float(((fit_.restart(k)(X).detach() - X) ** 2).mean())
        assert err == pytest.approx(float(fit_.final_losses[k]), rel=1e-4)
    with pytest.raises(ValueError, match="k: expected an index below 2"):
        fit_.restart(2)
    fit_.ensemble = None
    with pytest.raises(ValueError, match="kept no ensemble"):
        fit_.restart(0)


def test_old_import_paths_still_work():
    from aelib.course import toy_training

    for name in toy_training._RECIPES:
        assert getattr(toy_training, name) is getattr(toy_recipes, name)
    from aelib.course.toy_training import FIGURE1_PANELS as panels
    from aelib.course.toy_training import figure1_model as f1

    assert panels is FIGURE1_PANELS and f1 is figure1_model
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        toy_training.nope  # noqa: B018


@pytest.mark.parametrize(
    ("call", "err", "message"),
    [
        (lambda: figure1_model("1z"), ValueError, "panel: expected one of"),
        (lambda: figure1_data("spiral"), ValueError, "name: expected one of"),
        (lambda: fit_toy_autoencoder(torch.zeros(3, 2), restarts=0), ValueError, "restarts"),
        (lambda: fit_toy_autoencoder(torch.zeros(3, 2), lr=-1.0), ValueError, "lr"),
        (lambda: fit_toy_autoencoder([[0.0, 1.0]]), TypeError, "X: expected"),
        (lambda: fit_toy_autoencoder(torch.zeros(3, 2), epoch=3), TypeError, "epoch: not a set"),
        (
            lambda: fit_toy_autoencoder(torch.zeros(3, 2), ToyStudySettings()),
            TypeError,
            "settings: expected a ToySettings",
        ),
        (lambda: fit_many({}, "relu", [0]), TypeError, "datasets"),
        (
            lambda: train_ensemble(
                AutoencoderEnsemble([2, 1, 2], "relu", [0]), torch.zeros(3, 2), 1, desc=3
            ),
            TypeError,
            "desc: expected a string",
        ),
        (lambda: fit_many({"g": data.gaussian(5)}, "relu", []), TypeError, "seeds"),
        (lambda: fit_many({"g": data.gaussian(5)}, "relu", [0], seed=1), TypeError, "seed: not"),
    ],
)
def test_bad_inputs(call, err, message):
    with pytest.raises(err, match=message):
        call()
