#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after `make setup`). Every stage must pass.
#
# The four long stages — the unit tests; the student build's Run All with the JupyterLab browser
# tests; the notebook validation in this machine's numeric environment, and in the perturbed one —
# are independent (each has its own empty model cache), mostly single-threaded, and each takes
# minutes: they run side by side, each into its own log, printed in full when all have finished.
# The course-run stage keeps the student Run All and the tests that load its models in one cache,
# so they train nothing twice; the split does not shorten the whole run, which is bounded by the
# total work on two cores (benchmarks/NOTES.md). AELIB_TEST_JOBS=1 runs the stages one after the
# other instead, streaming their output (useful to watch a single failure).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PY=$VENV/bin/python
export PYTHONHASHSEED=0
# OpenMP threads sleep instead of spinning at barriers (see aelib/threads.py): the test processes
# share two cores, and spin-waiting threads then run small models many times slower.
export OMP_WAIT_POLICY=PASSIVE

echo "== ruff (lint + format) =="
$VENV/bin/ruff check .
$VENV/bin/ruff format --check .

echo "== browser for the JupyterLab test =="
bash tools/ensure_chromium.sh

# Each stage starts from an empty model cache: correctness must never depend on it. In the
# course-run stage the student build's Run All (first, see tests/conftest.py) trains every model
# from nothing; the browser tests and the tests on the course's trained models (marker
# `course_run`) then load them from that cache instead of training them again. The notebook
# passes use their own (tools/test_notebooks.sh).
pytest_stage() {  # pytest_stage NAME ARGS...: pytest with its own empty model cache
    export AELIB_CACHE_DIR="$PWD/.aelib-cache/test-$1"
    shift
    rm -rf "$AELIB_CACHE_DIR"
    local rc=0
    $PY -m pytest --durations=15 "$@" || rc=$?
    # pytest's 5 = no test collected: fine when extra arguments (-k ...) select none of this
    # stage's tests, a failure otherwise (a plain `make test` must never pass having run nothing)
    if ((rc == 5 && EXTRA_ARGS > 0)); then
        echo "(no test of this stage matches the extra arguments)"
        rc=0
    fi
    return $rc
}
EXTRA_ARGS=$#
STAGES=(
    "pytest: unit tests, notebook sync, widgets|pytest_stage unit tests -m 'not course_run'"
    "pytest: student build (Run All from an empty cache), then the browser tests and the tests on the course's trained models (its cache)|pytest_stage course tests -m course_run"
    "notebooks: nbval, native numeric environment|AELIB_NBVAL_PASSES=native bash tools/test_notebooks.sh"
    "notebooks: nbval, perturbed numeric environment|AELIB_NBVAL_PASSES=perturbed bash tools/test_notebooks.sh"
)
PYTEST_STAGES=2  # the first two stages are pytest runs: extra arguments (e.g. -k) go to them

if [[ ${AELIB_TEST_JOBS:-3} == 1 ]]; then
    for i in "${!STAGES[@]}"; do
        echo "== ${STAGES[$i]%%|*} =="
        if ((i < PYTEST_STAGES)); then eval "${STAGES[$i]#*|}" '"$@"'; else eval "${STAGES[$i]#*|}"; fi
    done
    exit 0
fi

LOGS=$(mktemp -d)
run_stage() {  # run_stage INDEX [ARGS...]: one stage into its log; its exit status and seconds to .status
    local i=$1 t0=$SECONDS rc=0
    shift
    if ((i < PYTEST_STAGES)); then
        (eval "${STAGES[$i]#*|}" '"$@"') >"$LOGS/$i.log" 2>&1 || rc=$?
    else
        (eval "${STAGES[$i]#*|}") >"$LOGS/$i.log" 2>&1 || rc=$?
    fi
    echo "$rc $((SECONDS - t0))" >"$LOGS/$i.status"
    echo "== finished (rc $rc) in $((SECONDS - t0)) s: ${STAGES[$i]%%|*} =="
}
start=$SECONDS
declare -a PIDS
for i in "${!STAGES[@]}"; do
    echo "== started: ${STAGES[$i]%%|*} =="
    if ((i < PYTEST_STAGES)); then
        run_stage "$i" "$@" &  # extra arguments (e.g. -k) go to the pytest stages only
    else
        run_stage "$i" &
    fi
    PIDS[$i]=$!
done
wait "${PIDS[@]}"

failed=0
for i in "${!STAGES[@]}"; do
    read -r rc seconds <"$LOGS/$i.status" || { rc=1; seconds="?"; }
    [[ $rc == 0 ]] || failed=1
    echo
    echo "================ ${STAGES[$i]%%|*}: rc $rc, $seconds s ================"
    cat "$LOGS/$i.log"
done
if [[ $failed != 0 ]]; then
    echo "FAILED: at least one stage failed (its log is above)" >&2
    exit 1
fi
echo "all stages passed in $((SECONDS - start)) s"
