#!/usr/bin/env bash
# The edit-test loop (`make check`): lint and format check, then the fast tests of both environments —
# no servers, no training, no browser (tests/conftest.py lists what is slow, and why). About 3 minutes
# on a 2-core machine: the Rasa environment's tests run beside the app environment's, which run on
# both cores (pytest-xdist); the Rasa environment's output is shown when both are done.
#   Extra pytest arguments: PYTEST_ARGS="-k search" make check
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
status=0
started=$(date +%s)
# pytest's exit 5 (nothing selected, e.g. PYTEST_ARGS="-k ..." matching one environment only) is fine.
ok() { [[ $1 == 0 || $1 == 5 ]]; }
echo "== ruff: lint and format check"
.venv/bin/ruff check . || status=1
.venv/bin/ruff format --check . || status=1
bot_log=$(mktemp)
trap 'rm -f "$bot_log"' EXIT
.venv-bot/bin/python -m pytest -q -p no:cacheprovider -m "not slow" tests/bot tests/connectors ${PYTEST_ARGS:-} \
    >"$bot_log" 2>&1 &
bot_pid=$!
echo "== fast tests, app environment (.venv, both cores): knowledge base, answers, actions, app, architecture"
.venv/bin/python -m pytest -q -n 2 -p tests.plugin_app -m "not slow" tests \
    --ignore=tests/bot --ignore=tests/connectors ${PYTEST_ARGS:-}
ok $? || status=1
wait "$bot_pid"
ok $? || status=1
echo "== fast tests, Rasa environment (.venv-bot): tests/bot tests/connectors"
cat "$bot_log"
echo "== make check: $(( $(date +%s) - started )) s, $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
