#!/usr/bin/env bash
# Train the Rasa model when its inputs changed; otherwise do nothing.
# The model's name carries a fingerprint of everything that shapes it (config, domain, training data,
# the NLU components' code, the bot environment's lock file); models/current names the one to serve.
# Trained models are also kept in a per-user cache, so a fresh clone on the same machine (CI) reuses them.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
# Rasa 3.6 and its old dependencies print pages of deprecation warnings that say nothing about us.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
cache_dir="${MODEL_CACHE_DIR:-$HOME/.cache/tthc-assistant/models}"

inputs=$( { echo config.yml; echo domain.yml; echo requirements/bot.txt;
            find nlu_data bot vntext -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.txt' \) ; } | LC_ALL=C sort)
fingerprint=$(for f in $inputs; do echo "== $f"; cat "$f"; done | sha256sum | cut -c1-16)
name="tthc-$fingerprint"
model="models/$name.tar.gz"
mkdir -p models

if [[ ! -f "$model" && -f "$cache_dir/$name.tar.gz" ]]; then
  cp "$cache_dir/$name.tar.gz" "$model"
  echo "Model $name taken from the cache ($cache_dir)."
fi
if [[ ! -f "$model" ]]; then
  # --skip-validation: `make test` validates the data (tests/bot/test_training_data.py runs
  # `rasa data validate`); validating again here cost ~13 % of the training time.
  echo "Training model $name ..."
  start=$(date +%s)
  .venv-bot/bin/rasa train --config config.yml --domain domain.yml --data nlu_data \
      --out models --fixed-model-name "$name" --quiet --skip-validation
  echo "Model trained in $(( $(date +%s) - start )) s."
  mkdir -p "$cache_dir" && cp "$model" "$cache_dir/" || true
fi
echo "$model" > models/current
# Keep the five newest models.
ls -1t models/tthc-*.tar.gz 2>/dev/null | tail -n +6 | xargs -r rm -f
echo "Model: $model"
