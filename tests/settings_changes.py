"""Test helper: every one-field change of a settings object (aelib.course.settings), for cache-key tests.

Iterates over ``dataclasses.fields``, so a field added to a settings class is covered by the tests
that use it without editing them; a field of a kind this helper cannot change fails loudly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator


def _changed(name: str, value: object) -> object:
    """A valid value of field ``name`` that differs from ``value``."""
    if name == "sizes":  # widen the first hidden layer: input and output widths must stay equal
        return (value[0], value[1] + 1, *value[2:])
    if name == "digits":
        return (*value, min(set(range(10)) - set(value)))
    if name == "activation":
        return "tanh" if value == "sigmoid" else "sigmoid"
    if value is None:  # threads=None ("leave torch alone") → one thread
        return 1
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return 2 * value if value else 0.5
    if isinstance(value, tuple) and value and isinstance(value[-1], int):
        return (*value[:-1], value[-1] + 1)
    raise AssertionError(f"field {name}={value!r}: teach tests/settings_changes.py to change it")


def each_field_changed(settings: object) -> Iterator[tuple[str, object]]:
    """Yield ``(field name, settings with only that field changed)`` for every field."""
    for f in dataclasses.fields(settings):
        other = dataclasses.replace(
            settings, **{f.name: _changed(f.name, getattr(settings, f.name))}
        )
        assert getattr(other, f.name) != getattr(settings, f.name), f.name
        yield f.name, other
