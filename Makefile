# Sapat: the two commands a new machine needs are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test lint test-sqlite test-postgres bench venv translations migrate demo i18n-update i18n-check clean

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

## make test: the whole suite on SQLite, then on PostgreSQL when 127.0.0.1:5432 answers.
test: translations
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres || status=1; \
	else echo "PostgreSQL is not reachable on 127.0.0.1:5432: skipping the PostgreSQL run"; fi; \
	exit $$status

lint: venv
	$(VENV)/bin/ruff check .

test-sqlite: translations lint
	SAPAT_TEST_DB=sqlite $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS) tests

test-postgres: translations
	SAPAT_TEST_DB=postgres PG_ADMIN_URL=$(PG_ADMIN_URL) $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS) tests

bench: translations
	$(PY) -m bench

i18n-update: venv
	$(PY) -m app.i18n_catalogs update $(AREA)

i18n-check: venv
	$(PY) -m app.i18n_catalogs check

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-* .pytest_cache
