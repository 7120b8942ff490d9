"""The two projected-gradient searches (Madry et al. 2017): in latent space and in input space.

Both share one descent (:func:`_descend`: screened random starts, a steepest-descent step whose
length decays linearly to 0, a projection, and per restart the best iterate that keeps the
distance) and differ only in what they move (z or x), the objective and the projection.
:func:`run_latent` and :func:`run_input` do the work for :class:`aelib.attacks.LatentPGD`,
:class:`aelib.attacks.InputPGD` and the functions :func:`aelib.attacks.latent_pgd_search`,
:func:`aelib.attacks.input_pgd_search`, which validate the settings and document them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

from aelib._torch_utils import eval_mode
from aelib._tracking import NearestTracker
from aelib._validation import check_module
from aelib.attacks._common import (
    box,
    check_latent_model,
    check_normal,
    encode_batched,
    flat,
    param_kind,
    per_sample,
)
from aelib.attacks._results import SearchResult, finish
from aelib.threads import batch_workers

if TYPE_CHECKING:
    from aelib.attacks.configs import InputPGD, LatentPGD

# evaluate(v) → (objective to descend, error, feasible), each (B,); step(v, grad, decay) → next v
Evaluate = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor, torch.Tensor]]
Step = Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]


def _target(min_distance: float | None) -> float | None:
    """The distance the searches aim for: a hair beyond ``min_distance``, so that candidates on
    the constraint's boundary are still strictly farther than ``min_distance`` after the final
    float64 recomputation."""
    return None if min_distance is None else min_distance * (1 + 1e-4)


def _screened_starts(
    score, lo: torch.Tensor, hi: torch.Tensor, restarts: int, screen: int, gen, batch_size: int
) -> torch.Tensor:
    """Random starts: each restart takes the lowest-``score`` of ``screen`` uniform points in the box.

    Screening is cheap (forward passes only) and lets the descent start in narrow low-error
    valleys that a handful of uniform starts would miss; groups keep the restarts diverse.
    """
    u = torch.rand(restarts * screen, lo.numel(), generator=gen, dtype=lo.dtype).to(lo.device)
    points = lo + (hi - lo) * u
    with torch.no_grad():
        scores = torch.cat(
            [score(points[s : s + batch_size]) for s in range(0, len(points), batch_size)]
        )
    pick = (
        scores.view(restarts, screen).argmin(1) + torch.arange(restarts, device=lo.device) * screen
    )
    return points[pick]


def _shortfall(
    a: torch.Tensor,
    nearest: NearestTracker,
    target: float,
    found: Future | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """How far each of ``a`` (B, *input_shape) falls short of ``target`` from the normal data.

    Returns max(0, target − d(a)) of shape (B,), differentiable in ``a`` (through the nearest
    normal sample only, as the gradient of a minimum is), and whether d(a) ≥ ``target`` (B,).
    ``found``: the future of ``nearest(flat(a), below=target)`` if already started elsewhere.
    """
    rows = flat(a)
    _, j = nearest(rows, below=target) if found is None else found.result()
    near = j >= 0
    dist = (rows - nearest.X[j.clamp_min(0)].to(rows.dtype)).norm(dim=1)
    return torch.where(near, F.relu(target - dist), torch.zeros_like(dist)), ~near


def _project_away(
    x: torch.Tensor, nearest: NearestTracker, radius: float, gen: torch.Generator
) -> torch.Tensor:
    """Move each row of ``x`` (B, D) out of the ``radius``-ball around its nearest normal row."""
    _, j = nearest(x, below=radius)
    inside = j >= 0
    if not bool(inside.any()):
        return x
    centre = nearest.X[j[inside]].to(x.dtype)
    direction = x[inside] - centre
    zero = direction.norm(dim=1) == 0
    if bool(zero.any()):  # exactly on a normal sample: leave in a random direction
        rnd = torch.randn(int(zero.sum()), x.shape[1], generator=gen, dtype=x.dtype).to(x.device)
        direction[zero] = rnd
    direction = direction / direction.norm(dim=1, keepdim=True)
    x = x.clone()
    x[inside] = centre + radius * direction
    return x


def _direction(grad: torch.Tensor, norm: str, scale: float) -> torch.Tensor:
    """Steepest-descent direction per row: ``scale`` · ∇/‖∇‖ (``"l2"``) or sign(∇) (``"linf"``)."""
    if norm == "linf":
        return grad.sign()
    return grad * (scale / grad.norm(dim=1, keepdim=True).clamp_min(1e-12))


class _BestTracker:
    """Keeps, per restart, the lowest-error iterate that satisfies the distance constraint."""

    def __init__(self, start: torch.Tensor) -> None:
        self.value = start.detach().clone()
        self.error = torch.full((len(start),), float("inf"), dtype=start.dtype, device=start.device)
        self.feasible = torch.zeros(len(start), dtype=torch.bool, device=start.device)

    def update(self, value: torch.Tensor, error: torch.Tensor, feasible: torch.Tensor) -> None:
        # a feasible iterate beats an infeasible one; among equals, the lower error wins
        better = (feasible & ~self.feasible) | ((feasible == self.feasible) & (error < self.error))
        self.value[better] = value.detach()[better]
        self.error[better] = error.detach()[better]
        self.feasible |= feasible


def _descend(v: torch.Tensor, evaluate: Evaluate, step: Step, steps: int) -> torch.Tensor:
    """``steps`` gradient steps from the starts ``v`` (restarts, D); each restart's best iterate.

    The step length decays linearly from its first value to 0 (``decay`` = 1 − t / steps).
    """
    best = _BestTracker(v)
    for t in range(steps + 1):
        v = v.detach().requires_grad_(True)
        with torch.enable_grad():
            objective, error, feasible = evaluate(v)
            best.update(v, error, feasible)
            if t == steps or not objective.requires_grad:
                break
            (grad,) = torch.autograd.grad(objective.sum(), v)
        with torch.no_grad():
            v = step(v, grad, 1 - t / steps)
    return best.value


@contextmanager
def _helper_thread(wanted: bool) -> Iterator[ThreadPoolExecutor | None]:
    """One worker thread for the block (shut down after it), or ``None`` when not ``wanted``.

    Its ops run on one thread, like the caller's inside a small-work ``torch_threads("auto")``
    block (a new thread takes torch's current count, 1 there), so it computes what the caller
    would have.
    """
    if not wanted:
        yield None
        return
    with ThreadPoolExecutor(1, thread_name_prefix="aelib-nearest") as pool:
        yield pool


def _setup(model: nn.Module, X_normal: torch.Tensor, seed: int):
    """The model's dtype and device, ``X_normal`` moved there, and the starts' generator."""
    dtype, device = param_kind(model)
    return X_normal.to(dtype=dtype, device=device), torch.Generator().manual_seed(seed)


def run_latent(
    model: nn.Module,
    X_normal: object,
    s: LatentPGD,
    min_distance: float | None,
    reduction: str,
    seed: int,
) -> SearchResult:
    """Latent PGD with the settings ``s``; ``min_distance``, ``reduction``, ``seed`` checked."""
    check_latent_model(model)
    X_normal, gen = _setup(model, check_normal(X_normal), seed)
    target = _target(min_distance)

    with eval_mode(model):
        latents = encode_batched(model, X_normal, s.batch_size)
        lo, hi = box(latents, s.margin)
        length = s.step_size * float((hi - lo).mean())

        def objective_of(z: torch.Tensor, nearest: NearestTracker, helper=None):
            """Objective, error and feasibility of h(z), each of shape (B,).

            With a ``helper`` thread, the nearest normal samples of h(z) are looked up there while
            this thread runs the model on h(z): the two do not depend on each other.
            """
            a = model.decode(z)
            found = None
            if target is not None and helper is not None:
                found = helper.submit(nearest, flat(a).detach(), below=target)
            error = per_sample(model(a), a, reduction)
            if target is None:
                return error, error, torch.ones_like(error, dtype=torch.bool)
            gap, feasible = _shortfall(a, nearest, target, found)
            return error + s.penalty * gap**2, error, feasible

        def screening_objective(v: torch.Tensor) -> torch.Tensor:
            return objective_of(v, NearestTracker(X_normal))[0]

        def step(z: torch.Tensor, grad: torch.Tensor, decay: float) -> torch.Tensor:
            norm = grad.norm(dim=1, keepdim=True).clamp_min(1e-12)
            z = z - length * decay * grad / norm  # L2 steepest descent
            return torch.maximum(torch.minimum(z, hi), lo)  # projection onto the latent box

        starts = _screened_starts(
            screening_objective, lo, hi, s.restarts, s.screen, gen, s.batch_size
        )
        nearest = NearestTracker(X_normal)  # follows the restarts' decodings
        # an idle core (see aelib.threads.batch_workers) looks up the nearest samples at each
        # step while this one runs the model: about 10 % off a notebook-10 search, the same bits
        with _helper_thread(batch_workers() > 1 and target is not None) as helper:
            z = _descend(starts, lambda v: objective_of(v, nearest, helper), step, s.steps)
        with torch.inference_mode():
            x = model.decode(z)
    return finish(model, x, z, X_normal, s, min_distance, reduction)


def _input_box(ref: torch.Tensor, s: InputPGD) -> tuple[torch.Tensor, torch.Tensor]:
    """The valid box of the flattened inputs: ``s.clamp`` on every feature, or the data's box."""
    if s.clamp is None:
        return box(ref, s.margin)
    c0, c1 = s.clamp
    if float(ref.min()) < c0 or float(ref.max()) > c1:
        raise ValueError(
            f"clamp: expected the normal data to lie in the valid range {(c0, c1)}, got values "
            f"in [{float(ref.min()):.4g}, {float(ref.max()):.4g}] (pass clamp=None for "
            "unbounded tabular data)"
        )
    return torch.full_like(ref[0], c0), torch.full_like(ref[0], c1)


def run_input(
    model: nn.Module,
    X_normal: object,
    s: InputPGD,
    min_distance: float | None,
    reduction: str,
    seed: int,
) -> SearchResult:
    """Input PGD with the settings ``s``; ``min_distance``, ``reduction``, ``seed`` checked."""
    check_module(model)
    X_normal, gen = _setup(model, check_normal(X_normal), seed)
    target = _target(min_distance)
    ref = flat(X_normal)
    lo, hi = _input_box(ref, s)
    length = s.step_size * float((hi - lo).mean())
    shape = (-1, *X_normal.shape[1:])

    def project(v: torch.Tensor, nearest: NearestTracker) -> torch.Tensor:
        for _ in range(3 if target else 1):
            if target:
                v = _project_away(v, nearest, target, gen)
            v = torch.maximum(torch.minimum(v, hi), lo)
        return v

    def error_of(v: torch.Tensor) -> torch.Tensor:
        v = project(v, NearestTracker(ref)).reshape(shape)
        return per_sample(model(v), v, reduction)

    nearest = NearestTracker(ref)  # follows the restarts' iterates

    def evaluate(x: torch.Tensor):
        xs = x.reshape(shape)
        error = per_sample(model(xs), xs, reduction)
        if target is None:
            feasible = torch.ones_like(error, dtype=torch.bool)
        else:
            feasible = nearest(x, below=target * (1 - 1e-6))[1] < 0
        return error, error, feasible

    def step(x: torch.Tensor, grad: torch.Tensor, decay: float) -> torch.Tensor:
        return project(x - length * decay * _direction(grad, s.norm, ref.shape[1] ** 0.5), nearest)

    with eval_mode(model):
        starts = _screened_starts(error_of, lo, hi, s.restarts, s.screen, gen, s.batch_size)
        x = _descend(project(starts, nearest), evaluate, step, s.steps)
    return finish(model, x.reshape(shape), None, X_normal, s, min_distance, reduction)
