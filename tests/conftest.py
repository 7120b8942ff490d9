"""Shared pytest configuration."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


# The model cache of the course run (the user's, or the fresh one of `make test`'s course-run
# stage), captured before the autouse fixture below isolates each test.
COURSE_CACHE = os.environ.get("AELIB_CACHE_DIR")


@pytest.fixture
def course_cache(monkeypatch):
    """Use the course run's model cache: a test that needs the course's trained models finds
    them there after the native notebook-validation pass (tools/test.sh), and trains them once
    when cold.
    """
    if COURSE_CACHE:
        monkeypatch.setenv("AELIB_CACHE_DIR", COURSE_CACHE)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Unit tests never read or write the user's model cache."""
    monkeypatch.setenv("AELIB_CACHE_DIR", str(tmp_path / "aelib-cache"))
    torch.manual_seed(0)
    # Unit tests use tiny models, for which thread synchronisation costs more than it gains
    # (up to 35x slower on a busy 2-core machine).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    import matplotlib.pyplot as plt

    plt.close("all")


def _runs_the_course(item) -> bool:
    path = item.path.as_posix()
    return (
        item.path.name == "test_student_build.py"
        or "/tests/browser/" in path
        or "course_cache" in getattr(item, "fixturenames", ())
    )


def pytest_collection_modifyitems(config, items):
    """Markers: ``notebooks`` on the cells nbval collects from the course notebooks; ``course_run``
    on the student build, the browser tests and every test that uses the course's model cache.

    The student build's Run All of the whole course goes first (stable sort), so that it starts
    from an empty cache when it shares a run with the other ``course_run`` tests (a plain
    ``pytest -m course_run``) and fills it for them; ``make test`` runs it in a stage
    of its own and the other ``course_run`` tests after the native notebook validation, whose
    cache holds the course's models (tools/test.sh).
    """
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebooks)
        elif _runs_the_course(item):
            item.add_marker(pytest.mark.course_run)
    items.sort(key=lambda item: item.name != "test_course_student_notebooks_execute")


def pytest_report_header(config):
    return (
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpu count {os.cpu_count()}"
    )
