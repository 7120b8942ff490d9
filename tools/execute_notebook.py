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
    """An nbclient ``NotebookClient`` that waits for the kernel's replies in 1-second slices and
    nudges a silent kernel.

    Works around ipykernel 7's lost shell wake-up (ipython/ipykernel#1529, #1554): the kernel
    sends its replies on the shell socket outside the stream that reads requests, and a request
    that arrives in that window stays unread until the next event on the socket — the kernel sits
    idle and the client waits for a reply until the cell's timeout (seen here as jupyter/nbclient
    #312 after widget cells, and at this stop as a 300 s wait on notebook 01 and an idle kernel on
    notebook 04 in ``make bench``). After ``NUDGE_S`` seconds without a shell message the client
    sends a ``kernel_info_request``, which is such an event; its reply, like any reply to another
    request, is skipped by nbclient. Every headless run of the course (this script,
    ``tools/run_notebooks.py``, the student-build test, the benchmarks) uses this class.
    """

    NUDGE_S = 5.0

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        get_msg = kc.shell_channel.get_msg

        async def polled(timeout=None, **kwargs):
            deadline = None if timeout is None else time.monotonic() + timeout
            quiet_since = time.monotonic()
            while True:
                left = 1.0 if deadline is None else deadline - time.monotonic()
                try:
                    return await ensure_async(get_msg(timeout=min(1.0, max(0.0, left)), **kwargs))
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise
                    if time.monotonic() - quiet_since > self.NUDGE_S:
                        kc.kernel_info()  # an event on the kernel's shell socket
                        quiet_since = time.monotonic()

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
