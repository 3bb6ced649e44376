"""The knowledge base, the data layer (app environment): models, migrations, import and parsing,
retrieval, FAQ retrieval, dossiers, working days, conversation records, retention and staff records.

It imports no web framework and nothing from `app/`, `actions/`, `bot/` or `connectors/`: the FastAPI
app (`app/`) and the action server (`actions/`) use it.
"""
