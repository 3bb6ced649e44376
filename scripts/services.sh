#!/usr/bin/env bash
# Functions to start the three services and wait until they answer; sourced by run.sh and the tests'
# helpers. Each start_* function runs one process in the background and records its PID in PIDS.
# Addresses (defaults: loopback; ports 5005 / 5055 / 8000):
#   BIND_HOST, RASA_PORT, ACTIONS_PORT, APP_PORT, ACTION_SERVER_URL, RASA_MODEL
PIDS=()
BIND_HOST="${BIND_HOST:-127.0.0.1}"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
APP_PORT="${APP_PORT:-8000}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
export RASA_TELEMETRY_ENABLED=false

start_actions() {
  # Keep-alive longer than the Rasa server's idle pauses under load: with Sanic's 5 s default the
  # action server closed connections Rasa was about to reuse, and messages went unanswered (make bench).
  SANIC_KEEP_ALIVE_TIMEOUT="${SANIC_KEEP_ALIVE_TIMEOUT:-30}" SANIC_HOST="$BIND_HOST" .venv/bin/python -m rasa_sdk --actions actions --port "$ACTIONS_PORT" --quiet &
  PIDS+=($!)
}

start_app() {
  .venv/bin/python -m uvicorn app.main:app --host "$BIND_HOST" --port "$APP_PORT" --log-level warning &
  PIDS+=($!)
}

start_rasa() {
  local model="${RASA_MODEL:-$(cat models/current)}"
  # The HTTP API (staff replies, /model/parse) only behind JWT: HS256 tokens signed with
  # RASA_JWT_SECRET (at least 32 characters; RASA_API_TOKEN is its deprecated name), never without
  # one and never the plain --auth-token. The API and the action server (SANIC_HOST=$BIND_HOST, no
  # auth at all) belong on loopback or a private network only; keep BIND_HOST private.
  local api=() secret="${RASA_JWT_SECRET:-${RASA_API_TOKEN:-}}"
  if [[ -n "$secret" ]]; then
    if (( ${#secret} < 32 )); then
      echo "RASA_JWT_SECRET must be at least 32 characters; the Rasa server was not started" >&2
      return 1
    fi
    api=(--enable-api --jwt-secret "$secret" --jwt-method HS256)
  fi
  PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}" .venv-bot/bin/rasa run --model "$model" --interface "$BIND_HOST" --port "$RASA_PORT" \
      --credentials credentials.yml --endpoints endpoints.yml "${api[@]}" --quiet &
  PIDS+=($!)
}

# wait_http NAME URL SECONDS: poll until URL answers 2xx, or fail.
wait_http() {
  local name="$1" url="$2" deadline=$(( $(date +%s) + ${3:-120} ))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if (( $(date +%s) > deadline )); then echo "$name did not start ($url)" >&2; return 1; fi
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "$name: a service exited" >&2; return 1; }; done
    sleep 0.5
  done
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
