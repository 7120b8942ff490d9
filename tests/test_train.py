"""aelib.train.fit: the seeded Adam loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from aelib.data import banana, gaussian
from aelib.models import ConvAutoencoder, MLPAutoencoder
from aelib.train import fit, reconstruction_loss

SIZES = [2, 5, 1, 5, 2]


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


# --- the old loop is kept bit for bit --------------------------------------------------------


def _old_fit(model, X, epochs, lr=1e-3, batch_size=None, seed=0):
    """The loop of ``fit`` before it took ``loss``, ``y`` and ``generator`` (commit dad72e2),
    without its argument checks: the oracle for default calls. Never edit it to pass a test."""
    n = X.shape[0]
    size = n if batch_size is None else min(batch_size, n)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator) if size < n else torch.arange(n)
        total = 0.0
        for start in range(0, n, size):
            batch = X[order[start : start + size]]
            loss = torch.mean((model(batch) - batch) ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.shape[0]
        losses.append(total / n)
    model.eval()
    return losses


@pytest.mark.parametrize(
    "make, X, kwargs",
    [
        (lambda: _model(seed=3), banana(n=50, seed=0), {"epochs": 40, "lr": 1e-2}),
        (lambda: _model(seed=3), banana(n=50, seed=0), {"epochs": 10, "batch_size": 8, "seed": 7}),
        (
            lambda: ConvAutoencoder(latent_dim=2, channels=(2, 4), seed=0),
            torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(0)),
            {"epochs": 3, "lr": 1e-2, "batch_size": 5, "seed": 1},
        ),
    ],
    ids=["mlp-full-batch", "mlp-mini-batch", "conv-mini-batch"],
)
def test_default_calls_equal_the_old_loop_bit_for_bit(make, X, kwargs):
    new, old = make(), make()
    got = fit(new, X, progress=False, **kwargs)
    want = _old_fit(old, X, **kwargs)
    assert got == want
    assert all(torch.equal(v, old.state_dict()[k]) for k, v in new.state_dict().items())


# --- loss, y and generator ---------------------------------------------------------------------


def test_default_loss_is_reconstruction_loss():
    X = banana(n=30, seed=0)
    a = fit(_model(seed=1), X, epochs=5, batch_size=8, progress=False)
    b = fit(_model(seed=1), X, epochs=5, batch_size=8, progress=False, loss=reconstruction_loss)
    assert a == b


def test_custom_loss_sees_each_mini_batch_once_per_epoch():
    X = gaussian(n=10, seed=0)
    seen = []

    def loss(model, batch):
        seen.append(batch.clone())
        return torch.mean((model(batch) - batch).abs())

    losses = fit(_model(), X, epochs=2, batch_size=4, progress=False, loss=loss)
    assert [len(b) for b in seen] == [4, 4, 2] * 2
    for epoch in (seen[:3], seen[3:]):  # every sample once, in a seeded order
        assert sorted(torch.cat(epoch)[:, 0].tolist()) == sorted(X[:, 0].tolist())
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)


def test_targets_are_batched_with_their_inputs():
    """A classifier: y rides along X in the same shuffled order, and is not cast to float."""
    g = torch.Generator().manual_seed(0)
    X = torch.randn(60, 3, generator=g)
    y = (X[:, 0] > 0).long()
    model = nn.Linear(3, 2)
    pairs = []

    def loss(m, batch):
        xb, yb = batch
        pairs.append((xb, yb))
        return nn.functional.cross_entropy(m(xb), yb)

    losses = fit(model, X, 40, lr=5e-2, batch_size=16, y=y.numpy(), loss=loss, progress=False)
    assert all(
        yb.dtype == torch.int64 and torch.equal(yb, (xb[:, 0] > 0).long()) for xb, yb in pairs
    )
    assert losses[-1] < 0.5 * losses[0]
    assert (model(X).argmax(1) == y).float().mean() > 0.9


def test_a_shared_generator_draws_the_batch_order():
    X = banana(n=40, seed=0)
    a = fit(_model(), X, epochs=4, batch_size=8, seed=3, progress=False)
    b = fit(
        _model(),
        X,
        epochs=4,
        batch_size=8,
        generator=torch.Generator().manual_seed(3),
        progress=False,
    )
    assert a == b
    draws = []

    def loss(model, batch):  # draws from the same stream as the batch order
        draws.append(float(torch.rand(1, generator=gen)))
        return reconstruction_loss(model, batch)

    gen = torch.Generator().manual_seed(3)
    c = fit(_model(), X, epochs=4, batch_size=8, generator=gen, loss=loss, progress=False)
    assert c != a  # the loss's draws moved the next epochs' orders
    assert len(set(draws)) == len(draws) == 20


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"loss": "mse"}, TypeError, "loss: expected a callable loss"),
        (
            {"y": torch.zeros(10)},
            ValueError,
            r"loss: expected a loss\(model, \(X_batch, y_batch\)\)",
        ),
        (
            {"y": torch.zeros(9), "loss": reconstruction_loss},
            ValueError,
            r"y: expected one target per sample \(10\), got shape \(9,\)",
        ),
        ({"y": [0] * 10, "loss": reconstruction_loss}, TypeError, "y: expected a torch.Tensor"),
        ({"generator": 3}, TypeError, "generator: expected a torch.Generator or None, got int"),
        (
            {"loss": lambda m, b: (m(b) - b) ** 2},
            TypeError,
            "loss: expected it to return a scalar tensor, got Tensor of shape",
        ),
        ({"loss": lambda m, b: 0.5}, TypeError, "loss: expected it to return a scalar tensor"),
    ],
)
def test_bad_loss_targets_and_generator(kwargs, error, message):
    with pytest.raises(error, match=message):
        fit(_model(), X_OK, epochs=1, progress=False, **kwargs)


def test_a_custom_loss_lifts_the_same_shape_requirement():
    fit(nn.Linear(2, 3), X_OK, epochs=1, progress=False, loss=lambda m, b: m(b).pow(2).mean())
