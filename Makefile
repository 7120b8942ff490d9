# The course's commands. Only Python 3 (>= 3.10), bash and make are needed; everything else is
# installed into .venv by the first command you run.
#
#   make lab             set up the course (no test tools), open JupyterLab at notebook 01
#   make test            set up with the test tools, run every test: ruff, unit, sync, browser, notebooks
#
#   make check           developer loop (well under a minute): ruff + the fast unit tests
#   make test-notebooks  notebook validation only (nbval; tools/test_notebooks.sh)
#   make run             execute all notebooks headless and print each one's time
#   make student         build student/ (solutions stripped) from the instructor notebooks
#   make bench           run the benchmarks, write benchmarks/RESULTS.md
#   make setup           only set up .venv with everything (course, dev and instructor extras)
#   make clean           remove .venv, student/ and test output
#
# Options:
#   TORCH=cpu            first install CPU-only torch + torchvision from PyTorch's wheel index
#                        (laptops without an NVIDIA GPU: PyPI's Linux wheels are multi-GB CUDA builds)
#   LAB_ARGS="..."       extra flags for `jupyter lab`, e.g. LAB_ARGS="--port 8890 --ip 0.0.0.0"
#   PYTHON=python3.12    the interpreter that creates .venv

SHELL := /bin/bash
# OpenMP threads sleep instead of spinning at barriers (aelib/threads.py): on small or shared
# machines spinning made torch's default two threads many times slower than one.
export OMP_WAIT_POLICY ?= PASSIVE
PYTHON ?= python3
TORCH ?=
LAB_ARGS ?=

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
FIRST := notebooks/01_reconstruction_as_anomaly_score.ipynb
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu

# One .venv, three layers, each with its own stamp (rebuilt when pyproject.toml changes):
#   course      what a learner needs (`make lab`): aelib + the course extra, no test tools
#   dev         + pytest, nbval, ruff, playwright, ... (`make test-notebooks`, `make run`, `make bench`)
#   instructor  + nbgrader (`make student`; `make check` and `make test` too: the unit tests
#               include the student build and nbgrader's own generate_assignment)
STAMP_COURSE := $(VENV)/.installed-course
STAMP_DEV := $(VENV)/.installed-dev
STAMP_INSTRUCTOR := $(VENV)/.installed-instructor

ifeq ($(TORCH),cpu)
TORCH_STAMP := $(VENV)/.torch-cpu
else ifneq ($(TORCH),)
$(error TORCH=$(TORCH) is not supported: use TORCH=cpu, or leave TORCH unset for PyPI's default wheels)
endif

# `jupyter lab` flags that depend on the machine: root (containers) needs --allow-root; without a
# display (a server, SSH, WSL without a GUI) no browser is opened and the URL is printed instead.
LAB_FLAGS := --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url="/lab/tree/$(FIRST)"
ifeq ($(shell id -u 2>/dev/null),0)
LAB_FLAGS += --allow-root
endif
ifeq ($(shell uname -s 2>/dev/null),Linux)
ifeq ($(strip $(DISPLAY)$(WAYLAND_DISPLAY)),)
LAB_FLAGS += --no-browser
endif
endif

PYTEST_FAST := -m "not slow and not browser and not notebooks"

.PHONY: lab test check test-notebooks run student bench setup clean

# The full environment (course + dev + instructor) without running anything.
setup: $(STAMP_INSTRUCTOR)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade --quiet pip

# TORCH=cpu: replace a CUDA build of torch (if one is installed) by the CPU-only wheels. Only this
# step uses PyTorch's index; everything else comes from the ordinary index.
$(VENV)/.torch-cpu: | $(PY)
	if $(PY) -c "import sys, torch; sys.exit(torch.version.cuda is None and getattr(torch.version, 'hip', None) is None)" 2>/dev/null; then \
	    $(PIP) uninstall --yes --quiet torch torchvision; \
	fi
	$(PIP) install --quiet torch torchvision --index-url $(TORCH_CPU_INDEX)
	touch $@

# One pip run per layer installs aelib (editable) with that layer's extras, registers this
# environment's Python as the "python3" kernel inside the venv itself (so Jupyter, nbval and nbclient
# started from .venv always run notebooks with the course's packages), and marks the layers it
# includes as installed.
# The kernel waits passively at OpenMP barriers: with torch's default spin-waiting, two threads on a
# 2-vCPU machine whose other core is busy ran small models 3-17x slower than one (aelib/threads.py).
REGISTER_KERNEL := $(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (aelib course)" --env OMP_WAIT_POLICY PASSIVE

$(STAMP_COURSE): pyproject.toml $(TORCH_STAMP) | $(PY)
	$(PIP) install --quiet -e ".[course]"
	$(REGISTER_KERNEL)
	touch $@

$(STAMP_DEV): pyproject.toml $(TORCH_STAMP) | $(PY)
	$(PIP) install --quiet -e ".[course,dev]"
	$(REGISTER_KERNEL)
	touch $(STAMP_COURSE) $@

$(STAMP_INSTRUCTOR): pyproject.toml $(TORCH_STAMP) | $(PY)
	$(PIP) install --quiet -e ".[course,dev,instructor]"
	$(REGISTER_KERNEL)
	touch $(STAMP_COURSE) $(STAMP_DEV) $@

lab: $(STAMP_COURSE)
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) $(LAB_ARGS)

test: $(STAMP_INSTRUCTOR)
	bash tools/test.sh

check: $(STAMP_INSTRUCTOR)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest tests $(PYTEST_FAST) -q -p no:cacheprovider

test-notebooks: $(STAMP_DEV)
	bash tools/test_notebooks.sh

run: $(STAMP_DEV)
	$(PY) tools/run_notebooks.py

student: $(STAMP_INSTRUCTOR)
	$(PY) tools/build_student.py

bench: $(STAMP_DEV)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) student .pytest_cache test-artifacts
