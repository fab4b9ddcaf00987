# Kuntaportaali developer tasks. `make help` lists them.
#
#   make demo     run the portal locally (SQLite, Redis, web + worker + cron scheduler)
#   make test     run the test suite (PostgreSQL, Redis, headless Chromium, axe-core)
#
# Both work on a fresh Debian machine with Python 3.11+: missing system packages (redis-server,
# postgresql, chromium-headless-shell, nodejs, npm, python3-venv, gettext, Pango and DejaVu fonts for PDFs) are
# installed with apt-get when run as root; otherwise the error message names the package.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp

# Test defaults; values already set in the environment win.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kuntaportaali
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Extra pytest arguments: make test ARGS="-k consent -x"
ARGS ?=
# Which tests `make test` runs (pytest -m): all but those that take seconds each - whole simulated
# campaigns and the whole demo (slow), real worker processes killed and restarted (processes), the
# data migrations run back and forth (migrations) - which `make test-all` and CI run too.
# TEST_MARKERS= runs every test.
TEST_MARKERS ?= not slow and not processes and not migrations

# `apt-get update` runs at most once per make invocation: the first install (scripts/lib.sh)
# creates this stamp file, the others see it and skip the update.
ifndef KP_APT_STAMP
KP_APT_STAMP := $(shell mktemp -u "$${TMPDIR:-/tmp}/kuntaportaali-apt-updated.XXXXXX")
endif
export KP_APT_STAMP

.PHONY: help venv install install-dev demo test test-all bench services lint messages check-deploy clean distclean

help: ## List the tasks
	@echo "Kuntaportaali: make TARGET"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	    awk -F':.*## ' '{ printf "  %-13s %s\n", $$1, $$2 }'

# --- Python virtual environment ---------------------------------------------------------------

$(VENV)/bin/pip:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	    echo "ERROR: Python 3.11 or newer is needed as '$(PYTHON)' (found: $$($(PYTHON) -V 2>&1))." >&2; \
	    echo "       Install it, or name it: make PYTHON=python3.11 ..." >&2; \
	    exit 1; }
	@echo "venv: creating $(VENV) with $$($(PYTHON) -V)"
	@if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1 || [ ! -x $@ ]; then \
	    rm -rf $(VENV); \
	    echo "venv: '$(PYTHON) -m venv' needs Debian's python3-venv package"; \
	    bash scripts/lib.sh venv apt_install python3-venv; \
	    $(PYTHON) -m venv $(VENV); \
	fi

$(STAMP): requirements.txt | $(VENV)/bin/pip
	@echo "venv: installing requirements.txt"
	@$(PIP) install --quiet -r requirements.txt
	@touch $@

# requirements-dev.txt includes requirements.txt, so this also satisfies $(STAMP).
$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/pip
	@echo "venv: installing requirements-dev.txt (includes requirements.txt)"
	@$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(STAMP)

venv: $(VENV)/bin/pip ## Create .venv (nothing installed)
install: $(STAMP) ## Install runtime requirements into .venv (only when requirements.txt changed)
install-dev: $(DEV_STAMP) ## Install runtime + test/lint requirements into .venv

# --- Demo -------------------------------------------------------------------------------------

demo: install ## Run the demo at http://127.0.0.1:8000/ (migrate, seed_demo, web + worker + cron)
	@bash scripts/demo.sh

# --- Tests ------------------------------------------------------------------------------------

test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export REDIS_URL ?= $(TEST_REDIS_URL)
test: install-dev services ## Run the tests on PostgreSQL, Redis and headless Chromium (ARGS="..." for pytest)
	@echo "test: DATABASE_URL=$$DATABASE_URL REDIS_URL=$$REDIS_URL"
	$(VENV)/bin/pytest -m "$(TEST_MARKERS)" $(ARGS)

test-all: ## Run every test, the slow ones too (as CI does)
	@$(MAKE) --no-print-directory test TEST_MARKERS= ARGS='$(ARGS)'

bench: export DATABASE_URL ?= $(TEST_DATABASE_URL)
bench: export REDIS_URL ?= $(TEST_REDIS_URL)
bench: install-dev services ## Run the benchmarks in benchmarks/ (figures belong in docs/benchmarks.md)
	@for module in benchmarks/bench_*.py; do \
	    module=$${module%.py}; $(PY) -m $${module//\//.}; \
	done

services: ## Make sure Redis, PostgreSQL, Chromium, Node.js, axe-core and Pango are there (installs/starts them)
	@bash scripts/ensure-redis.sh
	@bash scripts/ensure-postgres.sh
	@bash scripts/ensure-chromium.sh
	@bash scripts/ensure-node.sh
	@bash scripts/ensure-pdf-libs.sh

# --- Code quality, translations, deployment check ---------------------------------------------

lint: install-dev ## Lint the Python code with ruff
	$(VENV)/bin/ruff check .

messages: install ## Update locale/ catalogues for Finnish and Swedish and compile them
	@if ! command -v xgettext >/dev/null || ! command -v msgfmt >/dev/null; then \
	    echo "messages: GNU gettext is not installed"; \
	    bash scripts/lib.sh messages apt_install gettext; \
	fi
	$(PY) manage.py makemessages -l fi -l sv --no-location --ignore=node_modules --ignore=staticfiles --ignore=var --ignore=tests --ignore=benchmarks
	$(PY) manage.py compilemessages -l fi -l sv --ignore=.venv --ignore=node_modules

# Production settings with placeholder values: what `check --deploy` says about the settings
# themselves. A real deployment runs the same command with its real environment.
check-deploy: install ## Run `manage.py check --deploy` with production settings (placeholder env)
	@echo "check-deploy: production settings, placeholder values for unset variables"
	@DJANGO_SETTINGS_MODULE=kuntaportaali.settings.production \
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-https://portaali.example.fi}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-portaali.example.fi}" \
	DATABASE_URL="$${DATABASE_URL:-postgres://kuntaportaali@127.0.0.1:5432/kuntaportaali}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" \
	PHONE_ENCRYPTION_KEYS="$${PHONE_ENCRYPTION_KEYS:-$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')}" \
	PHONE_HASH_KEY="$${PHONE_HASH_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))')}" \
	CREDENTIAL_ENCRYPTION_KEYS="$${CREDENTIAL_ENCRYPTION_KEYS:-$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')}" \
	TELEPHONY_PROVIDER="$${TELEPHONY_PROVIDER:-twilio}" \
	TWILIO_ACCOUNT_SID="$${TWILIO_ACCOUNT_SID:-AC00000000000000000000000000000000}" \
	TWILIO_AUTH_TOKEN="$${TWILIO_AUTH_TOKEN:-placeholder-twilio-auth-token}" \
	$(PY) manage.py check --deploy --fail-level WARNING

# --- Cleaning ---------------------------------------------------------------------------------

clean: ## Remove caches and collected static files
	rm -rf .pytest_cache .ruff_cache staticfiles
	find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune -o \
	    -type d -name __pycache__ -exec rm -rf {} +

distclean: clean ## Also remove .venv, node_modules, the demo database and var/ (demo mails)
	rm -rf $(VENV) node_modules var db.sqlite3
