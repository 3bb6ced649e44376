"""What the assistant does not do (out of scope, legal interpretation, complaints), feedback and ratings."""

from __future__ import annotations

from answers.reply import Reply
from vntext import fold

#: The topics declined, each with its fixed text in domain.yml (`utter_decline_<topic>`).
DECLINED_TOPICS = ("out_of_scope", "legal_advice", "complaint")


def decline_topic(intent: str) -> str:
    """The declined topic of an intent: its own when it has a text, else out of scope."""
    return intent if intent in DECLINED_TOPICS else "out_of_scope"


def decline_reply(topic: str, *, hotline: str) -> Reply:
    """Say plainly what the assistant does not do and where to go instead."""
    return Reply.fixed(f"utter_decline_{decline_topic(topic)}", {"type": "out_of_scope"}, hotline=hotline)


def feedback_reply() -> Reply:
    """Thank the citizen for feedback (it goes to staff)."""
    return Reply.fixed("utter_feedback_thanks", {"type": "smalltalk"})


#: Bare acknowledgements ("ok", "dạ vâng", "hiểu rồi"), folded: a friendly word back, never "I did not
#: understand" (the evaluation counted those as bad behaviour after a handoff or an answer).
ACKNOWLEDGEMENTS = frozenset(
    {
        "ok",
        "oke",
        "okay",
        "okie",
        "oki",
        "okela",
        "ok a",
        "ok ban",
        "ok em",
        "ok roi",
        "ok nhe",
        "ok nha",
        "uh",
        "uhm",
        "u",
        "um",
        "ua",
        "vang",
        "vang a",
        "da",
        "da a",
        "da vang",
        "da vang a",
        "da ok",
        "duoc",
        "dc",
        "duoc roi",
        "roi",
        "vay a",
        "the a",
        "hieu roi",
        "toi hieu roi",
        "em hieu roi",
        "minh hieu roi",
        "biet roi",
        "toi biet roi",
        "em biet roi",
        "noted",
        "👍",
        "👌",
    }
)


def acknowledges(text: str) -> bool:
    """Whether a message is only an acknowledgement ("ok", "dạ vâng ạ", "👍")."""
    folded = " ".join(fold(text).replace("!", " ").replace(".", " ").replace(",", " ").split())
    return folded in ACKNOWLEDGEMENTS


def acknowledgement_reply() -> Reply:
    """A friendly word back to a bare acknowledgement."""
    return Reply(text="Dạ. Bạn cần hỏi thêm gì cứ nhắn cho tôi nhé.", custom={"type": "smalltalk"})


def typed_rating(text: str) -> str:
    """A rating typed instead of pressed: "👎", "không hữu ích", "dislike" are down; the rest up."""
    folded = fold(text)
    negative = (
        "👎" in text
        or "dislike" in folded
        or any(f" {w} " in f" {folded} " for w in ("khong", "chua", "ko", "k"))
    )
    return "down" if negative else "up"


def rating_reply(rating: int | None) -> Reply:
    """Thank for a rating: 1 (up), -1 (down, staff will review), None (nothing to rate)."""
    if rating is None:
        return Reply.fixed("utter_thanks_short", {"type": "smalltalk"})
    return Reply.fixed("utter_rating_up" if rating > 0 else "utter_rating_down", {"type": "smalltalk"})
