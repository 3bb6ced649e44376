#!/usr/bin/env bash
# Train the Rasa model when its inputs changed; otherwise do nothing.
# The model's name carries a fingerprint of everything that shapes it (config, domain, training data,
# the NLU components' code and the lexicon they read, the bot environment's lock file); models/current
# names the one to serve.
# Trained models are also kept in a per-user cache, so a fresh clone on the same machine (CI) reuses them.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
# Rasa 3.6 and its old dependencies print pages of deprecation warnings that say nothing about us.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
cache_dir="${MODEL_CACHE_DIR:-$HOME/.cache/tthc-assistant/models}"

# nlu_data/ is the hand-edited source; rasa trains on build/nlu_data/ (gitignored): the source plus
# one surface variant per example (without diacritics or with shorthand, seeded by the example's own
# text: see scripts/augment_nlu.py). Hashing the build covers whatever the variants come from.
.venv-bot/bin/python scripts/augment_nlu.py --src nlu_data --out build/nlu_data
# knowledge_base/lexicon: the citizen lexicon (aspect words, abbreviations) that bot/ and vntext/ read.
sources=(build/nlu_data bot vntext)
[[ -d knowledge_base/lexicon ]] && sources+=(knowledge_base/lexicon)
inputs=$( { echo config.yml; echo domain.yml; echo requirements/bot.txt;
            find "${sources[@]}" -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.txt' \) ; } | LC_ALL=C sort)
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
  .venv-bot/bin/rasa train --config config.yml --domain domain.yml --data build/nlu_data \
      --out models --fixed-model-name "$name" --quiet --skip-validation
  echo "Model trained in $(( $(date +%s) - start )) s."
  mkdir -p "$cache_dir" && cp "$model" "$cache_dir/" || true
fi
echo "$model" > models/current
# Keep the five newest models.
ls -1t models/tthc-*.tar.gz 2>/dev/null | tail -n +6 | xargs -r rm -f
echo "Model: $model"
