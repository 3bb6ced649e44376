"""HTTP routes of the staff workspace: the JSON API (`/api/staff/v1`) and the pages (`/staff`)."""
