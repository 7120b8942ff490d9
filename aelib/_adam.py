"""Adam, computed exactly as ``torch.optim.Adam`` computes it with its defaults on CPU.

Why not ``torch.optim.Adam``: from torch 2.x, creating any ``torch.optim`` optimizer calls
``Optimizer.add_param_group``, which ``torch._disable_dynamo`` wraps, and that wrapper imports
``torch._dynamo`` (the compiler stack) on first use: +150 MB of resident memory in every process
that trains, for a compiler this library never uses (measured in ``benchmarks/NOTES.md``).

This is the update of torch's single-tensor path (``foreach=False``, which torch picks for CPU
tensors) with ``weight_decay=0``, ``amsgrad=False``, ``maximize=False``: the same operations in
the same order, each applied to all parameters at once through torch's ``_foreach_`` ops (on
the CPU they run the single-tensor kernel on each tensor, in one call: a toy ensemble's step is
dozens of such tiny ops; 1.62 -> 1.32 s for 30 members and 1,000 steps, measured), so the
parameters it produces are bit-identical to torch's
(``tests/test_adam.py`` checks this against ``torch.optim.Adam`` for a convolutional model and a
toy ensemble, so a change in torch's Adam shows up there).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

__all__ = ["Adam"]


class Adam:
    """Adam (Kingma & Ba, 2015) on a list of parameters, equal to ``torch.optim.Adam(params, lr)``.

    Parameters
    ----------
    params : iterable of torch.Tensor
        The parameters to update (leaf tensors with ``requires_grad``), each of any shape.
    lr : float
        Learning rate.
    betas : tuple of float
        Decay rates of the first and second moment estimates; torch's defaults.
    eps : float
        Added to the denominator; torch's default.

    Notes
    -----
    A parameter whose ``grad`` is ``None`` is skipped, and its moments and step count start on
    the first step it has a gradient, as in torch.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("params: expected at least one parameter, got an empty iterable")
        self.lr, self.betas, self.eps = lr, betas, eps
        # per parameter: (step count, first moment, second moment), created at its first gradient
        self._state: dict[int, tuple[int, torch.Tensor, torch.Tensor]] = {}

    def zero_grad(self) -> None:
        """Drop every parameter's gradient (``set_to_none=True``, torch's default)."""
        for param in self.params:
            param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        beta1, beta2 = self.betas
        groups: dict[int, list[int]] = {}  # step count → parameters, updated together
        for i, param in enumerate(self.params):
            if param.grad is None:
                continue
            if i not in self._state:
                moments = [
                    torch.zeros_like(param, memory_format=torch.preserve_format) for _ in "12"
                ]
                self._state[i] = (0, *moments)
            step, exp_avg, exp_avg_sq = self._state[i]
            self._state[i] = (step + 1, exp_avg, exp_avg_sq)
            groups.setdefault(step + 1, []).append(i)
        for step, members in groups.items():
            params = [self.params[i] for i in members]
            grads = [p.grad for p in params]
            exp_avgs = [self._state[i][1] for i in members]
            exp_avg_sqs = [self._state[i][2] for i in members]
            # torch's single-tensor update, each op applied to every tensor of the group: the
            # CPU ``_foreach_`` ops run the same kernel per tensor, in one call instead of one
            # per tensor (a toy ensemble step is dozens of such tiny ops)
            torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
            torch._foreach_mul_(exp_avg_sqs, beta2)
            torch._foreach_addcmul_(exp_avg_sqs, grads, grads, value=1 - beta2)
            # torch keeps the step count in a float32 tensor and reads it back as a Python float
            bias_correction1 = 1 - beta1 ** float(step)
            bias_correction2_sqrt = (1 - beta2 ** float(step)) ** 0.5
            denom = torch._foreach_sqrt(exp_avg_sqs)
            torch._foreach_div_(denom, bias_correction2_sqrt)
            torch._foreach_add_(denom, self.eps)
            torch._foreach_addcdiv_(params, exp_avgs, denom, value=-(self.lr / bias_correction1))
