# Two commands: `make run` (the panel with demo data) and `make test` (everything CI runs).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
KAIROS_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
LIGHTHOUSE_VERSION := 12.8.2
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse
# --durations: the slowest tests are named at the end of each run, to know where the run's time goes.
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider --durations=12
# tests/ runs on one worker per core (pytest-xdist): each worker has its own SQLite files and its own PostgreSQL
# database (tests/conftest.py names it per run), so they share nothing but the servers.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test install python-deps system-deps lighthouse-tools lint unit e2e clean i18n-extract i18n-init

run: python-deps install
	@echo '==> Database and demo data (an existing demo is kept)'
	$(BIN)/kairos demo --if-empty
	@echo '==> Serving the panel (Ctrl+C stops it)'
	$(BIN)/kairos serve

test: system-deps install lint unit e2e
	@echo '==> All checks passed'

install: $(STAMP)

# Reinstall only when the project's dependencies change. pip is upgraded first: the one bundled with Python 3.11
# fails on extras spelled with an underscore ([asyncio_client]).
$(STAMP): pyproject.toml | $(BIN)/python
	@echo '==> Installing Kairos and its test tools into $(VENV)'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BIN)/python:
	@echo '==> Creating $(VENV)'
	$(PYTHON) -m venv $(VENV)

# Translations (README, "Languages"): gather every marked text into the template, then add what is new to each
# language's catalog (new texts arrive empty, changed ones fuzzy: tests/unit/test_i18n_catalogs.py fails until a
# translator fills them). No compile step: services/i18n.py reads the .po files once per process.
LOCALES := services/locales
I18N_KEYWORDS := --no-default-keywords -k t -k tn:1,2 -k gettext -k ngettext:1,2 -k lazy -k lazy_plural:1,2 -k N_
i18n-extract: install
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output --add-comments=Translators: \
		--project=Kairos --copyright-holder=Kairos --msgid-bugs-address=dev@kairos.local -o $(LOCALES)/kairos.pot .
	$(BIN)/pybabel update -i $(LOCALES)/kairos.pot -d $(LOCALES) -D kairos --ignore-obsolete

# A new language: make i18n-init LOCALE=fr (then add it to SHIPPED_LOCALES in domain/i18n.py and translate).
i18n-init: install
	$(BIN)/pybabel init -i $(LOCALES)/kairos.pot -d $(LOCALES) -D kairos -l $(LOCALE)

# Debian packages: Python with its venv module (Debian ships ensurepip in python3-venv), and for the tests Chromium,
# which Playwright drives through executable_path (its own browser download is not used).
python-deps:
	@if ! { command -v $(PYTHON) >/dev/null && $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; }; then \
		echo '==> Installing python3 and python3-venv'; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv; \
	fi

system-deps: python-deps
	@missing=''; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	{ command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; } || missing="$$missing haproxy"; \
	if [ -n "$$missing" ]; then \
		echo "==> Installing$$missing (Playwright drives chromium; e2e/test_instances.py runs haproxy)"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else echo '==> Chromium and HAProxy present'; fi

# Lighthouse from the npm registry into .lighthouse/ (not committed), once; it drives Debian's Chromium.
lighthouse-tools: $(LIGHTHOUSE)

$(LIGHTHOUSE):
	@if ! command -v npm >/dev/null; then \
		echo '==> Installing Node.js and npm (for Lighthouse)'; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; \
	fi
	@echo '==> Installing Lighthouse $(LIGHTHOUSE_VERSION) into .lighthouse/'
	npm install --prefix .lighthouse --no-audit --no-fund --loglevel=error lighthouse@$(LIGHTHOUSE_VERSION)

lint: install
	@echo '==> ruff'
	$(BIN)/ruff check .
	@echo '==> import-linter (layer contracts)'
	$(BIN)/lint-imports
	@echo '==> mypy (strict for domain/, storage/ and services/; see [tool.mypy] in pyproject.toml)'
	$(BIN)/mypy

# SQLite always; PostgreSQL at KAIROS_TEST_POSTGRES_URL, which must answer (the run fails, never skips, otherwise).
unit: install
	@echo "==> pytest tests (SQLite, and PostgreSQL at $(KAIROS_TEST_POSTGRES_URL))"
	KAIROS_TEST_POSTGRES_URL='$(KAIROS_TEST_POSTGRES_URL)' $(PYTEST) -n $(TEST_WORKERS) tests

# Its own process: Playwright's sync API leaves an event loop that breaks pytest-asyncio tests run after it.
# e2e/test_lighthouse.py runs Lighthouse from .lighthouse/ against the same server. One worker per core, each test
# file on one worker (--dist loadfile: a file's journeys keep their order); each worker starts its own server with
# its own demo database, so a journey mostly waits for Chromium and the server, and two overlap well.
e2e: install lighthouse-tools
	@echo '==> pytest e2e (real Chromium against a running server)'
	@status=0; KAIROS_TEST_POSTGRES_URL='$(KAIROS_TEST_POSTGRES_URL)' $(PYTEST) -n $(TEST_WORKERS) --dist loadfile e2e || status=$$?; \
	if [ $$status -eq 5 ] && ! find e2e -name 'test_*.py' | grep -q .; then \
		echo '    no end-to-end tests yet'; \
	elif [ $$status -ne 0 ]; then exit $$status; fi

clean:
	rm -rf $(VENV) var e2e/artifacts .lighthouse
