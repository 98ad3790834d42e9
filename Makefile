# Two commands for a newcomer: `make run` (the portal with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
TLS_PORT ?= 8443
# The settings default to production's DEBUG off; on a developer's machine it is on.
export DEBUG ?= true

.PHONY: setup run run-tls test test-fast lint format tools worker beat messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data

run: setup
	@echo "Mijn Z login: http://$(HOST):$(PORT)/  (demo logins in README.md)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The portal behind a local TLS proxy (nginx, installed when missing) that asks for client
# certificates of the test CA under var/pki/: logging in with an EH4 certificate (README.md).
run-tls: setup
	@PY=$(PY) PORT=$(PORT) TLS_PORT=$(TLS_PORT) scripts/run-tls.sh

# Debian tools the tests call (Chromium, oathtool, pdftotext, LibreOffice, nginx), installed when
# missing.
tools:
	@scripts/ensure-test-tools.sh

# The suite runs on PostgreSQL whenever it can: on DATABASE_URL when it is set (CI), else on the
# local server when it answers within a second, else on SQLite, where the tests that need
# PostgreSQL are skipped and the summary says so for each.
LOCAL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/zlogin_dev
LOCAL_POSTGRESQL_ANSWERS = $(PY) -c 'import sys, psycopg; psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=1).close()' '$(LOCAL_DATABASE_URL)' >/dev/null 2>&1

test: $(STAMP) tools
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "$(PY) -m pytest  # on DATABASE_URL"; $(PY) -m pytest; \
	elif $(LOCAL_POSTGRESQL_ANSWERS); then \
	  echo "DATABASE_URL=$(LOCAL_DATABASE_URL) $(PY) -m pytest  # PostgreSQL answers"; \
	  DATABASE_URL='$(LOCAL_DATABASE_URL)' $(PY) -m pytest; \
	else \
	  echo "$(PY) -m pytest  # on SQLite: no PostgreSQL at $(LOCAL_DATABASE_URL)"; $(PY) -m pytest; \
	fi

test-fast: $(STAMP)
	$(PY) -m pytest -m "not e2e and not integration"

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

worker: $(STAMP)
	$(VENV)/bin/celery -A zlogin worker -l info

beat: $(STAMP)
	$(VENV)/bin/celery -A zlogin beat -l info

# Regenerate the English catalogue after changing translatable strings (needs gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf var staticfiles .pytest_cache
