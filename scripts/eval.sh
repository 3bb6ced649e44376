#!/usr/bin/env bash
# Evaluate the NLU model (`make eval`): the held-out test set (tests/nlu_eval/nlu_test.yml, never
# trained on), a 5-fold cross-validation on the training data, and one summary table with a gate.
# Exit status: non-zero when intent accuracy is below 0.95 on held-out examples typed with
# diacritics or below 0.90 on those typed without (scripts/eval_report.py), or when a step fails.
#   EVAL_CV=0                     skip the cross-validation (it trains five models: minutes)
#   REAL_QUESTIONS=/path/q.txt    also parse these real questions (one a line) with the model
# Output: reports/nlu (held-out), reports/nlu_cv (cross-validation), reports/eval_summary.json.
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
