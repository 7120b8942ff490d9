"""The two layers: the core never imports the course layer, and works without the course's packages."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted(
    p for p in (ROOT / "aelib").glob("*.py") if p.stem not in {"plots", "widgets", "exercises"}
)
COURSE_NAMES = ("aelib.course", "aelib.plots", "aelib.widgets", "aelib.exercises")
# Packages a practitioner who installs only the core does not have.
COURSE_PACKAGES = [
    "matplotlib",
    "ipywidgets",
    "jupyterlab",
    "mlxtend",
    "nbgrader",
    "IPython",
    "pyod",
]


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` anywhere in ``path`` names (function bodies included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_there_is_a_core():
    assert {"data", "models", "train", "metrics", "linalg", "audit"} <= {p.stem for p in CORE}


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_module_never_imports_the_course_layer(path):
    bad = sorted(m for m in imported_modules(path) if m.startswith(COURSE_NAMES))
    assert not bad, f"aelib/{path.name} (core) imports the course layer: {bad}"


def test_audit_works_without_the_course_packages():
    """The acceptance check: with the course's packages unimportable, audit a plain autoencoder."""
    script = textwrap.dedent(
        f"""
        import importlib.abc, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {COURSE_PACKAGES!r}:
                    raise ModuleNotFoundError(f"blocked for this test: {{name}}")

        sys.meta_path.insert(0, Block())
        import torch
        from torch import nn
        from aelib.audit import audit
        from aelib.train import fit

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 1), nn.Linear(1, 2))
        X = torch.randn(200, 2) * torch.tensor([3.0, 0.3])
        fit(model, X, 300, lr=0.05, progress=False)  # trained: PCA's line, zero loss along it
        report = audit(model, X)
        print("reliable", report.reliable, "found", len(report.adversarial_anomalies))
        blocked = {COURSE_PACKAGES!r}
        assert not [m for m in sys.modules if m.split(".")[0] in blocked], "a course package loaded"
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reliable False" in done.stdout, done.stdout


def test_course_imports_leave_the_heavy_libraries_until_they_are_used():
    """What every notebook's first cell imports must not load sklearn.metrics, scipy.stats,
    scipy.spatial or torchvision: together ≈ 1.5 s and ≈ 250 MB per kernel (benchmarks/NOTES.md)
    that notebooks 01-07 never need. They are imported where they are used.
    """
    script = textwrap.dedent(
        """
        import sys
        import aelib, aelib.audit, aelib.attacks, aelib.metrics, aelib.neighbors
        import aelib.course.plots, aelib.course.widgets, aelib.course.exercises
        import aelib.course.mnist_experiments, aelib.course.toy_training
        heavy = ("sklearn.metrics", "scipy.stats", "scipy.spatial", "torchvision")
        print("loaded", [m for m in heavy if m in sys.modules])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "loaded []" in done.stdout, done.stdout
