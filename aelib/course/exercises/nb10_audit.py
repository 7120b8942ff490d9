"""Checkers for notebook 10's audit exercises: what a deployed detector passes, and an audit
of the negative-sample model."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import numpy as np

from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = [
    "baseline_audit",
    "check_10_negative_audit",
    "check_10_passes_deployed",
    "negative_sample_audit",
]


class _NormDetector:
    """A stand-in for a fitted PyOD detector: score ‖x − c‖₂, flagged above ``threshold_``."""

    def __init__(self, centre: np.ndarray, threshold: float) -> None:
        self.centre = centre
        self.threshold_ = threshold

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.linalg.norm(np.asarray(X, dtype=np.float64) - self.centre, axis=1)

    def predict(self, X: np.ndarray) -> np.ndarray:  # PyOD: 1 (outlier) iff score > threshold_
        return (self.decision_function(X) > self.threshold_).astype(int)


def _fresh_case(seed: int) -> tuple[_NormDetector, np.ndarray, np.ndarray]:
    """A detector, points (including one exactly at the threshold) and the true mask."""
    rng = np.random.default_rng(seed)
    centre = rng.normal(size=3)
    detector = _NormDetector(centre, threshold=float(rng.uniform(0.5, 2.0)))
    points = centre + rng.normal(size=(40, 3)) * 1.5
    # Scores just inside and just outside the threshold catch a rule with a made-up cut-off;
    # the point exactly at it comes last (the checker's at-the-threshold hint reads it).
    unit = rng.normal(size=(6, 3))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    close = (
        centre + detector.threshold_ * np.array([0.9, 0.97, 0.99, 1.01, 1.03, 1.1])[:, None] * unit
    )
    on_edge = centre + detector.threshold_ * np.array([1.0, 0.0, 0.0])
    points = np.vstack([points, close, on_edge])
    truth = detector.decision_function(points) <= detector.threshold_
    return detector, points, truth


@never_raises
def check_10_passes_deployed(passes_deployed: Callable | None) -> bool:
    """``passes_deployed(detector, points)`` → boolean mask (k,): True where PyOD says normal.

    Tested on fresh stand-in detectors (``decision_function`` and ``threshold_``, as PyOD's),
    with a point exactly at the threshold (PyOD flags only scores *above* ``threshold_``).
    """
    fb = Feedback("10 · what the deployed detector passes")
    if passes_deployed is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(passes_deployed):
        return fb.wrong(
            f"expected a function (detector, points) → mask, got {passes_deployed!r:.40}"
        )
    for seed in range(3):
        detector, points, truth = _fresh_case(seed)
        try:
            mask = passes_deployed(detector, points.copy())
        except Exception as e:  # the learner's code: report, don't raise
            return fb.wrong(
                f"your function raised {type(e).__name__}: {e} (the checker calls it with "
                "detectors of its own: use the `detector` argument, not the notebook's `clf`)"
            )
        if hasattr(mask, "detach"):  # a torch tensor
            mask = mask.detach().cpu().numpy()
        mask = np.asarray(mask)
        if mask.shape != truth.shape:
            return fb.wrong(f"expected one value per point, shape {truth.shape}, got {mask.shape}")
        if mask.dtype != bool:
            return fb.wrong(
                "expected a boolean mask (True = passes as normal); you returned "
                f"{mask.dtype} values — compare the scores with detector.threshold_"
            )
        if np.array_equal(mask, ~truth):
            return fb.wrong(
                "inverted: that mask marks the *flagged* points (score above threshold_)."
            )
        if np.array_equal(mask[:-1], truth[:-1]) and mask[-1] != truth[-1]:
            return fb.wrong(
                "right except exactly at the threshold: PyOD flags a point only when its score is "
                "*above* threshold_ (predict = score > threshold_), so score == threshold_ passes."
            )
        if not np.array_equal(mask, truth):
            return fb.wrong(
                f"{int((mask != truth).sum())} of {len(truth)} points wrong: compare each point's "
                "score (detector.decision_function) with the detector's own detector.threshold_, "
                "not with a number of your own."
            )
    return fb.correct("score ≤ threshold_ is exactly what clf.predict calls normal (label 0).")


@register_answer("check_10_passes_deployed")
def _passes_deployed_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on made-up detectors: nothing to print


# reference audits by the weights and data they ran on: a learner re-running a check cell (or a
# test calling the checker a dozen times) waits for each audit once, not 4 s per call
_AUDITS: dict[str, object] = {}


def _remembered_audit(model, X):
    """``audit(model, X, reduction="sum")``, computed once per model state and data set."""
    from aelib.audit import audit

    digest = hashlib.sha1(repr(model).encode())
    for tensor in (*model.state_dict().values(), X):
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    key = digest.hexdigest()
    if key not in _AUDITS:
        _AUDITS[key] = audit(model, X, reduction="sum")
    return _AUDITS[key]


def negative_sample_audit(source: str = "bundled"):
    """``audit`` of notebook 10's negative-sample model, from the course's seeded, cached recipes.

    The 16-D ReLU {4, 5, 7} model, fine-tuned with negative samples at the notebook's "far"
    (``negative_autoencoder``), audited with every default and ``reduction="sum"`` (seed 0).
    Never read from the notebook; computed once per process for given weights and data.
    """
    from aelib.audit import default_min_distance
    from aelib.course import config
    from aelib.course.mnist_experiments import mnist_autoencoder, negative_autoencoder

    run = mnist_autoencoder(
        config.MNIST_DIGITS_A, latent_dim=max(config.NB10_LATENT_DIMS), source=source
    )
    far = default_min_distance(run.X, config.MNIST_FAR_QUANTILE)
    return _remembered_audit(negative_autoencoder(run, far), run.X)


def _is_plain_model_audit(report, source: str) -> bool:
    """Whether ``report`` audited the plain 16-D model on its training images with ``"sum"``:
    its lowest normal error is that model's (cheap: one forward pass, no search)."""
    from aelib.course import config
    from aelib.course.mnist_experiments import mnist_autoencoder
    from aelib.metrics import reconstruction_error

    run = mnist_autoencoder(
        config.MNIST_DIGITS_A, latent_dim=max(config.NB10_LATENT_DIMS), source=source
    )
    if report.reduction != "sum" or report.n_normal != len(run.X):
        return False
    lowest = float(reconstruction_error(run.model, run.X, reduction="sum").min())
    return math.isclose(report.min_normal_error, lowest, rel_tol=1e-5)


def baseline_audit(source: str = "bundled"):
    """``audit`` of the plain 16-D ReLU {4, 5, 7} model (section 4's), settings as
    :func:`negative_sample_audit`."""
    from aelib.course import config
    from aelib.course.mnist_experiments import mnist_autoencoder

    run = mnist_autoencoder(
        config.MNIST_DIGITS_A, latent_dim=max(config.NB10_LATENT_DIMS), source=source
    )
    return _remembered_audit(run.model, run.X)


@never_raises
def check_10_negative_audit(
    answer: object, *, baseline: object = None, source: str = "bundled"
) -> bool:
    """``(reliable, reach)`` of the negative-sample model's audit; reach in data radii (± 10 %).

    The answer is compared with the checker's own audit of the model. ``baseline``: the
    notebook's section-4 ``AuditReport`` of the plain 16-D model, used only for the comparison
    the feedback prints (audited here when not given: about 4 s more).
    """
    from aelib.audit import AuditReport

    fb = Feedback("10 · auditing the negative-sample model")
    if baseline is not None and not isinstance(baseline, AuditReport):
        return fb.wrong(
            "baseline: expected section 4's AuditReport of the plain model (`report`), got "
            f"{type(baseline).__name__}"
        )
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not (isinstance(answer, tuple | list) and len(answer) == 2):
        return fb.wrong(
            f"expected a pair (reliable, max distance in data radii), got {answer!r:.60}"
        )
    reliable, reach = answer
    if not isinstance(reliable, bool | np.bool_):
        return fb.wrong(
            "the first element is the report's verdict: report.reliable (True or False), got "
            f"{reliable!r:.40}."
        )
    reliable = bool(reliable)
    value = fb.finite_number(reach)
    if value is None:
        return fb.wrong(f"the second element is a number (data radii), got {reach!r:.40}")
    report = negative_sample_audit(source)
    if reliable != report.reliable:
        if report.reliable:
            return fb.wrong("read report.reliable: the audit found no adversarial anomaly.")
        found = len(report.errors)
        return fb.wrong(
            f"the audit says reliable = False ({found} adversarial "
            f"anomal{'y' if found == 1 else 'ies'}): fewer failures is not no failure."
        )
    right = report.max_distance / report.data_radius
    plain = baseline is not None and _is_plain_model_audit(baseline, source)
    if plain and not report.reliable:
        plain_reach = baseline.max_distance / baseline.data_radius
        if math.isclose(value, plain_reach, rel_tol=1e-9) and not math.isclose(
            value, right, rel_tol=1e-9
        ):  # the plain model's numbers can fall within the tolerance of the right ones
            return fb.wrong(
                "those are section 4's numbers, the audit of the plain model (`report`): "
                "audit nae16 itself, nae_report = audit(nae16, X, reduction='sum')."
            )
    if math.isclose(value, right, rel_tol=0.1, abs_tol=1e-9):
        if report.reliable:
            return fb.correct("no adversarial anomaly found (max distance 0): evidence, not proof.")
        base, note = baseline, ""
        if not plain:
            if baseline is not None:
                note = (
                    " (`baseline` was not section 4's audit of the plain 16-D model — was "
                    "`report` overwritten? — so the comparison uses a fresh audit of it)"
                )
            base = baseline_audit(source)
        base_reach = base.max_distance / base.data_radius
        closer = "closer to the data" if right < 0.9 * base_reach else "no closer to the data"
        return fb.correct(
            (
                f"{len(report.errors)} adversarial anomalies (baseline {len(base.errors)}), the "
                f"farthest {right:.2f} data radii out (baseline {base_reach:.2f}): fewer "
                f"failures, but {closer}."
                if len(report.errors) < len(base.errors)
                else f"{len(report.errors)} adversarial anomalies (baseline {len(base.errors)}), "
                f"the farthest {right:.2f} data radii out (baseline {base_reach:.2f})."
            )
            + note
        )
    if math.isclose(value, report.max_distance, rel_tol=0.1) and report.data_radius > 1:
        return fb.wrong(
            f"{value:.3g} is the distance in pixels; divide by the data radius "
            f"({report.data_radius:.3g}; the report's repr gives both)."
        )
    if report.min_distance > 0 and math.isclose(
        value, report.max_distance / report.min_distance, rel_tol=0.1
    ):
        return fb.wrong("that is in units of min_distance; the question asks for data radii.")
    return fb.wrong(
        "read report.max_distance / report.data_radius (the repr's 'max distance' line)."
    )


@register_answer("check_10_negative_audit")
def _negative_audit_key() -> AnswerKey:
    report = negative_sample_audit()
    return AnswerKey(values=(report.max_distance / report.data_radius, report.max_distance))
