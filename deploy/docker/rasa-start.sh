#!/bin/sh
# The Rasa server in the `rasa` image: scripts/services.sh `start_rasa`, in the foreground (exec, so
# the container's stop signal reaches Rasa) and listening on the container's interfaces
# (RASA_INTERFACE only for tests/deploy, which run this script on loopback).
# The HTTP API (staff replies, conversation history) is only ever enabled behind the JWT secret, and
# is never routed to the public: the load balancer sends only the channels' routes to this server.
# `python -m bot.serve` is `rasa run` taking the secret from the environment (RASA_JWT_SECRET, or the
# file named by RASA_JWT_SECRET_FILE): on the command line every process could read it.
set -eu
if [ -z "${RASA_JWT_SECRET_FILE:-}" ]; then
    : "${RASA_JWT_SECRET:?RASA_JWT_SECRET must be set: the Rasa HTTP API is only enabled behind it}"
    if [ "${#RASA_JWT_SECRET}" -lt 32 ]; then
        echo "RASA_JWT_SECRET must be at least 32 characters (as scripts/services.sh requires)" >&2
        exit 1
    fi
fi
: "${ACTION_SERVER_TOKEN:?ACTION_SERVER_TOKEN must be set: the action servers answer only calls carrying it}"
exec python -m bot.serve run \
    --model "$(cat models/current)" \
    --interface "${RASA_INTERFACE:-0.0.0.0}" \
    --port "${RASA_PORT:-5005}" \
    --credentials credentials.yml \
    --endpoints endpoints.yml \
    --enable-api --jwt-method HS256 \
    --quiet
