"""The interactive API documentation (/docs: Swagger UI, /redoc: ReDoc), outside the prod profile only.

FastAPI's own pages load the newest Swagger UI or ReDoc of a major version from a public CDN, with an
inline script and no integrity check, on the origin that also serves the staff workspace: whoever
controls the CDN's copy runs script with the staff's cookies. Here the CDN files are pinned to one
exact version each and loaded with Subresource Integrity (the browser refuses any other bytes), the
page's own script is served from this app (no inline script), and every response carries a
Content-Security-Policy that allows scripts only from this app and those exact files, with the staff
pages' other headers. In the prod profile the pages are not served at all (/openapi.json stays).

The integrity hashes are the SHA-384 of the npm packages' files (``npm pack swagger-ui-dist@5.36.0``,
``npm pack redoc@2.5.4``), which the CDN serves byte for byte. To move to another version, pack it,
``openssl dgst -sha384 -binary <file> | base64`` each file, and change the URL and hash together.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.36.0"
REDOC = "https://cdn.jsdelivr.net/npm/redoc@2.5.4"


@dataclass(frozen=True)
class Asset:
    """A file of a public CDN, pinned to one version and checked by the browser against its hash."""

    url: str
    integrity: str

    def attributes(self) -> str:
        """The HTML attributes that load it with Subresource Integrity and no cookies or referrer."""
        return f'integrity="{self.integrity}" crossorigin="anonymous" referrerpolicy="no-referrer"'


SWAGGER_JS = Asset(
    f"{SWAGGER_UI}/swagger-ui-bundle.js",
    "sha384-fUpRgC19yPykTqzdrUbdAg8NTiu16NEKf9U12J+IJWCg8/1mEI8f2+PEIz60Wyd+",
)
SWAGGER_CSS = Asset(
    f"{SWAGGER_UI}/swagger-ui.css",
    "sha384-z/AtSaOHGn5MJ5auAHXUypohywlIWLBZo1jeGmhdpVIbCnFhxAH92cwdV41oyINc",
)
REDOC_JS = Asset(
    f"{REDOC}/bundles/redoc.standalone.js",
    "sha384-w447zOpYfw/1Tv/5AK9NfHTlQIqE3RVR6KY62jCyy9zNDgO64cMwGGP1Fj0zJVf5",
)

SWAGGER_INIT_PATH = "/docs/swagger-init.js"

#: The staff pages' headers (app/staff/workspace.py), on every documentation response.
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# Scripts: this app and the one pinned file; styles: the pinned stylesheet, and inline styles, which
# both libraries set on their elements (no script can come of a style attribute); the API calls of
# "Try it out" go to this origin only.
SWAGGER_CSP = (
    f"default-src 'none'; script-src 'self' {SWAGGER_JS.url}; style-src {SWAGGER_CSS.url} 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
# ReDoc also runs its search index in a worker it builds from a blob: URL.
REDOC_CSP = (
    f"default-src 'none'; script-src {REDOC_JS.url}; style-src 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; worker-src blob:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


def swagger_page(title: str) -> str:
    """The Swagger UI page."""
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - Swagger UI</title>
<link rel="stylesheet" href="{SWAGGER_CSS.url}" {SWAGGER_CSS.attributes()}>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER_JS.url}" {SWAGGER_JS.attributes()}></script>
<script src="{SWAGGER_INIT_PATH}"></script>
</body>
</html>
"""


def swagger_init(openapi_url: str) -> str:
    """The page's own script (FastAPI's default Swagger UI parameters)."""
    return (
        "window.ui = SwaggerUIBundle({\n"
        f"  url: {json.dumps(openapi_url)},\n"
        '  dom_id: "#swagger-ui",\n'
        '  layout: "BaseLayout",\n'
        "  deepLinking: true,\n"
        "  showExtensions: true,\n"
        "  showCommonExtensions: true,\n"
        "  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],\n"
        "});\n"
    )


def redoc_page(title: str, openapi_url: str) -> str:
    """The ReDoc page."""
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - ReDoc</title>
</head>
<body>
<noscript>ReDoc cần JavaScript để hiển thị tài liệu API.</noscript>
<redoc spec-url="{html.escape(openapi_url)}"></redoc>
<script src="{REDOC_JS.url}" {REDOC_JS.attributes()}></script>
</body>
</html>
"""


def install_docs(app: FastAPI, *, enabled: bool) -> None:
    """Serve /docs and /redoc on `app` (build it with ``docs_url=None, redoc_url=None``) when `enabled`."""
    if not enabled or not app.openapi_url:
        return
    openapi_url = app.openapi_url

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(
            swagger_page(app.title), headers=COMMON_HEADERS | {"Content-Security-Policy": SWAGGER_CSP}
        )

    @app.get(SWAGGER_INIT_PATH, include_in_schema=False)
    def swagger_ui_init() -> Response:
        return Response(
            swagger_init(openapi_url),
            media_type="text/javascript",
            headers=COMMON_HEADERS | {"Content-Security-Policy": "default-src 'none'"},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(
            redoc_page(app.title, openapi_url),
            headers=COMMON_HEADERS | {"Content-Security-Policy": REDOC_CSP},
        )
