"""Every course notebook has a paired jupytext percent script with the same cells."""

from __future__ import annotations

import jupytext
import nbformat
import pytest
from conftest import NOTEBOOKS
from jupytext.compare import compare_notebooks


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_script_in_sync(ipynb):
    script = ipynb.with_suffix(".py")
    assert script.exists(), f"{ipynb.name} has no paired {script.name}"
    from_script = jupytext.read(script)
    from_ipynb = jupytext.read(ipynb)
    compare_notebooks(from_script, from_ipynb, fmt="py:percent")


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs_and_no_errors(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(c.outputs for c in code), f"{ipynb.name} was committed without outputs"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{ipynb.name} holds an error output: {errors[0].get('ename')}"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_lines_at_most_100_characters(ipynb):
    """Readable on a laptop and in a diff; nbgrader's cell markers are metadata, not code."""
    script = ipynb.with_suffix(".py").read_text(encoding="utf-8").splitlines()
    long = [
        f"line {i}: {len(line)} characters"
        for i, line in enumerate(script, 1)
        if len(line) > 100 and not line.startswith("# %% nbgrader=")
    ]
    assert not long, long
