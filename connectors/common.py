"""The one path every channel's message takes: normalise, guard, redact for logs, then Rasa.

Channels differ in how a message arrives and how an answer leaves; what happens in between is the
same for all of them and lives here:

- `prepare_text` turns what a citizen typed into what Rasa sees: Unicode NFC, no control or
  invisible characters, bounded length, and never a Rasa intent message (`/intent{...}` typed by a
  citizen would otherwise skip the NLU and set any entity it likes).
- `prepare_payload` lets through only the button payloads the assistant itself sends, with their
  entity values checked, so a forged callback cannot inject an intent either.
- `log_safe` is the only form in which message text reaches a log line.
- `RecentIds` drops re-delivered webhooks (Telegram and Zalo both retry), `ChatQueues` processes
  messages in the background, in order per chat, so a webhook can be acknowledged at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from vntext.redact import redact

logger = logging.getLogger(__name__)

#: Longest message passed to Rasa (characters, after normalisation). Longer text is cut at a word
#: boundary and the citizen is told; the limit keeps one pasted document from stalling the NLU.
MAX_MESSAGE_CHARS = int(os.environ.get("MAX_MESSAGE_CHARS", "1000"))

#: What the assistant says about a message it cannot take as it is (Vietnamese, user-facing).
TOO_LONG_NOTE = (
    "Tin nhắn dài quá nên tôi chỉ đọc {limit} ký tự đầu. "
    "Bạn có thể hỏi ngắn gọn từng ý một để tôi trả lời chính xác hơn."
)
ONLY_TEXT_NOTE = (
    'Hiện tôi chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ câu hỏi, ví dụ: "làm căn cước cần giấy tờ gì?"'
)
BUSY_NOTE = "Hệ thống đang bận, vui lòng thử lại sau ít phút."
#: A sender or address over its rate limit (connectors.limits); said once per minute on chat apps.
TOO_FAST_NOTE = "Bạn gửi tin nhắn nhanh quá. Vui lòng chờ khoảng một phút rồi gửi tiếp."

# Button payloads the assistant sends itself (see docs/conversation.md), with a check per entity.
_ALLOWED_PAYLOADS: dict[str, dict[str, re.Pattern[str]]] = {
    "choose_procedure": {"procedure_code": re.compile(r"[0-9]\.[0-9]{6}")},
    "rate_answer": {"rating": re.compile(r"up|down")},
    # "Gặp cán bộ", offered after misunderstandings and when a dossier code cannot be given.
    "ask_human": {},
    # The buttons under a procedure answer (answers.formatting.more_buttons): every document or one
    # case's, the steps, the forms, the legal basis, every fee amount.
    "ask_documents": {"aspect": re.compile(r"all_documents|case:[0-9]{1,2}")},
    "ask_steps": {},
    "ask_forms": {},
    "ask_legal_basis": {},
    "ask_fee": {},
}
_PAYLOAD_RE = re.compile(r"/(?P<intent>[a-z_]{1,40})(?P<entities>\{.{0,200}\})?", re.DOTALL)

# Control and invisible characters (C0/C1 controls, zero-width and bidi marks), except the
# newline and tab a citizen may type.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}
_KEEP = {"\n", "\t"}
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES_RE = re.compile(r"\n\s*\n(\s*\n)+")


@dataclass(frozen=True)
class Inbound:
    """A citizen's message as Rasa will see it."""

    text: str
    #: True when the text was cut to `MAX_MESSAGE_CHARS` (the channel tells the citizen).
    truncated: bool = False
    #: True when the text is one of the assistant's own button payloads.
    is_payload: bool = False


def normalise(text: str) -> str:
    """Return `text` in NFC without control or invisible characters and with tidy whitespace.

    >>> normalise("  Lam\\u200b can cuoc\\r\\n\\r\\n\\r\\n\\r\\nbao lau?  ")
    'Lam can cuoc\\n\\nbao lau?'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in _KEEP or unicodedata.category(c) not in _INVISIBLE_CATEGORIES)
    # NFC after dropping them: one between a letter and its tone mark kept the two apart (not NFC).
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def neutralise_commands(text: str) -> str:
    """Strip the leading slashes that would make Rasa read `text` as an intent message.

    Rasa strips all Unicode whitespace before looking for the slash, so any whitespace around
    the slashes goes too ("/\\u2028/inform" would otherwise reach Rasa as an intent).

    >>> neutralise_commands('/inform{"cccd": "001099012345"}')
    'inform{"cccd": "001099012345"}'
    """
    text = text.lstrip()
    while text.startswith("/"):
        text = text[1:].lstrip()
    return text


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip()


def prepare_text(raw: str | None, *, limit: int | None = None) -> Inbound | None:
    """Turn typed text into what Rasa sees, or None when nothing is left to say.

    Args:
        raw: the text as the channel received it.
        limit: the longest text passed on (default `MAX_MESSAGE_CHARS`).
    """
    if not raw:
        return None
    limit = limit or MAX_MESSAGE_CHARS
    text = neutralise_commands(normalise(raw))
    if not text:
        return None
    cut = _cut(text, limit)
    return Inbound(text=cut, truncated=len(cut) < len(text))


def prepare_payload(payload: str | None) -> Inbound | None:
    """Return a button payload the assistant itself sent, canonicalised, or None if it is not one.

    >>> prepare_payload('/rate_answer{"rating": "up"}').text
    '/rate_answer{"rating": "up"}'
    >>> prepare_payload('/inform{"dossier_code": "x"}') is None
    True
    """
    if not payload:
        return None
    match = _PAYLOAD_RE.fullmatch(payload.strip())
    if not match or match["intent"] not in _ALLOWED_PAYLOADS:
        return None
    checks = _ALLOWED_PAYLOADS[match["intent"]]
    entities: dict[str, str] = {}
    if match["entities"]:
        try:
            parsed = json.loads(match["entities"])
        except ValueError:
            return None
        if not isinstance(parsed, dict):
            return None
        for key, value in parsed.items():
            if key not in checks or not isinstance(value, str) or not checks[key].fullmatch(value):
                return None
            entities[key] = value
    text = f"/{match['intent']}" + (json.dumps(entities, ensure_ascii=False) if entities else "")
    return Inbound(text=text, is_payload=True)


def prepare(text: str | None = None, payload: str | None = None) -> Inbound | None:
    """A pressed button's payload when it is one of ours, otherwise the typed text, guarded."""
    if payload is not None:
        inbound = prepare_payload(payload)
        if inbound is not None:
            return inbound
        # A payload we did not send is read as text (never as an intent).
        return prepare_text(payload)
    return prepare_text(text)


def split_text(text: str, limit: int, units: Callable[[str], int] = lambda _char: 1) -> list[str]:
    """Split a long answer into messages a channel accepts, each at most `limit` units long.

    Cuts at a blank line, else a line break, else a space in the second half of the window, and
    only mid-word when none is there. `units` says what one character counts for the channel
    (Telegram counts UTF-16 code units: 2 for an emoji outside the BMP).

    >>> split_text("một hai\\nba bốn", limit=9)
    ['một hai', 'ba bốn']
    """
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        end, used = 0, 0
        for char in rest:
            used += units(char)
            if used > limit:
                break
            end += 1
        if end == len(rest):
            chunks.append(rest)
            break
        end = max(1, end)  # one character even if it alone exceeds a tiny limit
        window = rest[:end]
        cut = end
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position >= end // 2:
                cut = position
                break
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    return [chunk for chunk in chunks if chunk]


def log_safe(text: str | None, limit: int = 80) -> str:
    """The form of message text allowed in logs: personal numbers redacted, shortened."""
    if not text:
        return ""
    cleaned = redact(normalise(text)).replace("\n", " ")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


class RecentIds:
    """Remembers recently seen delivery ids (update_id, msg_id) to drop re-deliveries.

    In memory, per process; across replicas the channels also ask `connectors.limits.RateLimiter.
    first_delivery` (Redis, when shared).
    """

    def __init__(self, max_size: int = 10_000, ttl_seconds: float = 24 * 3600) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._max_size = max_size
        self._ttl = ttl_seconds

    def seen(self, key: str) -> bool:
        """Return True if `key` was seen within the TTL; otherwise remember it and return False."""
        now = time.monotonic()
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= self._ttl and len(self._seen) < self._max_size:
                break
            self._seen.pop(oldest)
        if key in self._seen:
            return True
        self._seen[key] = now
        return False


class ChatQueues:
    """Runs jobs in the background, one chat's jobs strictly in arrival order.

    Different chats run concurrently; a job that fails is logged (without message text) and does
    not stop the jobs queued after it.
    """

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[Callable[[], Awaitable[None]]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def submit(self, chat_id: str, job: Callable[[], Awaitable[None]]) -> None:
        """Queue `job` for `chat_id`; it runs after every job queued before it for that chat."""
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = asyncio.Queue()
        queue.put_nowait(job)
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.get_running_loop().create_task(self._work(chat_id, queue))

    async def _work(self, chat_id: str, queue: asyncio.Queue[Callable[[], Awaitable[None]]]) -> None:
        try:
            while not queue.empty():
                job = queue.get_nowait()
                try:
                    await job()
                except Exception:
                    logger.exception("Background job failed for a chat")
        finally:
            self._workers.pop(chat_id, None)
            if queue.empty():
                self._queues.pop(chat_id, None)

    async def drain(self) -> None:
        """Wait until every queued job has run (for shutdown and tests)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    def pending(self) -> int:
        """How many chats have jobs queued or running."""
        return len(self._workers)
