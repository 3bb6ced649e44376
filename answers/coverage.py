"""Honest "this is not in my data": what the assistant does not cover, and where to ask instead."""

from __future__ import annotations

from answers.handoff import HUMAN_BUTTON
from answers.reply import Reply
from knowledge_base.coverage import UncoveredTopic


def not_covered_reply(topic: UncoveredTopic | None, *, hotline: str, suggestions: bool = False) -> Reply:
    """Say the matter is not in the procedure data; name who handles it when it is known.

    With `suggestions`, the nearest procedures go with the reply as buttons (the caller adds them):
    the text says the assistant is not sure, instead of that nothing was found.
    """
    if topic is not None:
        return Reply(
            response="utter_not_covered_topic",
            kwargs={"what": topic.what, "who": topic.who, "hotline": hotline},
            buttons=[dict(HUMAN_BUTTON)],
            custom={"type": "not_covered", "topic": topic.slug},
        )
    return Reply(
        response="utter_not_sure" if suggestions else "utter_not_in_data",
        kwargs={"hotline": hotline},
        buttons=[dict(HUMAN_BUTTON)],
        custom={"type": "not_covered", "topic": ""},
    )
