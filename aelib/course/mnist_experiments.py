"""The MNIST models of notebooks 08–10, trained once and cached.

Every model the notebooks show comes from a recipe here, so that a notebook cell stays short and
the same settings (all in :mod:`aelib.course.config`) give the same weights everywhere:

- :func:`mnist_autoencoder`: the convolutional autoencoder of §4.5.1 on some digits, with weight
  snapshots during training (the paper: out-of-bounds regions "disappear one epoch, and reappear
  the next");
- :func:`digit_classifier`: a small CNN trained on all ten digits, to ask what an adversarial
  anomaly *looks like* to a model that knows every digit;
- :func:`negative_autoencoder`: the NAE-style fine-tuned autoencoder of notebook 10
  (:func:`aelib.course.mitigations.negative_finetune`).

Cache keys include every setting that changes the weights and a hash of the training images, so
switching to full MNIST (``source="torchvision"``) trains and stores new models. The default is
the bundled subset, whatever else is on disk, so the notebooks' outputs are reproducible.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from aelib._validation import (
    as_float_tensor,
    check_choice,
    check_module,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.course import config
from aelib.course.cache import load_or_train
from aelib.data import load_mnist
from aelib.models import ACTIVATIONS, ConvAutoencoder, _seeded_init
from aelib.threads import torch_threads
from aelib.train import fit

__all__ = [
    "MnistRun",
    "conv_autoencoder",
    "train_with_snapshots",
    "mnist_autoencoder",
    "DigitClassifier",
    "digit_classifier",
    "classify",
    "negative_autoencoder",
    "data_fingerprint",
]


def data_fingerprint(X: torch.Tensor) -> str:
    """A short hash of a tensor's shape and values: part of every cache key (bundled ≠ full MNIST)."""
    X = as_float_tensor(X, "X", min_ndim=1)
    h = hashlib.sha256(str(tuple(X.shape)).encode())
    h.update(X.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def conv_autoencoder(
    latent_dim: int = config.MNIST_LATENT_DIM,
    channels: tuple[int, int] = config.MNIST_CHANNELS,
    activation: str = "relu",
    seed: int | None = None,
) -> ConvAutoencoder:
    """:class:`aelib.models.ConvAutoencoder` with its inner ReLUs replaced by ``activation``.

    The output sigmoid stays. ``activation="relu"`` is the model of §4.5.1; ``"sigmoid"`` is the
    mitigation notebook 10 measures (C^∞ units saturate far from the data, §4.4.2).

    Parameters
    ----------
    latent_dim : int
        Bottleneck size.
    channels : (int, int)
        Channels of the two convolutions.
    activation : str
        A name from :data:`aelib.models.ACTIVATIONS`.
    seed : int, optional
        Initialisation seed.

    Returns
    -------
    ConvAutoencoder
        Maps (N, 1, 28, 28) → (N, 1, 28, 28); ``encode`` gives (N, latent_dim).
    """
    check_choice(activation, "activation", tuple(ACTIVATIONS))
    model = ConvAutoencoder(latent_dim, tuple(channels), seed=seed)
    if activation != "relu":
        with _seeded_init(0):
            for seq in (model.encoder, model.decoder):
                for i, layer in enumerate(seq):
                    if isinstance(layer, nn.ReLU):
                        seq[i] = ACTIVATIONS[activation][0]()
    model.activation = activation
    return model


def train_with_snapshots(
    model: nn.Module,
    X: torch.Tensor,
    epochs: int = config.MNIST_EPOCHS,
    lr: float = config.MNIST_LR,
    batch_size: int = config.MNIST_BATCH_SIZE,
    seed: int = 0,
    snapshot_epochs: Iterable[int] = (),
) -> dict:
    """Mini-batch Adam on the mean squared error, keeping copies of the weights at some epochs.

    The same algorithm as :func:`aelib.train.fit` (same batch order for the same ``seed``, so the
    final weights are identical; a test checks it), plus snapshots, taken through ``fit``'s ``callback``.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    X : torch.Tensor
        Training images, shape (N, *input_shape).
    epochs, lr, batch_size, seed
        As for :func:`aelib.train.fit`.
    snapshot_epochs : iterable of int
        After these epochs (1-based) a copy of the ``state_dict`` is kept.

    Returns
    -------
    dict
        ``{"losses": [float] * epochs, "snapshots": {epoch: state_dict}}``.
    """
    keep = {check_positive_int(e, "snapshot_epochs") for e in snapshot_epochs}
    snapshots: dict[int, dict] = {}

    def snapshot(epoch: int, loss: float) -> None:
        if epoch in keep:
            snapshots[epoch] = {k: v.detach().clone() for k, v in model.state_dict().items()}

    with torch_threads(config.MNIST_THREADS):
        losses = fit(
            model,
            X,
            epochs,
            lr=lr,
            batch_size=batch_size,
            seed=seed,
            progress=False,
            callback=snapshot,
        )
    return {"losses": losses, "snapshots": snapshots}


@dataclass
class MnistRun:
    """A trained MNIST autoencoder and how it was made.

    Attributes
    ----------
    model : ConvAutoencoder
        The model after the last epoch (eval mode).
    X : torch.Tensor
        Its training images, shape (N, 1, 28, 28).
    y : torch.Tensor
        Their digits, shape (N,).
    digits : tuple of int
        The normal digits.
    seed, latent_dim, epochs : int
        Settings.
    activation : str
        Inner activation.
    losses : list of float
        Training MSE per epoch.
    snapshots : dict
        Epoch → ``state_dict`` (see :meth:`at_epoch`).
    """

    model: ConvAutoencoder
    X: torch.Tensor
    y: torch.Tensor
    digits: tuple[int, ...]
    seed: int
    latent_dim: int
    epochs: int
    activation: str
    losses: list[float]
    snapshots: dict = field(repr=False)

    def at_epoch(self, epoch: int) -> ConvAutoencoder:
        """A copy of the model with the weights it had after ``epoch`` (one of the snapshots)."""
        if epoch not in self.snapshots:
            raise ValueError(
                f"epoch: expected one of the snapshot epochs {sorted(self.snapshots)}, got {epoch!r}"
            )
        model = copy.deepcopy(self.model)
        model.load_state_dict(self.snapshots[epoch])
        return model.eval()


def mnist_autoencoder(
    digits: Sequence[int] = config.MNIST_DIGITS_A,
    seed: int = config.MNIST_SEED,
    latent_dim: int = config.MNIST_LATENT_DIM,
    epochs: int = config.MNIST_EPOCHS,
    activation: str = "relu",
    *,
    source: str = "bundled",
    use_cache: bool = True,
) -> MnistRun:
    """Train (or load from the cache) the §4.5.1 convolutional autoencoder on some digits.

    Parameters
    ----------
    digits : sequence of int
        The normal digits, e.g. ``(4, 5, 7)``.
    seed : int
        Initialisation and batch-order seed.
    latent_dim : int
        Bottleneck size (the paper: 2).
    epochs : int
        Adam epochs (lr ``config.MNIST_LR``, batch ``config.MNIST_BATCH_SIZE``).
    activation : str
        Inner activation (``"relu"`` as the paper; ``"sigmoid"`` for the mitigation).
    source : {"auto", "torchvision", "bundled"}
        Passed to :func:`aelib.data.load_mnist` (train split).
    use_cache : bool
        Reuse / store the weights via :func:`aelib.course.cache.load_or_train`.

    Returns
    -------
    MnistRun
        The model, its training images (N, 1, 28, 28) and labels, losses and snapshots at
        ``config.MNIST_SNAPSHOT_EPOCHS`` (those ≤ ``epochs``, plus ``epochs`` itself).
    """
    seed = check_nonnegative_int(seed, "seed")
    epochs = check_positive_int(epochs, "epochs")
    X, y = load_mnist(digits, train=True, source=source, verbose=False)
    model = conv_autoencoder(latent_dim, config.MNIST_CHANNELS, activation, seed=seed)
    snaps = sorted({e for e in config.MNIST_SNAPSHOT_EPOCHS if e <= epochs} | {epochs})
    settings = {
        "recipe": "mnist_autoencoder/1",
        "digits": sorted(int(d) for d in digits),
        "data": data_fingerprint(X),
        "seed": seed,
        "latent_dim": latent_dim,
        "channels": list(config.MNIST_CHANNELS),
        "activation": activation,
        "epochs": epochs,
        "lr": config.MNIST_LR,
        "batch_size": config.MNIST_BATCH_SIZE,
        "snapshots": snaps,
    }

    def train(m: nn.Module) -> dict:
        return train_with_snapshots(
            m, X, epochs, config.MNIST_LR, config.MNIST_BATCH_SIZE, seed, snaps
        )

    name = f"mnist-ae-{''.join(map(str, sorted(digits)))}-d{latent_dim}-{activation}-s{seed}"
    model, extra = load_or_train(model, settings, train, name=name, use_cache=use_cache)
    return MnistRun(
        model=model,
        X=X,
        y=y,
        digits=tuple(int(d) for d in digits),
        seed=seed,
        latent_dim=latent_dim,
        epochs=epochs,
        activation=activation,
        losses=list(extra["losses"]),
        snapshots=dict(extra["snapshots"]),
    )


class DigitClassifier(nn.Module):
    """A small CNN for the ten MNIST digits: two stride-2 convolutions and a linear layer.

    ``forward`` maps images (N, 1, 28, 28) to logits (N, 10).
    """

    def __init__(self, seed: int | None = None) -> None:
        super().__init__()
        with _seeded_init(seed):
            self.net = nn.Sequential(
                nn.Conv2d(1, 16, 3, stride=2, padding=1),
                nn.ReLU(),
                nn.Conv2d(16, 32, 3, stride=2, padding=1),
                nn.ReLU(),
                nn.Flatten(),
                nn.Linear(32 * 7 * 7, 10),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (N, 10) for images of shape (N, 1, 28, 28)."""
        x = as_float_tensor(x, "x", ndim=4, shape="(N, 1, 28, 28)")
        return self.net(x.to(torch.float32))


def _train_classifier(model: DigitClassifier, X: torch.Tensor, y: torch.Tensor) -> dict:
    generator = torch.Generator().manual_seed(config.CLASSIFIER_SEED)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.CLASSIFIER_LR)
    model.train()
    losses = []
    with torch_threads(config.MNIST_THREADS):
        for _ in range(config.CLASSIFIER_EPOCHS):
            order = torch.randperm(len(X), generator=generator)
            total = 0.0
            for start in range(0, len(X), config.CLASSIFIER_BATCH_SIZE):
                idx = order[start : start + config.CLASSIFIER_BATCH_SIZE]
                loss = F.cross_entropy(model(X[idx]), y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
            losses.append(total / len(X))
    model.eval()
    return {"losses": losses}


def digit_classifier(
    *, source: str = "bundled", use_cache: bool = True
) -> tuple[DigitClassifier, float]:
    """A digit classifier trained on all ten digits of the train split (cached).

    Parameters
    ----------
    source : {"auto", "torchvision", "bundled"}
        Passed to :func:`aelib.data.load_mnist`.
    use_cache : bool
        Reuse / store the weights via :func:`aelib.course.cache.load_or_train`.

    Returns
    -------
    (DigitClassifier, float)
        The model (eval mode) and its accuracy on the test split.
    """
    X, y = load_mnist(range(10), train=True, source=source, verbose=False)
    settings = {
        "recipe": "digit_classifier/1",
        "data": data_fingerprint(X),
        "epochs": config.CLASSIFIER_EPOCHS,
        "lr": config.CLASSIFIER_LR,
        "batch_size": config.CLASSIFIER_BATCH_SIZE,
        "seed": config.CLASSIFIER_SEED,
    }
    model = DigitClassifier(seed=config.CLASSIFIER_SEED)
    model, _ = load_or_train(
        model,
        settings,
        lambda m: _train_classifier(m, X, y),
        name="digit-classifier",
        use_cache=use_cache,
    )
    X_test, y_test = load_mnist(range(10), train=False, source=source, verbose=False)
    pred, _ = classify(model, X_test)
    return model, float((pred == y_test).float().mean())


def classify(model: nn.Module, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted digit and its softmax probability.

    Parameters
    ----------
    model : torch.nn.Module
        Maps images (N, 1, 28, 28) to logits (N, 10).
    X : torch.Tensor or numpy.ndarray
        Images, shape (N, 1, 28, 28).

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        int64 predictions (N,) and float probabilities (N,).
    """
    check_module(model)
    X = as_float_tensor(X, "X", ndim=4, shape="(N, 1, 28, 28)")
    with torch.inference_mode():
        prob = torch.softmax(model(X), dim=1)
    p, pred = prob.max(1)
    return pred.clone(), p.clone()


def negative_autoencoder(
    run: MnistRun, min_distance: float, *, use_cache: bool = True
) -> nn.Module:
    """``run``'s model fine-tuned with negative samples (NAE-style; cached).

    Parameters
    ----------
    run : MnistRun
        The trained autoencoder to start from (not modified).
    min_distance : float
        Negatives closer than this (pixel-space Euclidean) to a training image are not pushed up.
    use_cache : bool
        Reuse / store the weights via :func:`aelib.course.cache.load_or_train`.

    Returns
    -------
    ConvAutoencoder
        A fine-tuned copy (eval mode).
    """
    from aelib.course.mitigations import negative_finetune

    if not isinstance(run, MnistRun):
        raise TypeError(f"run: expected an MnistRun, got {type(run).__name__}")
    min_distance = check_positive_float(min_distance, "min_distance")
    model = copy.deepcopy(run.model)
    settings = {
        "recipe": "negative_autoencoder/1",
        "base": {
            k: v
            for k, v in vars(run).items()
            if k in ("digits", "seed", "latent_dim", "epochs", "activation")
        },
        "base_weights": data_fingerprint(
            torch.cat([p.detach().flatten() for p in run.model.parameters()])
        ),
        "data": data_fingerprint(run.X),
        "min_distance": round(min_distance, 6),
        "epochs": config.NEG_EPOCHS,
        "lr": config.NEG_LR,
        "samples": config.NEG_SAMPLES,
        "steps": config.NEG_STEPS,
        "weight": config.NEG_WEIGHT,
        "cap": config.NEG_CAP,
    }

    def train(m: nn.Module) -> dict:
        with torch_threads(config.MNIST_THREADS):
            return negative_finetune(m, run.X, min_distance, seed=run.seed)

    name = f"mnist-nae-d{run.latent_dim}-s{run.seed}"
    model, _ = load_or_train(model, settings, train, name=name, use_cache=use_cache)
    return model
