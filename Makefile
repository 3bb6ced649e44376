# tthc-assistant: `make run` starts everything, `make test` runs every test. Both set up a fresh
# machine first (environments, database, model) and install or retrain nothing when up to date.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.10 (Rasa 3.6 supports no newer Python): PATH first, then pyenv's installs.
PY310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	if $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then $$p -c 'import sys; print(sys.executable)'; break; fi; done)
UV_VERSION := 0.13.9
UV := .venv-tools/bin/uv
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup envs db model browser nginx run check test test-bot test-app eval lock clean

help:
	@echo "make run    - set up (environments, database, model) and start the assistant"
	@echo "make test   - set up and run every test (make check first)"
	@echo "make check  - lint + format check + the fast tests (no servers, training or browser): the edit-test loop"
	@echo "make eval   - NLU evaluation on the held-out set, 5-fold cross-validation, search and FAQ figures"
	@echo "make lock   - re-resolve requirements/*.txt from requirements/*.in"

$(UV):
	@test -n "$(PY310)" || { echo "Python 3.10 not found: install it (e.g. pyenv install 3.10) or set PY310=/path/to/python3.10" >&2; exit 1; }
	$(PY310) -m venv .venv-tools
	.venv-tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The Rasa server's environment (Rasa 3.6.21 pins old libraries). Bytecode is compiled at install:
# PYTHONDONTWRITEBYTECODE keeps the tree clean, and without it every Rasa start and training run
# compiled Rasa and TensorFlow from source again (13-18 s a start, ~14 % of training; make bench).
.venv-bot/.installed: requirements/bot.txt requirements/bot-dev.txt | $(UV)
	test -x .venv-bot/bin/python || $(UV) venv --quiet --python $(PY310) .venv-bot
	$(UV) pip sync --quiet --compile-bytecode --python .venv-bot/bin/python requirements/bot.txt requirements/bot-dev.txt
	touch $@

# The action server, knowledge base and FastAPI app environment (SQLAlchemy 2, pydantic 2).
# A developer's machine gets the test tools too (*-dev.txt); the production image only the *.txt that runs.
.venv/.installed: requirements/app.txt requirements/app-dev.txt | $(UV)
	test -x .venv/bin/python || $(UV) venv --quiet --python $(PY310) .venv
	$(UV) pip sync --quiet --compile-bytecode --python .venv/bin/python requirements/app.txt requirements/app-dev.txt
	touch $@

envs: .venv-bot/.installed .venv/.installed

# The embedded database (SQLite under var/), migrated and seeded; redone when the seed or schema changes.
DB_INPUTS := $(wildcard knowledge_base/seed/*) $(wildcard knowledge_base/migrations/versions/*.py) \
	knowledge_base/importer.py knowledge_base/dossiers.py knowledge_base/maintenance.py knowledge_base/models.py \
	knowledge_base/faq.py knowledge_base/workdays.py knowledge_base/life_events.py knowledge_base/lexicon/life_events.yml
var/db.stamp: $(DB_INPUTS) .venv/.installed
	mkdir -p var
	.venv/bin/python -m knowledge_base setup
	touch $@

db: var/db.stamp

# The first staff admin: asks for a username and password, or takes STAFF_ADMIN_USERNAME and
# STAFF_ADMIN_PASSWORD from the environment. There is no default password.
.PHONY: admin
admin: db
	@.venv/bin/python -m knowledge_base.staff create-admin

# The Rasa model, trained only when its inputs' fingerprint changes (scripts/train_model.sh).
model: .venv-bot/.installed
	@scripts/train_model.sh

setup: envs db model

# Headless Chromium for the widget and staff-page tests: Debian's package (Playwright drives it;
# no browser download). Installed once when missing; needs root or sudo for apt-get.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium >/dev/null; }; }
	@test -x $(CHROMIUM) || { echo "chromium could not be installed: apt-get install chromium (or set CHROMIUM=/path)" >&2; exit 1; }

# nginx for the proxy tests (tests/production/test_proxy.py runs deploy/nginx.conf for real): Debian's
# package, installed once when missing; needs root or sudo for apt-get. RUNLEVEL=1: the package's
# service is not started (the tests run their own nginx on free loopback ports).
NGINX ?= /usr/sbin/nginx
nginx:
	@test -x $(NGINX) || { echo "Installing Debian's nginx for the proxy tests ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env RUNLEVEL=1 apt-get install -y -q nginx >/dev/null 2>&1 || { $$SUDO apt-get update -q >/dev/null && $$SUDO env RUNLEVEL=1 apt-get install -y -q nginx >/dev/null; }; }
	@test -x $(NGINX) || { echo "nginx could not be installed: apt-get install nginx (or set NGINX=/path)" >&2; exit 1; }

run: setup
	@scripts/run.sh

# Telegram without a public HTTPS address: `make run` with TELEGRAM_MODE=polling, so the Rasa server
# itself long-polls getUpdates (deleting any webhook first). One process per bot token.
#   TELEGRAM_TOKEN         the bot token from @BotFather (required)
#   TELEGRAM_API_BASE_URL  default https://api.telegram.org (a local Bot API server, or a test fake)
#   TELEGRAM_POLL_TIMEOUT  seconds one getUpdates call waits (default 30)
# Webhook mode needs no target: set TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_SECRET for `make run` and call
# setWebhook (README, "Channels").
.PHONY: telegram
telegram: setup
	@test -n "$$TELEGRAM_TOKEN" || { echo "Set TELEGRAM_TOKEN (the token @BotFather gave your bot)" >&2; exit 1; }
	@TELEGRAM_MODE=polling scripts/run.sh

# The edit-test loop: ruff (lint + format check) and the fast tests of both environments, a few minutes.
check: envs
	@scripts/check.sh

# Everything: `make check` first (stops there on failure), then the slow tests (servers, training, browser).
test: setup browser nginx
	@scripts/check.sh
	@CHROMIUM=$(CHROMIUM) NGINX=$(NGINX) SLOW_ONLY=1 scripts/test.sh

eval: setup
	@scripts/eval.sh

# Benchmarks (bench/README.md): latency, throughput, memory, training time, ours against the stock
# pipeline; writes bench/results/latest.{json,md,png}. PHOATIS_DIR=/path/to/PhoATIS adds PhoATIS;
# BENCH_ARGS=--quick is for developing the bench only. About 10-15 minutes; run it on a quiet machine.
.PHONY: bench
bench: setup
	@.venv/bin/python -m bench.run $(BENCH_ARGS)

# Load test of the production profile on this machine (bench/load_prod.py): two Rasa replicas on
# PostgreSQL + Redis (LOAD_DATABASE_URL / LOAD_REDIS_URL, default this machine's), messages per second
# and latency at rising numbers of citizens; writes bench/results/load.{json,md}. About 10 minutes.
.PHONY: load
load: setup
	@.venv/bin/python -m bench.load_prod $(LOAD_ARGS)

# Deletes conversations older than DAYS days (default 90) and the records they left (README,
# "Production profile"); DRY_RUN=1 only counts. Schedule it daily (deploy/ has a CronJob).
DAYS ?= 90
.PHONY: retention
retention: envs
	@.venv/bin/python -m knowledge_base retention --days $(DAYS) $(if $(DRY_RUN),--dry-run)

# What runs (bot.txt, app.txt) first; the test tools (*-dev.txt) are resolved within those pins.
lock: | $(UV)
	$(UV) pip compile --quiet --python-version 3.10 requirements/bot.in -o requirements/bot.txt
	$(UV) pip compile --quiet --python-version 3.10 requirements/bot-dev.in -o requirements/bot-dev.txt
	$(UV) pip compile --quiet --python-version 3.10 requirements/app.in -o requirements/app.txt
	$(UV) pip compile --quiet --python-version 3.10 requirements/app-dev.in -o requirements/app-dev.txt

clean:
	rm -rf var models .pytest_cache
