"""What a search returns, and the finishing step every search ends with."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from aelib.attacks._common import nearest_distance
from aelib.metrics import reconstruction_error

__all__ = ["GridSearchResult", "ScanSearchResult", "SearchResult", "merge"]


@dataclass(frozen=True, repr=False)
class SearchResult:
    """Candidates of a search, best (lowest error) first.

    Attributes
    ----------
    x : torch.Tensor
        The candidate inputs, shape (k, *input_shape).
    errors : torch.Tensor
        Their reconstruction errors, shape (k,), with the search's ``reduction``
        (``error`` is the same tensor, the name the DESIGN contract uses).
    distances : torch.Tensor
        Euclidean distance of each candidate to its nearest normal sample, shape (k,)
        (``distance`` is the same tensor).
    z : torch.Tensor or None
        The latent points that decode to ``x``, shape (k, latent_dim); ``None`` for input search.
    normal_error : torch.Tensor
        The normal samples' own errors, shape (N,), same reduction.
    min_distance : float or None
        The distance the search kept its candidates from the normal data (``None``: no constraint).
    method : str
        ``"latent grid"``, ``"latent PGD"`` or ``"input PGD"``.
    reduction : str
        ``"mean"`` or ``"sum"`` over the features.
    """

    x: torch.Tensor
    errors: torch.Tensor
    distances: torch.Tensor
    z: torch.Tensor | None
    normal_error: torch.Tensor
    min_distance: float | None
    method: str
    reduction: str

    @property
    def error(self) -> torch.Tensor:
        """The same tensor as :attr:`errors` (read-only alias)."""
        return self.errors

    @property
    def distance(self) -> torch.Tensor:
        """The same tensor as :attr:`distances` (read-only alias)."""
        return self.distances

    def __len__(self) -> int:
        return len(self.errors)

    @property
    def min_normal_error(self) -> float:
        """minᵢ L(xᵢ) over the normal samples."""
        return float(self.normal_error.min())

    def adversarial(self, threshold: float | None = None) -> torch.Tensor:
        """Boolean mask (k,): the candidates that pass as normal and keep ``min_distance``.

        Passing as normal: error ≤ ``threshold`` (a detector's deployed threshold, same units as
        :attr:`errors`) or, with ``threshold=None``, error ≤ :attr:`min_normal_error` (the
        paper's worst case). Keeping the distance: distance > ``min_distance`` when it is set.
        """
        bound = self.min_normal_error if threshold is None else float(threshold)
        mask = self.errors <= bound
        if self.min_distance is not None:
            mask &= self.distances > self.min_distance
        return mask

    def rescored(self, errors: torch.Tensor, normal_error: torch.Tensor, reduction: str):
        """The same candidates with other errors (e.g. a detector's own scores), re-sorted."""
        order = _order(errors, self.distances, self.min_distance)
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fields.update(
            x=self.x[order],
            errors=errors[order],
            distances=self.distances[order],
            z=None if self.z is None else self.z[order],
            normal_error=normal_error,
            reduction=reduction,
        )
        return type(self)(**fields)

    def __repr__(self) -> str:
        best = (
            f"best error {float(self.errors[0]):.4g} at distance {float(self.distances[0]):.4g}"
            if len(self)
            else "no candidates"
        )
        md = "none" if self.min_distance is None else f"{self.min_distance:.4g}"
        return (
            f"{type(self).__name__}(method={self.method!r}, {len(self)} candidates, {best}; "
            f"min normal error {self.min_normal_error:.4g} ({self.reduction}); "
            f"min_distance {md}; {int(self.adversarial().sum())} adversarial)"
        )


@dataclass(frozen=True, repr=False)
class GridSearchResult(SearchResult):
    """A :class:`SearchResult` plus the full latent error map, for plotting.

    Attributes
    ----------
    grid_x, grid_y : torch.Tensor
        Grid coordinates along the two latent axes, shape (R,) each.
    error_map : torch.Tensor
        Shape (R, R); ``error_map[i, j]`` is the error of h(z) at z = (grid_x[j], grid_y[i]).
    latents : torch.Tensor
        The normal samples' latents g(xᵢ), shape (N, 2).
    """

    grid_x: torch.Tensor
    grid_y: torch.Tensor
    error_map: torch.Tensor
    latents: torch.Tensor


@dataclass(frozen=True, repr=False)
class ScanSearchResult(SearchResult):
    """A :class:`SearchResult` plus the full error curve of a 1-D latent scan, for plotting.

    Attributes
    ----------
    grid_z : torch.Tensor
        The scanned latent values, shape (R,).
    error_curve : torch.Tensor
        Shape (R,); ``error_curve[i]`` is the error of h(z) at z = ``grid_z[i]``.
    latents : torch.Tensor
        The normal samples' latents g(xᵢ), shape (N, 1).
    """

    grid_z: torch.Tensor
    error_curve: torch.Tensor
    latents: torch.Tensor


def merge(first: SearchResult, *others: SearchResult) -> SearchResult:
    """``first`` with the candidates of ``others`` added, re-sorted (lowest error first).

    Everything but the candidates (normal errors, ``min_distance``, method, maps) is ``first``'s;
    ``z`` is kept only if every result has it with the same width; a point (row of ``x``) found
    twice is kept once.
    """
    if not others:
        return first
    parts = (first, *others)
    zs = [r.z for r in parts]
    keep_z = all(z is not None for z in zs) and len({z.shape[1:] for z in zs}) == 1
    x = torch.cat([r.x for r in parts])
    errors = torch.cat([r.errors for r in parts])
    distances = torch.cat([r.distances for r in parts])
    z = torch.cat(zs) if keep_z else None
    order = _order(errors, distances, first.min_distance)
    order = order[_first_of_each(x[order])]  # a point found twice is reported once
    fields = {f.name: getattr(first, f.name) for f in dataclasses.fields(first)}
    fields.update(
        x=x[order],
        errors=errors[order],
        distances=distances[order],
        z=None if z is None else z[order],
    )
    return type(first)(**fields)


def _first_of_each(x: torch.Tensor) -> torch.Tensor:
    """Indices of the first occurrence of each distinct row of ``x`` (k, ...), in order."""
    if len(x) == 0:
        return torch.zeros(0, dtype=torch.long)
    _, inverse = torch.unique(x.flatten(1), dim=0, return_inverse=True)
    first = torch.full((int(inverse.max()) + 1,), len(x), dtype=torch.long)
    first.scatter_reduce_(0, inverse.cpu(), torch.arange(len(x)), reduce="amin")
    return torch.sort(first).values


def _order(errors: torch.Tensor, distances: torch.Tensor, min_distance: float | None):
    """Lowest error first; with ``min_distance``, candidates that keep the distance first."""
    order = torch.argsort(errors, stable=True)
    if min_distance is not None:
        short = distances[order] <= min_distance
        order = order[torch.argsort(short.to(torch.uint8), stable=True)]
    return order


def finish(
    model: nn.Module,
    x: torch.Tensor,
    z: torch.Tensor | None,
    X_normal: torch.Tensor,
    settings,
    min_distance: float | None,
    reduction: str,
    extra: dict | None = None,
    kind: type[SearchResult] | None = None,
) -> SearchResult:
    """Every search's last step: recompute errors and distances with plain forward passes, sort
    (lowest error first; with ``min_distance``, candidates that keep it first), and package.

    What is reported is exactly what the model does to the returned inputs, whatever the search
    did on the way (inference mode, penalties, float64 distances). ``settings``: the search's
    settings object (its ``method`` and ``batch_size`` are used). ``extra``: the fields of the
    result class ``kind`` beyond :class:`SearchResult`'s (default :class:`GridSearchResult`).
    """
    method, batch_size = settings.method, settings.batch_size
    # clone outside inference mode: callers get ordinary tensors they may modify or differentiate
    x = x.clone()
    z = None if z is None else z.clone()
    extra = None if extra is None else {k: v.clone() for k, v in extra.items()}
    normal_error = reconstruction_error(model, X_normal, reduction=reduction, batch_size=batch_size)
    if len(x):
        errors = reconstruction_error(model, x, reduction=reduction, batch_size=batch_size)
    else:  # e.g. no grid point is min_distance from the data
        errors = normal_error[:0]
    distances = nearest_distance(x, X_normal, batch_size=batch_size)
    order = _order(errors, distances, min_distance)
    fields = dict(
        x=x[order],
        errors=errors[order],
        distances=distances[order],
        z=None if z is None else z[order],
        normal_error=normal_error,
        min_distance=min_distance,
        method=method,
        reduction=reduction,
    )
    if extra is not None:
        return (kind or GridSearchResult)(**fields, **extra)
    return SearchResult(**fields)
