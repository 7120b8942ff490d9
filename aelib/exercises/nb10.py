"""Checkers for notebook 10."""

__all__: list[str] = []
