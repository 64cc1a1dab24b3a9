# Sapat: the two commands a new machine needs are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test lint test-sqlite test-postgres pytest-sqlite pytest-postgres bench venv translations migrate demo i18n-update i18n-check clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

translations: venv
	$(PY) -m app.i18n_catalogs compile

migrate: translations
	$(FLASK) db upgrade

demo: migrate
	HOST=$(HOST) PORT=$(PORT) $(FLASK) demo --if-empty

## make run: set up, migrate, load the demo school if the database is empty, serve. The `flask`
## command runs in development, which generates its secret key into instance/secret_key (0600)
## on first start; gunicorn without SAPAT_ENV runs in production and needs SECRET_KEY.
run: demo
	@echo "Sapat is at http://$(HOST):$(PORT)/"
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: ruff, then the whole suite on SQLite and, when 127.0.0.1:5432 answers, on PostgreSQL
## at the same time (each run has its own database and files; the PostgreSQL run's output follows
## the SQLite run's). A few tests of what does not depend on the database (one_run in
## tests/conftest.py) run on one of the two only. `make test-sqlite` / `make test-postgres` run one
## of them, with every test.
PG_UP = $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null
test: translations lint
	@status=0; pg=0; mkdir -p instance; \
	if $(PG_UP); then \
		pg=1; ( SAPAT_TEST_BOTH=1 $(MAKE) --no-print-directory pytest-postgres > instance/test-postgres.log 2>&1; \
			echo $$? > instance/test-postgres.rc ) & \
	else echo "PostgreSQL is not reachable on 127.0.0.1:5432: skipping the PostgreSQL run"; fi; \
	echo "== SQLite"; SAPAT_TEST_BOTH=$$pg $(MAKE) --no-print-directory pytest-sqlite || status=1; \
	if [ $$pg = 1 ]; then wait; echo "== PostgreSQL"; cat instance/test-postgres.log; \
		[ "$$(cat instance/test-postgres.rc)" = 0 ] || status=1; fi; \
	exit $$status

lint: venv
	$(VENV)/bin/ruff check .

test-sqlite: translations lint pytest-sqlite

test-postgres: translations pytest-postgres

pytest-sqlite:
	SAPAT_TEST_DB=sqlite $(PY) -m pytest -q -p no:cacheprovider --durations=15 $(PYTEST_ARGS) tests

pytest-postgres:
	SAPAT_TEST_DB=postgres PG_ADMIN_URL=$(PG_ADMIN_URL) $(PY) -m pytest -q -p no:cacheprovider --durations=15 $(PYTEST_ARGS) tests

bench: translations
	$(PY) -m bench

i18n-update: venv
	$(PY) -m app.i18n_catalogs update $(AREA)

i18n-check: venv
	$(PY) -m app.i18n_catalogs check

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-* .pytest_cache
