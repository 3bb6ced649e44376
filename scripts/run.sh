#!/usr/bin/env bash
# Start the action server (:5055), the FastAPI app (:8000) and the Rasa server (:5005); Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
trap 'echo; echo "Stopping ..."; stop_all; exit 0' INT TERM
trap 'stop_all' EXIT
started=$(date +%s)
# Web widget: the demo page (/) points the widget at the Rasa server, whose web channel allows the app's origins.
web_host="${BIND_HOST/#0.0.0.0/127.0.0.1}"
export WEB_RASA_URL="${WEB_RASA_URL:-http://${web_host}:${RASA_PORT}}"
export WEB_ALLOWED_ORIGINS="${WEB_ALLOWED_ORIGINS:-http://localhost:${APP_PORT},http://127.0.0.1:${APP_PORT},http://${web_host}:${APP_PORT}}"
# Staff replies reach citizens through the Rasa HTTP API, which only answers with this token; the app
# gets the same token. Without one set, a random token for this run.
export RASA_API_TOKEN="${RASA_API_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export RASA_URL="${RASA_URL:-http://${BIND_HOST/#0.0.0.0/127.0.0.1}:${RASA_PORT}}"
start_actions
start_app
start_rasa
wait_http "Action server" "http://127.0.0.1:${ACTIONS_PORT}/health" 120
wait_http "App" "http://127.0.0.1:${APP_PORT}/health" 120
wait_http "Rasa server" "http://127.0.0.1:${RASA_PORT}/" 300
cat <<MSG

tthc-assistant is up ($(( $(date +%s) - started )) s):
  Rasa server (REST channel)  http://${BIND_HOST}:${RASA_PORT}/webhooks/rest/webhook
  Action server               http://${BIND_HOST}:${ACTIONS_PORT}/webhook
  App + API (docs at /docs)   http://${BIND_HOST}:${APP_PORT}/
  Staff workspace             http://${web_host}:${APP_PORT}/staff/  (first admin: make admin)
  Web widget demo page        http://${web_host}:${APP_PORT}/
Try:
  curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender": "demo", "message": "Đăng ký khai sinh cần những giấy tờ gì?"}'
Press Ctrl-C to stop.
MSG
wait -n "${PIDS[@]}" || true
echo "A service stopped; shutting down the others." >&2
exit 1
