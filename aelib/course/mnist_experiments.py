"""The MNIST models of notebooks 08–10, trained once and cached.

Every model the notebooks show comes from a recipe here, so that a notebook cell stays short and
the same settings give the same weights everywhere:

- :func:`mnist_autoencoder`: the convolutional autoencoder of §4.5.1 on some digits, with weight
  snapshots during training (the paper: out-of-bounds regions "disappear one epoch, and reappear
  the next"), :class:`MnistSettings`;
- :func:`digit_classifier`: a small CNN trained on all ten digits, to ask what an adversarial
  anomaly *looks like* to a model that knows every digit, :class:`ClassifierSettings`;
- :func:`negative_autoencoder`: the NAE-style fine-tuned autoencoder of notebook 10
  (:func:`aelib.course.mitigations.negative_finetune`), :class:`NegativeSettings`;
- :func:`seed_epoch_scan`, :func:`seed_epoch_sweep`, :func:`sweep_margin`: notebook 09's study of
  the finding over seeds and snapshot epochs.

The recipes that train show a ``tqdm`` bar while they do (``progress=False`` silences it);
:func:`seed_epoch_scan` shows one over its models instead, then one over its searches.

Each recipe reads its hyperparameters only from its settings object (:mod:`aelib.course.settings`; its
keyword arguments replace fields of it), and all of them train through :func:`aelib.train.fit`.
The cache key hashes the whole settings object, a fingerprint of the training images and the
training-code version (:func:`aelib.course.cache.load_or_train`), so switching to full MNIST
(``source="torchvision"``) trains and stores new models. The default is the bundled subset,
whatever else is on disk, so the notebooks' outputs are reproducible.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from aelib._validation import as_float_tensor, check_module, check_positive_float
from aelib.attacks import GridSearchResult, latent_grid_search
from aelib.course.cache import load_or_train
from aelib.course.mitigations import negative_finetune
from aelib.course.settings import ClassifierSettings, MnistSettings, NegativeSettings, resolve
from aelib.data import load_mnist
from aelib.models import ConvAutoencoder, _seeded_init
from aelib.threads import side_by_side, torch_threads
from aelib.train import fit

__all__ = [
    "MnistSettings",
    "ClassifierSettings",
    "NegativeSettings",
    "MnistRun",
    "train_with_snapshots",
    "mnist_autoencoder",
    "DigitClassifier",
    "train_classifier",
    "digit_classifier",
    "classify",
    "negative_autoencoder",
    "seed_epoch_sweep",
    "seed_epoch_scan",
    "sweep_margin",
]


def _fit(
    model: nn.Module,
    X: torch.Tensor,
    s: MnistSettings | ClassifierSettings,
    progress: bool = False,
    **kwargs: Any,
) -> list[float]:
    """:func:`aelib.train.fit` with the epochs, lr, batch size, seed and threads of ``s``."""
    with torch_threads(s.threads):
        return fit(
            model,
            X,
            s.epochs,
            lr=s.lr,
            batch_size=s.batch_size,
            seed=s.seed,
            progress=progress,
            **kwargs,
        )


def train_with_snapshots(
    model: nn.Module,
    X: torch.Tensor,
    settings: MnistSettings | None = None,
    progress: bool = False,
) -> dict:
    """:func:`aelib.train.fit` with ``settings``, keeping copies of the weights at some epochs.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    X : torch.Tensor
        Training images, shape (N, *input_shape).
    settings : MnistSettings, optional
        ``epochs``, ``lr``, ``batch_size``, ``seed`` (batch order) and ``threads`` of the
        training; the weights are kept after the epochs ``settings.snapshots``.
    progress : bool
        Show a ``tqdm`` bar over the epochs (:func:`aelib.train.fit`).

    Returns
    -------
    dict
        ``{"losses": [float] * epochs, "snapshots": {epoch: state_dict}}``.
    """
    s = resolve(settings, MnistSettings, {})
    keep = set(s.snapshots)
    snapshots: dict[int, dict] = {}

    def snapshot(epoch: int, loss: float) -> None:
        if epoch in keep:
            snapshots[epoch] = {k: v.detach().clone() for k, v in model.state_dict().items()}

    losses = _fit(model, X, s, progress, callback=snapshot)
    return {"losses": losses, "snapshots": snapshots}


def _from_settings(name: str, doc: str) -> property:
    """A read-only attribute of a run that is a field of its ``settings``."""
    return property(lambda run: getattr(run.settings, name), doc=doc)


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
    settings : MnistSettings
        How it was trained (``digits``, ``seed``, ``latent_dim``, ``epochs`` and ``activation``
        are also attributes of the run).
    losses : list of float
        Training MSE per epoch.
    snapshots : dict
        Epoch → ``state_dict`` (see :meth:`at_epoch`).
    """

    model: ConvAutoencoder
    X: torch.Tensor
    y: torch.Tensor
    settings: MnistSettings
    losses: list[float]
    snapshots: dict = field(repr=False)

    digits = _from_settings("digits", "The normal digits.")
    seed = _from_settings("seed", "Initialisation and batch-order seed.")
    latent_dim = _from_settings("latent_dim", "Bottleneck size.")
    epochs = _from_settings("epochs", "Training epochs.")
    activation = _from_settings("activation", "Inner activation.")

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
    digits: Sequence[int] | None = None,
    *,
    settings: MnistSettings | None = None,
    source: str = "bundled",
    use_cache: bool = True,
    progress: bool = True,
    **overrides: Any,
) -> MnistRun:
    """Train (or load from the cache) the §4.5.1 convolutional autoencoder on some digits.

    Parameters
    ----------
    digits : sequence of int, optional
        The normal digits, e.g. ``(4, 5, 7)``; replaces ``settings.digits``.
    settings : MnistSettings, optional
        Everything that shapes the model; default ``MnistSettings()``.
    source : {"auto", "torchvision", "bundled"}
        Passed to :func:`aelib.data.load_mnist` (train split).
    use_cache : bool
        Reuse / store the weights via :func:`aelib.course.cache.load_or_train`.
    progress : bool
        Show a ``tqdm`` bar over the epochs while training (nothing when loaded from the
        cache); not part of the cache key.
    **overrides
        Fields of :class:`MnistSettings` to replace, e.g. ``seed=1, latent_dim=16,
        activation="sigmoid"``.

    Returns
    -------
    MnistRun
        The model, its training images (N, 1, 28, 28) and labels, losses and snapshots at
        ``settings.snapshots``.
    """
    if digits is not None:
        overrides = {"digits": digits, **overrides}
    s = resolve(settings, MnistSettings, overrides)
    X, y = load_mnist(s.digits, train=True, source=source, verbose=False)
    model = ConvAutoencoder(s.latent_dim, s.channels, seed=s.seed, activation=s.activation)
    name = (
        f"mnist-ae-{''.join(map(str, sorted(s.digits)))}-d{s.latent_dim}-{s.activation}-s{s.seed}"
    )
    model, extra = load_or_train(
        model,
        s,
        lambda m: train_with_snapshots(m, X, s, progress=progress),
        inputs={"X": X},
        name=name,
        use_cache=use_cache,
    )
    return MnistRun(model, X, y, s, list(extra["losses"]), dict(extra["snapshots"]))


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


def _cross_entropy(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    images, labels = batch
    return F.cross_entropy(model(images), labels)


def train_classifier(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    settings: ClassifierSettings | None = None,
    progress: bool = False,
) -> dict:
    """Mini-batch Adam on the cross-entropy, through :func:`aelib.train.fit`.

    Parameters
    ----------
    model : torch.nn.Module
        Maps images (N, 1, 28, 28) to logits (N, 10); trained in place.
    X : torch.Tensor
        Images, shape (N, 1, 28, 28).
    y : torch.Tensor
        Their digits, int64, shape (N,).
    settings : ClassifierSettings, optional
        Epochs, learning rate, batch size, seed (batch order) and threads.
    progress : bool
        Show a ``tqdm`` bar over the epochs (:func:`aelib.train.fit`).

    Returns
    -------
    dict
        ``{"losses": [float] * epochs}``: mean cross-entropy per epoch.
    """
    s = resolve(settings, ClassifierSettings, {})
    return {"losses": _fit(model, X, s, progress, y=y, loss=_cross_entropy)}


def digit_classifier(
    *,
    settings: ClassifierSettings | None = None,
    source: str = "bundled",
    use_cache: bool = True,
    progress: bool = True,
    **overrides: Any,
) -> tuple[DigitClassifier, float]:
    """A digit classifier trained on all ten digits of the train split (cached).

    Parameters
    ----------
    settings : ClassifierSettings, optional
        Default ``ClassifierSettings()``.
    source : {"auto", "torchvision", "bundled"}
        Passed to :func:`aelib.data.load_mnist`.
    use_cache : bool
        Reuse / store the weights via :func:`aelib.course.cache.load_or_train`.
    progress : bool
        Show a ``tqdm`` bar over the epochs while training (nothing when loaded from the
        cache); not part of the cache key.
    **overrides
        Fields of :class:`ClassifierSettings` to replace, e.g. ``epochs=1``.

    Returns
    -------
    (DigitClassifier, float)
        The model (eval mode) and its accuracy on the test split.
    """
    s = resolve(settings, ClassifierSettings, overrides)
    X, y = load_mnist(range(10), train=True, source=source, verbose=False)
    model, _ = load_or_train(
        DigitClassifier(seed=s.seed),
        s,
        lambda m: train_classifier(m, X, y, s, progress=progress),
        inputs={"X": X, "y": y},
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
    run: MnistRun,
    min_distance: float,
    *,
    settings: NegativeSettings | None = None,
    use_cache: bool = True,
    **overrides: Any,
) -> nn.Module:
    """``run``'s model fine-tuned with negative samples (NAE-style; cached).

    Parameters
    ----------
    run : MnistRun
        The trained autoencoder to start from (not modified).
    min_distance : float
        Negatives closer than this (pixel-space Euclidean) to a training image are not pushed up.
    settings : NegativeSettings, optional
        Default ``NegativeSettings(seed=run.seed)``.
    use_cache : bool
        Reuse / store the weights via :func:`aelib.course.cache.load_or_train`.
    **overrides
        Fields of :class:`NegativeSettings` to replace, e.g. ``epochs=2``.

    Returns
    -------
    ConvAutoencoder
        A fine-tuned copy (eval mode).
    """
    if not isinstance(run, MnistRun):
        raise TypeError(f"run: expected an MnistRun, got {type(run).__name__}")
    min_distance = check_positive_float(min_distance, "min_distance")
    s = resolve(
        NegativeSettings(seed=run.seed) if settings is None else settings,
        NegativeSettings,
        overrides,
    )
    model, _ = load_or_train(
        copy.deepcopy(run.model),
        s,
        lambda m: negative_finetune(m, run.X, min_distance, s),
        inputs={
            "X": run.X,
            "min_distance": min_distance,
            "start": run.model.state_dict(),
            "start_settings": run.settings,
        },
        name=f"mnist-nae-d{run.latent_dim}-s{run.seed}",
        use_cache=use_cache,
    )
    return model


def sweep_margin(result: GridSearchResult) -> float:
    """How close a grid search came to an adversarial anomaly: best far error / min normal error.

    Parameters
    ----------
    result : GridSearchResult
        A search with ``min_distance`` set (its candidates are far minima, lowest error first).

    Returns
    -------
    float
        ``result.errors[0] / result.min_normal_error``: at most 1 exactly when the search found a
        far adversarial anomaly (``result.adversarial().any()``); ``inf`` when it found no far
        candidate at all.
    """
    if not isinstance(result, GridSearchResult):
        raise TypeError(f"result: expected a GridSearchResult, got {type(result).__name__}")
    if len(result) == 0:
        return float("inf")
    return float(result.errors[0]) / float(result.min_normal_error)


def _check_sweep_args(sets: object, min_distance: object) -> None:
    if not isinstance(sets, Mapping) or not sets:
        raise TypeError(f"sets: expected a non-empty mapping name → digits, got {sets!r:.60}")
    if not isinstance(min_distance, Mapping) or set(min_distance) != set(sets):
        raise ValueError(
            f"min_distance: expected a mapping with the keys of sets {sorted(sets)}, got "
            f"{sorted(min_distance) if isinstance(min_distance, Mapping) else min_distance!r}"
        )


def seed_epoch_scan(
    sets: Mapping[str, Sequence[int]],
    seeds: Sequence[int],
    min_distance: Mapping[str, float],
    *,
    resolution: int,
    source: str = "bundled",
    progress: bool = True,
    **overrides: Any,
) -> dict[tuple[str, int, int], GridSearchResult]:
    """The grid search of every snapshot, per digit set and seed (notebook 09's epoch study).

    For each digit set and seed, :func:`mnist_autoencoder` (trained, or loaded from the cache;
    those to train run side by side on idle cores, see ``_runs_side_by_side``) is searched at
    each of its snapshot epochs with :func:`aelib.attacks.latent_grid_search` (sum of squared
    errors, ``top_k=1``, the set's ``min_distance``). The course's models keep a
    snapshot after every epoch (``MnistSettings.snapshot_epochs``), so every epoch is searched.

    Parameters
    ----------
    sets : mapping str → sequence of int
        Name → normal digits, e.g. ``{"457": (4, 5, 7), "01": (0, 1)}``.
    seeds : sequence of int
        Initialisation and batch-order seeds.
    min_distance : mapping str → float
        Name → "far from the data" (pixel-space Euclidean), one per set.
    resolution : int
        Grid points per latent axis.
    source : {"auto", "torchvision", "bundled"}
        Passed to :func:`mnist_autoencoder`.
    progress : bool
        Show a ``tqdm`` bar over the models (trained, or loaded from the cache), then one over
        the searched snapshots.
    **overrides
        Fields of :class:`MnistSettings` to replace (besides ``digits`` and ``seed``), e.g.
        ``snapshot_epochs``.

    Returns
    -------
    dict
        ``(name, seed, epoch) → GridSearchResult`` (at most one far candidate each; see
        :func:`sweep_margin` for its margin, ``.adversarial().any()`` for the verdict).
    """
    _check_sweep_args(sets, min_distance)
    seeds = list(seeds)
    jobs = [(name, seed) for name in sets for seed in seeds]
    runs = _runs_side_by_side([(sets[n], s) for n, s in jobs], source, progress, overrides)

    def search(run: MnistRun, name: str, epoch: int) -> GridSearchResult:
        return latent_grid_search(
            run.at_epoch(epoch),
            run.X,
            resolution=resolution,
            reduction="sum",
            min_distance=min_distance[name],
            top_k=1,
        )

    # side by side: each search's serial parts (the training images' errors, the distances of
    # its candidates) overlap with another's; 20 of notebook 09's searches: 1.66 s -> 1.10 s
    searches = {
        (name, seed, epoch): partial(search, run, name, epoch)
        for (name, seed), run in zip(jobs, runs, strict=True)
        for epoch in sorted(run.snapshots)
    }
    return side_by_side(searches, progress=progress, desc="seeds × epochs")


def _runs_side_by_side(
    jobs: Sequence[tuple[Sequence[int], int]],
    source: str,
    progress: bool,
    overrides: Mapping[str, Any],
) -> list[MnistRun]:
    """:func:`mnist_autoencoder` of each ``(digits, seed)``, the ones to train on idle cores.

    The recipes train on one thread each (``MnistSettings.threads``), so
    :func:`aelib.threads.side_by_side` runs up to torch's thread count of them at once, each
    computed exactly as alone (the same weights). Notebook 09's four extra seeds: 6.1 s one after
    the other, 3.3 s side by side on 2 cores (measured). One bar over the models, the same
    whichever way they run (the notebooks' stored outputs must not depend on the number of cores).
    """
    s = resolve(None, MnistSettings, overrides)
    tasks = {
        i: partial(mnist_autoencoder, digits, seed=seed, source=source, progress=False, **overrides)
        for i, (digits, seed) in enumerate(jobs)
    }
    runs = side_by_side(
        tasks, workers=None if s.threads == 1 else 1, progress=progress, desc="models"
    )
    return list(runs.values())


def seed_epoch_sweep(
    sets: Mapping[str, Sequence[int]],
    seeds: Sequence[int],
    min_distance: Mapping[str, float],
    *,
    resolution: int,
    source: str = "bundled",
    progress: bool = True,
    **overrides: Any,
) -> dict[tuple[str, int, int], bool]:
    """The verdicts of :func:`seed_epoch_scan`: was a far adversarial anomaly found?

    Takes the same arguments as :func:`seed_epoch_scan`.

    Returns
    -------
    dict
        ``(name, seed, epoch) → bool``: a far adversarial anomaly was found.
    """
    scan = seed_epoch_scan(
        sets,
        seeds,
        min_distance,
        resolution=resolution,
        source=source,
        progress=progress,
        **overrides,
    )
    return {key: bool(result.adversarial().any()) for key, result in scan.items()}
