"""Sync a notebook from its jupytext .py, execute it top to bottom, and store the outputs.

    .venv/bin/python tools/execute_notebook.py notebooks/02_pca_svd_hyperplane.py [...]

The .py (percent format) is the source you edit; the .ipynb is rebuilt from it, executed in
notebooks/ with the "python3" kernel, and written with outputs (what GitHub and Binder show).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from queue import Empty

import jupytext
import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class PollingNotebookClient(NotebookClient):
    """An nbclient ``NotebookClient`` that polls the kernel's shell channel in 1-second slices.

    Works around jupyter/nbclient#312: after a cell that displays a widget, a long blocking wait
    for the cell's reply sometimes returns only when the cell's whole timeout has passed (measured
    here on notebook 09: 1 of 1 plain run waited the full 120 s; 0 of 4 polled runs did). Every
    headless run of the course (this script, ``tools/run_notebooks.py``, the student-build test,
    the benchmarks) uses this class; nbval has its own polling and is not affected.
    """

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        get_msg = kc.shell_channel.get_msg

        async def polled(timeout=None, **kwargs):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = 1.0 if deadline is None else deadline - time.monotonic()
                try:
                    return await ensure_async(get_msg(timeout=min(1.0, max(0.0, left)), **kwargs))
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise

        kc.shell_channel.get_msg = polled
        return kc


def execute(path: Path, timeout: int = 600) -> float:
    """Rebuild ``path``'s .ipynb from its .py, execute it, write it; return seconds taken."""
    script, ipynb = path.with_suffix(".py"), path.with_suffix(".ipynb")
    nb = jupytext.read(script)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
    start = time.perf_counter()
    PollingNotebookClient(
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
