# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := $(VENV)/share/jupyter/kernels/cjm/kernel.json
DEMO   ?= demo

.PHONY: demo test test-all install kernel lint clean-demo benchmark

install: $(STAMP) $(KERNEL)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name cjm --display-name "CJM Workbench" >/dev/null

kernel: $(KERNEL)

demo: install
	$(BIN)/cjm demo $(DEMO)

test: install
	$(BIN)/python -m pytest -q

test-all: install
	$(BIN)/python -m pytest -q -m "slow or not slow"

lint: install
	$(BIN)/ruff check cjmlib tests notebooks

benchmark: install
	$(BIN)/python benchmarks/run.py

clean-demo:
	rm -rf $(DEMO)
