# districtwide: `make demo` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STUDENTS ?= 5000
SEED ?= 2026
export DISTRICTWIDE_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(DISTRICTWIDE_HOME)/dagster

DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds -type f) \
	dbt_project/dbt_project.yml dbt_project/profiles.yml
MANIFEST := dbt_project/target/manifest.json

.PHONY: help install demo test dev bench lint format clean

help:
	@echo "make demo      generate a $(STUDENTS)-student district and run the consolidated load"
	@echo "make test      run the test suite"
	@echo "make dev       the Dagster UI on http://127.0.0.1:3000"
	@echo "make bench     the 100,000-student load, figures into BENCHMARKS.md"
	@echo "make lint      ruff check and format check"

# The virtual environment, from the pinned pyproject (uv when it can be had, pip otherwise).
# Bytecode is compiled at install (pip does, uv only when asked): where PYTHONDONTWRITEBYTECODE is
# set, every Dagster, dbt and GX process would otherwise compile its imports from source again
# (dbt alone: 4-5 s of CPU per start, twice per load).
$(VENV)/.installed: pyproject.toml
	@if $(PYTHON) -m pip install -q uv >/dev/null 2>&1 && $(PYTHON) -m uv --version >/dev/null 2>&1; then \
		$(PYTHON) -m uv venv -q --allow-existing -p $(PYTHON) $(VENV) && \
		$(PYTHON) -m uv pip install -q --compile-bytecode --python $(VENV)/bin/python -e ".[dev]"; \
	else \
		$(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q -e ".[dev]"; \
	fi
	@touch $@

install: $(VENV)/.installed $(MANIFEST)

# Dagster loads dbt assets from the manifest: build it before anything imports the code location.
$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	@mkdir -p $(DISTRICTWIDE_HOME)
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet

$(DAGSTER_HOME)/dagster.yaml:
	@mkdir -p $(DAGSTER_HOME)
	@$(BIN)/python -m orchestration.instance > $@

demo: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m orchestration.demo --students $(STUDENTS) --seed $(SEED)

test: install
	$(BIN)/pytest -q

dev: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: install
	$(BIN)/python -m orchestration.bench --students 100000

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(DISTRICTWIDE_HOME) dbt_project/target dbt_project/logs
