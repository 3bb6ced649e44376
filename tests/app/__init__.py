"""Tests of the FastAPI app (`app/`): public API and the Rasa client; the staff workspace is tests/staff."""
