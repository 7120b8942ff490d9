"""Train the small Figure-1 autoencoders robustly and fast: many restarts in one batched pass.

Tiny ReLU autoencoders such as ``[2, 5, 1, 5, 2]`` often *die*: once the single bottleneck unit
(or every unit of a hidden layer) is inactive for all training points, no gradient reaches the
encoder and the decoder can only output a constant — the data mean. The loss then sticks at the
*baseline* (the MSE of predicting the mean, i.e. the average per-coordinate variance).

The careful answer is to train several independently initialised restarts and keep the one with
the lowest final training loss, and to report how many collapsed. :class:`AutoencoderEnsemble`
holds ``K`` autoencoders of the same shape as stacked weight tensors, so ``K`` restarts (or
``K`` seeds × data sets, notebook 07) train in one batched forward/backward pass — exactly as if
each were trained alone with Adam (Adam is element-wise and the summed loss separates by member).
Member ``k`` starts from the same weights as ``MLPAutoencoder(sizes, activation, seed=seeds[k])``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import tqdm

from aelib._validation import (
    as_float_tensor,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.course import config
from aelib.course.cache import load_or_train
from aelib.models import ACTIVATIONS, MLPAutoencoder
from aelib.threads import torch_threads

__all__ = [
    "AutoencoderEnsemble",
    "ToyFit",
    "baseline_loss",
    "train_ensemble",
    "fit_toy_autoencoder",
    "ToyRun",
    "fit_many",
    "FIGURE1_PANELS",
    "figure1_data",
    "figure1_model",
]


def _check_seeds(seeds: object) -> list[int]:
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise TypeError(f"seeds: expected a non-empty sequence of integers, got {seeds!r}")
    return [check_nonnegative_int(s, f"seeds[{i}]") for i, s in enumerate(seeds)]


class AutoencoderEnsemble(nn.Module):
    """``K`` independent MLP autoencoders with the same layer sizes, evaluated in one batch.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, e.g. ``[2, 5, 1, 5, 2]`` (as :class:`aelib.models.MLPAutoencoder`).
    activation : str or None
        One of :data:`aelib.models.ACTIVATIONS`, or ``None`` (linear).
    seeds : sequence of int
        One initialisation seed per member; ``K = len(seeds)``.

    Notes
    -----
    ``forward(X)`` takes ``X`` of shape (N, D) (the same points for every member) or (K, N, D)
    (one set per member) and returns (K, N, D).
    """

    def __init__(self, sizes: Sequence[int], activation: str | None, seeds: Sequence[int]) -> None:
        super().__init__()
        seeds = _check_seeds(seeds)
        members = [MLPAutoencoder(sizes, activation=activation, seed=s) for s in seeds]
        self.sizes = members[0].sizes
        self.activation = activation
        self.seeds = tuple(seeds)
        linears = [[m for m in mem.modules() if isinstance(m, nn.Linear)] for mem in members]
        self.weights = nn.ParameterList(
            nn.Parameter(torch.stack([lin[i].weight.detach().T for lin in linears]))
            for i in range(len(self.sizes) - 1)
        )
        self.biases = nn.ParameterList(
            nn.Parameter(torch.stack([lin[i].bias.detach()[None, :] for lin in linears]))
            for i in range(len(self.sizes) - 1)
        )
        self.act = nn.Identity() if activation is None else ACTIVATIONS[activation][0]()

    def __len__(self) -> int:
        return len(self.seeds)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Reconstruct: (N, D) or (K, N, D) → (K, N, D)."""
        X = as_float_tensor(X, "X", ndim=(2, 3), last_dim=self.sizes[0], shape="(K, N, D)")
        h = X.expand(len(self), *X.shape[-2:]) if X.ndim == 2 else X
        if h.shape[0] != len(self):
            raise ValueError(f"X: expected {len(self)} point sets, got shape {tuple(X.shape)}")
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b, h, w)
            if i < last:
                h = self.act(h)
        return h

    def member(self, k: int) -> MLPAutoencoder:
        """Member ``k`` as a stand-alone :class:`aelib.models.MLPAutoencoder` (a copy, eval mode)."""
        k = check_nonnegative_int(k, "k")
        if k >= len(self):
            raise ValueError(f"k: expected an index below {len(self)}, got {k}")
        model = MLPAutoencoder(self.sizes, activation=self.activation, seed=0)
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        with torch.no_grad():
            for lin, w, b in zip(linears, self.weights, self.biases, strict=True):
                lin.weight.copy_(w[k].T)
                lin.bias.copy_(b[k, 0])
        return model.eval()


def _stack_sets(
    X: torch.Tensor | Sequence[torch.Tensor], k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Point sets → padded (K, N_max, D) tensor and (K, N_max) weights (1 real, 0 padding)."""
    if isinstance(X, torch.Tensor) and X.ndim == 2:
        X = as_float_tensor(X, "X", ndim=2, shape="(N, D)")
        return X.expand(k, *X.shape), torch.ones(k, X.shape[0])
    if isinstance(X, torch.Tensor):
        X = as_float_tensor(X, "X", ndim=3, shape="(K, N, D)")
        sets = list(X)
    elif isinstance(X, Sequence) and not isinstance(X, str | bytes):
        sets = [as_float_tensor(x, f"X[{i}]", ndim=2, shape="(N, D)") for i, x in enumerate(X)]
    else:
        raise TypeError(
            f"X: expected a tensor (N, D) or (K, N, D) or a list of K tensors, got {X!r}"
        )
    if len(sets) != k:
        raise ValueError(f"X: expected {k} point sets (one per member), got {len(sets)}")
    dims = {x.shape[1] for x in sets}
    if len(dims) != 1:
        raise ValueError(f"X: expected point sets of equal dimension, got {sorted(dims)}")
    n_max = max(x.shape[0] for x in sets)
    padded = torch.zeros(k, n_max, sets[0].shape[1])
    weight = torch.zeros(k, n_max)
    for i, x in enumerate(sets):
        padded[i, : len(x)] = x
        weight[i, : len(x)] = 1.0
    return padded, weight


def baseline_loss(X: torch.Tensor) -> float:
    """MSE of the constant reconstruction by the data mean (what a collapsed autoencoder reaches).

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Points, shape (N, D).

    Returns
    -------
    float
        ``mean((X - X.mean(0))**2)``, the average per-coordinate (biased) variance.
    """
    X = as_float_tensor(X, "X", ndim=2, shape="(N, D)")
    return float(((X - X.mean(0)) ** 2).mean())


def train_ensemble(
    ensemble: AutoencoderEnsemble,
    X: torch.Tensor | Sequence[torch.Tensor],
    epochs: int = config.TOY_EPOCHS,
    lr: float = config.TOY_LR,
    progress: bool = False,
) -> torch.Tensor:
    """Full-batch Adam on each member's own MSE, all members in one pass.

    Parameters
    ----------
    ensemble : AutoencoderEnsemble
        Trained in place.
    X : torch.Tensor or sequence of torch.Tensor
        Shape (N, D) — every member trains on the same points — or (K, N, D), or a list of ``K``
        tensors (N_k, D) of possibly different sizes (padded and masked internally).
    epochs : int
        Number of full-batch Adam steps.
    lr : float
        Adam learning rate.
    progress : bool
        Show a ``tqdm`` bar.

    Returns
    -------
    torch.Tensor
        Training MSE per epoch and member, shape (epochs, K).
    """
    if not isinstance(ensemble, AutoencoderEnsemble):
        raise TypeError(f"ensemble: expected an AutoencoderEnsemble, got {type(ensemble).__name__}")
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_float(lr, "lr")
    data, weight = _stack_sets(X, len(ensemble))
    if data.shape[-1] != ensemble.sizes[0]:
        raise ValueError(
            f"X: expected points of dimension {ensemble.sizes[0]}, got {data.shape[-1]}"
        )
    weight = weight / weight.sum(1, keepdim=True) / data.shape[-1]
    optimizer = torch.optim.Adam(ensemble.parameters(), lr=lr)
    history = torch.empty(epochs, len(ensemble))
    ensemble.train()
    # These tensors are tiny: one thread avoids the synchronisation cost of intra-op threads,
    # which dominates (up to 10x slower) on a busy 2-core machine.
    with torch_threads(1):
        for epoch in tqdm(range(epochs), desc="training", disable=not progress, leave=False):
            per_member = (((ensemble(data) - data) ** 2).sum(-1) * weight).sum(1)
            optimizer.zero_grad()
            per_member.sum().backward()
            optimizer.step()
            history[epoch] = per_member.detach()
    ensemble.eval()
    return history


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
        bool, shape (R,): restarts whose final loss is above ``COLLAPSE_FRACTION × baseline``.
    history : torch.Tensor
        Loss curves, shape (epochs, R).
    """

    model: MLPAutoencoder
    final_losses: torch.Tensor
    best: int
    baseline: float
    collapsed: torch.Tensor
    history: torch.Tensor

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
    sizes: Sequence[int] = config.TOY_SIZES_SHALLOW,
    activation: str | None = "relu",
    seed: int = 0,
    restarts: int = config.TOY_RESTARTS,
    epochs: int = config.TOY_EPOCHS,
    lr: float = config.TOY_LR,
    use_cache: bool = True,
) -> ToyFit:
    """Train ``restarts`` autoencoders on ``X`` (seeds ``seed, seed+1, …``) and keep the best.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        Training points, shape (N, D).
    sizes : sequence of int
        Layer widths, e.g. ``(2, 5, 1, 5, 2)``.
    activation : str or None
        Activation of every layer but the last.
    seed : int
        Seed of the first restart.
    restarts : int
        Number of independent initialisations (1 = plain training).
    epochs, lr : int, float
        Full-batch Adam steps and learning rate.
    use_cache : bool
        Store / reuse the trained weights via :func:`aelib.course.cache.load_or_train`.

    Returns
    -------
    ToyFit
        The best model, all final losses, the collapse flags and the loss curves.
    """
    X = as_float_tensor(X, "X", ndim=2, shape="(N, D)", dtype=torch.float32)
    seed = check_nonnegative_int(seed, "seed")
    restarts = check_positive_int(restarts, "restarts")
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_float(lr, "lr")
    ensemble = AutoencoderEnsemble(sizes, activation, list(range(seed, seed + restarts)))
    settings = {
        "kind": "toy-ensemble",
        "sizes": list(ensemble.sizes),
        "activation": activation,
        "seeds": list(ensemble.seeds),
        "epochs": epochs,
        "lr": lr,
        "data": hashlib.sha256(X.contiguous().numpy().tobytes()).hexdigest()[:16],
    }
    ensemble, history = load_or_train(
        ensemble,
        settings,
        lambda ens: train_ensemble(ens, X, epochs=epochs, lr=lr),
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
        collapsed=final > config.COLLAPSE_FRACTION * base,
        history=history,
    )


@dataclass
class ToyRun:
    """One trained member of :func:`fit_many`: which data set and seed, the model, its loss."""

    data: str
    seed: int
    model: MLPAutoencoder
    loss: float
    baseline: float

    @property
    def collapsed(self) -> bool:
        """Final loss above ``COLLAPSE_FRACTION × baseline`` (training failed)."""
        return self.loss > config.COLLAPSE_FRACTION * self.baseline


def fit_many(
    datasets: dict[str, torch.Tensor],
    activation: str | None,
    seeds: Sequence[int],
    sizes: Sequence[int] = config.TOY_SIZES_SHALLOW,
    epochs: int = config.ACT_EPOCHS,
    lr: float = config.ACT_LR,
    use_cache: bool = True,
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
    sizes : sequence of int
        Layer widths.
    epochs, lr : int, float
        Full-batch Adam steps and learning rate.
    use_cache : bool
        Store / reuse the trained weights via :func:`aelib.course.cache.load_or_train`.

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
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_float(lr, "lr")
    pairs = [(name, s) for name in sets for s in seeds]
    ensemble = AutoencoderEnsemble(sizes, activation, [s for _, s in pairs])
    members = [sets[name] for name, _ in pairs]
    settings = {
        "kind": "toy-many",
        "sizes": list(ensemble.sizes),
        "activation": activation,
        "pairs": [list(p) for p in pairs],
        "data": {
            k: hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest()[:16]
            for k, v in sets.items()
        },
        "epochs": epochs,
        "lr": lr,
    }
    ensemble, _ = load_or_train(
        ensemble,
        settings,
        lambda ens: train_ensemble(ens, members, epochs=epochs, lr=lr)[-1],
        name="toy-many",
        use_cache=use_cache,
    )
    runs = []
    for k, (name, s) in enumerate(pairs):
        model = ensemble.member(k)
        X = sets[name]
        with torch.no_grad():
            loss = float(((model(X) - X) ** 2).mean())
        runs.append(ToyRun(name, s, model, loss, baseline_loss(X)))
    return runs


#: The six panels of Figure 1: data set, layer sizes, activation and learning rate.
FIGURE1_PANELS: dict[str, tuple[str, tuple[int, ...], str, float]] = {
    "1a": ("gaussian", config.TOY_SIZES_SHALLOW, "relu", config.TOY_LR),
    "1b": ("two_gaussians", config.TOY_SIZES_SHALLOW, "relu", config.TOY_LR),
    "1c": ("banana", config.TOY_SIZES_SHALLOW, "relu", config.TOY_LR),
    "1d": ("banana", config.TOY_SIZES_DEEP, "relu", config.TOY_LR_DEEP),
    "1e": ("gaussian", config.TOY_SIZES_SHALLOW, "sigmoid", config.TOY_LR),
    "1f": ("two_gaussians", config.TOY_SIZES_SHALLOW, "sigmoid", config.TOY_LR),
}


def figure1_data(name: str) -> torch.Tensor:
    """The training set of a Figure-1 panel by name (``"gaussian"``, ``"two_gaussians"``,
    ``"banana"``, ``"diagonal"``), ``config.TOY_N`` points per distribution, seed 0; (N, 2)."""
    from aelib import data

    makers = {
        "gaussian": data.gaussian,
        "two_gaussians": data.two_gaussians,
        "banana": data.banana,
        "diagonal": data.diagonal,
    }
    if name not in makers:
        raise ValueError(f"name: expected one of {sorted(makers)}, got {name!r}")
    return makers[name](config.TOY_N, seed=0)


def figure1_model(panel: str, use_cache: bool = True) -> tuple[ToyFit, torch.Tensor]:
    """Train (or load) the model of a Figure-1 panel with restarts; return it and its data.

    Parameters
    ----------
    panel : str
        One of ``"1a"`` … ``"1f"`` (see :data:`FIGURE1_PANELS`).
    use_cache : bool
        Reuse cached weights.

    Returns
    -------
    (ToyFit, torch.Tensor)
        The fit (best of ``config.TOY_RESTARTS``) and the training data (N, 2).
    """
    if panel not in FIGURE1_PANELS:
        raise ValueError(f"panel: expected one of {sorted(FIGURE1_PANELS)}, got {panel!r}")
    name, sizes, activation, lr = FIGURE1_PANELS[panel]
    X = figure1_data(name)
    fit = fit_toy_autoencoder(X, sizes=sizes, activation=activation, lr=lr, use_cache=use_cache)
    return fit, X
