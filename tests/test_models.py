"""aelib.models: MLPAutoencoder and ConvAutoencoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from aelib.models import ACTIVATIONS, ConvAutoencoder, MLPAutoencoder

PAPER_SMALL = [2, 5, 1, 5, 2]
PAPER_DEEP = [2, 100, 20, 1, 20, 100, 2]


def _linears(module: nn.Module) -> list[nn.Linear]:
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def _params_equal(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# --- MLPAutoencoder: structure -----------------------------------------------------------------


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_follows_every_layer_but_the_last(activation):
    model = MLPAutoencoder(PAPER_SMALL, activation=activation, seed=0)
    cls = ACTIVATIONS[activation][0]
    layers = list(model.encoder) + list(model.decoder)
    kinds = [type(m) for m in layers]
    assert kinds == [nn.Linear, cls, nn.Linear, cls, nn.Linear, cls, nn.Linear]
    # encoder ends with the bottleneck's activation (as in the paper), decoder ends linear
    assert kinds[: len(model.encoder)] == [nn.Linear, cls, nn.Linear, cls]
    assert isinstance(model.decoder[-1], nn.Linear)
    x = torch.randn(6, 2)
    assert model.encode(x).shape == (6, 1)
    assert model.decode(torch.randn(6, 1)).shape == (6, 2)
    assert model(x).shape == (6, 2)
    assert torch.equal(model(x), model.decode(model.encode(x)))


def test_activation_table_continuity_tags_match_the_functions():
    """The tags in ACTIVATIONS (C0 = a kink at 0) agree with one-sided derivatives at 0."""
    assert {tag for _, tag in ACTIVATIONS.values()} <= {"C0", "C1", "Cinf"}
    for name, (cls, tag) in ACTIVATIONS.items():
        act = cls()
        x = torch.tensor([-1e-4, 1e-4], dtype=torch.float64, requires_grad=True)
        (grad,) = torch.autograd.grad(act(x).sum(), x)
        jump = abs(float(grad[1] - grad[0]))
        if tag == "C0":
            assert jump > 0.5, name
        else:
            assert jump < 1e-3, name


def test_linear_autoencoder_has_no_nonlinearity_and_is_linear_without_bias():
    model = MLPAutoencoder([4, 3, 2, 3, 4], activation=None, bias=False, seed=1).double()
    assert all(isinstance(m, nn.Linear) for m in list(model.encoder) + list(model.decoder))
    assert len(model.encoder) == 2 and len(model.decoder) == 2
    x, y = torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64)
    torch.testing.assert_close(model(2.0 * x - 3.0 * y), 2.0 * model(x) - 3.0 * model(y))


@pytest.mark.parametrize("bias", [True, False])
def test_bias_on_off(bias):
    model = MLPAutoencoder(PAPER_SMALL, activation="relu", bias=bias, seed=0)
    for lin in _linears(model):
        assert (lin.bias is not None) is bias
    n_weights = 2 * 5 + 5 * 1 + 1 * 5 + 5 * 2
    n_bias = 5 + 1 + 5 + 2
    assert sum(p.numel() for p in model.parameters()) == n_weights + bias * n_bias
    if not bias:  # a bias-free ReLU network maps 0 to 0
        assert torch.equal(model(torch.zeros(1, 2)), torch.zeros(1, 2))


@pytest.mark.parametrize(
    "sizes, n_encoder_linears, latent",
    [
        (PAPER_SMALL, 2, 1),
        (PAPER_DEEP, 3, 1),
        ([2, 1, 2], 1, 1),
        ([3, 2, 4, 2, 3], 1, 2),  # two equally narrow layers: split at the first
        ([8, 6, 3, 6, 8], 2, 3),
        ([5, 7, 5], 1, 7),  # an overcomplete "bottleneck" is still the narrowest hidden layer
    ],
)
@pytest.mark.parametrize("activation", ["relu", None])
def test_encoder_decoder_split_at_the_bottleneck(sizes, n_encoder_linears, latent, activation):
    model = MLPAutoencoder(sizes, activation=activation, seed=0)
    assert model.latent_dim == latent
    assert len(_linears(model.encoder)) == n_encoder_linears
    assert len(_linears(model.decoder)) == len(sizes) - 1 - n_encoder_linears
    assert _linears(model.encoder)[-1].out_features == latent
    assert _linears(model.decoder)[0].in_features == latent
    x = torch.randn(3, sizes[0])
    z = model.encode(x)
    assert z.shape == (3, latent)
    assert model.decode(z).shape == (3, sizes[-1])
    assert torch.equal(model(x), model.decode(z))


def test_sizes_attributes_and_repr():
    model = MLPAutoencoder((2, 5, 1, 5, 2), activation="tanh", bias=False)
    assert model.sizes == (2, 5, 1, 5, 2)
    assert model.activation == "tanh" and model.bias is False
    assert "sizes=[2, 5, 1, 5, 2], activation='tanh', bias=False" in repr(model)
    assert MLPAutoencoder([2, np.int64(3), 2]).sizes == (2, 3, 2)


# --- MLPAutoencoder: seeds and dtypes ----------------------------------------------------------


def test_seeded_init_is_reproducible_and_seed_sensitive():
    assert _params_equal(MLPAutoencoder(PAPER_DEEP, seed=3), MLPAutoencoder(PAPER_DEEP, seed=3))
    assert not _params_equal(MLPAutoencoder(PAPER_DEEP, seed=3), MLPAutoencoder(PAPER_DEEP, seed=4))


def test_seeded_init_leaves_the_global_generator_alone():
    torch.manual_seed(7)
    MLPAutoencoder(PAPER_DEEP, seed=1)
    after = torch.rand(3)
    torch.manual_seed(7)
    assert torch.equal(after, torch.rand(3))


def test_seed_none_draws_from_the_global_generator():
    torch.manual_seed(11)
    a = MLPAutoencoder(PAPER_SMALL)
    torch.manual_seed(11)
    b = MLPAutoencoder(PAPER_SMALL)
    c = MLPAutoencoder(PAPER_SMALL)
    assert _params_equal(a, b) and not _params_equal(b, c)


def test_numpy_float64_input_is_cast_to_the_model_dtype():
    model = MLPAutoencoder(PAPER_SMALL, seed=0)
    x = np.random.default_rng(0).normal(size=(4, 2))
    out = model(x)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, model(torch.from_numpy(x).float()))
    assert model.decode(np.zeros((4, 1))).dtype == torch.float32
    double = MLPAutoencoder(PAPER_SMALL, seed=0).double()
    assert double(torch.randn(4, 2)).dtype == torch.float64


def test_gradients_flow_through_encode_and_decode():
    model = MLPAutoencoder(PAPER_SMALL, seed=0)
    z = torch.zeros(2, 1, requires_grad=True)
    model.decode(z).sum().backward()
    assert z.grad is not None and z.grad.shape == (2, 1)


# --- MLPAutoencoder: bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sizes, error, message",
    [
        ("2512", TypeError, "sizes: expected a sequence of positive integers, got str"),
        (5, TypeError, "sizes: expected a sequence of positive integers, got int"),
        (np.array([2, 1, 2]), TypeError, "sizes: expected a sequence of positive integers"),
        ([2, 2], ValueError, r"sizes: expected at least 3 layer widths .*got \[2, 2\]"),
        ([], ValueError, "sizes: expected at least 3 layer widths"),
        ([2, 0, 2], ValueError, r"sizes\[1\]: expected a positive integer, got 0"),
        ([2, -1, 2], ValueError, r"sizes\[1\]: expected a positive integer, got -1"),
        ([2, True, 2], TypeError, r"sizes\[1\]: expected a positive integer, got bool"),
        ([2, 1.5, 2], TypeError, r"sizes\[1\]: expected a positive integer, got float"),
        ([2, 1, 3], ValueError, "sizes: the output width must equal the input width"),
    ],
)
def test_bad_sizes(sizes, error, message):
    with pytest.raises(error, match=message):
        MLPAutoencoder(sizes)


@pytest.mark.parametrize("activation", ["ReLU", "swish", "", "none"])
def test_unknown_activation_name(activation):
    with pytest.raises(ValueError, match=r"activation: expected None or one of \['elu'"):
        MLPAutoencoder(PAPER_SMALL, activation=activation)


@pytest.mark.parametrize("activation", [["relu"], nn.ReLU, 1])
def test_activation_of_the_wrong_type(activation):
    with pytest.raises(TypeError, match="activation: expected None or one of"):
        MLPAutoencoder(PAPER_SMALL, activation=activation)


@pytest.mark.parametrize("bias", [1, "yes", None])
def test_bias_must_be_bool(bias):
    with pytest.raises(TypeError, match="bias: expected a bool, got"):
        MLPAutoencoder(PAPER_SMALL, bias=bias)


def test_bad_seed():
    with pytest.raises(ValueError, match="seed: expected a non-negative integer, got -1"):
        MLPAutoencoder(PAPER_SMALL, seed=-1)
    with pytest.raises(TypeError, match="seed: expected a non-negative integer, got bool"):
        MLPAutoencoder(PAPER_SMALL, seed=True)


@pytest.mark.parametrize(
    "x, error, message",
    [
        (torch.zeros(4, 3), ValueError, r"x: expected shape \(N, 2\), got shape \(4, 3\)"),
        (torch.zeros(2), ValueError, r"x: expected shape \(N, 2\), got shape \(2,\)"),
        (torch.zeros(1, 4, 2), ValueError, r"x: expected shape \(N, 2\), got shape \(1, 4, 2\)"),
        (torch.zeros(0, 2), ValueError, r"x: expected a non-empty array with shape \(N, 2\)"),
        (torch.tensor([[0.0, float("nan")]]), ValueError, "x: expected finite values, got 1 NaN"),
        (
            torch.tensor([[float("inf"), 0.0]]),
            ValueError,
            "x: expected finite values, got 0 NaN and 1 inf",
        ),
        (
            [[0.0, 1.0]],
            TypeError,
            r"x: expected a torch.Tensor or numpy.ndarray with shape \(N, 2\), got list",
        ),
        ("x", TypeError, "x: expected a torch.Tensor or numpy.ndarray"),
        (torch.zeros(4, 2, dtype=torch.int64), TypeError, "x: expected a floating-point tensor"),
        (np.zeros((4, 2), dtype=bool), TypeError, "x: expected a floating-point array"),
    ],
)
def test_bad_x_for_encode_and_forward(x, error, message):
    model = MLPAutoencoder(PAPER_SMALL, seed=0)
    with pytest.raises(error, match=message):
        model.encode(x)
    with pytest.raises(error, match=message):
        model(x)


def test_bad_z_for_decode():
    model = MLPAutoencoder(PAPER_DEEP, seed=0)
    with pytest.raises(ValueError, match=r"z: expected shape \(N, 1\), got shape \(3, 2\)"):
        model.decode(torch.zeros(3, 2))
    with pytest.raises(ValueError, match=r"z: expected shape \(N, 1\), got shape \(3,\)"):
        model.decode(torch.zeros(3))
    with pytest.raises(TypeError, match="z: expected a floating-point tensor"):
        model.decode(torch.zeros(3, 1, dtype=torch.int32))
    with pytest.raises(ValueError, match="z: expected finite values"):
        model.decode(torch.full((3, 1), float("nan")))


# --- ConvAutoencoder ---------------------------------------------------------------------------


@pytest.mark.parametrize("latent_dim", [1, 2, 8])
def test_conv_shapes_and_output_range(latent_dim):
    model = ConvAutoencoder(latent_dim=latent_dim, seed=0)
    assert model.latent_dim == latent_dim
    x = torch.rand(5, 1, 28, 28)
    z = model.encode(x)
    assert z.shape == (5, latent_dim)
    out = model(x).detach()
    assert out.shape == (5, 1, 28, 28)
    assert torch.equal(out, model.decode(z).detach())
    with torch.no_grad():  # the sigmoid holds even far away in the latent space
        far = model.decode(1e4 * torch.randn(64, latent_dim))
    assert far.shape == (64, 1, 28, 28)
    assert float(far.min()) >= 0.0 and float(far.max()) <= 1.0
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_conv_architecture_matches_the_docstring():
    model = ConvAutoencoder(latent_dim=2, channels=(4, 6), seed=0)
    enc = [type(m) for m in model.encoder]
    dec = [type(m) for m in model.decoder]
    assert enc == [nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU, nn.Flatten, nn.Linear]
    assert dec == [
        nn.Linear,
        nn.Unflatten,
        nn.ConvTranspose2d,
        nn.ReLU,
        nn.ConvTranspose2d,
        nn.Sigmoid,
    ]
    assert model.encoder[0].out_channels == 4 and model.encoder[2].out_channels == 6
    assert model.encoder[-1].in_features == 6 * 7 * 7 and model.encoder[-1].out_features == 2
    assert "latent_dim=2, channels=(4, 6)" in repr(model)


def test_conv_seeded_init():
    assert _params_equal(ConvAutoencoder(seed=1), ConvAutoencoder(seed=1))
    assert not _params_equal(ConvAutoencoder(seed=1), ConvAutoencoder(seed=2))


def test_conv_accepts_numpy_float64_images():
    model = ConvAutoencoder(seed=0)
    x = np.random.default_rng(0).random((2, 1, 28, 28))
    assert model(x).dtype == torch.float32


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"latent_dim": 0}, ValueError, "latent_dim: expected a positive integer, got 0"),
        ({"latent_dim": True}, TypeError, "latent_dim: expected a positive integer, got bool"),
        ({"latent_dim": 2.0}, TypeError, "latent_dim: expected a positive integer, got float"),
        ({"channels": (16,)}, TypeError, r"channels: expected a pair of positive integers"),
        ({"channels": 16}, TypeError, r"channels: expected a pair of positive integers"),
        ({"channels": (16, 0)}, ValueError, "channels: expected a positive integer, got 0"),
        ({"seed": -2}, ValueError, "seed: expected a non-negative integer, got -2"),
    ],
)
def test_conv_bad_constructor_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        ConvAutoencoder(**kwargs)


@pytest.mark.parametrize(
    "x, error, message",
    [
        (
            torch.zeros(2, 28, 28),
            ValueError,
            r"x: expected shape \(N, 1, 28, 28\), got shape \(2, 28, 28\)",
        ),
        (
            torch.zeros(2, 3, 28, 28),
            ValueError,
            r"x: expected shape \(N, 1, 28, 28\), got shape \(2, 3, 28, 28\)",
        ),
        (
            torch.zeros(2, 1, 32, 32),
            ValueError,
            r"x: expected shape \(N, 1, 28, 28\), got shape \(2, 1, 32, 32\)",
        ),
        (
            torch.zeros(2, 784),
            ValueError,
            r"x: expected shape \(N, 1, 28, 28\), got shape \(2, 784\)",
        ),
        (torch.zeros(0, 1, 28, 28), ValueError, "x: expected a non-empty array"),
        (
            torch.zeros(2, 1, 28, 28, dtype=torch.uint8),
            TypeError,
            r"x: expected a floating-point tensor.*x / 255",
        ),
        (
            torch.full((1, 1, 28, 28), float("nan")),
            ValueError,
            "x: expected finite values, got 784 NaN",
        ),
        ([[0.0]], TypeError, "x: expected a torch.Tensor or numpy.ndarray"),
    ],
)
def test_conv_bad_images(x, error, message):
    model = ConvAutoencoder(seed=0)
    with pytest.raises(error, match=message):
        model(x)


def test_conv_bad_latents():
    model = ConvAutoencoder(latent_dim=2, seed=0)
    with pytest.raises(ValueError, match=r"z: expected shape \(N, 2\), got shape \(4, 3\)"):
        model.decode(torch.zeros(4, 3))
    with pytest.raises(TypeError, match="z: expected a floating-point tensor"):
        model.decode(torch.zeros(4, 2, dtype=torch.long))
