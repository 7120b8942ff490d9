"""Checkers for notebook 04 (ReLU on the diagonal, §4.4.1)."""

from __future__ import annotations

import math

import torch

from aelib.course import config
from aelib.course.exercises._feedback import (
    NOT_ATTEMPTED,
    AnswerKey,
    Feedback,
    never_raises,
    register_answer,
)

__all__ = [
    "check_04_min_bias",
    "check_04_pattern_freeze",
    "check_04_freeze_search",
    "min_bias",
    "pattern_freeze_point",
    "DIAG_212_SEEDS",
    "diagonal_212_runs",
    "hand_built_diagonal_ae",
    "frozen_affine_map",
    "fixed_directions",
]

#: Seeds of the [2, 1, 2] ReLU autoencoders trained on the diagonal (one run each, no restarts).
DIAG_212_SEEDS = tuple(range(10))


def min_bias() -> float:
    """The accepted answer of Exercise 1: b = -min_i x_i W_enc = -2β min_i α_i (float64)."""
    from aelib.course.toy_recipes import figure1_data

    alpha = figure1_data("diagonal")[:, 0].double()
    return float(-2 * config.DIAG_BETA * alpha.min())


@never_raises
def check_04_min_bias(answer: object) -> bool:
    """The smallest encoder bias b keeping every pre-activation x_i W_enc + b ≥ 0.

    For the diagonal data of :func:`aelib.course.toy_recipes.figure1_data` (``"diagonal"``) and
    W_enc = β (1, 1)ᵀ with β = ``config.DIAG_BETA``.
    """
    from aelib.course.toy_recipes import figure1_data

    fb = Feedback("04 · smallest encoder bias")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected one number (finite), got {answer!r:.40}")
    alpha = figure1_data("diagonal")[:, 0].double()
    beta = config.DIAG_BETA
    right = min_bias()
    if abs(value - right) <= 1e-3 * max(1.0, abs(right)):
        return fb.correct(
            f"b = -min_i(x_i W_enc) = {right:.4g}: the lowest point gives 0, the rest > 0."
        )
    # typical mistakes; some lie close together (on symmetric data -2β·max α ≈ 2β·min α), so the
    # hint is the one of the *nearest* mistake, if closer to it than halfway to any other
    mistakes = {
        "the sign is flipped: b must *cancel* the most negative x_i W_enc.": -right,
        "x_i W_enc = β(α_i + α_i) = 2βα_i — both coordinates add up.": float(-beta * alpha.min()),
        "you used the largest α; the constraint binds at the *smallest* x_i W_enc.": float(
            -2 * beta * alpha.max()
        ),
    }
    hint, nearest = min(mistakes.items(), key=lambda item: abs(value - item[1]))
    gap = min(abs(nearest - v) for v in [right, *mistakes.values()] if v != nearest)
    if abs(value - nearest) <= min(1e-3 * max(1.0, abs(nearest)), gap / 2):
        return fb.wrong(hint)
    return fb.wrong(f"{value:.4g} is not it. Compute x_i W_enc for every point and take -min.")


def pattern_freeze_point(
    model: torch.nn.Module,
    direction: tuple[float, float] = (1.0, 1.0),
    t_max: float = 20.0,
    step: float = 0.01,
) -> float:
    """Smallest t ≥ 0 beyond which the activation pattern of a = t·d/|d| no longer changes.

    Parameters
    ----------
    model : torch.nn.Module
        An :class:`aelib.models.MLPAutoencoder` on 2-D data.
    direction : pair of float
        The ray's direction d (default: the diagonal).
    t_max, step : float
        Scan range [0, t_max] and resolution.

    Returns
    -------
    float
        The last t (on the scan) where the pattern changed (0.0 if it never does).
    """
    from aelib.course.oob import activation_pattern

    d = torch.as_tensor(direction, dtype=torch.float32)
    if d.shape != (2,) or not torch.isfinite(d).all() or float(d.norm()) == 0:
        raise ValueError(f"direction: expected a finite non-zero pair, got {direction!r}")
    if not (t_max > 0 and step > 0):
        raise ValueError(f"t_max, step: expected positive numbers, got {t_max}, {step}")
    ts = torch.arange(0.0, t_max + step / 2, step)
    points = ts[:, None] * d / d.norm()
    pattern = activation_pattern(model, points)
    changed = (pattern[1:] != pattern[:-1]).any(1)
    idx = torch.nonzero(changed).flatten()
    return float(ts[idx[-1] + 1]) if len(idx) else 0.0


def hand_built_diagonal_ae(beta: float | None = None) -> torch.nn.Module:
    """The hand-built [2, 1, 2] ReLU autoencoder of §4.4.1 on the diagonal data, in float64.

    W_enc = β(1, 1)ᵀ, the smallest encoder bias b = -min_i x_i W_enc (:func:`min_bias` for
    β = ``config.DIAG_BETA``), decoder (1, 1)/(2β) and bias -b/(2β)·(1, 1): every a = c(1, 1)
    with βc ≥ β·min_i α_i is reconstructed exactly.

    Parameters
    ----------
    beta : float, optional
        The encoder scale β (non-zero, finite); default ``config.DIAG_BETA``.

    Returns
    -------
    MLPAutoencoder
        Layer sizes [2, 1, 2], ReLU, float64.
    """
    from aelib.course.toy_recipes import figure1_data
    from aelib.models import MLPAutoencoder

    if beta is None:
        beta = config.DIAG_BETA

    if not isinstance(beta, int | float) or not math.isfinite(beta) or beta == 0:
        raise ValueError(f"beta: expected a finite non-zero number, got {beta!r}")
    X = figure1_data("diagonal").double()
    b = float(-(X @ (beta * torch.ones(2, dtype=torch.float64))).min())
    model = MLPAutoencoder([2, 1, 2], activation="relu", seed=0).double()
    with torch.no_grad():
        enc, dec = model.encoder[0], model.decoder[0]
        enc.weight[:] = beta * torch.ones(1, 2)
        enc.bias[:] = b
        dec.weight[:] = torch.ones(2, 1) / (2 * beta)
        dec.bias[:] = -b / (2 * beta) * torch.ones(2)
    return model


def diagonal_212_runs(use_cache: bool = True) -> list:
    """[2, 1, 2] ReLU autoencoders trained on the diagonal data, one per seed of ``DIAG_212_SEEDS``.

    Each seed is trained once (no restarts): full-batch Adam, ``config.TOY_EPOCHS`` steps at
    ``config.TOY_LR`` (the Figure-1 recipe's), all seeds in one batched pass
    (:func:`aelib.course.toy_recipes.fit_many`, cached).

    Returns
    -------
    list of ToyRun
        One per seed, in order; ``collapsed`` marks the runs stuck at the mean.
    """
    from aelib.course.toy_recipes import figure1_data, fit_many

    return fit_many(
        {"diagonal": figure1_data("diagonal")},
        "relu",
        list(DIAG_212_SEEDS),
        sizes=(2, 1, 2),
        epochs=config.TOY_EPOCHS,
        lr=config.TOY_LR,
        use_cache=use_cache,
    )


def frozen_affine_map(model: torch.nn.Module, point: object) -> tuple[torch.Tensor, torch.Tensor]:
    """The affine map x ↦ A x + b that a ReLU network is on the linear region holding ``point``.

    Computed in float64 on a copy of the model: A is the Jacobian at ``point`` and
    b = f(point) - A·point. Exact wherever the activation pattern is the one at ``point``.

    Parameters
    ----------
    model : torch.nn.Module
        A piecewise-linear autoencoder (ReLU), input and output of dimension D.
    point : array-like
        One point, shape (D,).

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        A of shape (D, D) and b of shape (D,), float64.
    """
    import copy

    from aelib._validation import check_module

    check_module(model)
    x = torch.as_tensor(point, dtype=torch.float64)
    if x.ndim != 1 or not torch.isfinite(x).all():
        raise ValueError(f"point: expected one finite point of shape (D,), got {point!r:.60}")
    net = copy.deepcopy(model).double().eval()
    A = torch.autograd.functional.jacobian(lambda z: net(z[None])[0], x).detach()
    if A.shape != (len(x), len(x)):
        raise ValueError(f"model: expected a map R^D -> R^D, got a Jacobian of shape {A.shape}")
    with torch.no_grad():
        b = net(x[None])[0] - A @ x
    return A, b


def _pattern64(net: torch.nn.Module, x: torch.Tensor) -> tuple[bool, ...]:
    """Signs of every hidden pre-activation of ``net`` (float64) at one point x of shape (D,)."""
    layers = [*net.encoder, *net.decoder]
    last = max(i for i, m in enumerate(layers) if isinstance(m, torch.nn.Linear))
    signs: list[bool] = []
    h = x[None]
    with torch.no_grad():
        for i, layer in enumerate(layers):
            h = layer(h)
            if isinstance(layer, torch.nn.Linear) and i != last:
                signs.extend((h[0] > 0).tolist())
    return tuple(signs)


def fixed_directions(
    model: torch.nn.Module,
    origin: object = (0.0, 0.0),
    r_far: float = 1e3,
    n_probe: int = 360,
    tol: float = 1e-3,
) -> list[float]:
    """Directions θ (degrees) of rays from ``origin`` along which the far field is a fixed line.

    Far out along a ray u the network is one frozen affine map x ↦ A x + b (its activation
    pattern stops changing). The error f(x) - x along x = origin + r u is then
    (A - I)(origin + r u) + b: it stays bounded iff A u = u, i.e. u is an eigenvector of A with
    eigenvalue 1. For each of ``n_probe`` evenly spaced probe rays, the eigenvectors of the
    frozen map at origin + r_far·u with ``|λ - 1| ≤ tol`` are candidates; a candidate ±e counts
    if the frozen map at origin + r_far·(±e) is the same region (same activation pattern).

    Parameters
    ----------
    model : torch.nn.Module
        A ReLU :class:`aelib.models.MLPAutoencoder` on 2-D data.
    origin : pair of float
        Where the rays start.
    r_far : float
        How far out the frozen map is read.
    n_probe : int
        Number of probe rays.
    tol : float
        Accepted distance of the eigenvalue from 1.

    Returns
    -------
    list of float
        Angles in [0, 360), rounded to 0.1°, sorted, without duplicates (empty: no direction).
        Where eigenvalue 1 is repeated (A = I: every direction is fixed) only an eigenbasis is
        listed.
    """
    import copy

    from aelib._validation import check_module

    check_module(model)
    net = copy.deepcopy(model).double().eval()
    o = torch.as_tensor(origin, dtype=torch.float64)
    if o.shape != (2,) or not torch.isfinite(o).all():
        raise ValueError(f"origin: expected a finite pair, got {origin!r}")
    if not (r_far > 0 and n_probe > 0 and tol > 0):
        raise ValueError(f"r_far, n_probe, tol: expected positive, got {r_far}, {n_probe}, {tol}")
    angles = set()
    seen = set()
    for k in range(int(n_probe)):
        phi = 2 * math.pi * k / n_probe
        probe = o + r_far * torch.tensor([math.cos(phi), math.sin(phi)], dtype=torch.float64)
        region = _pattern64(net, probe)
        if region in seen:
            continue
        seen.add(region)
        A, _ = frozen_affine_map(net, probe)
        values, vectors = torch.linalg.eig(A)
        for lam, vec in zip(values, vectors.T, strict=True):
            if abs(complex(lam) - 1) > tol or vec.imag.abs().max() > 1e-9:
                continue
            e = vec.real / vec.real.norm()
            for sign in (1.0, -1.0):
                far = o + sign * r_far * e
                if _pattern64(net, far) == region:
                    theta = math.degrees(math.atan2(sign * e[1], sign * e[0])) % 360.0
                    angles.add(round(theta, 1) % 360.0)
    return sorted(angles)


#: Slider step of the notebook's ray explorer (``aelib.course.widgets.ray_explorer``).
RAY_STEP = 0.1


def _diagonal_model() -> torch.nn.Module:
    from aelib.course.toy_recipes import figure1_data, fit_toy_autoencoder

    return fit_toy_autoencoder(figure1_data("diagonal"), activation="relu").model


@never_raises
def check_04_pattern_freeze(answer: object) -> bool:
    """The t beyond which the trained diagonal model's ReLU pattern freezes (slider exercise).

    Accepted: within one slider step (``RAY_STEP``) of :func:`pattern_freeze_point` on the
    scan's 0.01 resolution.
    """
    from aelib.course.toy_recipes import figure1_data

    fb = Feedback("04 · where the pattern freezes")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    value = fb.finite_number(answer)
    if value is None:
        return fb.wrong(f"expected one number (a slider position t), got {answer!r:.40}")
    X = figure1_data("diagonal")
    right = pattern_freeze_point(_diagonal_model())
    edge = float(X.norm(dim=1).max())
    if abs(value - right) <= RAY_STEP + 0.01:
        where = (
            f"inside the data's edge (t = {edge:.2f})"
            if right <= edge
            else f"about {right / edge:.2g} × the data's edge on this side (t = {edge:.2f})"
        )
        return fb.correct(
            f"the last change is at t ≈ {right:.2f}, {where}; "
            "farther out the network is a single linear map."
        )
    if value < 0:
        return fb.wrong("use t > 0: the exercise walks outward along +(1, 1).")
    if value < right:
        return fb.wrong("move farther out: the set of active units still changes after that t.")
    return fb.wrong(
        "the pattern already stopped changing before that t; move back until it last changes."
    )


def _freeze_cases() -> list[tuple[str, torch.nn.Module, tuple[float, float]]]:
    """Fresh random ReLU networks and directions (not the notebook's model)."""
    from aelib.models import MLPAutoencoder

    gen = torch.Generator().manual_seed(404)
    cases = []
    for seed, sizes in [(11, (2, 5, 1, 5, 2)), (12, (2, 8, 3, 8, 2)), (13, (2, 4, 4, 2))]:
        model = MLPAutoencoder(list(sizes), activation="relu", seed=seed)
        with torch.no_grad():  # spread the breakpoints over the scanned range
            for layer in model.modules():
                if isinstance(layer, torch.nn.Linear):
                    layer.bias.uniform_(-3.0, 3.0, generator=gen)
        angle = 2 * math.pi * float(torch.rand(1, generator=gen))
        direction = (3 * math.cos(angle), 3 * math.sin(angle))
        case = f"sizes {list(sizes)}, direction ({direction[0]:.2f}, {direction[1]:.2f})"
        cases.append((case, model, direction))
    return cases


def _scan(
    model: torch.nn.Module,
    direction: tuple[float, float],
    t_max: float,
    step: float,
    normalise: bool = True,
    last: bool = True,
) -> float:
    """The ray search, written independently of :func:`pattern_freeze_point`, with the two
    typical mistakes as switches (no normalisation of d, the first change instead of the last)."""
    from aelib.course.oob import activation_pattern

    d = torch.tensor(direction, dtype=torch.float32)
    ts = torch.arange(0.0, t_max + step / 2, step)
    pattern = activation_pattern(model, ts[:, None] * (d / d.norm() if normalise else d))
    changes = torch.nonzero((pattern[1:] != pattern[:-1]).any(1)).flatten()
    if not len(changes):
        return 0.0
    return float(ts[(changes[-1] if last else changes[0]) + 1])


@never_raises
def check_04_freeze_search(answer: object) -> bool:
    """A function ``freeze_point(model, direction, t_max, step) -> float``: the ray search.

    It scans t = 0, step, …, t_max along a(t) = t·d/|d| and returns the first t of the last
    pattern (the t just after the last change; 0.0 if the pattern never changes). Tested on
    fresh random ReLU networks and directions against :func:`pattern_freeze_point`, within one
    scan step.
    """
    fb = Feedback("04 · the ray search")
    if answer is NOT_ATTEMPTED:
        return fb.not_attempted()
    if not callable(answer):
        return fb.wrong(
            f"expected a function freeze_point(model, direction, t_max, step), got {answer!r:.40}"
        )
    t_max, step = 12.0, 0.01
    for case, model, direction in _freeze_cases():
        right = _scan(model, direction, t_max, step)
        try:
            got = fb.number(answer(model, direction, t_max, step))
        except Exception as err:  # noqa: BLE001 - report any learner error as a hint
            return fb.wrong(f"your function raised {type(err).__name__}: {err} ({case}).")
        if got is None:
            return fb.wrong(f"expected your function to return one number (a t), {case}.")
        if abs(got - right) <= step + 1e-6:
            continue
        if abs(got - _scan(model, direction, t_max, step, normalise=False)) <= step + 1e-6:
            return fb.wrong(
                f"{case}: you got {got:.3g}, expected {right:.3g}. Normalise the direction: "
                "a(t) = t·d/|d|, so that t is a distance from the origin."
            )
        if abs(got - _scan(model, direction, t_max, step, last=False)) <= step + 1e-6:
            return fb.wrong(
                f"{case}: you got {got:.3g}, the *first* change; the pattern still changes "
                f"later, up to t ≈ {right:.3g}: return the last change."
            )
        if got == int(got) and got > t_max and abs(got * step - right) <= 2 * step:
            return fb.wrong(f"{case}: return the t of the scan, ts[i], not the index i.")
        return fb.wrong(f"{case}: expected t ≈ {right:.3g}, got {got:.3g}.")
    return fb.correct("it finds the last pattern change on every fresh network and direction.")


@register_answer("check_04_min_bias")
def _min_bias_key() -> AnswerKey:
    return AnswerKey(values=(min_bias(),))


@register_answer("check_04_pattern_freeze")
def _pattern_freeze_key() -> AnswerKey:
    return AnswerKey(values=(pattern_freeze_point(_diagonal_model()),))


@register_answer("check_04_freeze_search")
def _freeze_search_key() -> AnswerKey:
    return AnswerKey()  # a function, tested on fresh networks: nothing to print
