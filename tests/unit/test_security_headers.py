"""The security-headers middleware on its own: every HTTP response gets the policy, pages and
downloads are never cached, NiceGUI's versioned assets keep their caching, HSTS only over TLS
(or in production), and a route's own stricter header stands."""

from __future__ import annotations

import httpx
import pytest
from nicegui import __version__ as nicegui_version
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ui.security_headers import CONTENT_SECURITY_POLICY, HSTS, SecurityHeaders

ASSET = f"/_nicegui/{nicegui_version}/static/nicegui.css"


def _app(*, production: bool = False) -> Starlette:
    def page(_request: object) -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"Cache-Control": "public, max-age=60"})

    def asset(_request: object) -> PlainTextResponse:
        return PlainTextResponse("css", headers={"Cache-Control": "public, max-age=31536000"})

    def framed(_request: object) -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Referrer-Policy": "same-origin"})

    app = Starlette(routes=[Route("/claims", page), Route(ASSET, asset), Route("/framed", framed)])
    app.add_middleware(SecurityHeaders, production=production)
    return app


async def _get(app: Starlette, path: str, base: str = "http://portal") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base) as client:
        return await client.get(path)


async def test_a_page_gets_every_header_and_no_store() -> None:
    response = await _get(_app(), "/claims")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "object-src 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "camera=()" in response.headers["permissions-policy"]
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"  # the route's caching is overruled
    assert "strict-transport-security" not in response.headers


async def test_versioned_assets_keep_their_caching() -> None:
    response = await _get(_app(), ASSET)
    assert response.headers["cache-control"] == "public, max-age=31536000"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_route_s_own_header_stands() -> None:
    response = await _get(_app(), "/framed")
    assert response.headers["referrer-policy"] == "same-origin"
    assert len(response.headers.get_list("referrer-policy")) == 1


@pytest.mark.parametrize(
    ("production", "base", "hsts"),
    [
        (False, "http://portal", False),
        (False, "https://portal", True),  # TLS here, or X-Forwarded-Proto from a trusted proxy
        (True, "http://portal", True),  # production runs behind TLS only
    ],
)
async def test_hsts_only_over_tls_or_in_production(production: bool, base: str, hsts: bool) -> None:
    response = await _get(_app(production=production), "/claims", base)
    assert (response.headers.get("strict-transport-security") == HSTS) is hsts
