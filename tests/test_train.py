"""aelib.train.fit: the seeded Adam loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from aelib.data import banana, gaussian
from aelib.models import ConvAutoencoder, MLPAutoencoder
from aelib.train import fit

SIZES = [2, 5, 1, 5, 2]


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models train ~30x faster on one thread when the CPU is shared (measured 0.3 s vs 11 s)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _model(seed: int = 0, **kwargs) -> MLPAutoencoder:
    return MLPAutoencoder(SIZES, seed=seed, **kwargs)


def _mse(model: nn.Module, X: torch.Tensor) -> float:
    with torch.no_grad():
        return float(torch.mean((model(X) - X) ** 2))


class _CountCalls(nn.Module):
    """Wraps a model and counts forward passes with their batch sizes."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.batches: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.batches.append(x.shape[0])
        return self.inner(x)


def test_returns_one_float_per_epoch_and_losses_decrease():
    X = gaussian(n=100, seed=0)
    losses = fit(_model(), X, epochs=150, lr=1e-2, progress=False)
    assert isinstance(losses, list) and len(losses) == 150
    assert all(type(v) is float and math.isfinite(v) for v in losses)
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])


def test_trains_in_place_and_leaves_the_model_in_eval_mode():
    X = gaussian(n=50, seed=0)
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    fit(model, X, epochs=3, progress=False)
    assert not model.training
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_first_loss_is_the_mse_of_the_initial_model():
    X = banana(n=64, seed=1)
    model = _model(seed=2)
    initial = _mse(model, X)
    losses = fit(model, X, epochs=5, progress=False)
    assert losses[0] == pytest.approx(initial, rel=1e-5)
    # mini-batches: the epoch loss is the sample-weighted mean of the batch losses, so with a
    # learning rate too small to move the weights it is again the initial MSE (uneven last batch)
    model = _model(seed=2)
    losses = fit(model, X, epochs=1, lr=1e-12, batch_size=10, progress=False)
    assert losses[0] == pytest.approx(initial, rel=1e-5)


@pytest.mark.parametrize(
    "batch_size, steps_per_epoch, sizes",
    [(None, 1, [40]), (40, 1, [40]), (10, 4, [10] * 4), (16, 3, [16, 16, 8])],
)
def test_full_batch_vs_mini_batch_steps(batch_size, steps_per_epoch, sizes):
    X = gaussian(n=40, seed=0)
    model = _CountCalls(_model())
    fit(model, X, epochs=3, batch_size=batch_size, progress=False)
    assert model.batches[0] == 1  # the shape check on one sample
    assert model.batches[1:] == sizes * 3
    assert len(model.batches) == 1 + 3 * steps_per_epoch


def test_batch_size_at_least_n_is_full_batch():
    X = gaussian(n=30, seed=0)
    a = fit(_model(), X, epochs=20, progress=False)
    b = fit(_model(), X, epochs=20, batch_size=1000, progress=False)
    assert a == b


@pytest.mark.parametrize("batch_size", [None, 8])
def test_deterministic_for_a_seed_on_cpu(batch_size):
    X = banana(n=50, seed=0)
    m1, m2 = _model(seed=5), _model(seed=5)
    l1 = fit(m1, X, epochs=15, batch_size=batch_size, seed=3, progress=False)
    torch.manual_seed(999)  # the global generator does not matter
    l2 = fit(m2, X, epochs=15, batch_size=batch_size, seed=3, progress=False)
    assert l1 == l2
    for k, v in m1.state_dict().items():
        assert torch.equal(v, m2.state_dict()[k])


def test_seed_changes_mini_batch_order_but_not_full_batch():
    X = banana(n=50, seed=0)
    mini = [fit(_model(), X, epochs=5, batch_size=8, seed=s, progress=False) for s in (0, 1)]
    assert mini[0] != mini[1]
    full = [fit(_model(), X, epochs=5, seed=s, progress=False) for s in (0, 1)]
    assert full[0] == full[1]


def test_learning_rate_matters():
    X = gaussian(n=50, seed=0)
    slow = fit(_model(), X, epochs=30, lr=1e-5, progress=False)
    fast = fit(_model(), X, epochs=30, lr=1e-2, progress=False)
    assert fast[-1] < slow[-1]


def test_numpy_float64_data_and_float64_models():
    X = gaussian(n=20, seed=0).double().numpy()
    losses = fit(_model(), X, epochs=2, progress=False)  # float64 array, float32 model
    assert len(losses) == 2
    model = _model().double()
    fit(model, torch.from_numpy(X).float(), epochs=2, progress=False)
    assert next(model.parameters()).dtype == torch.float64


def test_data_that_requires_grad_is_treated_as_data():
    X = gaussian(n=20, seed=0).requires_grad_()
    fit(_model(), X, epochs=2, progress=False)
    assert X.grad is None


def test_conv_autoencoder_trains_on_images():
    X = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    model = ConvAutoencoder(latent_dim=2, channels=(2, 4), seed=0)
    losses = fit(model, X, epochs=3, lr=1e-2, progress=False)
    assert len(losses) == 3 and losses[-1] < losses[0]


def test_progress_bar_goes_to_stderr(capsys):
    fit(_model(), gaussian(n=10), epochs=2, progress=True)
    assert "training" in capsys.readouterr().err
    fit(_model(), gaussian(n=10), epochs=2, progress=False)
    assert capsys.readouterr().err == ""


# --- bad input -------------------------------------------------------------------------------

X_OK = gaussian(n=10, seed=0)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"epochs": 0}, ValueError, "epochs: expected a positive integer, got 0"),
        ({"epochs": -5}, ValueError, "epochs: expected a positive integer, got -5"),
        ({"epochs": True}, TypeError, "epochs: expected a positive integer, got bool"),
        ({"epochs": 2.0}, TypeError, "epochs: expected a positive integer, got float"),
        ({"lr": 0.0}, ValueError, "lr: expected a positive number, got 0.0"),
        ({"lr": -1e-3}, ValueError, "lr: expected a positive number"),
        ({"lr": float("nan")}, ValueError, "lr: expected a finite number, got nan"),
        ({"lr": "1e-3"}, TypeError, "lr: expected a positive number, got str"),
        ({"batch_size": 0}, ValueError, "batch_size: expected a positive integer, got 0"),
        ({"batch_size": False}, TypeError, "batch_size: expected a positive integer, got bool"),
        ({"batch_size": 8.0}, TypeError, "batch_size: expected a positive integer, got float"),
        ({"seed": -1}, ValueError, "seed: expected a non-negative integer, got -1"),
        ({"seed": None}, TypeError, "seed: expected a non-negative integer, got NoneType"),
    ],
)
def test_bad_scalar_arguments(kwargs, error, message):
    args = {"epochs": 1} | kwargs
    with pytest.raises(error, match=message):
        fit(_model(), X_OK, progress=False, **args)


@pytest.mark.parametrize(
    "X, error, message",
    [
        (
            [[0.0, 1.0]],
            TypeError,
            r"X: expected a torch.Tensor or numpy.ndarray with shape \(N, \*input_shape\), got list",
        ),
        (torch.zeros(10, 2, dtype=torch.int64), TypeError, "X: expected a floating-point tensor"),
        (np.zeros((10, 2), dtype=bool), TypeError, "X: expected a floating-point array"),
        (torch.zeros(10), ValueError, r"X: expected shape \(N, \*input_shape\), got shape \(10,\)"),
        (torch.zeros(0, 2), ValueError, r"X: expected a non-empty array"),
        (
            torch.tensor([[0.0, float("nan")]]),
            ValueError,
            "X: expected finite values, got 1 NaN and 0 inf",
        ),
        (
            torch.tensor([[0.0, float("-inf")]]),
            ValueError,
            "X: expected finite values, got 0 NaN and 1 inf",
        ),
        (
            torch.zeros(10, 3),
            ValueError,
            r"X: expected input the model accepts, got shape \(10, 3\)",
        ),
    ],
)
def test_bad_data(X, error, message):
    with pytest.raises(error, match=message):
        fit(_model(), X, epochs=1, progress=False)


def test_bad_models():
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module, got function"):
        fit(lambda x: x, X_OK, epochs=1, progress=False)
    with pytest.raises(ValueError, match="model: expected a module with trainable parameters"):
        fit(nn.Identity(), X_OK, epochs=1, progress=False)
    with pytest.raises(
        ValueError,
        match=r"model: expected it to map a batch of shape \(1, 2\) to the same shape, got \(1, 3\)",
    ):
        fit(nn.Linear(2, 3), X_OK, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"X: expected input the model accepts.*mat1 and mat2"):
        fit(nn.Linear(3, 3), X_OK, epochs=1, progress=False)


def test_callback_sees_every_epoch_and_its_loss():
    seen = []
    losses = fit(
        MLPAutoencoder([2, 3, 1, 3, 2], seed=0),
        gaussian(30),
        5,
        progress=False,
        callback=lambda epoch, loss: seen.append((epoch, loss)),
    )
    assert seen == list(zip(range(1, 6), losses, strict=True))


def test_callback_must_be_callable():
    with pytest.raises(TypeError, match="callback: expected a callable"):
        fit(MLPAutoencoder([2, 1, 2], seed=0), gaussian(10), 1, progress=False, callback=3)
