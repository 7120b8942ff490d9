"""Autoencoders: a fully connected one for tabular data and a small convolutional one for MNIST.

Both expose ``.encoder`` and ``.decoder`` (``nn.Sequential``) and ``encode(x)`` / ``decode(z)``, so
the attacks and the audit can search the latent space directly.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import contextmanager

import torch
from torch import nn

from aelib import _conv
from aelib._validation import as_float_tensor, check_nonnegative_int, check_positive_int

__all__ = ["ACTIVATIONS", "MLPAutoencoder", "ConvAutoencoder"]

#: Activation names accepted by :class:`MLPAutoencoder`, with their order of continuity (§4.4.2).
ACTIVATIONS: dict[str, tuple[type[nn.Module], str]] = {
    "relu": (nn.ReLU, "C0"),
    "leaky_relu": (nn.LeakyReLU, "C0"),
    "elu": (nn.ELU, "C1"),
    "gelu": (nn.GELU, "Cinf"),
    "silu": (nn.SiLU, "Cinf"),
    "softplus": (nn.Softplus, "Cinf"),
    "tanh": (nn.Tanh, "Cinf"),
    "sigmoid": (nn.Sigmoid, "Cinf"),
}


def _like_parameters(module: nn.Module, t: torch.Tensor) -> torch.Tensor:
    """``t`` in the dtype and on the device of ``module``'s parameters (float64 NumPy input)."""
    param = next(module.parameters(), None)
    return t if param is None else t.to(dtype=param.dtype, device=param.device)


def _activation_class(activation: object, allow_none: bool) -> type[nn.Module] | None:
    """The module class of an activation name (``None`` → ``None`` where linear is allowed)."""
    expected = f"{'None or ' if allow_none else ''}one of {sorted(ACTIVATIONS)}"
    if activation is None and allow_none:
        return None
    if not isinstance(activation, str):
        raise TypeError(
            f"activation: expected {expected}, got {type(activation).__name__} {activation!r}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected {expected}, got {activation!r}")
    return ACTIVATIONS[activation][0]


_SEEDED_INIT = threading.Lock()  # the global generator is shared by every thread


@contextmanager
def _seeded_init(seed: int | None):
    """Within this context, module construction draws its weights from ``seed`` (if given).

    One thread at a time: two models built side by side would otherwise interleave their draws
    from torch's global generator (and each restore the other's state).
    """
    if seed is None:
        yield
        return
    check_nonnegative_int(seed, "seed")
    with _SEEDED_INIT, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class _Autoencoder(nn.Module):
    """What both autoencoders share: ``decode`` checks the latents, ``forward`` = decode ∘ encode."""

    latent_dim: int
    encoder: nn.Sequential
    decoder: nn.Sequential

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Map latents of shape (N, latent_dim) to reconstructions of the input's shape."""
        z = as_float_tensor(
            z, "z", ndim=2, last_dim=self.latent_dim, shape=f"(N, {self.latent_dim})"
        )
        return self._decode(_like_parameters(self, z))

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        """``decoder`` on checked latents (a subclass may compute it faster)."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruct a batch: inputs (N, *input_shape) → reconstructions of the same shape."""
        return self._decode(self.encode(x))


class MLPAutoencoder(_Autoencoder):
    """A fully connected autoencoder, e.g. the paper's ``[2, 5, 1, 5, 2]``.

    Every layer but the last is followed by the activation (as in the paper, the bottleneck too);
    the last layer is linear. The encoder ends at the narrowest layer (the first one, if several
    are equally narrow).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, at least three, e.g. ``[2, 5, 1, 5, 2]``.
    activation : str or None
        One of :data:`ACTIVATIONS` (``"relu"``, ``"sigmoid"``, …) or ``None`` for a linear
        autoencoder.
    bias : bool
        Whether the linear layers have bias terms.
    seed : int, optional
        Seed for the weight initialisation; ``None`` uses the global torch generator.

    Examples
    --------
    >>> model = MLPAutoencoder([2, 5, 1, 5, 2], activation="relu", seed=0)
    >>> model(torch.zeros(4, 2)).shape
    torch.Size([4, 2])
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | None = "relu",
        bias: bool = True,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence):
            raise TypeError(
                f"sizes: expected a sequence of positive integers, got {type(sizes).__name__}"
            )
        if len(sizes) < 3:
            raise ValueError(
                f"sizes: expected at least 3 layer widths (input, bottleneck, output), got {list(sizes)}"
            )
        sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
        if sizes[0] != sizes[-1]:
            raise ValueError(f"sizes: the output width must equal the input width, got {sizes}")
        act = _activation_class(activation, allow_none=True)
        if not isinstance(bias, bool):
            raise TypeError(f"bias: expected a bool, got {type(bias).__name__}")
        self.sizes = tuple(sizes)
        self.activation = activation
        self.bias = bias
        bottleneck = sizes.index(min(sizes[1:-1]), 1)
        self.latent_dim = sizes[bottleneck]
        with _seeded_init(seed):
            layers = []
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
                layers.append(nn.Linear(a, b, bias=bias))
                if act is not None and i < len(sizes) - 2:
                    layers.append(act())
            per_layer = 1 if activation is None else 2
            self.encoder = nn.Sequential(*layers[: bottleneck * per_layer])
            self.decoder = nn.Sequential(*layers[bottleneck * per_layer :])

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Map inputs of shape (N, sizes[0]) to latents of shape (N, latent_dim)."""
        x = as_float_tensor(x, "x", ndim=2, last_dim=self.sizes[0], shape=f"(N, {self.sizes[0]})")
        return self.encoder(_like_parameters(self, x))

    def extra_repr(self) -> str:
        return f"sizes={list(self.sizes)}, activation={self.activation!r}, bias={self.bias}"


class ConvAutoencoder(_Autoencoder):
    """The convolutional autoencoder of §4.5.1, for 1×28×28 images in [0, 1].

    Encoder: two stride-2 convolutions with ReLU (28 → 14 → 7), then a *linear* layer to the
    latent. Decoder: a *linear* layer from the latent, then two stride-2 transposed convolutions
    (7 → 14 → 28), ReLU inside and a sigmoid at the end to keep pixels in [0, 1].

    ``encode``, ``decode`` and ``forward`` compute these layers' function with the faster,
    equivalent formulation of :mod:`aelib._conv` (equal up to float rounding); calling
    ``encoder`` / ``decoder`` directly runs the layers one by one.

    Parameters
    ----------
    latent_dim : int
        Size of the bottleneck (the paper uses 2).
    channels : tuple of int
        Channels of the two convolutional layers.
    activation : str
        The three inner activations, one of :data:`ACTIVATIONS`: ``"relu"`` is the model of
        §4.5.1, ``"sigmoid"`` the mitigation notebook 10 measures (C^∞ units saturate far from
        the data, §4.4.2). The output sigmoid stays. The weights do not depend on it: the same
        ``seed`` gives the same weights for every activation.
    seed : int, optional
        Seed for the weight initialisation.
    """

    def __init__(
        self,
        latent_dim: int = 2,
        channels: tuple[int, int] = (16, 32),
        seed: int | None = None,
        *,
        activation: str = "relu",
    ) -> None:
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        if not (isinstance(channels, tuple | list) and len(channels) == 2):
            raise TypeError(f"channels: expected a pair of positive integers, got {channels!r}")
        c1, c2 = (check_positive_int(c, "channels") for c in channels)
        self.channels = (c1, c2)
        act = _activation_class(activation, allow_none=False)
        self.activation = activation
        with _seeded_init(seed):
            self.encoder = nn.Sequential(
                nn.Conv2d(1, c1, 3, stride=2, padding=1),
                act(),
                nn.Conv2d(c1, c2, 3, stride=2, padding=1),
                act(),
                nn.Flatten(),
                nn.Linear(c2 * 7 * 7, latent_dim),
            )
            self.decoder = nn.Sequential(
                nn.Linear(latent_dim, c2 * 7 * 7),
                nn.Unflatten(1, (c2, 7, 7)),
                nn.ConvTranspose2d(c2, c1, 3, stride=2, padding=1, output_padding=1),
                act(),
                nn.ConvTranspose2d(c1, 1, 3, stride=2, padding=1, output_padding=1),
                nn.Sigmoid(),
            )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Map images (N, 1, 28, 28) to latents (N, latent_dim)."""
        x = as_float_tensor(x, "x", ndim=4, shape="(N, 1, 28, 28)")
        if tuple(x.shape[1:]) != (1, 28, 28):
            raise ValueError(f"x: expected shape (N, 1, 28, 28), got shape {tuple(x.shape)}")
        return _conv.encode(self.encoder, _like_parameters(self, x))

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        return _conv.decode(self.decoder, z)

    def extra_repr(self) -> str:
        return (
            f"latent_dim={self.latent_dim}, channels={self.channels}, "
            f"activation={self.activation!r}"
        )
