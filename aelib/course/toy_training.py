"""Train many small MLP autoencoders at once: ``K`` restarts or seeds in one batched pass.

Tiny ReLU autoencoders such as ``[2, 5, 1, 5, 2]`` often *die*: once the single bottleneck unit
(or every unit of a hidden layer) is inactive for all training points, no gradient reaches the
encoder and the decoder can only output a constant — the data mean. The loss then sticks at the
*baseline* (the MSE of predicting the mean, i.e. the average per-coordinate variance).

The careful answer is to train several independently initialised restarts and keep the one with
the lowest final training loss, and to report how many collapsed. :class:`AutoencoderEnsemble`
holds ``K`` autoencoders of the same shape as stacked weight tensors, so ``K`` restarts (or
``K`` seeds × data sets, notebook 07) train in one batched forward/backward pass — exactly as if
each were trained alone with Adam (Adam is element-wise and the summed loss separates by member).
Member ``k`` starts from the same weights as ``MLPAutoencoder(sizes, activation, seed=seeds[k])``,
and its loss curve equals a full-batch :func:`aelib.train.fit` of that model (tested).

The course's recipes built on it — the Figure-1 registry, restarts with collapse detection, the
many-seeds study, their settings and cache — are :mod:`aelib.course.toy_recipes`; their names are also
importable from here, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from tqdm.auto import tqdm

from aelib._adam import Adam
from aelib._validation import (
    as_float_tensor,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.models import ACTIVATIONS, MLPAutoencoder
from aelib.threads import torch_threads

__all__ = ["AutoencoderEnsemble", "baseline_loss", "train_ensemble"]

#: Names of :mod:`aelib.course.toy_recipes` that older code imports from here (resolved on first use,
#: because the recipes import this module).
_RECIPES = (
    "ToyFit",
    "ToyRun",
    "ToySettings",
    "ToyStudySettings",
    "fit_toy_autoencoder",
    "fit_many",
    "FIGURE1_PANELS",
    "figure1_data",
    "figure1_settings",
    "figure1_model",
)


def __getattr__(name: str) -> object:
    if name in _RECIPES:
        from aelib.course import toy_recipes

        return getattr(toy_recipes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        return self._reconstruct(h, self._layers())

    def _layers(self) -> list[tuple[nn.Parameter, nn.Parameter]]:
        """(weight, bias) per layer; training looks them up once, not at every step."""
        return list(zip(self.weights, self.biases, strict=True))

    def _reconstruct(
        self, h: torch.Tensor, layers: list[tuple[nn.Parameter, nn.Parameter]]
    ) -> torch.Tensor:
        """``forward`` on checked point sets (K, N, D): training calls it thousands of times."""
        for i, (w, b) in enumerate(layers):
            h = torch.baddbmm(b, h, w)
            if i < len(layers) - 1:
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
    epochs: int,
    lr: float = 1e-3,
    progress: bool = False,
    desc: str = "training",
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
        Show a ``tqdm`` bar over the epochs (removed when done).
    desc : str
        The bar's label.

    Returns
    -------
    torch.Tensor
        Training MSE per epoch and member, shape (epochs, K).
    """
    if not isinstance(ensemble, AutoencoderEnsemble):
        raise TypeError(f"ensemble: expected an AutoencoderEnsemble, got {type(ensemble).__name__}")
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_float(lr, "lr")
    if not isinstance(desc, str):
        raise TypeError(f"desc: expected a string, got {type(desc).__name__}")
    data, weight = _stack_sets(X, len(ensemble))
    if data.shape[-1] != ensemble.sizes[0]:
        raise ValueError(
            f"X: expected points of dimension {ensemble.sizes[0]}, got {data.shape[-1]}"
        )
    weight = weight / weight.sum(1, keepdim=True) / data.shape[-1]
    optimizer = Adam(ensemble.parameters(), lr=lr)
    history = torch.empty(epochs, len(ensemble))
    layers = ensemble._layers()
    ensemble.train()
    # These tensors are tiny: one thread avoids the synchronisation cost of intra-op threads,
    # which dominates (up to 10x slower) on a busy 2-core machine.
    with torch_threads(1):
        # mininterval: a few bar updates per second are enough, and keep a notebook's message
        # channel quiet (thousands of steps of a few ms each)
        bar = tqdm(range(epochs), desc=desc, disable=not progress, leave=False, mininterval=0.5)
        for epoch in bar:
            reconstruction = ensemble._reconstruct(data, layers)
            per_member = (((reconstruction - data) ** 2).sum(-1) * weight).sum(1)
            optimizer.zero_grad()
            per_member.sum().backward()
            optimizer.step()
            history[epoch] = per_member.detach()
    ensemble.eval()
    return history
