"""The staff workspace's web side: the JSON API (`/api/staff/v1`), the pages (`/staff`), their
dependencies (session cookie, role and CSRF checks), request bodies and the inbox's Rasa side.

The records and rules behind it (users, sessions, audit log, FAQ and procedure edits, imports,
inbox, analytics) are the data layer's: `knowledge_base.staff`. Wired into the app by
`app.staff.workspace.install_staff`.
"""
