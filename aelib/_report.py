"""The report :func:`aelib.audit.audit` returns: what was found, by which criterion, how far."""

from __future__ import annotations

import html
from dataclasses import dataclass

import torch

from aelib._miss_rate import MissRate
from aelib.attacks import InputPGD, LatentGrid, LatentPGD, LatentScan, SearchResult
from aelib.neighbors import NNQuantile

__all__ = ["AuditReport"]

Search = LatentScan | LatentGrid | LatentPGD | InputPGD


@dataclass(frozen=True, repr=False)
class AuditReport:
    """What :func:`~aelib.audit.audit` found.

    Attributes
    ----------
    adversarial_anomalies : torch.Tensor
        Shape (k, *input_shape), k ≥ 0, lowest error first: points that pass the criterion
        (error ≤ :attr:`bound`) and lie farther than ``min_distance`` from every normal sample.
        For a PyOD detector: points in its raw input space, ready for ``clf.decision_function``.
    errors : torch.Tensor
        Their errors, shape (k,): reconstruction errors with ``reduction``, or for a PyOD
        detector its own ``decision_function`` scores (float64).
    distances : torch.Tensor
        Their distances to the nearest normal sample, shape (k,).
    min_distance : float
        How far from the normal data a point must be to count.
    min_normal_error : float
        The lowest error of a normal sample, minᵢ L(xᵢ).
    reliable : bool
        ``True`` if no adversarial anomaly was found.
    method : str
        How they were searched: ``"latent grid"``, ``"latent PGD"`` or ``"input PGD"``.
    reduction : str
        ``"mean"`` or ``"sum"`` of the squared errors over the features; ``"score"`` for a PyOD
        detector (its ``decision_function``).
    n_normal : int
        Number of normal samples.
    search : SearchResult
        The full search result (every candidate, adversarial or not), with the same errors.
    min_distance_estimate : NNQuantile or None
        How the default ``min_distance`` was estimated; ``None`` when the caller gave it.
    settings : LatentGrid, LatentPGD, InputPGD or None
        The search's settings, as run (``search`` is its result).
    threshold : float or None
        The deployed threshold the audit was run at; ``None``: the paper's worst case (error ≤
        ``min_normal_error``).
    data_radius : float
        The largest distance of a normal sample from the normal data's mean: the scale
        :attr:`max_distance` is stated in.
    detector : str or None
        The PyOD detector's class name when one was audited (e.g. ``"AutoEncoder"``).
    suggested_threshold : float or None
        The PyOD detector's own ``threshold_`` when the audit ran without a threshold.
    at_search_edge : bool
        The farthest adversarial anomaly lies on the edge of the searched region (after the
        widenings the audit tried): the failure may reach farther than :attr:`max_distance`.
    miss_rate : MissRate or None
        How often random probes at each distance from the data pass the criterion.
    """

    adversarial_anomalies: torch.Tensor
    errors: torch.Tensor
    distances: torch.Tensor
    min_distance: float
    min_normal_error: float
    reliable: bool
    method: str
    reduction: str
    n_normal: int
    search: SearchResult
    min_distance_estimate: NNQuantile | None = None
    settings: Search | None = None
    threshold: float | None = None
    data_radius: float = float("nan")
    detector: str | None = None
    suggested_threshold: float | None = None
    at_search_edge: bool = False
    miss_rate: MissRate | None = None

    @property
    def bound(self) -> float:
        """The largest error that passes as normal: ``threshold``, or ``min_normal_error``."""
        return self.min_normal_error if self.threshold is None else self.threshold

    @property
    def max_distance(self) -> float:
        """Distance of the farthest adversarial anomaly from the normal data (0.0 if none)."""
        return float(self.distances.max()) if len(self.distances) else 0.0

    @property
    def unit(self) -> str:
        """What the errors are, in words."""
        if self.detector == "VAE":
            return "VAE score with z = μ (decision_function without its sampling noise)"
        if self.detector is not None:
            return f"{self.detector}.decision_function score"
        return f"{self.reduction} of squared errors"

    @property
    def criterion(self) -> str:
        """The pass-as-normal criterion used, in words with its number."""
        name = "score" if self.detector is not None else "error"
        if self.threshold is None:
            return f"worst case: {name} ≤ min normal {name} {self.min_normal_error:.3g}"
        return f"deployed threshold: {name} ≤ {self.threshold:.3g}"

    @property
    def reach(self) -> str:
        """:attr:`max_distance` with its readable scales (data radius, ``min_distance``)."""
        d = self.max_distance
        if d == 0.0:
            return "0 (none found)"
        scales = []
        for name, s in (("data radius", self.data_radius), ("min distance", self.min_distance)):
            if s > 0:  # NaN and 0 skipped
                scales.append(f"{d / s:.3g} × {name} {s:.3g}")
        edge = (
            "; at the edge of the searched region: may reach farther" if self.at_search_edge else ""
        )
        return f"{d:.3g}" + (f" ({', '.join(scales)})" if scales else "") + edge

    @property
    def min_distance_origin(self) -> str:
        """How ``min_distance`` was chosen, in words."""
        if self.min_distance_estimate is None:
            return "given by the caller"
        return self.min_distance_estimate.describe()

    @property
    def verdict(self) -> str:
        """One sentence: reliable or not, and why."""
        if self.reliable:
            return (
                f"No adversarial anomaly found by {self.method} among {len(self.search)} "
                "candidates. This is evidence, not proof: a search can miss them."
            )
        k = len(self.errors)
        found = (
            f"UNRELIABLE: {self.method} found {k} adversarial anomal{'y' if k == 1 else 'ies'}, "
            f"farther than {self.min_distance:.3g} from every normal sample"
        )
        if self.threshold is None:
            return (
                f"{found} yet reconstructed with error {float(self.errors[0]):.3g} ≤ "
                f"{self.min_normal_error:.3g}, the lowest normal error: no error threshold flags "
                "them without flagging normal data."
            )
        return (
            f"{found} (up to {self.max_distance:.3g}) yet scored {float(self.errors[0]):.3g} ≤ "
            f"{self.threshold:.3g}, the deployed threshold: the detector passes them as normal."
        )

    def _rows(self, limit: int = 5) -> list[tuple[str, str, str]]:
        return [
            (str(i), f"{float(e):.3g}", f"{float(d):.3g}")
            for i, (e, d) in enumerate(
                zip(self.errors[:limit], self.distances[:limit], strict=True)
            )
        ]

    def _hint(self) -> str | None:
        if self.suggested_threshold is None or self.threshold is not None:
            return None
        return (
            f"the detector flags scores above clf.threshold_ = {self.suggested_threshold:.3g}: "
            "audit(clf, X, threshold=clf.threshold_) checks the deployed detector"
        )

    def __repr__(self) -> str:
        lines = [
            f"AuditReport: {'reliable' if self.reliable else 'UNRELIABLE'}",
            f"  method:               {self.method}",
        ]
        if self.detector is not None:
            lines.append(f"  detector:             PyOD {self.detector}")
        lines += [
            f"  normal samples:       {self.n_normal}",
            f"  min normal error:     {self.min_normal_error:.3g} ({self.unit})",
            f"  criterion:            {self.criterion}",
            f"  min distance:         {self.min_distance:.3g}",
            f"    chosen as:          {self.min_distance_origin}",
            f"  adversarial anomalies: {len(self.errors)}",
        ]
        lines += [f"    #{i}: error {e}, distance {d}" for i, e, d in self._rows()]
        if len(self.errors) > 5:
            lines.append(f"    … and {len(self.errors) - 5} more")
        lines.append(f"  max distance:         {self.reach}")
        if self.miss_rate is not None:
            lines.append(f"  miss rate:            {self.miss_rate.summary()}")
        lines.append(f"  verdict: {self.verdict}")
        if (hint := self._hint()) is not None:
            lines.append(f"  hint: {hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.reliable else "#cf222e"
        status = "reliable" if self.reliable else "UNRELIABLE"
        rows = "".join(f"<tr><td>{i}</td><td>{e}</td><td>{d}</td></tr>" for i, e, d in self._rows())
        table = (
            "<table><tr><th>#</th><th>error</th><th>distance to nearest normal</th></tr>"
            f"{rows}</table>"
            if rows
            else ""
        )
        detector = "" if self.detector is None else f"<li>detector: PyOD {self.detector}</li>"
        hint = "" if (h := self._hint()) is None else f"<p>Hint: {html.escape(h)}</p>"
        miss = (
            ""
            if self.miss_rate is None
            else f"<li>miss rate: {html.escape(self.miss_rate.summary())}</li>"
        )
        return (
            f"<div><b>AuditReport: <span style='color:{colour}'>{status}</span></b>"
            "<ul>"
            f"<li>method: {html.escape(self.method)}</li>{detector}"
            f"<li>normal samples: {self.n_normal}</li>"
            f"<li>min normal error: {self.min_normal_error:.3g} "
            f"({html.escape(self.unit)})</li>"
            f"<li>criterion: {html.escape(self.criterion)}</li>"
            f"<li>min distance: {self.min_distance:.3g} "
            f"(chosen as: {html.escape(self.min_distance_origin)})</li>"
            f"<li>adversarial anomalies: {len(self.errors)}</li>"
            f"<li>max distance: {html.escape(self.reach)}</li>"
            f"{miss}"
            f"</ul>{table}<p>{html.escape(self.verdict)}</p>{hint}</div>"
        )
