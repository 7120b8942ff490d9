"""Before an audit: which output is the reconstruction, and does the model fit the data?

Models as users write them do not all return one tensor. A VAE's ``forward`` commonly returns
``(reconstruction, mu, logvar)``, others a dict. :class:`SelectOutput` picks the reconstruction
(``audit(model, X, output=0)`` or ``output="recon"``); :func:`check_reconstructs` runs the model on
two normal samples once and turns what would fail deep inside a search (a tuple where a tensor is
expected, torch's "mat1 and mat2 shapes cannot be multiplied", a reconstruction of another
shape, a forward pass that samples) into one error that says what to do.
"""

from __future__ import annotations

import torch
from torch import nn

from aelib._torch_utils import eval_mode

__all__ = ["SelectOutput", "check_reconstructs"]


class SelectOutput(nn.Module):
    """A module whose output is one element of ``model``'s tuple or dict output.

    Parameters
    ----------
    model : torch.nn.Module
        Returns a tuple/list (``output`` is an index) or a dict (``output`` is a key).
    output : int or str
        Which element is the reconstruction.

    ``encode``/``decode`` are not passed through (their outputs may be tuples too, e.g.
    ``(mu, logvar)``), so the audit searches the inputs directly (``"input PGD"``).
    """

    def __init__(self, model: nn.Module, output: int | str) -> None:
        super().__init__()
        self.model = model
        self.output = output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)[self.output]

    def extra_repr(self) -> str:
        return f"output={self.output!r}"


def _kind(out: object) -> str:
    if isinstance(out, tuple | list):
        return f"a {type(out).__name__} of {len(out)}"
    if isinstance(out, dict):
        return f"a dict with keys {sorted(map(str, out))}"
    return type(out).__name__


def select_output(model: nn.Module, output: int | str | None) -> nn.Module:
    """``model`` itself (``output=None``) or a :class:`SelectOutput`; ``output`` type-checked."""
    if output is None:
        return model
    if isinstance(output, bool) or not isinstance(output, int | str):
        raise TypeError(
            "output: expected None, an int (index into a tuple output) or a str (key of a dict "
            f"output), got {type(output).__name__} {output!r}"
        )
    return SelectOutput(model, output)


def check_reconstructs(model: nn.Module, X_normal: torch.Tensor) -> None:
    """Run ``model`` (eval mode) twice on ``X_normal[:2]``; raise a clear error if it cannot serve.

    Raises
    ------
    TypeError
        The output is not a tensor (a tuple or dict needs ``output=``).
    ValueError
        The model fails on the data's shape, reconstructs to another shape, or its output
        changes between two identical calls (a stochastic forward pass).
    """
    p = next(model.parameters(), None)
    x = X_normal[:2] if p is None else X_normal[:2].to(dtype=p.dtype, device=p.device)
    shape = tuple(X_normal.shape[1:])
    try:
        with eval_mode(model), torch.no_grad():
            first = model(x)
            second = model(x)
    except (RuntimeError, IndexError, KeyError) as e:
        hint = (
            "the output index or key does not exist"
            if isinstance(model, SelectOutput) and isinstance(e, IndexError | KeyError)
            else "does the model's input size match the data?"
        )
        raise ValueError(
            f"model: could not reconstruct X_normal[:2] of shape {tuple(x.shape)} "
            f"(input shape {shape}): {type(e).__name__}: {e} — {hint}"
        ) from e
    if not isinstance(first, torch.Tensor):
        raise TypeError(
            f"model: expected forward to return the reconstruction as one tensor, got "
            f"{_kind(first)}; say which element is the reconstruction, e.g. "
            "audit(model, X, output=0) for (reconstruction, mu, logvar) or output='recon' for "
            "a dict"
        )
    if tuple(first.shape) != tuple(x.shape):
        raise ValueError(
            f"model: expected a reconstruction of the input's shape {tuple(x.shape)}, got shape "
            f"{tuple(first.shape)} for X_normal[:2]"
        )
    if not torch.allclose(first, second, rtol=0, atol=0, equal_nan=True):
        raise ValueError(
            "model: its reconstruction changes between two identical calls in eval mode (a "
            "forward pass that samples, e.g. a VAE drawing z ~ N(mu, sigma)); audit a "
            "deterministic path instead, e.g. a module whose forward decodes z = mu"
        )
