#!/usr/bin/env bash
# Run every test of both environments; exit non-zero on any failure. (`make test` sets up first.)
#   tests/bot, tests/connectors -> .venv-bot (Rasa 3.6 components and channels, training data)
#   everything else        -> .venv     (knowledge base, actions, API, conversations)
# Extra pytest arguments: PYTEST_ARGS="-k documents" make test
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
status=0
echo "== Rasa environment (.venv-bot): tests/bot tests/connectors"
.venv-bot/bin/python -m pytest tests/bot $(test -d tests/connectors && echo tests/connectors) ${PYTEST_ARGS:-} || status=1
echo "== App environment (.venv): knowledge base, actions, API, conversations"
.venv/bin/python -m pytest -p tests.plugin_app tests --ignore=tests/bot --ignore=tests/connectors ${PYTEST_ARGS:-} || status=1
exit $status
