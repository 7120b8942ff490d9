#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after `make setup`). Every stage must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PY=$VENV/bin/python

# Notebooks train from an empty model cache on every test run: the cache may speed up a
# learner's second visit, but correctness and timing must never depend on it.
export AELIB_CACHE_DIR="$PWD/.aelib-cache/test"
rm -rf "$AELIB_CACHE_DIR"
export PYTHONHASHSEED=0

echo "== ruff (lint + format) =="
$VENV/bin/ruff check .
$VENV/bin/ruff format --check .

echo "== browser for the JupyterLab test =="
bash tools/ensure_chromium.sh

echo "== pytest: unit tests, notebook sync, widgets, student build, browser, nbval (strict) =="
# One pytest run so its closing line counts everything. --nbval compares every stored output
# (not --nbval-lax); tests/nbval_sanitize.cfg lists what legitimately varies.
$PY -m pytest tests notebooks/[0-9][0-9]_*.ipynb \
    --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
    --durations=15 "$@"
