"""Checkers for notebook 01."""

__all__: list[str] = []
