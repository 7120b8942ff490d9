"""linear part of the course (filled in by its issue)."""

__all__: list[str] = []
