# districtwide: `make demo` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Apache Superset has its own venv: it pins pandas 2.1, SQLAlchemy 1.4 and numpy < 2.3.
SUPERSET_VENV := .venv-superset
SUPERSET_REQS := dashboards/superset/requirements.txt dashboards/superset/constraints.txt
STUDENTS ?= 5000
# make test: pytest workers (pytest-xdist); a module's tests stay on one worker (--dist loadfile),
# so its module-scoped district or Superset is built once; the longest module goes first and the
# modules of the session's shared district and Superset share one worker (tests/fixtures/schedule.py).
TEST_WORKERS ?= 2
SEED ?= 2026
export DISTRICTWIDE_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(DISTRICTWIDE_HOME)/dagster

# $(call twice,<command>): the command, and once more if it fails. uv's bytecode workers failed
# once here on a fresh venv ("Bytecode compilation failed, expected .../uvicorn/... received ''",
# uv 0.13.10) and the same install passed at once after; a second failure stops the build.
twice = ( $(1) || { echo "failed; once more: $(1)" >&2; $(1); } )

DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds -type f) \
	dbt_project/dbt_project.yml dbt_project/profiles.yml
MANIFEST := dbt_project/target/manifest.json

.PHONY: help install install-spark java lock demo load test test-fast dev bench lint lint-sql format clean superset-install chromium dashboards superset-stop

help:
	@echo "make demo      generate a $(STUDENTS)-student district and run the consolidated load"
	@echo "make load      load what waits in \$$DISTRICTWIDE_HOME/landing now (the nightly job), print the summary"
	@echo "make test      run the test suite"
	@echo "make test-fast the unit tests only (under a minute)"
	@echo "make dev       the Dagster UI on http://127.0.0.1:3000"
	@echo "make bench     the 100,000-student load and the one-day incremental, figures into BENCHMARKS.md"
	@echo "               (YEARS=3: a three-year district, its whole load and the latest year alone)"
	@echo "               (STUDENTS=1000000: the whole load at that size, no incremental)"
	@echo "make lint      ruff check and format check"
	@echo "make lint-sql  sqlfluff on the dbt models"
	@echo "make lock      rewrite requirements.lock (and requirements-spark.lock) from pyproject.toml"
	@echo "make install-spark  add the optional Spark target (.[spark], Java 17) to the venv"
	@echo "make dashboards  Superset on http://127.0.0.1:8088 with the dashboards published"
	@echo "make superset-stop  stop the Superset server that make dashboards started"

# The virtual environment, exactly the locked set in requirements.lock (uv when it can be had, pip
# otherwise), then districtwide itself, editable, without resolving again. `make lock` rewrites the
# lock from pyproject.toml after a pin changes there.
# Bytecode is compiled at install (pip does, uv only when asked): where PYTHONDONTWRITEBYTECODE is
# set, every Dagster, dbt and GX process would otherwise compile its imports from source again
# (dbt alone: 4-5 s of CPU per start, twice per load).
$(VENV)/.installed: pyproject.toml requirements.lock
	@if $(PYTHON) -m pip install -q uv >/dev/null 2>&1 && $(PYTHON) -m uv --version >/dev/null 2>&1; then \
		$(PYTHON) -m uv venv -q --allow-existing -p $(PYTHON) $(VENV) && \
		$(call twice,$(PYTHON) -m uv pip sync -q --compile-bytecode --python $(VENV)/bin/python requirements.lock) && \
		$(call twice,$(PYTHON) -m uv pip install -q --compile-bytecode --no-deps --python $(VENV)/bin/python -e .); \
	else \
		$(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q -r requirements.lock && \
		$(BIN)/pip install -q --no-deps -e .; \
	fi
	@touch $@

install: $(VENV)/.installed $(MANIFEST)

# The optional dbt target on Apache Spark (docs/scaling.md, "Spark"): dbt-spark and PySpark from
# requirements-spark.lock, which is requirements.lock plus them (its other pins equal), installed
# over the locked venv without touching its versions; and Java 17, which PySpark 4 needs
# (Debian's, only when no `java` is on the PATH).
$(VENV)/.spark-installed: $(VENV)/.installed requirements-spark.lock
	@if $(PYTHON) -m uv --version >/dev/null 2>&1; then \
		$(call twice,$(PYTHON) -m uv pip install -q --compile-bytecode --python $(VENV)/bin/python \
			-r requirements-spark.lock); \
	else \
		$(BIN)/pip install -q -r requirements-spark.lock; \
	fi
	@touch $@

install-spark: $(VENV)/.spark-installed java

java:
	@if ! command -v java >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q --no-install-recommends openjdk-17-jre-headless || \
		{ $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends openjdk-17-jre-headless; }; \
	fi

# requirements.lock: every package of the install, pinned, for Python 3.11 and 3.12 on any platform.
lock:
	@$(PYTHON) -m pip install -q uv >/dev/null 2>&1 || true
	$(PYTHON) -m uv pip compile -q pyproject.toml --extra dev --universal --python-version 3.11 \
		-o requirements.lock
	$(PYTHON) -m uv pip compile -q pyproject.toml --extra dev --extra spark --universal \
		--python-version 3.11 -c requirements.lock -o requirements-spark.lock

# Superset's venv, exactly the frozen set in constraints.txt. `python -m uv` with --python, never
# VIRTUAL_ENV=: with `python -m uv` that installs into the interpreter running uv.
$(SUPERSET_VENV)/.installed: $(SUPERSET_REQS)
	@if $(PYTHON) -m pip install -q uv >/dev/null 2>&1 && $(PYTHON) -m uv --version >/dev/null 2>&1; then \
		$(PYTHON) -m uv venv -q --allow-existing -p $(PYTHON) $(SUPERSET_VENV) && \
		$(PYTHON) -m uv pip install -q --python $(SUPERSET_VENV)/bin/python \
			-r dashboards/superset/requirements.txt -c dashboards/superset/constraints.txt; \
	else \
		$(PYTHON) -m venv $(SUPERSET_VENV) && $(SUPERSET_VENV)/bin/pip install -q \
			-r dashboards/superset/requirements.txt -c dashboards/superset/constraints.txt; \
	fi
	@touch $@

superset-install: $(SUPERSET_VENV)/.installed

# Debian's Chromium and ChromeDriver, for dashboard screenshots (no browser download at test time).
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver || \
		{ $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver; }; \
	fi

# Superset (own venv, home under the data folder) on 127.0.0.1, the dashboards published through
# Dagster; the server keeps running until `make superset-stop`.
dashboards: install $(SUPERSET_VENV)/.installed $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m districtwide dashboards up

superset-stop: $(VENV)/.installed
	$(BIN)/python -m districtwide superset stop

# Dagster loads dbt assets from the manifest: build it before anything imports the code location.
$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	@mkdir -p $(DISTRICTWIDE_HOME)
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet

# Rewritten whenever orchestration/instance/ or DISTRICTWIDE_DAGSTER_STORAGE says otherwise.
# The commands run as `python -m districtwide` from the repository root: the checkout's devtools
# and synthetic packages (not installed with the product) are importable there.
$(DAGSTER_HOME)/dagster.yaml: FORCE $(VENV)/.installed
	@$(BIN)/python -m districtwide instance write $@

FORCE:

demo: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m districtwide demo --students $(STUDENTS) --seed $(SEED)

# One consolidated load of what is in landing (the nightly job, in this process), then the summary.
load: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m districtwide load

test: install install-spark $(SUPERSET_VENV)/.installed chromium
	$(BIN)/pytest -q --durations=25 -n $(TEST_WORKERS) --dist loadfile

# The unit tests alone (no Superset, no browser, no generated district): under a minute.
test-fast: install
	$(BIN)/pytest -q tests/unit

dev: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# make bench STUDENTS=1000000: the whole load alone at that size (docs/scaling.md); the stages
# one by one and the one-day incremental are measured at 100,000 only.
# make bench YEARS=3: a district of three school years of that many students each: the whole
# load and the latest year rebuilt alone (orchestration/defs/dbt/school_years.py), nothing else.
BENCH_STUDENTS := $(if $(filter command line,$(origin STUDENTS)),$(STUDENTS),100000)
bench: install
	$(BIN)/python -m districtwide bench --students $(BENCH_STUDENTS) \
		$(if $(filter 100000,$(BENCH_STUDENTS)),,--no-incremental --no-stages) \
		$(if $(YEARS),--years $(YEARS))

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# sqlfluff on the dbt models (.sqlfluff): ~16 s on 2 cores.
lint-sql: install
	$(BIN)/sqlfluff lint dbt_project/models --processes 2 --disable-progress-bar

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(DISTRICTWIDE_HOME) dbt_project/target dbt_project/logs
