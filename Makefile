# Two commands for a newcomer: `make run` (the portal with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# The settings default to production's DEBUG off; on a developer's machine it is on.
export DEBUG ?= true

.PHONY: setup run test test-fast lint format tools worker beat messages clean

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

# Debian tools the tests call (Chromium, oathtool, pdftotext, LibreOffice), installed when missing.
tools:
	@scripts/ensure-test-tools.sh

test: $(STAMP) tools
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not e2e and not integration"

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

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
