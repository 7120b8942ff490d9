#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after `make setup`). Every stage must pass.
#
# The four long stages — the unit tests; the student build's Run All; the notebook validation in
# this machine's numeric environment, then the tests on the course's trained models; the notebook
# validation in the perturbed environment — are independent (each has its own model cache, empty
# at its start), mostly single-threaded, and each takes minutes: they run side by side, each into
# its own log, printed in full when all have finished. The tests on the course's trained models
# (the browser tests, the exercise checks against the course's models) load the models that the
# native validation pass has just trained, so they train nothing twice; they follow that pass,
# not the student Run All, because that balances the stages (the wall time is that of the
# longest stage; benchmarks/NOTES.md). AELIB_TEST_JOBS=1 runs the stages one after the other
# instead, streaming their output (useful to watch a single failure).
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

# Each stage starts from an empty model cache: correctness must never depend on it. The student
# build's Run All trains every model from nothing; so does the native notebook-validation pass
# (tools/test_notebooks.sh, cache .aelib-cache/test-native), after which the browser tests and the
# tests on the course's trained models (marker `course_run`, but not the student build) load them
# from that cache instead of training them again.
pytest_stage() {  # pytest_stage NAME [--keep-cache] ARGS...: pytest with the model cache NAME
    export AELIB_CACHE_DIR="$PWD/.aelib-cache/test-$1"
    shift
    if [[ ${1:-} == --keep-cache ]]; then
        shift
    else
        rm -rf "$AELIB_CACHE_DIR"
    fi
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
STUDENT_BUILD=tests/test_student_build.py
# NAME|COMMAND; extra arguments (e.g. -k) are appended to the commands of the stages that end
# in a pytest run (ARG_STAGES), i.e. to that pytest
STAGES=(
    "pytest: unit tests, notebook sync, widgets|pytest_stage unit tests -m 'not course_run'"
    "pytest: student build (Run All of the student version from an empty cache)|pytest_stage student $STUDENT_BUILD"
    "notebooks: nbval, native numeric environment, then the browser tests and the tests on the course's trained models (its cache)|AELIB_NBVAL_PASSES=native bash tools/test_notebooks.sh && pytest_stage native --keep-cache tests -m course_run --ignore=$STUDENT_BUILD"
    "notebooks: nbval, perturbed numeric environment|AELIB_NBVAL_PASSES=perturbed bash tools/test_notebooks.sh"
)
ARG_STAGES=" 0 1 2 "

if [[ ${AELIB_TEST_JOBS:-3} == 1 ]]; then
    for i in "${!STAGES[@]}"; do
        echo "== ${STAGES[$i]%%|*} =="
        if [[ $ARG_STAGES == *" $i "* ]]; then eval "${STAGES[$i]#*|}" '"$@"'; else eval "${STAGES[$i]#*|}"; fi
    done
    exit 0
fi

LOGS=$(mktemp -d)
run_stage() {  # run_stage INDEX [ARGS...]: one stage into its log; its exit status and seconds to .status
    local i=$1 t0=$SECONDS rc=0
    shift
    if [[ $ARG_STAGES == *" $i "* ]]; then
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
    if [[ $ARG_STAGES == *" $i "* ]]; then
        run_stage "$i" "$@" &  # extra arguments (e.g. -k) go to the pytest runs only
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
