# Two commands on a fresh machine: `make run` and `make test`. Both bootstrap .venv from pyproject.toml.
#   make run        the web app on http://127.0.0.1:8000/ (`lightdose serve --demo`: records with a demo clinic of
#                   synthetic patients and a printed demo login, unless LIGHTDOSE_DATABASE_URL is set; Ctrl-C stops it)
#   make test       ruff, mypy and the whole pytest suite (what CI runs)
#   make test-fast  the same without the tests marked slow (tests/conftest.py), for the inner loop
#   make lint       ruff;  make typecheck: mypy (configured in pyproject.toml)
#   make fuzz       the property-based tests with many examples (HYPOTHESIS_PROFILE=long)
#   make mutate     the physics mutation check (tools/mutate.py; not part of CI)
#   make bench      the benchmarks (docs/benchmarks.md)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_PATHS := src tests benchmarks tools

.PHONY: run test test-fast lint typecheck fuzz mutate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lightdose serve --demo

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

test-fast: lint typecheck
	$(BIN)/python -m pytest -m "not slow"

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -m fuzz

mutate: $(STAMP)
	$(BIN)/python tools/mutate.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
