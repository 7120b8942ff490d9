#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after `make setup`). Every stage must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PY=$VENV/bin/python
export PYTHONHASHSEED=0
# OpenMP threads sleep instead of spinning at barriers (see aelib/threads.py): the test processes
# share two cores, and spin-waiting threads then run small models many times slower.
export OMP_WAIT_POLICY=PASSIVE
# Tests that train (student build, browser) start from an empty model cache: correctness and
# timing must never depend on it.
export AELIB_CACHE_DIR="$PWD/.aelib-cache/test"
rm -rf "$AELIB_CACHE_DIR"

echo "== ruff (lint + format) =="
$VENV/bin/ruff check .
$VENV/bin/ruff format --check .

echo "== browser for the JupyterLab test =="
bash tools/ensure_chromium.sh

echo "== pytest: unit tests, notebook sync, widgets, student build, browser =="
$PY -m pytest tests --durations=15 "$@"

echo "== notebooks: nbval, native and perturbed numeric environments =="
bash tools/test_notebooks.sh
