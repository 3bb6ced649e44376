"""The staff workspace: sign-in, FAQ and procedure edits, imports, inbox, dashboard and audit log.

The package itself imports nothing heavy: the action server imports `knowledge_base.staff.analytics`
without FastAPI. The web app is wired in by `knowledge_base.staff.app.install_staff`.
"""
