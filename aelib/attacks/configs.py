"""Search settings bound once, torchattacks-style: ``LatentPGD(steps=100)(model, X_normal)``.

Each class holds every setting of one search except the data and the criterion; calling it runs
the search. ``LatentPGD(...)(model, X, min_distance=d, reduction="sum", seed=0)`` returns the same
result as ``latent_pgd_search(model, X, ..., min_distance=d, reduction="sum", seed=0)`` with the
same settings (the functions build one of these). The settings are validated when the object is
made, so a bad value fails where it was written; ``dataclasses.replace(pgd, step_size=0.05)``
makes a variant. :func:`aelib.audit.audit` takes one as ``search=``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import ClassVar

from torch import nn

from aelib._grid import check_bounds
from aelib._validation import (
    check_choice,
    check_nonnegative_float,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)
from aelib.attacks import grid, pgd, scan
from aelib.attacks._common import BATCH_SIZE, check_min_distance
from aelib.attacks._results import GridSearchResult, ScanSearchResult, SearchResult
from aelib.threads import batch_work, torch_threads

__all__ = ["InputPGD", "LatentGrid", "LatentPGD", "LatentScan", "SEARCHES"]


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass's field


class _Search:
    """What the three settings classes share: the call that runs the search on data."""

    method: ClassVar[str]

    def __call__(
        self,
        model: nn.Module,
        X_normal: object,
        *,
        min_distance: float | None = None,
        reduction: str = "mean",
        seed: int = 0,
    ) -> SearchResult:
        """Run the search on ``model`` and ``X_normal`` (N, *input_shape), best candidates first.

        ``min_distance``: how far from every normal sample a candidate must be (``None``: no
        constraint); ``reduction``: ``"mean"`` or ``"sum"`` of the squared errors over the
        features; ``seed``: seeds the random starts.
        """
        check_choice(reduction, "reduction", ("mean", "sum"))
        min_distance = check_min_distance(min_distance)
        seed = check_nonnegative_int(seed, "seed")
        with torch_threads("auto", work=batch_work(model, self.batch_size)):
            return self._run(model, X_normal, min_distance, reduction, seed)

    def _run(self, model, X_normal, min_distance, reduction, seed) -> SearchResult:
        raise NotImplementedError


def _check_common(s: LatentPGD | InputPGD) -> None:
    for name, check in (
        ("steps", check_positive_int),
        ("restarts", check_positive_int),
        ("step_size", check_positive_float),
        ("margin", check_nonnegative_float),
        ("screen", check_positive_int),
        ("batch_size", check_positive_int),
    ):
        _set(s, name, check(getattr(s, name), name))


@dataclass(frozen=True)
class LatentGrid(_Search):
    """Settings of :func:`~aelib.attacks.latent_grid_search` (see it for each one).

    Call it as ``grid(model, X_normal, *, min_distance=None, reduction="mean", seed=0)`` → a
    :class:`GridSearchResult` (``seed`` is accepted for a uniform call and ignored: the grid is
    deterministic).
    """

    method: ClassVar[str] = "latent grid"

    resolution: int = 200
    bounds: Sequence[Sequence[float]] | None = None
    _: KW_ONLY
    margin: float = 0.5
    top_k: int = 10
    local_minima: bool = True
    batch_size: int = BATCH_SIZE

    def __post_init__(self) -> None:
        resolution = check_positive_int(self.resolution, "resolution")
        if resolution < 2:
            raise ValueError(
                f"resolution: expected at least 2 grid points per axis, got {resolution}"
            )
        _set(self, "resolution", resolution)
        if self.bounds is not None:
            _set(self, "bounds", check_bounds(self.bounds))
        _set(self, "margin", check_nonnegative_float(self.margin, "margin"))
        _set(self, "top_k", check_positive_int(self.top_k, "top_k"))
        if not isinstance(self.local_minima, bool):
            raise TypeError(
                f"local_minima: expected a bool, got {type(self.local_minima).__name__}"
            )
        _set(self, "batch_size", check_positive_int(self.batch_size, "batch_size"))

    def _run(self, model, X_normal, min_distance, reduction, seed) -> GridSearchResult:
        return grid.run(model, X_normal, self, min_distance, reduction)


@dataclass(frozen=True)
class LatentScan(_Search):
    """Settings of :func:`~aelib.attacks.latent_scan_search` (see it for each one).

    Call it as ``scan(model, X_normal, *, min_distance=None, reduction="mean", seed=0)`` → a
    :class:`ScanSearchResult` (``seed`` is accepted for a uniform call and ignored: the scan is
    deterministic).
    """

    method: ClassVar[str] = "latent scan"

    resolution: int = 20_000
    bounds: Sequence[float] | None = None
    _: KW_ONLY
    margin: float = 1.0
    refine: int = 64
    top_k: int = 10
    batch_size: int = BATCH_SIZE

    def __post_init__(self) -> None:
        resolution = check_positive_int(self.resolution, "resolution")
        if resolution < 3:
            raise ValueError(f"resolution: expected at least 3 scan points, got {resolution}")
        _set(self, "resolution", resolution)
        if self.bounds is not None:
            _set(self, "bounds", check_bounds(self.bounds)[0])
        _set(self, "margin", check_nonnegative_float(self.margin, "margin"))
        _set(self, "refine", check_nonnegative_int(self.refine, "refine"))
        _set(self, "top_k", check_positive_int(self.top_k, "top_k"))
        _set(self, "batch_size", check_positive_int(self.batch_size, "batch_size"))

    def _run(self, model, X_normal, min_distance, reduction, seed) -> ScanSearchResult:
        return scan.run(model, X_normal, self, min_distance, reduction)


@dataclass(frozen=True)
class LatentPGD(_Search):
    """Settings of :func:`~aelib.attacks.latent_pgd_search` (see it for each one).

    Call it as ``pgd(model, X_normal, *, min_distance=None, reduction="mean", seed=0)`` → a
    :class:`SearchResult`.
    """

    method: ClassVar[str] = "latent PGD"

    steps: int = 200
    restarts: int = 16
    _: KW_ONLY
    step_size: float = 0.02
    margin: float = 1.0
    penalty: float = 10.0
    screen: int = 32
    batch_size: int = BATCH_SIZE

    def __post_init__(self) -> None:
        _check_common(self)
        _set(self, "penalty", check_nonnegative_float(self.penalty, "penalty"))

    def _run(self, model, X_normal, min_distance, reduction, seed) -> SearchResult:
        return pgd.run_latent(model, X_normal, self, min_distance, reduction, seed)


@dataclass(frozen=True)
class InputPGD(_Search):
    """Settings of :func:`~aelib.attacks.input_pgd_search` (see it for each one).

    Call it as ``pgd(model, X_normal, *, min_distance=None, reduction="mean", seed=0)`` → a
    :class:`SearchResult` (``z`` is ``None``).
    """

    method: ClassVar[str] = "input PGD"

    steps: int = 200
    restarts: int = 16
    _: KW_ONLY
    step_size: float = 0.01
    clamp: tuple[float, float] | None = (0.0, 1.0)
    norm: str = "l2"
    margin: float = 1.0
    screen: int = 32
    batch_size: int = BATCH_SIZE

    def __post_init__(self) -> None:
        _check_common(self)
        clamp = self.clamp
        if clamp is not None:
            if not (isinstance(clamp, Sequence) and len(clamp) == 2):
                raise TypeError(f"clamp: expected None or a pair (low, high), got {clamp!r}")
            c0, c1 = (float(c) for c in clamp)
            if not c0 < c1:
                raise ValueError(f"clamp: expected low < high, got {clamp!r}")
            _set(self, "clamp", (c0, c1))
        check_choice(self.norm, "norm", ("l2", "linf"))

    def _run(self, model, X_normal, min_distance, reduction, seed) -> SearchResult:
        return pgd.run_input(model, X_normal, self, min_distance, reduction, seed)


SEARCHES = (LatentScan, LatentGrid, LatentPGD, InputPGD)
