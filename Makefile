# casemgr developer tasks. `make run` for the Boston demo, `make test` for lint + tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
CHROMIUM := /usr/bin/chromium
DEMO := CASEMGR_PROFILE=boston
PYTEST_ARGS ?=

.PHONY: help venv chromium run prod test lint format bench assets translations clean distclean

help:
	@echo "make venv       create/refresh .venv from requirements-dev.txt (incremental)"
	@echo "make chromium   install Debian's chromium for browser tests (as root, if missing)"
	@echo "make run        init the database, seed demo users, import Boston 311, serve :5000"
	@echo "make prod       production: migrate, then gunicorn + RQ workers + scheduler (docs/production.md)"
	@echo "make test       ruff check + pytest (PYTEST_ARGS='-k foo' to pass options)"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make format     sort imports and format with ruff"
	@echo "make bench      run every benchmark (bench/all.py last: one JSON line; docs/performance.md)"
	@echo "make assets     re-vendor Leaflet and rebuild the modeller bundle from npm (needs Node)"
	@echo "make translations  extract the page strings, update translations/*.po, compile the .mo"
	@echo "make clean      remove caches and build leftovers; distclean also removes .venv"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements-dev.txt
	$(BIN)/python -m pip install -e . --no-deps
	touch $@

chromium:
	@if [ -x $(CHROMIUM) ]; then \
		echo "chromium: $(CHROMIUM) present"; \
	else \
		for try in 1 2 3 4 5 6 7 8 9 10; do \
			apt-get -o DPkg::Lock::Timeout=300 update && break; \
			[ $$try -lt 10 ] || exit 1; \
			echo "apt-get update failed (apt busy?); retrying in 15s" >&2; sleep 15; \
		done; \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium; \
	fi

# DATABASE_URL, REDIS_URL, SECRET_KEY and the rest come from the environment when set.
run: venv
	$(DEMO) $(FLASK) casemgr init-db
	$(DEMO) $(FLASK) casemgr seed-demo
	$(DEMO) $(FLASK) casemgr import-311 data/boston311-100.csv --timezone America/New_York
	@# The timer sweep runs beside the web server and stops with it.
	$(DEMO) $(FLASK) casemgr scheduler & trap "kill $$! 2>/dev/null" EXIT INT TERM; \
		$(DEMO) $(FLASK) run --host 127.0.0.1 --port 5000

# Needs SECRET_KEY, DATABASE_URL (PostgreSQL) and REDIS_URL; see docs/production.md.
prod: venv
	$(BIN)/python -m casemgr.ops.production

test: venv chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

# Against PostgreSQL (BENCH_DATABASE_URL, default bench_perf, which it wipes) and Redis.
bench: venv
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/sla_sweep.py
	$(BIN)/python bench/all.py

assets:
	bash scripts/vendor_assets.sh

# The compiled .mo files are committed, so `make run` needs no build step; run this after
# changing the strings of a page, translate the new entries of the .po, and run it again.
translations: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project casemgr -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/pybabel compile -d translations --statistics

clean:
	find . \( -path ./$(VENV) -o -path ./node_modules \) -prune -o \
		-type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache build dist *.egg-info node_modules

distclean: clean
	rm -rf $(VENV)
