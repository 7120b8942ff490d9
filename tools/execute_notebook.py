"""Sync a notebook from its jupytext .py, execute it top to bottom, and store the outputs.

    .venv/bin/python tools/execute_notebook.py notebooks/02_pca_svd_hyperplane.py [...]

The .py (percent format) is the source you edit; the .ipynb is rebuilt from it, executed in
notebooks/ with the "python3" kernel, and written with outputs (what GitHub and Binder show).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def execute(path: Path, timeout: int = 600) -> float:
    """Rebuild ``path``'s .ipynb from its .py, execute it, write it; return seconds taken."""
    script, ipynb = path.with_suffix(".py"), path.with_suffix(".ipynb")
    nb = jupytext.read(script)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(ipynb.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, ipynb)
    return seconds


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"{arg}: executed in {execute(Path(arg)):.1f} s", flush=True)
