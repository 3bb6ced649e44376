"""The web widget's files and its demo page, served by the FastAPI app with security headers.

- ``GET /``                     a mock provincial portal page embedding the widget with one
  ``<script>`` tag whose ``data-server`` is the Rasa server (``WEB_RASA_URL``); ``?lang=en``
  shows the widget's own strings in English.
- ``GET /widget/widget.js``, ``GET /widget/widget.css``  the widget (plain files, no build step).
- ``GET /demo/demo.css``        the demo page's style.

Every response carries a Content-Security-Policy (scripts and styles only from this app; the page
may connect only to itself and the Rasa server), ``nosniff`` and a strict referrer policy. Only the
listed files are served, so no request path can reach another file.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
#: The demo page's placeholders (replaced per request; the file itself stays plain HTML).
SERVER_PLACEHOLDER = "__WEB_RASA_URL__"
LANG_PLACEHOLDER = "__WEB_LANG__"

_URL_RE = re.compile(
    r"(?P<origin>https?://(?:[A-Za-z0-9.\-]+|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?)(?:/[A-Za-z0-9._~\-/]*)?"
)

#: Files served, by URL path: (file under web/, media type).
STATIC_FILES: dict[str, tuple[str, str]] = {
    "widget/widget.js": ("widget/widget.js", "text/javascript; charset=utf-8"),
    "widget/widget.css": ("widget/widget.css", "text/css; charset=utf-8"),
    "demo/demo.css": ("demo/demo.css", "text/css; charset=utf-8"),
}

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class WidgetSettings(BaseSettings):
    """The widget's settings, from the environment only."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    #: The Rasa server base URL the demo page's widget talks to (its ``data-server``), as the
    #: citizen's browser reaches it.
    web_rasa_url: str = "http://127.0.0.1:5005"

    @field_validator("web_rasa_url")
    @classmethod
    def _plain_http_url(cls, value: str) -> str:
        # The value goes into an HTML attribute and the CSP header: only a plain http(s) URL fits.
        value = value.strip().rstrip("/")
        if not _URL_RE.fullmatch(value):
            raise ValueError("WEB_RASA_URL must be a plain http(s) URL such as http://127.0.0.1:5005")
        return value

    @property
    def rasa_origin(self) -> str:
        """The scheme, host and port of the Rasa server (for connect-src)."""
        match = _URL_RE.fullmatch(self.web_rasa_url)
        assert match is not None  # validated above
        return match["origin"]


@functools.lru_cache(maxsize=1)
def get_widget_settings() -> WidgetSettings:
    """The widget settings of this process (read once)."""
    return WidgetSettings()


def page_csp(rasa_origin: str) -> str:
    """The demo page's Content-Security-Policy: nothing inline, the widget may call the Rasa server."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {rasa_origin}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


#: The static files' policy: they are not documents, so they may load and run nothing themselves.
STATIC_CSP = "default-src 'none'; frame-ancestors 'none'"


def _read(relative: str) -> bytes:
    # Read per request (small files): an edited widget is served without restarting the app.
    return (WEB_DIR / relative).read_bytes()


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def demo_page(lang: Annotated[str, Query(pattern="^(vi|en)$")] = "vi") -> HTMLResponse:
    """The mock portal page with the widget embedded."""
    settings = get_widget_settings()
    page = (
        _read("demo/index.html")
        .decode("utf-8")
        .replace(SERVER_PLACEHOLDER, html.escape(settings.web_rasa_url, quote=True))
        .replace(LANG_PLACEHOLDER, lang)
    )
    return HTMLResponse(
        page,
        headers=COMMON_HEADERS
        | {
            "Content-Security-Policy": page_csp(settings.rasa_origin),
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cache-Control": "no-cache",
        },
    )


@router.get("/widget/{name}")
def widget_file(name: str) -> Response:
    """One of the widget's files (only those listed in `STATIC_FILES`)."""
    return _static(f"widget/{name}")


@router.get("/demo/{name}")
def demo_file(name: str) -> Response:
    """One of the demo page's files (only those listed in `STATIC_FILES`)."""
    return _static(f"demo/{name}")


def _static(path: str) -> Response:
    entry = STATIC_FILES.get(path)
    if entry is None:
        raise HTTPException(status_code=404, detail="Không tìm thấy tệp")
    relative, media_type = entry
    return Response(
        _read(relative),
        media_type=media_type,
        headers=COMMON_HEADERS
        | {
            "Content-Security-Policy": STATIC_CSP,
            # Portal pages of other origins load the widget.
            "Cross-Origin-Resource-Policy": "cross-origin",
            "Cache-Control": "public, max-age=300",
        },
    )
