"""The toy-data recipes of notebooks 04–07: the Figure-1 models and the many-seeds study, cached.

- :func:`fit_toy_autoencoder`: several restarts of one autoencoder in one batched pass
  (:mod:`aelib.course.toy_training`), the lowest final training loss kept, collapsed restarts counted;
- :data:`FIGURE1_PANELS`, :func:`figure1_settings`, :func:`figure1_data`, :func:`figure1_model`:
  the six panels of Figure 1, each a data set and a :class:`ToySettings`;
- :func:`fit_many`: one run per (data set, seed) for one activation (notebook 07), with
  :class:`ToyStudySettings`.

A recipe reads its hyperparameters only from its settings object (:mod:`aelib.course.settings`); the
cache key hashes that object whole, the training data and the training-code version
(:func:`aelib.course.cache.load_or_train`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from aelib._validation import as_float_tensor
from aelib.course.cache import load_or_train
from aelib.course.settings import FIGURE1_PANELS, ToySettings, ToyStudySettings, resolve
from aelib.course.toy_training import (
    AutoencoderEnsemble,
    _check_seeds,
    baseline_loss,
    train_ensemble,
)
from aelib.models import MLPAutoencoder

__all__ = [
    "ToySettings",
    "ToyStudySettings",
    "ToyFit",
    "fit_toy_autoencoder",
    "ToyRun",
    "fit_many",
    "FIGURE1_PANELS",
    "figure1_settings",
    "figure1_data",
    "figure1_model",
]


@dataclass
class ToyFit:
    """The outcome of :func:`fit_toy_autoencoder`.

    Attributes
    ----------
    model : MLPAutoencoder
        The restart with the lowest final training loss.
    final_losses : torch.Tensor
        Final training MSE of every restart, shape (R,).
    best : int
        Index of the kept restart.
    baseline : float
        MSE of reconstructing every point by the data mean.
    collapsed : torch.Tensor
        bool, shape (R,): restarts whose final loss is above
        ``settings.collapse_fraction × baseline``.
    history : torch.Tensor
        Loss curves, shape (epochs, R).
    settings : ToySettings
        How it was trained.
    ensemble : AutoencoderEnsemble or None
        All ``R`` trained restarts (``None`` if not kept); :meth:`restart` takes one out.
    """

    model: MLPAutoencoder
    final_losses: torch.Tensor
    best: int
    baseline: float
    collapsed: torch.Tensor
    history: torch.Tensor
    settings: ToySettings
    ensemble: AutoencoderEnsemble | None = None

    def restart(self, k: int) -> MLPAutoencoder:
        """Restart ``k`` (``0 <= k < R``, seed ``settings.seed + k``) as a stand-alone model.

        Raises
        ------
        ValueError
            If ``k`` is out of range or the fit kept no ensemble.
        """
        if self.ensemble is None:
            raise ValueError("restart: this fit kept no ensemble of restarts")
        return self.ensemble.member(k)

    @property
    def n_collapsed(self) -> int:
        """How many restarts collapsed."""
        return int(self.collapsed.sum())

    @property
    def loss(self) -> float:
        """Final training loss of the kept model."""
        return float(self.final_losses[self.best])


def fit_toy_autoencoder(
    X: torch.Tensor,
    settings: ToySettings | None = None,
    *,
    use_cache: bool = True,
    progress: bool = False,
    desc: str = "training",
    **overrides: Any,
) -> ToyFit:
    """Train ``settings.restarts`` autoencoders on ``X`` (seeds ``seed, seed+1, …``), keep the best.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Training points, shape (N, D).
    settings : ToySettings, optional
        Layer sizes, activation, seed, restarts, epochs, learning rate, collapse threshold;
        default ``ToySettings()``.
    use_cache : bool
        Store / reuse the trained weights via :func:`aelib.course.cache.load_or_train`.
    progress : bool
        Show a ``tqdm`` bar over the epochs while training (nothing when loaded from the cache).
    desc : str
        The bar's label.
    **overrides
        Fields of :class:`ToySettings` to replace, e.g. ``activation="sigmoid"``.

    Returns
    -------
    ToyFit
        The best model, all final losses, the collapse flags and the loss curves.
    """
    X = as_float_tensor(X, "X", ndim=2, shape="(N, D)", dtype=torch.float32)
    s = resolve(settings, ToySettings, overrides)
    ensemble = AutoencoderEnsemble(s.sizes, s.activation, list(range(s.seed, s.seed + s.restarts)))
    ensemble, history = load_or_train(
        ensemble,
        s,
        lambda ens: train_ensemble(ens, X, epochs=s.epochs, lr=s.lr, progress=progress, desc=desc),
        inputs={"X": X},
        name="toy",
        use_cache=use_cache,
    )
    with torch.no_grad():
        final = ((ensemble(X) - X) ** 2).mean((1, 2))
    best = int(torch.argmin(final))
    base = baseline_loss(X)
    return ToyFit(
        model=ensemble.member(best),
        final_losses=final,
        best=best,
        baseline=base,
        collapsed=final > s.collapse_fraction * base,
        history=history,
        settings=s,
        ensemble=ensemble,
    )


@dataclass
class ToyRun:
    """One trained member of :func:`fit_many`: which data set and seed, the model, its loss.

    ``collapsed``: the final loss is above ``collapse_fraction × baseline`` (training failed).
    """

    data: str
    seed: int
    model: MLPAutoencoder
    loss: float
    baseline: float
    collapsed: bool


def fit_many(
    datasets: dict[str, torch.Tensor],
    activation: str | None,
    seeds: Sequence[int],
    *,
    settings: ToyStudySettings | None = None,
    use_cache: bool = True,
    progress: bool = False,
    **overrides: Any,
) -> list[ToyRun]:
    """Train one autoencoder per (data set, seed) pair, all in one batched pass (notebook 07).

    Parameters
    ----------
    datasets : dict of str to torch.Tensor
        Named training sets, each of shape (N_j, D) (sizes may differ).
    activation : str or None
        Activation of every layer but the last.
    seeds : sequence of int
        Initialisation seeds; every data set is trained once per seed.
    settings : ToyStudySettings, optional
        Layer sizes, epochs, learning rate, collapse threshold; default ``ToyStudySettings()``.
    use_cache : bool
        Store / reuse the trained weights via :func:`aelib.course.cache.load_or_train`.
    progress : bool
        Show a ``tqdm`` bar over the epochs while training, labelled with the activation
        (nothing when loaded from the cache).
    **overrides
        Fields of :class:`ToyStudySettings` to replace, e.g. ``epochs=5``.

    Returns
    -------
    list of ToyRun
        ``len(datasets) * len(seeds)`` runs, data-set-major (all seeds of the first set first).
    """
    if not isinstance(datasets, dict) or not datasets:
        raise TypeError(
            f"datasets: expected a non-empty dict name -> (N, D) tensor, got {datasets!r}"
        )
    sets = {
        str(k): as_float_tensor(v, f"datasets[{k!r}]", ndim=2, shape="(N, D)", dtype=torch.float32)
        for k, v in datasets.items()
    }
    seeds = _check_seeds(seeds)
    s = resolve(settings, ToyStudySettings, overrides)
    pairs = [(name, seed) for name in sets for seed in seeds]
    ensemble = AutoencoderEnsemble(s.sizes, activation, [seed for _, seed in pairs])
    members = [sets[name] for name, _ in pairs]
    ensemble, _ = load_or_train(
        ensemble,
        s,
        lambda ens: train_ensemble(
            ens, members, epochs=s.epochs, lr=s.lr, progress=progress, desc=f"training {activation}"
        )[-1],
        inputs={"activation": activation, "pairs": pairs, "datasets": sets},
        name="toy-many",
        use_cache=use_cache,
    )
    runs = []
    for k, (name, seed) in enumerate(pairs):
        model = ensemble.member(k)
        X = sets[name]
        with torch.no_grad():
            loss = float(((model(X) - X) ** 2).mean())
        base = baseline_loss(X)
        runs.append(ToyRun(name, seed, model, loss, base, loss > s.collapse_fraction * base))
    return runs


def figure1_settings(panel: str) -> ToySettings:
    """The :class:`ToySettings` of a Figure-1 panel (``"1a"`` … ``"1f"``, :data:`FIGURE1_PANELS`)."""
    if panel not in FIGURE1_PANELS:
        raise ValueError(f"panel: expected one of {sorted(FIGURE1_PANELS)}, got {panel!r}")
    _, sizes, activation, lr = FIGURE1_PANELS[panel]
    return ToySettings(sizes=sizes, activation=activation, lr=lr)


def figure1_data(name: str, n: int = 100, seed: int = 0) -> torch.Tensor:
    """A Figure-1 training set by name (``"gaussian"``, ``"two_gaussians"``, ``"banana"``,
    ``"diagonal"``): ``n`` points per distribution (the paper: 100), float32, shape (N, 2)."""
    from aelib import data

    makers = {
        "gaussian": data.gaussian,
        "two_gaussians": data.two_gaussians,
        "banana": data.banana,
        "diagonal": data.diagonal,
    }
    if name not in makers:
        raise ValueError(f"name: expected one of {sorted(makers)}, got {name!r}")
    return makers[name](n, seed=seed)


def figure1_model(
    panel: str, use_cache: bool = True, progress: bool = False
) -> tuple[ToyFit, torch.Tensor]:
    """Train (or load) the model of a Figure-1 panel with restarts; return it and its data.

    Parameters
    ----------
    panel : str
        One of ``"1a"`` … ``"1f"`` (see :data:`FIGURE1_PANELS`).
    use_cache : bool
        Reuse cached weights.
    progress : bool
        Show a ``tqdm`` bar while training, labelled with the panel (nothing when loaded from the
        cache).

    Returns
    -------
    (ToyFit, torch.Tensor)
        The fit (best of ``figure1_settings(panel).restarts``) and the training data (N, 2).
    """
    settings = figure1_settings(panel)
    X = figure1_data(FIGURE1_PANELS[panel][0])
    fit = fit_toy_autoencoder(
        X, settings, use_cache=use_cache, progress=progress, desc=f"training {panel}"
    )
    return fit, X
