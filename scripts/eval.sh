#!/usr/bin/env bash
# Evaluate the NLU model (`make eval`): the held-out test set (tests/nlu_eval/nlu_test.yml, never
# trained on), a 5-fold cross-validation on the training data, and one summary table with a gate.
# Exit status: non-zero when intent accuracy is below 0.95 on held-out examples typed with
# diacritics or below 0.90 on those typed without (scripts/eval_report.py), or when a step fails.
#   EVAL_CV=0                     skip the cross-validation (it trains five models: minutes)
#   REAL_QUESTIONS=/path/q.txt    also parse these real questions (one a line) with the model
#   EVAL_SEEDS="7 1234"           also train a model per DIET seed and run the blind sets through each:
#                                 the run-to-run spread (each model: ~4 min of training)
#   EVAL_UNDERSTANDING=0          skip the blind sets (bench/understanding.py)
# Output: reports/nlu (held-out), reports/nlu_cv (cross-validation), reports/eval_summary.json,
# reports/understanding.{json,md} (the blind sets through the chat and the search API, per kind).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
# Rasa 3.6 and its old dependencies print pages of deprecation warnings that say nothing about us.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"

# The model is the one `make model` serves: retrained only when its inputs changed.
scripts/train_model.sh
model=$(cat models/current)

# Stale reports from an earlier run must not be mistaken for this run's (e.g. with EVAL_CV=0).
rm -rf reports/nlu reports/nlu_cv
mkdir -p reports/nlu reports/nlu_cv

# Run a rasa command quietly into a log, and show the log's end if it fails.
run_logged() {
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then
    echo "Failed: $* (log: $log)" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
}

echo "Testing $model on the held-out set tests/nlu_eval/nlu_test.yml ..."
run_logged reports/nlu/rasa_test.log \
  .venv-bot/bin/rasa test nlu --nlu tests/nlu_eval/nlu_test.yml --model "$model" \
      --out reports/nlu --successes --no-plot

report_args=(--model "$model" --reports reports/nlu --cv-reports reports/nlu_cv
             --summary reports/eval_summary.json)
if [[ "${EVAL_CV:-1}" != "0" ]]; then
  echo "Cross-validating on nlu_data/nlu (5 folds) ..."
  start=$(date +%s)
  run_logged reports/nlu_cv/rasa_cv.log \
    .venv-bot/bin/rasa test nlu --nlu nlu_data/nlu --config config.yml --cross-validation \
        --folds 5 --out reports/nlu_cv --no-plot
  echo "Cross-validation took $(( $(date +%s) - start )) s."
  report_args+=(--cv-log reports/nlu_cv/rasa_cv.log)
fi
if [[ -n "${REAL_QUESTIONS:-}" ]]; then
  report_args+=(--real-questions "$REAL_QUESTIONS")
fi

.venv-bot/bin/python scripts/eval_report.py "${report_args[@]}"

if [[ "${EVAL_UNDERSTANDING:-1}" != "0" ]]; then
  models=("$model")
  for seed in ${EVAL_SEEDS:-}; do
    # The same data and pipeline, another DIET seed: how much the figures move from run to run.
    name="$(basename "$model" .tar.gz)-seed$seed"
    if [[ ! -f "models/$name.tar.gz" ]]; then
      echo "Training $name (DIET random_seed $seed) ..."
      sed "s/random_seed: 42/random_seed: $seed/" config.yml > "build/config-seed$seed.yml"
      run_logged "reports/train-seed$seed.log" \
        .venv-bot/bin/rasa train --config "build/config-seed$seed.yml" --domain domain.yml --data build/nlu_data \
            --out models --fixed-model-name "$name" --quiet --skip-validation
    fi
    models+=("models/$name.tar.gz")
  done
  echo "Running the blind sets (tests/eval_sets) through the chat and the search API with ${#models[@]} model(s) ..."
  .venv/bin/python -m bench.understanding --models "${models[@]}" --out reports/understanding.json
fi
