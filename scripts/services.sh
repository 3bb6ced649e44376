#!/usr/bin/env bash
# Functions to start the three services and wait until they answer; sourced by run.sh and the tests'
# helpers. Each start_* function runs one process in the background and records its PID in PIDS.
# Addresses (defaults: loopback; ports 5005 / 5055 / 8000):
#   BIND_HOST, RASA_PORT, ACTIONS_PORT, APP_PORT, ACTION_SERVER_URL, RASA_MODEL
# The client address behind a proxy: FORWARDED_ALLOW_IPS (unset: X-Forwarded-For is trusted from nobody).
# Timeouts against connections that trickle in: SANIC_REQUEST_TIMEOUT (default 15 s; Rasa and the action
# server wait no longer for a request's next bytes); the app closes idle connections after 5 s (uvicorn
# has no deadline for a whole header: the proxy in front sets one, deploy/nginx.conf).
PIDS=()
BIND_HOST="${BIND_HOST:-127.0.0.1}"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
APP_PORT="${APP_PORT:-8000}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
export RASA_TELEMETRY_ENABLED=false
# Sanic waits this long for a request's next bytes (its default, 60 s, let trickling connections
# pile up); bodies are small (MAX_BODY_BYTES), and nginx in front buffers them anyway.
export SANIC_REQUEST_TIMEOUT="${SANIC_REQUEST_TIMEOUT:-15}"

# Every secret any of the three processes may be given. Each start_* function passes a process only
# the ones it uses (`only_secrets`), so a process that is broken into, or a local user reading
# /proc/<pid>/environ of its account, learns no other process's keys: the action server never sees
# the Rasa API's JWT secret or a channel's token. A new secret must be added here and to its users.
SECRETS=(
  DATABASE_URL REDIS_URL
  RASA_JWT_SECRET RASA_API_TOKEN RASA_JWT_SECRET_FILE ACTION_SERVER_TOKEN
  WEB_SESSION_SECRET ANALYTICS_HASH_KEY DOSSIER_SOURCE_TOKEN REST_CHANNEL_TOKEN
  TELEGRAM_TOKEN TELEGRAM_WEBHOOK_SECRET
  ZALO_APP_ID ZALO_OA_SECRET_KEY ZALO_APP_SECRET ZALO_ACCESS_TOKEN ZALO_REFRESH_TOKEN
  STAFF_ADMIN_PASSWORD
)
# The Rasa server: the tracker and lock stores, its HTTP API's key, the token it sends the action
# server, and the channels' secrets.
RASA_SECRETS=(
  DATABASE_URL REDIS_URL RASA_JWT_SECRET RASA_API_TOKEN RASA_JWT_SECRET_FILE ACTION_SERVER_TOKEN
  WEB_SESSION_SECRET REST_CHANNEL_TOKEN TELEGRAM_TOKEN TELEGRAM_WEBHOOK_SECRET
  ZALO_APP_ID ZALO_OA_SECRET_KEY ZALO_APP_SECRET ZALO_ACCESS_TOKEN ZALO_REFRESH_TOKEN
)
# The action server: the knowledge base, the token it checks, the analytics key, the dossier system.
ACTIONS_SECRETS=(DATABASE_URL ACTION_SERVER_TOKEN ANALYTICS_HASH_KEY DOSSIER_SOURCE_TOKEN)
# The app: the knowledge base, the key it signs its Rasa API calls with, the dossier system.
APP_SECRETS=(DATABASE_URL RASA_JWT_SECRET RASA_API_TOKEN DOSSIER_SOURCE_TOKEN)

# only_secrets NAME...: sets DROP to `env` options removing every other secret of SECRETS.
only_secrets() {
  local keep=" $* " name
  DROP=()
  for name in "${SECRETS[@]}"; do
    [[ "$keep" == *" $name "* ]] || DROP+=(-u "$name")
  done
}

start_actions() {
  # Keep-alive longer than the Rasa server's idle pauses under load: with Sanic's 5 s default the
  # action server closed connections Rasa was about to reuse, and messages went unanswered (make bench).
  # Every call but /health must carry ACTION_SERVER_TOKEN (actions/auth.py): it refuses to start without.
  only_secrets "${ACTIONS_SECRETS[@]}"
  env "${DROP[@]}" SANIC_KEEP_ALIVE_TIMEOUT="${SANIC_KEEP_ALIVE_TIMEOUT:-30}" SANIC_HOST="$BIND_HOST" \
      .venv/bin/python -m rasa_sdk --actions actions --port "$ACTIONS_PORT" --quiet &
  PIDS+=($!)
}

start_app() {
  # X-Forwarded-For only from the proxy named in FORWARDED_ALLOW_IPS (addresses or networks, e.g.
  # 127.0.0.1 for an nginx on this machine): without one, the client address is the peer's, so a
  # client cannot pick the address the staff login limit counts by rotating the header.
  local proxy=(--no-proxy-headers)
  [[ -n "${FORWARDED_ALLOW_IPS:-}" ]] && proxy=(--proxy-headers --forwarded-allow-ips "$FORWARDED_ALLOW_IPS")
  only_secrets "${APP_SECRETS[@]}"
  env "${DROP[@]}" .venv/bin/python -m uvicorn app.main:app --host "$BIND_HOST" --port "$APP_PORT" \
      "${proxy[@]}" --timeout-keep-alive 5 --log-level warning &
  PIDS+=($!)
}

start_rasa() {
  local model="${RASA_MODEL:-$(cat models/current)}"
  # The HTTP API (staff replies, /model/parse) only behind JWT: HS256 tokens signed with
  # RASA_JWT_SECRET (at least 32 characters; RASA_API_TOKEN is its deprecated name, or a file named by
  # RASA_JWT_SECRET_FILE), never without one and never the plain --auth-token. bot/serve.py reads it
  # from the environment and gives it to Rasa in memory: on the command line (--jwt-secret) every
  # local user could read it in /proc/<pid>/cmdline. The API and the action server belong on loopback
  # or a private network only; keep BIND_HOST private.
  local api=() secret="${RASA_JWT_SECRET:-${RASA_API_TOKEN:-}}"
  if [[ -n "$secret" || -n "${RASA_JWT_SECRET_FILE:-}" ]]; then
    if [[ -n "$secret" ]] && (( ${#secret} < 32 )); then
      echo "RASA_JWT_SECRET must be at least 32 characters; the Rasa server was not started" >&2
      return 1
    fi
    api=(--enable-api --jwt-method HS256)
  fi
  only_secrets "${RASA_SECRETS[@]}"
  env "${DROP[@]}" PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}" \
      .venv-bot/bin/python -m bot.serve run --model "$model" --interface "$BIND_HOST" --port "$RASA_PORT" \
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
