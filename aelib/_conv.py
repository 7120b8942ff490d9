"""The convolutional autoencoder's forward pass, computed fast on the CPU and equal to its layers.

:class:`aelib.models.ConvAutoencoder` keeps its layers (``encoder``, ``decoder``, the parameters
and ``state_dict`` keys) and computes ``encode`` / ``decode`` with these functions, which give
the same result up to float rounding (``tests/test_conv.py`` compares them with the layers, also
their gradients).

Why. On the CPU, PyTorch runs ``ConvTranspose2d`` on these tiny maps (7×7 → 14×14, 32 → 16
channels, then 14×14 → 28×28, 16 → 1) through its generic path, one sample at a time: a profile
of the 200² latent grid (1 thread) put two thirds of its time there. Here instead:

- A transposed convolution is one batched matrix product (each input pixel times the kernel)
  followed by ``F.fold`` (col2im), which adds the overlapping kernel footprints: the adjoint of
  ``unfold`` + matmul. 5x faster for the 16 → 1 layer.
- The decoder's linear layer and first transposed convolution have nothing between them, so
  together they are one affine map of the latent z: pushing the linear layer's ``d`` weight
  columns and its bias through the convolution (``d + 1`` images) gives that map's matrix, and
  the batch costs one ``addmm`` instead of a transposed convolution per sample. Recomputed on
  every call, so training (which changes the weights) sees the same function.
- ReLU runs in place: neither ``addmm`` nor a convolution keeps its output for the backward
  pass, and a new tensor per layer costs more than the ReLU itself on these batches.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["conv_transpose2d", "decode", "encode"]


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv_transpose2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """``F.conv_transpose2d`` (no groups, no dilation) as a batched matmul and a col2im.

    Parameters
    ----------
    x : torch.Tensor
        Input maps, shape (N, C_in, H, W).
    weight : torch.Tensor
        Kernel, shape (C_in, C_out, kH, kW), as in ``nn.ConvTranspose2d``.
    bias : torch.Tensor, optional
        Shape (C_out,).
    stride, padding, output_padding : int or pair of int
        As in ``F.conv_transpose2d`` (``output_padding`` < ``stride``).

    Returns
    -------
    torch.Tensor
        Shape (N, C_out, (H - 1)·sH − 2·pH + kH + opH, same for W).
    """
    n, c_in, h, w = x.shape
    c_out, kh, kw = weight.shape[1:]
    (sh, sw), (ph, pw), (oh, ow) = _pair(stride), _pair(padding), _pair(output_padding)
    size = ((h - 1) * sh - 2 * ph + kh + oh, (w - 1) * sw - 2 * pw + kw + ow)
    # cols[n, (c_out, i, j), pixel] = kernel footprint of each input pixel; bmm, not matmul,
    # whose broadcasting loops over the batch in Python-visible slices here.
    kernel = weight.reshape(c_in, c_out * kh * kw).t()
    cols = torch.bmm(kernel.expand(n, -1, -1), x.reshape(n, c_in, h * w))
    y = F.fold(cols, size, (kh, kw), padding=(ph, pw), stride=(sh, sw))
    return y if bias is None else y + bias.reshape(1, -1, 1, 1)


def _activate(act: nn.Module, h: torch.Tensor) -> torch.Tensor:
    return torch.relu_(h) if type(act) is nn.ReLU else act(h)


def decode(decoder: nn.Sequential, z: torch.Tensor) -> torch.Tensor:
    """The ConvAutoencoder's ``decoder`` on latents z (N, d) → images (N, 1, 28, 28).

    ``decoder`` is ``Linear, Unflatten, ConvTranspose2d, activation, ConvTranspose2d, Sigmoid``.
    """
    linear, unflatten, up1, act, up2, out = decoder
    d = linear.in_features
    # Linear then up1 = one affine map of z: its matrix is up1 applied to the d weight columns
    # (without up1's bias), its offset up1 applied to the linear bias (with it).
    basis = torch.cat([linear.weight.t(), linear.bias[None]]).reshape(
        d + 1, *unflatten.unflattened_size
    )
    maps = conv_transpose2d(basis, up1.weight, None, up1.stride, up1.padding, up1.output_padding)
    shape = maps.shape[1:]
    maps = maps.reshape(d + 1, -1)
    offset = maps[d] + up1.bias.repeat_interleave(shape[1] * shape[2])
    hidden = _activate(act, torch.addmm(offset, z, maps[:d]).reshape(len(z), *shape))
    return out(
        conv_transpose2d(hidden, up2.weight, up2.bias, up2.stride, up2.padding, up2.output_padding)
    )


def encode(encoder: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """The ConvAutoencoder's ``encoder`` on images x (N, 1, 28, 28) → latents (N, d).

    ``encoder`` is ``Conv2d, activation, Conv2d, activation, Flatten, Linear``.
    """
    conv1, act1, conv2, act2, _, linear = encoder
    h = _activate(act1, conv1(x))
    h = _activate(act2, conv2(h))
    return linear(h.flatten(1))
