"""Tests of aelib.course.toy_training: the batched ensemble trainer (the recipes: test_toy_recipes.py)."""

import pytest
import torch

from aelib import data
from aelib.course.toy_training import AutoencoderEnsemble, baseline_loss, train_ensemble
from aelib.models import MLPAutoencoder
from aelib.train import fit


def test_members_start_as_mlp_autoencoders():
    ens = AutoencoderEnsemble([2, 5, 1, 5, 2], "relu", [3, 7])
    X = torch.randn(10, 2)
    for k, seed in enumerate([3, 7]):
        ref = MLPAutoencoder([2, 5, 1, 5, 2], activation="relu", seed=seed)
        assert torch.allclose(ens(X)[k], ref(X), atol=1e-6)
        assert torch.allclose(ens.member(k)(X), ref(X), atol=1e-6)


@pytest.mark.parametrize(
    "sizes, activation, seeds, epochs",
    [
        ([2, 4, 1, 4, 2], "tanh", [0, 1], 20),
        ([2, 5, 1, 5, 2], "relu", [0, 1, 2, 3], 200),  # Figure 1's shape, restarts that may die
        ([2, 100, 20, 1, 20, 100, 2], "relu", [0, 1], 50),  # Figure 1d
        ([2, 5, 1, 5, 2], "sigmoid", [5], 100),
    ],
)
def test_each_member_trains_like_a_single_model_fit(sizes, activation, seeds, epochs):
    """The vectorised loop is the one loop: member k's losses are a full-batch ``fit`` of
    ``MLPAutoencoder(sizes, activation, seed=seeds[k])`` with the same lr (float tolerance)."""
    X = data.banana(40)
    ens = AutoencoderEnsemble(sizes, activation, seeds)
    hist = train_ensemble(ens, X, epochs=epochs, lr=1e-2)
    assert hist.shape == (epochs, len(seeds))
    for k, seed in enumerate(seeds):
        ref = MLPAutoencoder(sizes, activation=activation, seed=seed)
        losses = fit(ref, X, epochs=epochs, lr=1e-2, progress=False)
        assert hist[:, k].tolist() == pytest.approx(losses, rel=1e-4, abs=1e-7)
        assert torch.allclose(ens.member(k)(X), ref(X), atol=1e-4)


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


@pytest.mark.parametrize(
    ("call", "err"),
    [
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", []), TypeError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", [-1]), ValueError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "swish!", [0]), ValueError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", [0]).member(1), ValueError),
        (lambda: AutoencoderEnsemble([2, 1, 2], "relu", [0, 1])(torch.zeros(3, 4, 2)), ValueError),
        (lambda: train_ensemble("ens", torch.zeros(3, 2), 1), TypeError),
        (
            lambda: train_ensemble(
                AutoencoderEnsemble([2, 1, 2], "relu", [0]), torch.zeros(3, 3), 1
            ),
            ValueError,
        ),
        (
            lambda: train_ensemble(
                AutoencoderEnsemble([2, 1, 2], "relu", [0]), [torch.zeros(3, 2)] * 2, 1
            ),
            ValueError,
        ),
        (lambda: baseline_loss(torch.zeros(3)), ValueError),
    ],
)
def test_bad_inputs(call, err):
    with pytest.raises(err):
        call()
