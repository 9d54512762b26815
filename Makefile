# The README's commands. `make run` serves the demo; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := portal
LINTED := portal tests $(wildcard bench)

.PHONY: run test install install-dev lint i18n migrate demo e2e-browser bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(VENV)/.installed-dev

## make run: install, migrate the embedded SQLite database, load the demo data, serve on :5000
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: lint, type-check, catalogs, then the whole suite (unit, integration, browser)
test: install-dev e2e-browser
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy portal $(wildcard bench)
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy portal $(wildcard bench)

## make i18n: extract strings into messages.pot, update the fi/sv catalogs, compile them
i18n: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d translations --statistics

## make bench: CPU against a baseline, SQL counts, page weights, booking races, load, scale (under 15 minutes)
bench: install-dev
	$(BIN)/python -m bench.run

## make bench-quick: the same lines with smaller data and fewer rounds (under 3 minutes)
bench-quick: install-dev
	$(BIN)/python -m bench.run --quick

migrate: install
	$(BIN)/flask db upgrade

demo: install
	$(BIN)/flask demo load

## The browser tests drive Debian's Chromium, and the receipt test draws a PDF page with
## poppler's pdftoppm; install them when they are missing and we may.
e2e-browser:
	@{ command -v chromium && command -v pdftoppm; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core poppler-utils >/dev/null; \
	  else echo "Install Chromium and poppler first: sudo apt-get install chromium poppler-utils"; exit 1; fi; }

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache .mypy_cache .ruff_cache
