#!/usr/bin/env bash
# Every test of both environments; exit non-zero on any failure. (`make test` sets up first.)
#   tests/bot, tests/connectors -> .venv-bot (Rasa 3.6 components and channels, training data)
#   everything else        -> .venv     (knowledge base, answers, actions, app, conversations)
# `make test` runs `make check` (lint + fast tests) first and then this with SLOW_ONLY=1, so no test runs
# twice; run alone, it runs everything.
# The tests that only compute (the Rasa environment's, the PhoATIS script's one-epoch training) run
# beside the ones that start servers, which mostly wait on them; their output follows at the end.
# Extra pytest arguments: PYTEST_ARGS="-k documents" make test
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
marker=()
if [[ "${SLOW_ONLY:-0}" == 1 ]]; then marker=(-m slow); fi
started=$(date +%s)
# pytest's exit 5 (nothing selected, e.g. PYTEST_ARGS="-k ..." matching one environment only) is fine.
ok() { [[ $1 == 0 || $1 == 5 ]]; }
status=0
side_log=$(mktemp)
trap 'rm -f "$side_log"' EXIT
SIDE_TESTS=(tests/bench/test_phoatis_script.py)
(
  code=0
  echo "== Rasa environment (.venv-bot): tests/bot tests/connectors ${marker[*]:-}"
  .venv-bot/bin/python -m pytest "${marker[@]}" -p no:cacheprovider tests/bot tests/connectors ${PYTEST_ARGS:-}
  ok $? || code=1
  echo "== App environment (.venv): ${SIDE_TESTS[*]} ${marker[*]:-}"
  .venv/bin/python -m pytest "${marker[@]}" -p no:cacheprovider -p tests.plugin_app "${SIDE_TESTS[@]}" ${PYTEST_ARGS:-}
  ok $? || code=1
  exit $code
) >"$side_log" 2>&1 &
side_pid=$!
ignored=()
for t in "${SIDE_TESTS[@]}"; do ignored+=(--ignore="$t"); done
echo "== App environment (.venv): knowledge base, answers, actions, app, conversations ${marker[*]:-}"
.venv/bin/python -m pytest "${marker[@]}" -p tests.plugin_app --durations=15 tests \
    --ignore=tests/bot --ignore=tests/connectors "${ignored[@]}" ${PYTEST_ARGS:-}
ok $? || status=1
wait "$side_pid" || status=1
cat "$side_log"
echo "== tests: $(( $(date +%s) - started )) s, $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
