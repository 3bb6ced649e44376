"""Request body limits, applied before any route reads or parses a body.

A pure ASGI middleware (no request object, no body buffering): it refuses with 413 by the declared
``Content-Length`` before the body is read, and counts a body sent without one (chunked) as it streams,
stopping it past the limit. The limit depends on who asks:

- without a valid staff session: APP_ANONYMOUS_BODY_BYTES (64 KiB; the login form is a few hundred
  bytes, and the public API takes no body at all);
- with one: APP_STAFF_BODY_BYTES (1 MiB: the largest FAQ entry or life event is far smaller);
- the national file upload (``POST /api/staff/v1/imports``) by a signed-in admin: STAFF_IMPORT_MAX_MB
  plus room for the multipart envelope (the route checks the file itself exactly).

The session is looked up only when a body may exceed the anonymous limit, so ordinary requests cost
nothing more. nginx and the Ingress apply the same limits per path in front (deploy/).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.staff.deps import COOKIE_NAME
from knowledge_base.db import session_scope
from knowledge_base.settings import get_settings
from knowledge_base.staff.auth import Principal, session_principal

IMPORT_PATH = "/api/staff/v1/imports"
#: Room for the multipart boundaries and the small form fields beside the national file.
MULTIPART_ENVELOPE = 1 << 20


class _BodyTooLargeError(Exception):
    """The streamed body went past its limit."""


def _principal(token: str) -> Principal | None:
    with session_scope() as session:
        return session_principal(session, token)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _kib(size: int) -> str:
    return f"{size // (1 << 20):g} MB" if size >= 1 << 20 else f"{max(1, size // 1024)} KB"


class BodyLimitMiddleware:
    """Refuse request bodies over the caller's limit with 413, before the app reads them."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app`."""
        self.app = app

    async def _limit(self, scope: Scope) -> tuple[int, str]:
        """The caller's limit and what a refusal says (Vietnamese)."""
        settings = get_settings()
        anonymous = settings.app_anonymous_body_bytes
        cookie = _header(scope, b"cookie")
        token = cookie_parser(cookie.decode("latin-1")).get(COOKIE_NAME, "") if cookie else ""
        principal = await run_in_threadpool(_principal, token) if token else None
        if principal is None:
            return anonymous, (
                f"Nội dung gửi lên quá lớn (tối đa {_kib(anonymous)} khi chưa đăng nhập). "
                "Vui lòng đăng nhập rồi thử lại."
            )
        if (
            scope.get("path") == IMPORT_PATH
            and scope.get("method") == "POST"
            and principal.is_admin
            and not principal.must_enrol
        ):
            limit = int(settings.staff_import_max_mb * (1 << 20))
            return limit + MULTIPART_ENVELOPE, f"Tệp quá lớn (tối đa {settings.staff_import_max_mb:g} MB)."
        staff = settings.app_staff_body_bytes
        return staff, f"Nội dung gửi lên quá lớn (tối đa {_kib(staff)})."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 (by Content-Length at once, or as the body streams)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_length = _header(scope, b"content-length")
        chunked = b"chunked" in (_header(scope, b"transfer-encoding") or b"").lower()
        declared: int | None = None
        if raw_length is not None:
            try:
                declared = int(raw_length)
            except ValueError:
                await _refuse(send, 400, "Độ dài nội dung (Content-Length) không hợp lệ.")
                return
        small = get_settings().app_anonymous_body_bytes
        if (declared is None and not chunked) or (declared is not None and declared <= small):
            # No body, or one within everybody's limit (the server delivers no more than declared).
            await self.app(scope, receive, send)
            return
        limit, message = await self._limit(scope)
        if declared is not None and declared > limit:
            await _refuse(send, 413, message)
            return
        state = {"received": 0, "too_large": False, "started": False}

        async def limited_receive() -> Message:
            received = await receive()
            if received["type"] == "http.request":
                state["received"] += len(received.get("body", b""))
                if state["received"] > limit:
                    state["too_large"] = True
                    raise _BodyTooLargeError
            return received

        async def guarded_send(outgoing: Message) -> None:
            if state["too_large"]:
                return  # the app's answer to a cut-off body (a parse error): ours goes out instead
            if outgoing["type"] == "http.response.start":
                state["started"] = True
            await send(outgoing)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not state["too_large"]:
                raise
        if state["too_large"] and not state["started"]:
            await _refuse(send, 413, message)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        # The rest of the body is not wanted: the connection closes instead of reading it.
        (b"connection", b"close"),
    ]
    start: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
