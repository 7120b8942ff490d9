"""Run every course notebook headless (no browser) and report each one's wall time.

    make run            # or: .venv/bin/python tools/run_notebooks.py [--cold]

Outputs are not written back (the committed notebooks stay as they are). ``--cold`` starts from
an empty model cache, as a learner's first visit does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from execute_notebook import PollingNotebookClient  # tools/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="start from an empty model cache")
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all)")
    args = parser.parse_args()
    paths = [Path(p) for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    if args.cold:
        cache = tempfile.mkdtemp(prefix="aelib-cold-cache-")
        os.environ["AELIB_CACHE_DIR"] = cache
    total, failed = 0.0, []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            PollingNotebookClient(
                nb,
                timeout=600,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
            status = "ok"
        except Exception as err:  # report and continue with the next notebook
            status = f"FAILED: {type(err).__name__}"
            failed.append(path.name)
        seconds = time.perf_counter() - start
        total += seconds
        print(f"{path.name:45s} {seconds:7.1f} s  {status}", flush=True)
    print(f"{'total':45s} {total:7.1f} s  ({len(paths) - len(failed)} ok, {len(failed)} failed)")
    if args.cold:
        shutil.rmtree(cache, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
