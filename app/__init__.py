"""The FastAPI application (app environment): the public API (`/api/v1`), the web widget and its demo
page, the staff workspace (`app.staff`) and the client of the Rasa server's HTTP API.

It serves the knowledge base (`knowledge_base/`, the data layer) over HTTP; the knowledge base never
imports it. Entry point: ``uvicorn app.main:app``.
"""
