"""Procedure knowledge base: models, importer, search and the FastAPI app (app environment)."""
