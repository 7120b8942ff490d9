"""Searches for adversarial anomalies: inputs far from the normal data that reconstruct well.

An autoencoder f = h ∘ g scores a point by its reconstruction error L(x) = ‖x − f(x)‖². An
*adversarial anomaly* (§4.5.1 of the paper) is a point a far from every normal sample with
L(a) ≤ minᵢ L(xᵢ): the detector ranks it as more normal than all the normal data. Three searches,
each a function and a settings object (torchattacks-style: settings bound once, the call takes
the data and the criterion):

- :func:`latent_scan_search` / :class:`LatentScan` (1-D latents): decode a dense line of latents
  (exhaustive up to its spacing, minima refined) and score each as the grid does.
- :func:`latent_grid_search` / :class:`LatentGrid` (2-D latents): decode every point z of a grid
  into a = h(z) and score L(a) = ‖a − h(g(a))‖² (decode → encode → decode).
- :func:`latent_pgd_search` / :class:`LatentPGD` (any latent size): projected gradient descent on
  z (Madry et al. 2017) from random starts in a box around the training latents; h(z) is kept
  away from the normal data by a penalty.
- :func:`input_pgd_search` / :class:`InputPGD` (any ``nn.Module``): projected gradient descent
  directly on inputs, projected onto the valid range and out of a ball of radius
  ``min_distance`` around the nearest normal sample.

The functions share one shape, ``search(model, X_normal, <main knobs>, *, min_distance=None,
reduction="mean", ...)``; ``LatentPGD(steps=100, step_size=0.1)(model, X, min_distance=d)`` is the
same search as ``latent_pgd_search(model, X, 100, step_size=0.1, min_distance=d)``.

Every search returns its candidates best first (lowest error first; with ``min_distance``, those
farther than that from the data come before those that are not), with their ``errors`` and
Euclidean ``distances`` to the nearest normal sample, both recomputed at the end with a plain
forward pass so that what is reported is exactly what the model does to the returned inputs.

Modules: :mod:`~aelib.attacks.searches` (the functions), :mod:`~aelib.attacks.configs` (the
settings objects), :mod:`~aelib.attacks.grid` and :mod:`~aelib.attacks.pgd` (the algorithms),
``_results`` (results and the shared finishing step), ``_common`` (helpers and distances).
"""

from aelib.attacks._common import nearest_distance, nn_distances
from aelib.attacks._results import GridSearchResult, ScanSearchResult, SearchResult
from aelib.attacks.configs import InputPGD, LatentGrid, LatentPGD, LatentScan
from aelib.attacks.searches import (
    input_pgd_search,
    latent_grid_search,
    latent_pgd_search,
    latent_scan_search,
)

__all__ = [
    "GridSearchResult",
    "InputPGD",
    "LatentGrid",
    "LatentPGD",
    "LatentScan",
    "ScanSearchResult",
    "SearchResult",
    "input_pgd_search",
    "latent_grid_search",
    "latent_pgd_search",
    "latent_scan_search",
    "nearest_distance",
    "nn_distances",
]
