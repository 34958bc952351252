# claimtracker: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests need some key; it signs nothing that outlives the test run.
TEST_ENV := SECRET_KEY=test-only-not-secret DEBUG=false

.PHONY: run test lint format serve demo migrate clean bench

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

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make serve: production-style serving with gunicorn (needs SECRET_KEY and ALLOWED_HOSTS)
serve: $(VENV)/.runtime
	DEBUG=$${DEBUG:-false} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-false} $(PY) manage.py collectstatic --no-input --verbosity 0
	DEBUG=$${DEBUG:-false} $(VENV)/bin/gunicorn claimtracker.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile -

## make bench: fill claimtracker_bench (100k claims; BENCH_ARGS="--claims 1000000") and measure
bench: $(VENV)/.runtime
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
