"""One call that checks a trained autoencoder for out-of-bounds reconstruction (§5 of the paper).

``audit(model, X_normal)`` searches for *adversarial anomalies*: points a farther than
``min_distance`` from every normal sample whose reconstruction error is no larger than the lowest
normal error, L(a) ≤ minᵢ L(xᵢ). If it finds one, no threshold on the reconstruction error can
flag a while passing all normal data: the detector is unreliable on such anomalies. Finding none is
evidence, not proof. With ``threshold=t`` (a deployed detector's threshold) the criterion is
L(a) ≤ t instead: a passes as normal. ``model`` may also be a fitted PyOD autoencoder detector
(see :mod:`aelib._pyod`); with a ``threshold`` its ``method="auto"`` is ``"input PGD"``:
the points that pass a deployed threshold fill a tube around the decoder's image h(Z), whose far
side latent searches (which only visit h(Z)) do not reach.

How it searches (``method="auto"``):

- ``encode``/``decode`` with a 1-D latent → ``"latent scan"`` (:func:`latent_scan_search`, an
  exhaustive scan of the latent line);
- ``encode``/``decode`` with a 2-D latent → ``"latent grid"`` (:func:`latent_grid_search`);
- ``encode``/``decode`` with any other latent size → ``"latent PGD"`` (:func:`latent_pgd_search`);
- any other ``nn.Module`` mapping a batch to its reconstruction → ``"input PGD"``
  (:func:`input_pgd_search`).

Every setting of the search is reachable through ``search=``, a
:class:`~aelib.attacks.LatentScan`, :class:`~aelib.attacks.LatentGrid`,
:class:`~aelib.attacks.LatentPGD` or :class:`~aelib.attacks.InputPGD` (e.g.
``audit(model, X, search=LatentPGD(step_size=0.1))``).

How far the failure reaches (``reach=True``): a search returns the lowest-error points, which sit
just past ``min_distance``; the audit then adds the farthest passing points it can verify
(:mod:`aelib._reach`: from the scan's or grid's map, widened while passing points sit on its
edge; PGD re-run at twice the distance reached). ``.max_distance`` is the farthest of them, and
``.miss_rate`` (:mod:`aelib._miss_rate`) how often *random* points at each distance pass.

Models whose ``forward`` returns a tuple or dict (a VAE's ``(reconstruction, mu, logvar)``): pass
``output=`` (index or key of the reconstruction); the model is then searched through its inputs.
A model that samples in eval mode, or does not fit the data's shape, is refused with an error
that says what to do (:mod:`aelib._model_probe`).

Default ``min_distance``: the ``NN_QUANTILE`` (95 %) quantile of the normal samples'
distances to their nearest other normal sample. A point farther than that from *every* normal
sample is more isolated than 95 % of the normal samples are from each other: it lies off the data
by the data's own measure, whatever the scale of the features. The quantile is estimated from
2,000 randomly drawn normal samples (each one's distance exact, against all
N), so the cost grows linearly with N; the report states the sample and a confidence interval.
"""

from __future__ import annotations

import torch
from torch import nn

from aelib._miss_rate import MissRate, probe_miss_rate
from aelib._model_probe import check_reconstructs, select_output
from aelib._pyod import PyODScoreModel, pyod_model
from aelib._reach import extend_reach
from aelib._report import AuditReport
from aelib._torch_utils import eval_mode
from aelib._validation import (
    as_float_tensor,
    check_choice,
    check_fraction,
    check_module,
    check_nonnegative_float,
    check_nonnegative_int,
    check_positive_int,
)
from aelib.attacks import InputPGD, LatentGrid, LatentPGD, LatentScan
from aelib.attacks._common import BATCH_SIZE
from aelib.metrics import reconstruction_error
from aelib.neighbors import ApproximateIndex, nn_distance_quantile, nn_distances
from aelib.threads import batch_work, torch_threads

__all__ = ["AuditReport", "MissRate", "audit", "default_min_distance", "miss_rate_by_distance"]

METHODS = ("auto", "latent scan", "latent grid", "latent PGD", "input PGD")
NN_QUANTILE = 0.95  # default min_distance: this quantile of the nearest-neighbour distances
TOP_K = 16  # with a latent grid: at most this many lowest-error grid points reported
Search = LatentScan | LatentGrid | LatentPGD | InputPGD
RAYS = 128  # random directions of the miss-rate probes


def default_min_distance(
    X_normal: torch.Tensor,
    quantile: float = NN_QUANTILE,
    *,
    sample_size: int = 2000,
    seed: int = 0,
) -> float:
    """The audit's default "far from the data": a quantile of nearest-neighbour distances.

    Parameters
    ----------
    X_normal : torch.Tensor or numpy.ndarray
        Normal data, shape (N, *input_shape), N ≥ 2.
    quantile : float
        In [0, 1]; the default 0.95 means "more isolated than 95 % of the normal samples".
    sample_size : int
        Normal samples whose distance (to the nearest other one among all N) estimates the
        quantile; all of them when N ≤ ``sample_size`` (then the result is exact). See
        :func:`aelib.neighbors.nn_distance_quantile` for the estimate's confidence interval.
    seed : int
        Seeds the sample.

    Returns
    -------
    float
        The ``quantile`` of the distances from each normal sample to its nearest other one.
        Quantiles 0 and 1 (the minimum and the maximum) cannot be estimated from a sample and
        are computed over all N samples, in O(N²) time.
    """
    q = check_fraction(quantile, "quantile", closed=True)
    if q in (0.0, 1.0):
        d = nn_distances(X_normal, _name="X_normal")
        return float(d.max() if q == 1 else d.min())
    estimate = nn_distance_quantile(
        X_normal, q, sample_size=sample_size, seed=seed, _name="X_normal"
    )
    return estimate.value


def _latent_dim(model: nn.Module, X_normal: torch.Tensor) -> int | None:
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "decode", None))):
        return None
    p = next(model.parameters(), None)
    x = X_normal[:1] if p is None else X_normal[:1].to(dtype=p.dtype, device=p.device)
    with eval_mode(model), torch.inference_mode():
        z = model.encode(x)
    if not isinstance(z, torch.Tensor) or z.ndim != 2:
        raise ValueError(
            "model: expected encode to return latents of shape (N, latent_dim), "
            f"got {getattr(z, 'shape', type(z).__name__)}"
        )
    return int(z.shape[1])


def _settings(
    search: object,
    method: str,
    latent_dim: int | None,
    model: nn.Module,
    X_normal: torch.Tensor,
    *,
    clamp: object,
    resolution: int | None,
    steps: int | None,
    restarts: int | None,
    top_k: int | None,
) -> Search:
    """The search to run: ``search`` as given, or the one ``method`` names, built from the rest."""
    given = {"resolution": resolution, "steps": steps, "restarts": restarts, "top_k": top_k}
    if search is not None:
        if not isinstance(search, Search):
            raise TypeError(
                "search: expected a LatentScan, LatentGrid, LatentPGD or InputPGD settings object from "
                f"aelib.attacks (or None for the automatic choice), got {type(search).__name__}"
            )
        if method not in ("auto", search.method):
            raise ValueError(
                f"method: {method!r} conflicts with search={type(search).__name__}(...), which is "
                f"{search.method!r}; pass one of them"
            )
        extra = [k for k, v in given.items() if v is not None]
        if not (isinstance(clamp, str) and clamp == "auto"):
            extra.append("clamp")
        if extra:
            raise ValueError(
                f"{', '.join(extra)}: set {'it' if len(extra) == 1 else 'them'} in "
                f"search={type(search).__name__}(...), not beside it"
            )
        method = search.method
    elif method == "auto":
        method = {None: "input PGD", 1: "latent scan", 2: "latent grid"}.get(
            latent_dim, "latent PGD"
        )
    if method in ("latent scan", "latent grid", "latent PGD") and latent_dim is None:
        raise TypeError(
            f"method: {method!r} needs a model with encode/decode, got {type(model).__name__} "
            "without them (use method='input PGD')"
        )
    if search is not None:
        return search
    pgd = {k: v for k, v in (("steps", steps), ("restarts", restarts)) if v is not None}
    if method == "latent scan":
        scan = {} if resolution is None else {"resolution": resolution}
        return LatentScan(**scan, top_k=TOP_K if top_k is None else top_k)
    if method == "latent grid":
        grid = {} if resolution is None else {"resolution": resolution}
        return LatentGrid(**grid, top_k=TOP_K if top_k is None else top_k, local_minima=False)
    if method == "latent PGD":
        return LatentPGD(**pgd)
    if isinstance(clamp, str):  # "auto", checked by audit
        in_unit = bool((X_normal >= 0).all() and (X_normal <= 1).all())
        clamp = (0.0, 1.0) if in_unit else None
    return InputPGD(**pgd, clamp=clamp)


def audit(
    model: nn.Module,
    X_normal: torch.Tensor,
    *,
    threshold: float | None = None,
    output: int | str | None = None,
    min_distance: float | None = None,
    reduction: str = "mean",
    search: Search | None = None,
    method: str = "auto",
    clamp: tuple[float, float] | None | str = "auto",
    resolution: int | None = None,
    steps: int | None = None,
    restarts: int | None = None,
    top_k: int | None = None,
    reach: bool = True,
    miss_rate: bool = True,
    nn_index: ApproximateIndex | None = None,
    seed: int = 0,
) -> AuditReport:
    """Search a trained autoencoder for adversarial anomalies and report a verdict.

    Parameters
    ----------
    model : torch.nn.Module or a fitted PyOD AutoEncoder or VAE
        A module maps a batch (B, *input_shape) to its reconstruction; ``encode``/``decode``
        are used when present. A PyOD detector (``pyod.models.auto_encoder.AutoEncoder``,
        ``pyod.models.vae.VAE``) is searched through :class:`aelib._pyod.PyODScoreModel`
        (its preprocessing respected, the search minimising its score²) in its raw input space;
        the reported errors are the detector's own scores (``decision_function``; a VAE with
        z = μ), and ``threshold`` compares to them, e.g. ``threshold=clf.threshold_``.
    X_normal : torch.Tensor or numpy.ndarray
        The normal (training) data, shape (N, *input_shape), N ≥ 2 unless ``min_distance`` is given.
    threshold : float, optional
        When does a point pass as normal? ``None`` (default): the paper's worst case, error ≤
        the lowest normal error (no threshold can flag it without flagging normal data). A
        number ≥ 0: the detector's deployed threshold, error ≤ ``threshold`` (same
        ``reduction`` as the errors; for a PyOD detector, its ``decision_function`` score, e.g.
        ``threshold=clf.threshold_``).
    output : int or str, optional
        For a module whose ``forward`` returns a tuple or dict (e.g. a VAE's
        ``(reconstruction, mu, logvar)``): the index or key of the reconstruction. The module is
        then searched through its inputs (``"input PGD"``). ``None``: forward returns a tensor.
    min_distance : float, optional
        How far from every normal sample a point must be to count; default
        :func:`default_min_distance` (95 % quantile of the nearest-neighbour distances, estimated
        from ``sample_size`` normal samples drawn with ``seed``).
    reduction : {"mean", "sum"}
        Error over the features (the worst-case comparison is the same either way; a numeric
        ``threshold`` is in these units). Ignored for a PyOD detector (its own scores).
    search : LatentGrid, LatentPGD, InputPGD or None
        The search with all its settings (:mod:`aelib.attacks`), e.g.
        ``LatentPGD(steps=100, step_size=0.1)``. ``None``: chosen by ``method`` and built from
        ``clamp``, ``resolution``, ``steps``, ``restarts`` and ``top_k``, which must not be
        given beside a ``search``.
    method : {"auto", "latent scan", "latent grid", "latent PGD", "input PGD"}
        The search when ``search`` is ``None``; ``"auto"`` picks as described in the module
        docstring. With a ``search``, only ``"auto"`` or that search's own method.
    clamp : (float, float), None or "auto"
        Valid input range for ``"input PGD"``; ``"auto"``: (0, 1) if all of ``X_normal`` lies in
        [0, 1] (images), else ``None`` (the data's box enlarged by ``InputPGD().margin``).
    resolution : int, optional
        Grid points per axis for ``"latent grid"`` (default ``LatentGrid().resolution``, 200),
        scan points for ``"latent scan"`` (default ``LatentScan().resolution``, 20,000).
    steps, restarts : int, optional
        Projected-gradient steps and random starts for the PGD searches (defaults 200 and 16).
    top_k : int, optional
        For ``"latent scan"``/``"latent grid"``: at most this many lowest-error points are
        reported (default 16), besides the farthest ones ``reach`` adds.
    reach : bool
        Add the farthest passing points the audit can verify (module docstring), so that
        ``.max_distance`` says how far the failure reaches; ``False``: only the search's own
        lowest-error candidates (faster for PGD: up to three more runs).
    miss_rate : bool
        Probe 128 random directions from the data (``.miss_rate``, see
        :func:`miss_rate_by_distance`); ``False`` skips it.
    nn_index : ApproximateIndex, optional
        An approximate index built on ``X_normal`` (:class:`aelib.neighbors.ApproximateIndex`,
        faiss, the ``ann`` extra) for the default ``min_distance`` estimate, for normal data too
        large for exact search; the distances reported for the points found stay exact.
    seed : int
        Seeds the PGD starts and the sample behind the default ``min_distance``.

    Returns
    -------
    AuditReport
        ``.adversarial_anomalies`` (k, *input_shape), ``.errors`` (k,), ``.distances`` (k,),
        ``.max_distance`` (the farthest, 0.0 if none; the repr states it also in data radii
        and in ``min_distance``), ``.at_search_edge`` (the farthest lies on the edge of the
        searched region: the failure may reach farther), ``.miss_rate``, ``.min_distance``,
        ``.min_normal_error``, ``.threshold``, ``.criterion``, ``.reliable``, ``.method``,
        ``.settings`` (the search's settings) and a verdict.

    Examples
    --------
    >>> report = audit(model, X_train)  # doctest: +SKIP
    >>> report.reliable, report.adversarial_anomalies.shape  # doctest: +SKIP
    >>> audit(model, X_train, search=LatentPGD(step_size=0.1)).settings  # doctest: +SKIP
    """
    model, detector, X_normal, reduction = _prepare(model, X_normal, output, reduction)
    check_choice(method, "method", METHODS)
    resolution, steps, restarts, top_k = (
        None if v is None else check_positive_int(v, name)
        for v, name in (
            (resolution, "resolution"),
            (steps, "steps"),
            (restarts, "restarts"),
            (top_k, "top_k"),
        )
    )
    seed = check_nonnegative_int(seed, "seed")
    for flag, name in ((reach, "reach"), (miss_rate, "miss_rate")):
        if not isinstance(flag, bool):
            raise TypeError(f"{name}: expected True or False, got {type(flag).__name__} {flag!r}")
    if threshold is not None:
        threshold = check_nonnegative_float(threshold, "threshold")
    if isinstance(clamp, str):
        check_choice(clamp, "clamp", ("auto",))
    if detector is not None and threshold is not None and method == "auto" and search is None:
        method = "input PGD"  # a threshold passes a tube around h(Z), not just the decoder's image
    with torch_threads("auto", work=batch_work(model, BATCH_SIZE)):  # see aelib.threads
        estimate = None
        if min_distance is None:
            estimate = nn_distance_quantile(
                X_normal, NN_QUANTILE, seed=seed, index=nn_index, _name="X_normal"
            )
            min_distance = estimate.value
        else:
            min_distance = check_nonnegative_float(min_distance, "min_distance")
        latent_dim = _latent_dim(model, X_normal)
        settings = _settings(
            search,
            method,
            latent_dim,
            model,
            X_normal,
            clamp=clamp,
            resolution=resolution,
            steps=steps,
            restarts=restarts,
            top_k=top_k,
        )
        result = settings(
            model, X_normal, min_distance=min_distance, reduction=reduction, seed=seed
        )
        at_edge = False
        if reach:
            # the bound in the search's units: a PyOD detector is searched on its score²
            bound = result.min_normal_error if threshold is None else threshold
            if detector is not None and threshold is not None:
                bound = threshold**2
            result, at_edge = extend_reach(
                model, X_normal, result, settings, bound, min_distance, reduction, seed
            )
        if detector is not None:  # the detector's own scores decide, not the search's arithmetic
            result = result.rescored(detector.scores(result.x), detector.scores(X_normal), "score")
        mask = result.adversarial(threshold)
        data_radius = _data_radius(X_normal)
        bound = result.min_normal_error if threshold is None else threshold
        probes = None
        if miss_rate and data_radius > 0:
            probes = probe_miss_rate(
                _scorer(model, detector, reduction),
                X_normal,
                bound,
                data_radius,
                rays=RAYS,
                clamp=_valid_range(settings, clamp, X_normal),
                seed=seed,
            )
    return AuditReport(
        adversarial_anomalies=result.x[mask],
        errors=result.errors[mask],
        distances=result.distances[mask],
        min_distance=min_distance,
        min_normal_error=result.min_normal_error,
        reliable=not bool(mask.any()),
        method=settings.method,
        reduction=result.reduction,
        n_normal=len(X_normal),
        search=result,
        min_distance_estimate=estimate,
        settings=settings,
        threshold=threshold,
        data_radius=data_radius,
        at_search_edge=at_edge and bool(mask.any()),
        miss_rate=probes,
        **({} if detector is None else _pyod_fields(detector, threshold)),
    )


def miss_rate_by_distance(
    model: nn.Module,
    X_normal: torch.Tensor,
    *,
    threshold: float | None = None,
    output: int | str | None = None,
    reduction: str = "mean",
    rays: int = RAYS,
    clamp: tuple[float, float] | None | str = "auto",
    seed: int = 0,
) -> MissRate:
    """How often a random point at distance r from the data passes as normal, r on a log scale.

    From ``rays`` random normal samples along random unit directions, probes at distances of
    1/11 to 23 data radii (half-octave steps, clipped to ``clamp``) are scored; each probe's
    actual distance to the data is measured and binned around 1/8, 1/4, …, 16 data radii (a
    bin spans ×/÷ √2). See :mod:`aelib._miss_rate`.

    Parameters
    ----------
    model : torch.nn.Module or a fitted PyOD AutoEncoder or VAE
        As in :func:`audit`.
    X_normal : torch.Tensor or numpy.ndarray
        The normal (training) data, shape (N, *input_shape).
    threshold : float, optional
        Passing means error ≤ ``threshold``; ``None``: error ≤ the lowest normal error.
    output : int or str, optional
        As in :func:`audit`.
    reduction : {"mean", "sum"}
        Error over the features (ignored for a PyOD detector: its own scores).
    rays : int
        Random directions; 17 probes each.
    clamp : (float, float), None or "auto"
        Valid range of every feature; ``"auto"``: (0, 1) if all of ``X_normal`` lies in it.
    seed : int
        Seeds the directions and starting samples.

    Returns
    -------
    MissRate
        ``.scales`` (K,) in data radii, ``.radii`` (K,), ``.pass_fraction`` (K,) (NaN where a
        bin has fewer than 10 probes), ``.probes`` (K,), ``.summary()`` (one line).
    """
    model, detector, X_normal, reduction = _prepare(model, X_normal, output, reduction)
    rays = check_positive_int(rays, "rays")
    seed = check_nonnegative_int(seed, "seed")
    if threshold is not None:
        threshold = check_nonnegative_float(threshold, "threshold")
    if isinstance(clamp, str):
        check_choice(clamp, "clamp", ("auto",))
    elif clamp is not None:
        clamp = InputPGD(clamp=clamp).clamp  # the same check as the input search's
    scorer = _scorer(model, detector, reduction)
    bound = float(scorer(X_normal).min()) if threshold is None else threshold
    data_radius = _data_radius(X_normal)
    if data_radius == 0:
        raise ValueError("X_normal: all samples are equal; distances have no scale to probe")
    return probe_miss_rate(
        scorer,
        X_normal,
        bound,
        data_radius,
        rays=rays,
        clamp=_valid_range(None, clamp, X_normal),
        seed=seed,
    )


def _prepare(model: object, X_normal: object, output: object, reduction: str):
    """The module to search, the PyOD adapter (or None), the checked data and the reduction."""
    detector = None if isinstance(model, nn.Module) else pyod_model(model)  # TypeError if neither
    if detector is not None:
        if output is not None:
            raise ValueError("output: not used with a PyOD detector (its score is known); drop it")
        model, reduction = detector, "sum"  # searched: score² = ‖standardised residual‖²
    check_module(model)
    X_normal = as_float_tensor(X_normal, "X_normal", min_ndim=2, shape="(N, *input_shape)")
    model = select_output(model, output)
    check_choice(reduction, "reduction", ("mean", "sum"))
    check_reconstructs(model, X_normal)
    return model, detector, X_normal, reduction


def _data_radius(X: torch.Tensor, block: int = 4096) -> float:
    """max_i ‖x_i − mean‖ in float64, in blocks of rows (no float64 copy of all of X)."""
    flat = X.flatten(1)
    total = torch.zeros(flat.shape[1], dtype=torch.float64, device=flat.device)
    for s in range(0, len(flat), block):
        total += flat[s : s + block].double().sum(0)
    mean = total / len(flat)
    return max(
        float((flat[s : s + block].double() - mean).norm(dim=1).max())
        for s in range(0, len(flat), block)
    )


def _scorer(model: nn.Module, detector: PyODScoreModel | None, reduction: str):
    """Errors of a batch in the report's units: the detector's scores, or reconstruction errors."""
    if detector is not None:
        return detector.scores
    return lambda x: reconstruction_error(model, x, reduction=reduction).double()


def _valid_range(settings: Search | None, clamp: object, X_normal: torch.Tensor):
    """The valid feature range for probes: the input search's clamp, else "auto"'s rule."""
    if isinstance(settings, InputPGD):
        return settings.clamp
    if isinstance(clamp, str):
        in_unit = bool((X_normal >= 0).all() and (X_normal <= 1).all())
        return (0.0, 1.0) if in_unit else None
    return clamp


def _pyod_fields(detector: PyODScoreModel, threshold: float | None) -> dict:
    deployed = getattr(detector.detector, "threshold_", None)
    return {
        "detector": detector.name,
        "suggested_threshold": None
        if threshold is not None or deployed is None
        else float(deployed),
    }
