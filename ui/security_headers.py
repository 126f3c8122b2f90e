"""Security headers on every HTTP response, as a pure ASGI middleware (no request buffering,
streaming responses and the Socket.IO long-poll pass straight through).

- Content-Security-Policy: what NiceGUI 3.18 needs and no more. Its page carries inline
  scripts (the importmap and the app's start-up) and Vue compiles the element templates in
  the browser, so scripts need 'unsafe-inline' and 'unsafe-eval'; Quasar and Plotly set
  inline styles. Everything is served from this origin; images may be data:/blob: URLs (the
  MFA QR code, Plotly's exports). No framing, no plugins, forms post only here.
- frame-ancestors 'none' and X-Frame-Options DENY: no clickjacking (old browsers read the
  latter).
- Referrer-Policy no-referrer: page URLs carry filters that can name a patient (the claim
  list's `patient=`), so no URL leaves in a Referer header.
- Cache-Control no-store on every page, download and API answer (they carry PHI); NiceGUI's
  own versioned assets under /_nicegui/<version>/ keep their long-lived caching.
- Strict-Transport-Security when the request came over TLS (uvicorn sets the scheme from
  X-Forwarded-Proto for the proxies it trusts, FORWARDED_ALLOW_IPS) and always in production,
  which runs behind TLS only (its session cookie is Secure).
"""

from __future__ import annotations

from nicegui import __version__ as nicegui_version
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        # The Socket.IO websocket: 'self' covers ws:/wss: to this origin in CSP 3 browsers
        # (Chrome, Firefox, Safari 15.4+), so no other host is allowed.
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "frame-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
HSTS = "max-age=31536000"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# NiceGUI's versioned, immutable assets (never PHI); its dynamic resources are not cached.
_STATIC_PREFIX = f"/_nicegui/{nicegui_version}/"
_DYNAMIC_PREFIX = f"/_nicegui/{nicegui_version}/dynamic_resources/"


def is_static_asset(path: str) -> bool:
    return path == "/favicon.ico" or (
        path.startswith(_STATIC_PREFIX) and not path.startswith(_DYNAMIC_PREFIX)
    )


class SecurityHeaders:
    """`app.add_middleware(SecurityHeaders, production=settings.is_production)`."""

    def __init__(self, app: ASGIApp, *, production: bool = False) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = is_static_asset(scope["path"])
        over_tls = self.production or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:  # a route's own stricter value stands
                        headers[name] = value
                if not static:
                    headers["Cache-Control"] = "no-store"
                if over_tls:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
