# Mødested: everything a fresh clone needs is installed by these targets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
RUN_ADDR ?= 127.0.0.1:8000
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test lint bench install messages e2e clean

$(UV):
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --inexact --python $(BIN)/python
	@touch $@

install: $(VENV)/.synced

## make run: migrate, load the demo data and serve web + Celery worker + beat on http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runall --addr $(RUN_ADDR)

## make test: the whole suite (SQLite by default; PostgreSQL and Redis with DATABASE_URL and REDIS_URL)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make e2e: only the browser tests (headless Chromium at /usr/bin/chromium)
e2e: install
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

## make lint: ruff, the import contract of the layers (pyproject.toml [tool.importlinter]) and
## the types (mypy with django-stubs and DRF stubs, pyproject.toml [tool.mypy])
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check core identity events rooms volunteers notifications plans tests
	$(BIN)/lint-imports
	$(BIN)/mypy

## make bench: the production stack (PostgreSQL, Redis, gunicorn, Celery, SMTP sink) measured
## against its floors (docs/benchmarks.md); wrk, for the outside check, comes from Debian's packages
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get install -y -qq wrk >/dev/null; } || echo "wrk not installed: no outside check"
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

messages: install
	for app in core identity rooms events volunteers notifications plans; do \
		(cd $$app && ../$(BIN)/python ../manage.py makemessages -l da --no-obsolete); done

clean:
	rm -rf $(VENV) var
