# The course's commands. Only Python 3 (>= 3.10), bash and make are needed; everything else is
# installed into .venv by the first command you run.
#
#   make lab        set up, then open JupyterLab at notebook 01        (the course)
#   make test       set up, then run every test: ruff, unit, sync, notebooks (nbval), browser
#   make run        set up, then execute all notebooks headless and print each one's time
#   make student    build student/ (solutions stripped) from the instructor notebooks
#   make bench      run the benchmarks, write benchmarks/RESULTS.md

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL := $(VENV)/share/jupyter/kernels/python3/kernel.json
FIRST := notebooks/01_reconstruction_as_anomaly_score.ipynb

.PHONY: lab test run student bench setup clean

setup: $(STAMP) $(KERNEL)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -e ".[dev,instructor]"
	touch $(STAMP)

# Register this environment's Python as the "python3" kernel inside the venv itself, so Jupyter,
# nbval and nbclient started from .venv always run notebooks with the course's packages.
$(KERNEL): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (aelib course)"

lab: setup
	$(VENV)/bin/jupyter lab $(FIRST)

test: setup
	bash tools/test.sh

run: setup
	$(PY) tools/run_notebooks.py

student: setup
	$(PY) tools/build_student.py

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) student .pytest_cache test-artifacts
