"""Tests of aelib.course.toy_training: the batched ensemble, restarts, collapse detection, caching."""

import pytest
import torch

from aelib import data
from aelib.course.toy_training import (
    AutoencoderEnsemble,
    baseline_loss,
    figure1_data,
    figure1_model,
    fit_many,
    fit_toy_autoencoder,
    train_ensemble,
)
from aelib.models import MLPAutoencoder
from aelib.train import fit


def test_members_start_as_mlp_autoencoders():
    ens = AutoencoderEnsemble([2, 5, 1, 5, 2], "relu", [3, 7])
    X = torch.randn(10, 2)
    for k, seed in enumerate([3, 7]):
        ref = MLPAutoencoder([2, 5, 1, 5, 2], activation="relu", seed=seed)
        assert torch.allclose(ens(X)[k], ref(X), atol=1e-6)
        assert torch.allclose(ens.member(k)(X), ref(X), atol=1e-6)


def test_batched_training_equals_separate_training():
    X = data.gaussian(30)
    ens = AutoencoderEnsemble([2, 4, 1, 4, 2], "tanh", [0, 1])
    hist = train_ensemble(ens, X, epochs=20, lr=1e-2)
    ref = MLPAutoencoder([2, 4, 1, 4, 2], activation="tanh", seed=1)
    losses = fit(ref, X, epochs=20, lr=1e-2, progress=False)
    assert hist.shape == (20, 2)
    assert hist[:, 1].tolist() == pytest.approx(losses, rel=1e-4)
    assert torch.allclose(ens.member(1)(X), ref(X), atol=1e-4)


def test_padded_sets_train_like_unpadded():
    a, b = data.gaussian(20), data.banana(30)
    ens = AutoencoderEnsemble([2, 3, 1, 3, 2], "elu", [0, 0])
    hist = train_ensemble(ens, [a, b], epochs=5)
    ref = AutoencoderEnsemble([2, 3, 1, 3, 2], "elu", [0])
    hist_ref = train_ensemble(ref, a, epochs=5)
    assert hist[:, 0].tolist() == pytest.approx(hist_ref[:, 0].tolist(), rel=1e-5)


def test_baseline_is_mean_only_mse():
    X = torch.tensor([[0.0, 0.0], [2.0, 4.0]])
    assert baseline_loss(X) == pytest.approx((1 + 4) / 2)


def test_restarts_keep_best_and_flag_collapse():
    X = figure1_data("diagonal")
    fit_ = fit_toy_autoencoder(X, restarts=4, epochs=300)
    assert fit_.loss == pytest.approx(float(fit_.final_losses.min()))
    assert torch.equal(fit_.collapsed, fit_.final_losses > 0.5 * fit_.baseline)
    # the kept model reproduces its recorded loss
    assert float(((fit_.model(X).detach() - X) ** 2).mean()) == pytest.approx(fit_.loss, rel=1e-4)


def test_cache_round_trip_is_identical():
    X = data.banana(40)
    a = fit_toy_autoencoder(X, restarts=2, epochs=50)
    b = fit_toy_autoencoder(X, restarts=2, epochs=50)  # from cache
    assert torch.equal(a.final_losses, b.final_losses)
    assert torch.equal(a.history, b.history)


def test_fit_many_pairs():
    runs = fit_many({"g": data.gaussian(20), "b": data.banana(25)}, "sigmoid", [0, 1], epochs=5)
    assert [(r.data, r.seed) for r in runs] == [("g", 0), ("g", 1), ("b", 0), ("b", 1)]
    assert all(isinstance(r.collapsed, bool) for r in runs)


def test_figure1_model_bad_panel():
    with pytest.raises(ValueError, match="1a"):
        figure1_model("1z")
    with pytest.raises(ValueError):
        figure1_data("spiral")


@pytest.mark.parametrize(
    ("call", "err"),
    [
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", []), TypeError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", [-1]), ValueError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "swish!", [0]), ValueError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", [0]).member(1), ValueError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", [0, 1])(torch.zeros(3, 4, 2)), ValueError),
        (lambda: train_ensemble("ens", torch.zeros(3, 2)), TypeError),
        (
            lambda: train_ensemble(AutoencoderEnsemble([2, 1, 2], "relu", [0]), torch.zeros(3, 3)),
            ValueError,
        ),
        (
            lambda: train_ensemble(
                AutoencoderEnsemble([2, 1, 2], "relu", [0]), [torch.zeros(3, 2)] * 2
            ),
            ValueError,
        ),
        (lambda: fit_toy_autoencoder(torch.zeros(3, 2), restarts=0), ValueError),
        (lambda: fit_toy_autoencoder(torch.zeros(3, 2), lr=-1.0), ValueError),
        (lambda: fit_toy_autoencoder([[0.0, 1.0]]), TypeError),
        (lambda: fit_many({}, "relu", [0]), TypeError),
        (lambda: baseline_loss(torch.zeros(3)), ValueError),
    ],
)
def test_bad_inputs(call, err):
    with pytest.raises(err):
        call()
