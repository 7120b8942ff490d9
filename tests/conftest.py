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


def pytest_collection_modifyitems(config, items):
    """Cells that nbval collects from the course notebooks carry the ``notebooks`` marker."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebooks)


def pytest_report_header(config):
    return (
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpu count {os.cpu_count()}"
    )
