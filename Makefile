# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make run    the pipeline locally (embedded warehouse, dictionaries, Airflow on SQLite)
#   make test   the whole test suite
# Both start with `make install`, which builds .venv from the pinned requirements.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PYTHONPATH := $(CURDIR)/plugins

.PHONY: install run test lint constraints bench

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r requirements-dev.txt -c constraints.txt
	@# Debian packages the tests use: docker-compose 1.x validates docker-compose.yaml without a
	@# Docker engine; chromium shows the quality report to its browser test (Playwright).
	@missing=""; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -z "$$missing" ] || { \
		command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
		|| echo "missing:$$missing: install Debian's package(s) of that name"
	touch $@

run: install
	$(BIN)/python -m estat run

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/run.py --memory-series

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every transitive dependency after changing requirements*.txt.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt
	.venv-constraints/bin/pip freeze --exclude-editable | sort > constraints.txt
	rm -rf .venv-constraints
