"""The reply type every answer function returns, and the rating buttons answers carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Answers a citizen can rate with 👍/👎 (their custom payload's `type`).
RATED_TYPES = ("procedure_answer", "faq_answer")
#: The 👍/👎 buttons under every rateable answer.
RATING_BUTTONS: list[dict[str, str]] = [
    {"title": "👍", "payload": '/rate_answer{"rating": "up"}'},
    {"title": "👎", "payload": '/rate_answer{"rating": "down"}'},
]


@dataclass(frozen=True)
class Reply:
    """One message to the citizen.

    Either `text` (composed from data) or `response` (the name of a fixed text in domain.yml, filled
    with `kwargs`) is set; `buttons` and `custom` (the machine-readable payload, with its card) go
    with either. A reply with neither text nor response carries only its payload.
    """

    text: str | None = None
    response: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fixed(cls, response: str, custom: dict[str, Any], **kwargs: Any) -> Reply:
        """A fixed text of the domain (`utter_...`), with its variables and payload."""
        return cls(response=response, kwargs=kwargs, custom=custom)
