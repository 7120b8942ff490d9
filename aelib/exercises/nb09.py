"""Checkers for notebook 09."""

__all__: list[str] = []
