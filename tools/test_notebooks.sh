#!/usr/bin/env bash
# Notebook validation (`make test-notebooks`): every course notebook executed top to bottom by nbval,
# its stored outputs compared. Exact for what is computed in closed form or from fixed data; numbers
# from training and searches within the tolerance of the cell's tag (tests/nbval_tolerance.py).
#
# Runs twice: once in this machine's numeric environment, once in a perturbed one (other CPU kernels:
# ATen's AVX2 path, MKL's and oneDNN's AVX2 code paths, and the recipes train with two threads
# instead of one) — so outputs that validate here also
# validate on a processor other than the one that wrote them. AELIB_NBVAL_PASSES=native (or
# perturbed) runs one pass only. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONHASHSEED=0
export OMP_WAIT_POLICY=PASSIVE  # see aelib/threads.py; the course kernel sets it too

run_pass() {
    local name=$1
    shift
    # Each pass trains from an empty model cache: correctness must never depend on it.
    export AELIB_CACHE_DIR="$PWD/.aelib-cache/test-$name"
    rm -rf "$AELIB_CACHE_DIR"
    echo "== notebook validation ($name numeric environment) =="
    env "$@" $PY -m pytest notebooks/[0-9][0-9]_*.ipynb \
        --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -p tests.nbval_tolerance \
        -p no:cacheprovider --durations=5 "${PYTEST_ARGS[@]}"
}

PYTEST_ARGS=("$@")
passes=${AELIB_NBVAL_PASSES:-native,perturbed}
if [[ $passes == *native* ]]; then
    run_pass native
fi
if [[ $passes == *perturbed* ]]; then
    run_pass perturbed ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 \
        AELIB_NUM_THREADS=2
fi
