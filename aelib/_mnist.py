"""MNIST loading (placeholder until the MNIST issue lands)."""

from __future__ import annotations

__all__ = ["load_mnist"]


def load_mnist(digits, train=True, source="auto", root=None):  # pragma: no cover - replaced
    raise NotImplementedError("load_mnist is being implemented in the MNIST issue")
