"""aelib._conv equals PyTorch's own layers: values and gradients, float32 and float64.

The oracle is ``F.conv_transpose2d`` and the ConvAutoencoder's ``encoder`` / ``decoder`` modules
run layer by layer, never the code under test.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from aelib import _conv
from aelib.models import ConvAutoencoder

TOL = {torch.float32: 1e-5, torch.float64: 1e-12}

# (N, C_in, H, W, C_out, kernel, stride, padding, output_padding)
SHAPES = [
    (3, 32, 7, 7, 16, 3, 2, 1, 1),  # the decoder's first layer
    (5, 16, 14, 14, 1, 3, 2, 1, 1),  # its second
    (2, 4, 5, 6, 3, 3, 1, 0, 0),
    (1, 3, 4, 3, 2, (2, 3), (3, 2), (1, 0), (2, 1)),
    (4, 2, 6, 6, 5, 4, 2, 1, 0),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_conv_transpose2d_equals_torch_with_gradients(shape, dtype):
    n, c_in, h, w, c_out, k, s, p, op = shape
    k = (k, k) if isinstance(k, int) else k
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, c_in, h, w, dtype=dtype, generator=gen, requires_grad=True)
    weight = torch.randn(c_in, c_out, *k, dtype=dtype, generator=gen, requires_grad=True)
    bias = torch.randn(c_out, dtype=dtype, generator=gen, requires_grad=True)
    ours = _conv.conv_transpose2d(x, weight, bias, s, p, op)
    ref = F.conv_transpose2d(x, weight, bias, s, p, op)
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref, atol=TOL[dtype], rtol=TOL[dtype])
    g = torch.randn(ref.shape, dtype=dtype, generator=gen)
    for a, b in zip(
        torch.autograd.grad(ours, (x, weight, bias), g),
        torch.autograd.grad(ref, (x, weight, bias), g),
        strict=True,
    ):
        torch.testing.assert_close(a, b, atol=TOL[dtype] * 10, rtol=TOL[dtype])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    ("latent_dim", "channels", "activation", "n"),
    [(2, (16, 32), "relu", 7), (8, (4, 6), "relu", 1), (3, (16, 32), "sigmoid", 5)],
)
def test_autoencoder_equals_its_layers_with_gradients(latent_dim, channels, activation, n, dtype):
    model = ConvAutoencoder(latent_dim, channels, seed=0, activation=activation).to(dtype)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(n, 1, 28, 28, dtype=dtype, generator=gen)
    z = 3 * torch.randn(n, latent_dim, dtype=dtype, generator=gen)
    params = list(model.parameters())
    tol = dict(atol=TOL[dtype], rtol=TOL[dtype])
    for ours, ref in (
        (lambda: model.encode(x), lambda: model.encoder(x)),
        (lambda: model.decode(z), lambda: model.decoder(z)),
        (lambda: model(x), lambda: model.decoder(model.encoder(x))),
    ):
        a, b = ours(), ref()
        torch.testing.assert_close(a, b, **tol)
        g = torch.randn(a.shape, dtype=dtype, generator=gen)
        grads_a = torch.autograd.grad(a, params, g, materialize_grads=True)
        grads_b = torch.autograd.grad(b, params, g, materialize_grads=True)
        for ga, gb in zip(grads_a, grads_b, strict=True):
            torch.testing.assert_close(ga, gb, atol=TOL[dtype] * 100, rtol=TOL[dtype] * 10)


def test_latent_gradient_equals_the_layers():
    """The latent PGD search differentiates decode with respect to z."""
    model = ConvAutoencoder(2, seed=0)
    z = torch.randn(4, 2, requires_grad=True)
    (ours,) = torch.autograd.grad(model.decode(z).square().sum(), z)
    (ref,) = torch.autograd.grad(model.decoder(z).square().sum(), z)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)


def test_state_dict_keys_and_shapes_unchanged():
    model = ConvAutoencoder(2, seed=0)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == {
        "encoder.0.weight": (16, 1, 3, 3),
        "encoder.0.bias": (16,),
        "encoder.2.weight": (32, 16, 3, 3),
        "encoder.2.bias": (32,),
        "encoder.5.weight": (2, 1568),
        "encoder.5.bias": (2,),
        "decoder.0.weight": (1568, 2),
        "decoder.0.bias": (1568,),
        "decoder.2.weight": (32, 16, 3, 3),
        "decoder.2.bias": (16,),
        "decoder.4.weight": (16, 1, 3, 3),
        "decoder.4.bias": (1,),
    }
