# Two commands, each self-sufficient on a machine with Python 3.10+ and make:
#   make lab    build .venv if needed, then open the course in JupyterLab
#   make test   build .venv if needed, then lint and run every test
# and, for a teacher:
#   make demo   build .venv if needed, then serve each lesson's demonstrations for a projector
PYTHON ?= python3
# One BLAS thread: the course's matrices are small, and threads that split
# them cost far more than they save (10 to 100 times slower on a busy 2-core machine).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export VECLIB_MAXIMUM_THREADS ?= 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test install clean site demo

# JupyterLab refuses to run as root unless told; only then is it told.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT) notebooks/01_modeling_sequences.ipynb

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The executed notebooks as static pages in site/, readable offline: open site/index.html,
# or publish the folder on any static host.
site: $(STAMP)
	$(BIN)/python tools/build_site.py

# One page per lesson (its widgets and key figures, no code, no exercises), built from the
# lessons into build/demo/ and served by Voila on 127.0.0.1; the address is printed, Ctrl-C stops it.
demo: $(STAMP)
	$(BIN)/python tools/demo.py

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "rnnlib needs Python 3.10 or newer, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

clean:
	rm -rf $(VENV)
