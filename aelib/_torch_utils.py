"""Small PyTorch helpers the core modules share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from torch import nn

__all__ = ["eval_mode"]


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in eval mode for the ``with`` block, then restore every submodule's mode.

    Each submodule gets back its own previous ``training`` flag (a model may mix modes, e.g. a
    frozen batch-norm inside a training model), also when the block raises.

    Parameters
    ----------
    model : torch.nn.Module
        The model; changed in place and restored on exit.

    Yields
    ------
    torch.nn.Module
        ``model`` itself, in eval mode.

    Examples
    --------
    >>> with eval_mode(model):  # doctest: +SKIP
    ...     recon = model(x)
    """
    flags = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        # pre-order: a parent's train() resets its children, whose own flag then comes after
        for module, flag in flags:
            module.train(flag)
