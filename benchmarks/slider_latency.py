"""Slider update latency: median time from setting a slider's ``.value`` to the redrawn output.

    .venv/bin/python benchmarks/slider_latency.py [notebooks ...]

Each notebook is executed in a fresh kernel (warm model cache); then the first slider of every
``ipywidgets.interactive`` it created is moved back and forth between two neighbouring values.
In a kernel the update is synchronous: setting ``.value`` runs the callback, and its
``plt.show()`` renders the PNG (inline backend) into the widget's Output before ``.value``
returns. So the time measured is callback + figure rendering, the kernel's share of what a
learner waits for; the browser adds the comm round trip and the image decode (the browser test
prints that end-to-end time for notebooks 02 and 09).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _common import course_notebooks, log, run_notebook, slider_latency_cell
from notebook_resources import SLIDER_MOVES


def measure(notebooks: list[Path], cache_dir: Path | None = None) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="aelib-bench-cache-") as tmp:
        cache = cache_dir or Path(tmp)
        for path in notebooks:
            run_notebook(path, cache_dir=cache)  # fill the cache: the timed run is warm
            out = run_notebook(path, [slider_latency_cell(SLIDER_MOVES)], cache_dir=cache)
            log(f"{path.name}: {out}")
            rows.append({"notebook": path.stem, "error": out["error"], **out})
    return rows


if __name__ == "__main__":
    paths = [Path(p).resolve() for p in sys.argv[1:]] or course_notebooks()
    print(json.dumps(measure(paths), indent=2))
