# icahub — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: run serve install setup browser test test-fast test-e2e lint format bench messages clean

$(STAMP): pyproject.toml requirements.lock package.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	npm install --silent --no-audit --no-fund
	touch $(STAMP)

install: $(STAMP)

## Compile translations, migrate, load reference data and demo users (idempotent).
setup: install
	$(MANAGE) compile_translations -v 0 > /dev/null
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_reference_data
	$(MANAGE) load_demo_data

## Serve the development site on http://127.0.0.1:$(PORT) (DATABASE_URL selects the database).
run: setup
	@echo ""
	@echo "icahub is starting on http://127.0.0.1:$(PORT)/  (stop it with Ctrl+C)"
	@echo ""
	@# The background worker (imports, matching recomputes, relay reminders) runs beside the site and
	@# stops with it.
	$(MANAGE) worker -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

## The production stack (gunicorn + whitenoise, the worker, DEBUG off, PostgreSQL): settings
## from the environment or ENV_FILE (see deploy/icahub.env.sample and docs/operations.md).
serve: install
	scripts/serve

## Debian's chromium and chromium-driver (browser tests), Pango and Noto fonts (PDF reports),
## installed when missing.
browser:
	scripts/ensure-system-packages

## The whole test suite, browser tests included (installs what it needs first).
test: install browser
	$(MANAGE) compile_translations -v 0 > /dev/null
	$(BIN)/python -m pytest -m e2e --durations=10
	$(BIN)/python -m pytest -m "not e2e" -n 2 --durations=25

## Everything but the browser tests.
test-fast: install
	$(MANAGE) compile_translations -v 0 > /dev/null
	$(BIN)/python -m pytest -m "not e2e" -n 2 --durations=25

## Only the browser tests (Playwright driving Debian's chromium, axe-core on every page).
test-e2e: install browser
	$(MANAGE) compile_translations -v 0 > /dev/null
	$(BIN)/python -m pytest -m e2e --durations=10

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Extract translatable strings into locale/*/LC_MESSAGES/django.po.
messages: install
	$(MANAGE) makemessages -l fr -l es -l ar --ignore=.venv --ignore=node_modules --ignore=benchmarks --no-obsolete

## Benchmarks: they print figures and are not tests (docs/performance.md). The micro
## benchmarks use temporary SQLite files (DATABASE_URL is ignored); the load test
## (benchmarks/load.py) needs a PostgreSQL database of its own in DATABASE_URL, where it writes
## the scale-1 benchmark data set when missing, and starts `make serve` on loopback.
bench: install
	env -u DATABASE_URL $(BIN)/python benchmarks/run.py
	env -u DATABASE_URL $(BIN)/python benchmarks/report_import.py
	env -u DATABASE_URL $(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) node_modules staticfiles
