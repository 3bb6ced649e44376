#!/usr/bin/env bash
# Start the action server (:5055), the FastAPI app (:8000) and the Rasa server (:5005); Ctrl-C stops all.
#
# PROFILE=prod (README "Production profile"): knowledge base and conversations in PostgreSQL
# (DATABASE_URL), conversation locks in Redis (REDIS_URL), RASA_REPLICAS Rasa servers (default 2) on
# RASA_PORT, RASA_PORT+1, ... each with its own action server on ACTIONS_PORT, ACTIONS_PORT+1, ...,
# for a load balancer in front (deploy/nginx.conf; set FORWARDED_ALLOW_IPS to its address, e.g.
# 127.0.0.1, so the app takes the client address from it). Secrets must be set; nothing is generated.
# Each process gets only the secrets it uses (scripts/services.sh, SECRETS).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
trap 'echo; echo "Stopping ..."; stop_all; exit 0' INT TERM
trap 'stop_all' EXIT
started=$(date +%s)
PROFILE="${PROFILE:-local}"
REPLICAS=1
if [[ "$PROFILE" == prod ]]; then
  missing=()
  for name in DATABASE_URL REDIS_URL RASA_JWT_SECRET WEB_SESSION_SECRET ANALYTICS_HASH_KEY ACTION_SERVER_TOKEN; do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  if (( ${#missing[@]} )); then
    echo "PROFILE=prod needs: ${missing[*]} (README, \"Production profile\"; deploy/.env.example)" >&2
    exit 1
  fi
  [[ "$DATABASE_URL" == postgresql* ]] || { echo "PROFILE=prod needs a PostgreSQL DATABASE_URL" >&2; exit 1; }
  export PROFILE DATABASE_URL REDIS_URL
  # Weak or placeholder settings (short secrets, "changeme", a SQLite URL, an insecure cookie) are
  # refused here with the variable's name, before anything starts (knowledge_base/settings.py).
  .venv/bin/python -m knowledge_base.settings check-production || exit 1
  REPLICAS="${RASA_REPLICAS:-2}"
  echo "Production profile: migrating and seeding the knowledge base in PostgreSQL ..."
  .venv/bin/python -m knowledge_base setup
fi
# Web widget: the demo page (/) points the widget at the Rasa server, whose web channel allows the app's origins.
web_host="${BIND_HOST/#0.0.0.0/127.0.0.1}"
export WEB_RASA_URL="${WEB_RASA_URL:-http://${web_host}:${RASA_PORT}}"
export WEB_ALLOWED_ORIGINS="${WEB_ALLOWED_ORIGINS:-http://localhost:${APP_PORT},http://127.0.0.1:${APP_PORT},http://${web_host}:${APP_PORT}}"
# Staff replies reach citizens through the Rasa HTTP API, which only answers JWTs signed with this
# secret; the app signs its tokens with the same one. Without one set, a random secret for this run
# (RASA_API_TOKEN, the deprecated name, is still taken).
export RASA_JWT_SECRET="${RASA_JWT_SECRET:-${RASA_API_TOKEN:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}}"
export RASA_URL="${RASA_URL:-http://${BIND_HOST/#0.0.0.0/127.0.0.1}:${RASA_PORT}}"
# The Rasa server sends this token with every action call and the action server refuses calls without
# it (actions/auth.py); without one set (local profile only: prod requires it above), one for this run.
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
start_app
for (( i = 0; i < REPLICAS; i++ )); do
  ACTIONS_PORT=$(( ACTIONS_PORT + i )) start_actions
  RASA_PORT=$(( RASA_PORT + i )) ACTION_SERVER_URL="http://127.0.0.1:$(( ACTIONS_PORT + i ))/webhook" start_rasa
done
wait_http "App" "http://127.0.0.1:${APP_PORT}/health" 120
for (( i = 0; i < REPLICAS; i++ )); do
  wait_http "Action server" "http://127.0.0.1:$(( ACTIONS_PORT + i ))/health" 120
  wait_http "Rasa server" "http://127.0.0.1:$(( RASA_PORT + i ))/" 300
done
replicas_note=""
# In prod the REST channel answers 404 unless REST_CHANNEL_ENABLED=true, then only with its token.
rest_auth="" rest_note=""
[[ "$PROFILE" == prod ]] && rest_auth=" -H \"Authorization: Bearer \$REST_CHANNEL_TOKEN\"" \
  && rest_note="  (the REST channel answers only with REST_CHANNEL_ENABLED=true and its token)"$'\n'
(( REPLICAS > 1 )) && replicas_note="  ($REPLICAS replicas: ports ${RASA_PORT}-$(( RASA_PORT + REPLICAS - 1 )); put deploy/nginx.conf in front)"
cat <<MSG

tthc-assistant is up ($(( $(date +%s) - started )) s, profile ${PROFILE}):
  Rasa server (REST channel)  http://${BIND_HOST}:${RASA_PORT}/webhooks/rest/webhook${replicas_note}
  Action server               http://${BIND_HOST}:${ACTIONS_PORT}/webhook
  App + API (docs at /docs)   http://${BIND_HOST}:${APP_PORT}/
  Staff workspace             http://${web_host}:${APP_PORT}/staff/  (first admin: make admin)
  Web widget demo page        http://${web_host}:${APP_PORT}/
Try:
${rest_note}  curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -H 'Content-Type: application/json'${rest_auth} \\
       -d '{"sender": "demo", "message": "Đăng ký khai sinh cần những giấy tờ gì?"}'
Press Ctrl-C to stop.
MSG
wait -n "${PIDS[@]}" || true
echo "A service stopped; shutting down the others." >&2
exit 1
