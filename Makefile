# claimtracker: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests need some key; it signs nothing that outlives the test run.
TEST_ENV := SECRET_KEY=test-only-not-secret DEBUG=false

# make serve and make stack run with DEBUG off unless the environment says otherwise.
PROD_ENV := DEBUG=$${DEBUG:-false}

.PHONY: run test lint format serve stack demo migrate clean bench

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

.env:
	cp .env.example .env

migrate: $(VENV)/.runtime .env
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

## make run: install, migrate, load the demo, make a local editor account, serve on HOST:PORT
## (127.0.0.1:8000 unless given: make run PORT=8001)
run: demo
	$(PY) manage.py create_editor --username editor --host $(HOST) --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite; uses DATABASE_URL when set, SQLite otherwise
test: $(VENV)/.dev
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

## make lint: ruff check, ruff format check, the import rule (lint-imports, contracts in pyproject.toml)
## and types (mypy with django-stubs, [tool.mypy] in pyproject.toml; its plugin imports the settings)
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(VENV)/bin/mypy

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make serve: production-style serving with gunicorn (needs SECRET_KEY and ALLOWED_HOSTS)
## (each request is logged once, with its request id, by the application: no gunicorn access log)
serve: $(VENV)/.runtime
	$(PROD_ENV) $(PY) manage.py migrate --no-input
	$(PROD_ENV) $(PY) manage.py collectstatic --no-input --verbosity 0
	$(PROD_ENV) $(VENV)/bin/gunicorn claimtracker.wsgi --preload --bind $(HOST):$(PORT) --workers 3

## make stack: the whole stack in one terminal (Procfile through honcho): gunicorn on HOST:PORT,
## a Celery worker and beat, on DATABASE_URL and CELERY_BROKER_URL (from the environment or
## .env), after migrating and collecting static files. Ctrl-C stops all three.
stack: $(VENV)/.runtime
	@$(PROD_ENV) $(PY) manage.py shell -c "from django.conf import settings; \
	raise SystemExit(None if settings.CELERY_BROKER_URL else 'make stack needs CELERY_BROKER_URL \
	(Redis, e.g. redis://127.0.0.1:6379/0) and DATABASE_URL (PostgreSQL): see README, The whole stack')"
	$(PROD_ENV) $(PY) manage.py migrate --no-input
	$(PROD_ENV) $(PY) manage.py collectstatic --no-input --verbosity 0
	mkdir -p var
	@# --env /dev/null: honcho would let .env override the real environment; the settings read
	@# .env themselves, where real variables win, as everywhere else.
	$(PROD_ENV) HOST=$(HOST) PATH="$(abspath $(VENV))/bin:$$PATH" \
	    $(VENV)/bin/honcho start --procfile Procfile --env /dev/null --port $(PORT)

## make bench: fill claimtracker_bench (100k claims; BENCH_ARGS="--claims 1000000") and measure;
## then the peak memory of export and import on it (bench/memory.py; MEMORY_ARGS="--database …")
bench: $(VENV)/.runtime
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/memory.py $(MEMORY_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .import_linter_cache .mypy_cache
