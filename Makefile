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

.PHONY: help setup envs db model run test test-bot test-app eval lock clean

help:
	@echo "make run    - set up (environments, database, model) and start the assistant"
	@echo "make test   - set up and run every test"
	@echo "make eval   - NLU evaluation on the held-out set, 5-fold cross-validation, search and FAQ figures"
	@echo "make lock   - re-resolve requirements/*.txt from requirements/*.in"

$(UV):
	@test -n "$(PY310)" || { echo "Python 3.10 not found: install it (e.g. pyenv install 3.10) or set PY310=/path/to/python3.10" >&2; exit 1; }
	$(PY310) -m venv .venv-tools
	.venv-tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The Rasa server's environment (Rasa 3.6.21 pins old libraries).
.venv-bot/.installed: requirements/bot.txt | $(UV)
	test -x .venv-bot/bin/python || $(UV) venv --quiet --python $(PY310) .venv-bot
	$(UV) pip sync --quiet --python .venv-bot/bin/python requirements/bot.txt
	touch $@

# The action server, knowledge base and FastAPI app environment (SQLAlchemy 2, pydantic 2).
.venv/.installed: requirements/app.txt | $(UV)
	test -x .venv/bin/python || $(UV) venv --quiet --python $(PY310) .venv
	$(UV) pip sync --quiet --python .venv/bin/python requirements/app.txt
	touch $@

envs: .venv-bot/.installed .venv/.installed

# The embedded database (SQLite under var/), migrated and seeded; redone when the seed or schema changes.
DB_INPUTS := $(wildcard knowledge_base/seed/*) $(wildcard knowledge_base/migrations/versions/*.py) \
	knowledge_base/importer.py knowledge_base/dossiers.py knowledge_base/maintenance.py knowledge_base/models.py \
	knowledge_base/faq.py knowledge_base/workdays.py
var/db.stamp: $(DB_INPUTS) .venv/.installed
	mkdir -p var
	.venv/bin/python -m knowledge_base setup
	touch $@

db: var/db.stamp

# The Rasa model, trained only when its inputs' fingerprint changes (scripts/train_model.sh).
model: .venv-bot/.installed
	@scripts/train_model.sh

setup: envs db model

run: setup
	@scripts/run.sh

test: setup
	@scripts/test.sh

eval: setup
	@scripts/eval.sh

lock: | $(UV)
	$(UV) pip compile --quiet --python-version 3.10 requirements/bot.in -o requirements/bot.txt
	$(UV) pip compile --quiet --python-version 3.10 requirements/app.in -o requirements/app.txt

clean:
	rm -rf var models .pytest_cache
