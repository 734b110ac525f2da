# The two commands of the README: `make run` and `make test`. Everything they need is
# installed here, so a fresh Debian machine with Python 3.11 is enough.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
RUN_APT := gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_APT := $(RUN_APT) chromium poppler-utils zbar-tools postgresql-client
HOST ?= 127.0.0.1
PORT ?= 8000
PROD_PORT ?= 8765

.PHONY: run test venv system-deps browser-deps messages migrate seed lint format bench clean \
	prod-services prod-local prove-pipeline test-prodlocal

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# Debian packages: gettext (compilemessages), Japanese fonts, Chromium for the browser tests.
APT_PACKAGES ?= $(RUN_APT)
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# axe-core (accessibility rules) from npm, pinned by package-lock.json.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

browser-deps: node_modules/axe-core/axe.min.js
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(TEST_APT)"

messages: venv
	@dpkg -s gettext >/dev/null 2>&1 || $(MAKE) system-deps
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: venv
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py textsearch_reindex

run: system-deps venv messages seed
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv browser-deps messages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	# Security lint: no medium or high finding; each reviewed exception is a "# nosec" with a reason.
	$(VENV)/bin/bandit --quiet --recursive lms cms --exclude '*/migrations/*' --severity-level medium

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: venv
	$(PY) bench/pages.py
	$(PY) bench/quiz.py
	$(PY) bench/certificates.py
	$(PY) bench/gradebook.py

# --- The production-like run (docs/operations.md): gunicorn + task worker with the production
# settings on this machine's PostgreSQL and Redis, media on a local S3-compatible server.
# PostgreSQL and Redis are started here when they are not running.
prod-services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no

prod-local: system-deps venv messages prod-services
	$(PY) -m ops.prodlocal --port $(PROD_PORT)

# Walks enroll → fieldwork → lesson → quiz over HTTP and shows the certificate rendered by
# the worker, after the completing request returned (ops/prove_pipeline.py).
prove-pipeline: venv messages prod-services
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(RUN_APT) poppler-utils"
	$(PY) -m ops.prove_pipeline

test-prodlocal: venv messages prod-services
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(RUN_APT) poppler-utils"
	$(VENV)/bin/pytest tests/ops/test_prod_local.py -m prodlocal -q -p no:cacheprovider

clean:
	rm -rf $(VENV) node_modules staticfiles
