"""Files served by plain routes (EOB PDF, 835, kept check PDF, appeal attachment): the page
frame's checks done by hand, one 404 for every kind of "not found", and headers for PHI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from domain.access import PageAccess, open_area
from domain.roles import Area
from domain.scope import NotAuthorized, NotFound
from ui import clock, session
from ui.data import call
from ui.frame import NOT_AUTHORIZED


@dataclass(frozen=True)
class Download:
    content: bytes | str
    media_type: str
    file_name: str


async def file_download(
    request: Request,
    *,
    area: Area,
    not_found: str,
    produce: Callable[[PageAccess], Awaitable[Download]],
) -> Response:
    """Signed out: to the sign-in page and back. A role that does not open `area`: 403.
    `produce` raises NotFound for a missing record, another practice's and a malformed id
    alike, so all three get the same 404 and ids cannot be probed across practices."""
    user_id = await session.user_for_request(request)  # the cookie's session, from the database
    if user_id is None:
        return RedirectResponse(session.login_url(request.url.path), status_code=303)
    access = await call(
        open_area,
        user_id=user_id,
        area=area,
        path=request.url.path,
        at=clock.now(),
        source_ip=request.client.host if request.client else "",
    )
    if access is None:  # deactivated or deleted since signing in
        return RedirectResponse(session.login_url(request.url.path), status_code=303)
    # PHI: never kept by the browser or a proxy, and never sniffed into something to render.
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if not access.allowed:
        return PlainTextResponse(NOT_AUTHORIZED, status_code=403, headers=headers)
    try:
        download = await produce(access)
    except NotAuthorized:
        return PlainTextResponse(NOT_AUTHORIZED, status_code=403, headers=headers)
    except NotFound:
        return PlainTextResponse(not_found, status_code=404, headers=headers)
    headers["Content-Disposition"] = content_disposition(download.file_name)
    return Response(download.content, media_type=download.media_type, headers=headers)


def content_disposition(file_name: str) -> str:
    """Always a download, never shown inline; a name beyond ASCII also goes as RFC 5987
    `filename*` (the plain `filename` keeps an ASCII stand-in for old clients)."""
    ascii_name = file_name.encode("ascii", "replace").decode().replace("?", "_")
    if ascii_name == file_name:
        return f'attachment; filename="{file_name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def record_id(text: str) -> int:
    """A record id from a URL; anything else is not found, like an id that does not exist."""
    if text.isdigit() and len(text) < 19:
        return int(text)
    raise NotFound(text)
