"""Tests of the benchmark code (bench/): app environment (.venv), see scripts/test.sh."""
