"""The data side of the staff workspace: users and password hashing, sign-in sessions, the audit log,
FAQ and procedure edits, staged imports, the inbox's records and the dashboard's figures.

Pure data functions over a SQLAlchemy session (no web framework): the web side (routes, cookies,
pages, the Rasa client) is `app.staff`. The tables are in `knowledge_base.models`; usage events are
written by `knowledge_base.usage`. `python -m knowledge_base.staff create-admin` is its command line.
"""
