"""The settings of each course recipe, as values: frozen dataclasses with the course's choices.

A recipe (:func:`aelib.course.toy_recipes.figure1_model`, :func:`aelib.course.mnist_experiments.mnist_autoencoder`,
…) reads its hyperparameters from the settings object it is given, and nothing else; the cache
hashes that whole object into the key of the trained model. So a settings object can be printed,
copied with a change (``dataclasses.replace(MnistSettings(), epochs=10)``), compared and hashed,
and what it says is what was trained.

The defaults below are the course's choices (the paper publishes none of them);
:mod:`aelib.course.config` shows them under the names the notebooks print. Changing a module constant
there changes no recipe: pass a settings object, or a field as a keyword (``seed=1``).
Every field is checked on construction; lists become tuples, so that settings stay hashable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, TypeVar

from aelib._validation import (
    check_choice,
    check_nonnegative_float,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.models import ACTIVATIONS

__all__ = [
    "ToySettings",
    "ToyStudySettings",
    "MnistSettings",
    "ClassifierSettings",
    "NegativeSettings",
    "FIGURE1_PANELS",
    "resolve",
]

S = TypeVar("S")


def _ints(value: object, name: str, check: Callable[[object, str], int]) -> tuple[int, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or not value:
        raise TypeError(f"{name}: expected a non-empty tuple of integers, got {value!r}")
    return tuple(check(v, f"{name}[{i}]") for i, v in enumerate(value))


def _sizes(value: object, name: str) -> tuple[int, ...]:
    return _ints(value, name, check_positive_int)


def _pair(value: object, name: str) -> tuple[int, ...]:
    value = _sizes(value, name)
    if len(value) != 2:
        raise ValueError(f"{name}: expected two positive integers, got {value}")
    return value


def _digit(value: object, name: str) -> int:
    return check_choice(check_nonnegative_int(value, name), name, tuple(range(10)))


def _digits(value: object, name: str) -> tuple[int, ...]:
    return _ints(value, name, _digit)


def _activation(value: object, name: str) -> str:
    return check_choice(value, name, tuple(ACTIVATIONS))


def _optional_activation(value: object, name: str) -> str | None:
    return None if value is None else _activation(value, name)


def _threads(value: object, name: str) -> int | None:
    return None if value is None else check_positive_int(value, name)


def _setting(default: Any, check: Callable[[object, str], object]) -> Any:
    """A settings field: its default (the course's choice) and the check run on construction."""
    return field(default=default, metadata={"check": check})


@dataclass(frozen=True)
class _Settings:
    """Checks every field on construction (lists become tuples, integers floats where asked)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, f.metadata["check"](getattr(self, f.name), f.name))


@dataclass(frozen=True)
class ToySettings(_Settings):
    """A Figure-1 autoencoder trained from several restarts, the best one kept (notebooks 04–06).

    Attributes
    ----------
    sizes : tuple of int
        Layer widths (the paper's ``[2, 5, 1, 5, 2]``).
    activation : str or None
        Activation of every layer but the last (``None``: linear).
    seed : int
        Seed of the first restart; restart ``k`` uses ``seed + k``.
    restarts : int
        Independent initialisations; the lowest final training loss is kept.
    epochs : int
        Full-batch Adam steps.
    lr : float
        Adam learning rate.
    collapse_fraction : float
        A restart "collapsed" if its loss is above this × the loss of predicting the mean.
    """

    sizes: tuple[int, ...] = _setting((2, 5, 1, 5, 2), _sizes)
    activation: str | None = _setting("relu", _optional_activation)
    seed: int = _setting(0, check_nonnegative_int)
    restarts: int = _setting(8, check_positive_int)
    epochs: int = _setting(2000, check_positive_int)
    lr: float = _setting(1e-2, check_positive_float)
    collapse_fraction: float = _setting(0.5, check_positive_float)


@dataclass(frozen=True)
class ToyStudySettings(_Settings):
    """How each run of the many-seeds study is trained (notebook 07, :func:`fit_many`).

    The study's axes (activation, seeds, data sets) are arguments of ``fit_many``, not settings.

    Attributes
    ----------
    sizes : tuple of int
        Layer widths.
    epochs : int
        Full-batch Adam steps (leaner than Figure 1's; notebook 07 shows the sensitivity).
    lr : float
        Adam learning rate.
    collapse_fraction : float
        A run "collapsed" if its loss is above this × the loss of predicting the mean.
    """

    sizes: tuple[int, ...] = _setting((2, 5, 1, 5, 2), _sizes)
    epochs: int = _setting(1000, check_positive_int)
    lr: float = _setting(2e-2, check_positive_float)
    collapse_fraction: float = _setting(0.5, check_positive_float)


@dataclass(frozen=True)
class MnistSettings(_Settings):
    """The convolutional autoencoder of §4.5.1 on some digits (notebooks 08–10).

    Attributes
    ----------
    digits : tuple of int
        The normal digits.
    seed : int
        Initialisation and mini-batch-order seed.
    latent_dim : int
        Bottleneck size (the paper: 2).
    channels : (int, int)
        Channels of the two (transposed) convolutions.
    activation : str
        Inner activation (``"relu"`` as the paper; ``"sigmoid"`` for the mitigation).
    epochs : int
        Mini-batch Adam epochs.
    lr : float
        Adam learning rate.
    batch_size : int
        Mini-batch size.
    snapshot_epochs : tuple of int
        Epochs after which the weights are kept (those ≤ ``epochs``; ``epochs`` always is).
        Default: every epoch of the default 20 (notebook 09's epoch study reads them all; a
        snapshot of the 2-D model is ≈ 0.2 MB).
    threads : int or None
        Torch threads while training (:func:`aelib.threads.torch_threads`; ``None``: leave alone).
    """

    digits: tuple[int, ...] = _setting((4, 5, 7), _digits)
    seed: int = _setting(0, check_nonnegative_int)
    latent_dim: int = _setting(2, check_positive_int)
    channels: tuple[int, int] = _setting((16, 32), _pair)
    activation: str = _setting("relu", _activation)
    epochs: int = _setting(20, check_positive_int)
    lr: float = _setting(5e-3, check_positive_float)
    batch_size: int = _setting(128, check_positive_int)
    snapshot_epochs: tuple[int, ...] = _setting(tuple(range(1, 21)), _sizes)
    threads: int | None = _setting(1, _threads)

    @property
    def snapshots(self) -> tuple[int, ...]:
        """The epochs whose weights are kept: ``snapshot_epochs`` up to ``epochs``, and ``epochs``."""
        return tuple(sorted({e for e in self.snapshot_epochs if e <= self.epochs} | {self.epochs}))


@dataclass(frozen=True)
class ClassifierSettings(_Settings):
    """The digit classifier of notebook 09 (all ten digits of the train split).

    Attributes
    ----------
    epochs : int
        Mini-batch Adam epochs.
    lr : float
        Adam learning rate.
    batch_size : int
        Mini-batch size.
    seed : int
        Initialisation and mini-batch-order seed.
    threads : int or None
        Torch threads while training (``None``: leave alone).
    """

    epochs: int = _setting(5, check_positive_int)
    lr: float = _setting(3e-3, check_positive_float)
    batch_size: int = _setting(128, check_positive_int)
    seed: int = _setting(0, check_nonnegative_int)
    threads: int | None = _setting(1, _threads)


@dataclass(frozen=True)
class NegativeSettings(_Settings):
    """Negative-sample (NAE-style) fine-tuning of an autoencoder (notebook 10).

    Attributes
    ----------
    epochs : int
        Fine-tuning epochs.
    lr : float
        Adam learning rate.
    batch_size : int
        Mini-batch size of the normal data.
    samples : int
        Negatives drawn per mini-batch, uniformly in the enlarged box of the training codes.
    steps : int
        Latent gradient steps that pull each negative to low error (the attack).
    step : float
        Length of one such step, as a fraction of the (unenlarged) box's mean side.
    weight : float
        Weight of the negatives' capped error in the loss.
    cap : float
        A negative's mean squared error is pushed up to this, not beyond.
    margin : float
        The latent box: the training codes' bounding box enlarged by this × its side, each way.
    seed : int
        Mini-batch order and negative starts.
    threads : int or None
        Torch threads while training (``None``: leave alone).
    """

    epochs: int = _setting(5, check_positive_int)
    lr: float = _setting(1e-3, check_positive_float)
    batch_size: int = _setting(128, check_positive_int)
    samples: int = _setting(64, check_positive_int)
    steps: int = _setting(5, check_nonnegative_int)
    step: float = _setting(0.05, check_positive_float)
    weight: float = _setting(1.0, check_nonnegative_float)
    cap: float = _setting(0.05, check_positive_float)
    margin: float = _setting(1.0, check_nonnegative_float)
    seed: int = _setting(0, check_nonnegative_int)
    threads: int | None = _setting(1, _threads)


#: The six panels of Figure 1: training data set, layer sizes, activation and learning rate
#: (:func:`aelib.course.toy_recipes.figure1_settings` makes the :class:`ToySettings` of a panel).
FIGURE1_PANELS: Mapping[str, tuple[str, tuple[int, ...], str, float]] = MappingProxyType(
    {
        "1a": ("gaussian", (2, 5, 1, 5, 2), "relu", 1e-2),
        "1b": ("two_gaussians", (2, 5, 1, 5, 2), "relu", 1e-2),
        "1c": ("banana", (2, 5, 1, 5, 2), "relu", 1e-2),
        "1d": ("banana", (2, 100, 20, 1, 20, 100, 2), "relu", 3e-3),  # 1e-2 stalls at 0.1
        "1e": ("gaussian", (2, 5, 1, 5, 2), "sigmoid", 1e-2),
        "1f": ("two_gaussians", (2, 5, 1, 5, 2), "sigmoid", 1e-2),
    }
)


def resolve(settings: S | None, kind: type[S], overrides: Mapping[str, Any]) -> S:
    """``settings`` (or ``kind()``) with the fields named in ``overrides`` replaced.

    Parameters
    ----------
    settings : settings dataclass instance or None
        The base settings; ``None`` takes the defaults.
    kind : type
        The settings class the recipe expects.
    overrides : mapping
        Field name → new value (a recipe's keyword arguments, e.g. ``{"seed": 1}``).

    Returns
    -------
    An instance of ``kind`` (validated).
    """
    base = kind() if settings is None else settings
    if not isinstance(base, kind):
        raise TypeError(f"settings: expected a {kind.__name__}, got {type(settings).__name__}")
    names = [f.name for f in fields(kind)]
    for name in overrides:
        if name not in names:
            raise TypeError(f"{name}: not a setting of {kind.__name__}; expected one of {names}")
    return replace(base, **overrides) if overrides else base
