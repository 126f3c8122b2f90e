"""The browser's side of a signed-in session (domain/user_sessions.py keeps the server's side).

The signed, HttpOnly session cookie (starlette's SessionMiddleware, `portico_session`) carries
`sid`, a random token whose SHA-256 is a UserSession row; nothing about the session is kept in
app.storage.user. Every page load and download resolves the token against the database, so
sign-out, timeouts, sign-out-everywhere and deactivation all take effect on the next request;
the tabs already open are reached through the registry below (kick_user) and, across
processes, by each tab's own check (ui/idle.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

from fastapi import Request
from nicegui import Client, background_tasks, core, ui

from domain.user_sessions import resume_session, token_hash
from storage.settings import get_settings
from ui import clock
from ui.data import call

HOME = "/"
LOGIN = "/login"
SID = "sid"  # the request.session key of the session token


@dataclass(frozen=True)
class Tab:
    """An open tab (NiceGUI client) of a signed-in user in this process."""

    user_id: int
    token_hash: str


# client id -> Tab, filled by the frame on page load, emptied when the client is deleted.
_TABS: dict[str, Tab] = {}


def timeouts() -> tuple[timedelta, timedelta]:
    """(idle, absolute) from the settings."""
    settings = get_settings()
    return (
        timedelta(minutes=settings.session_idle_minutes),
        timedelta(hours=settings.session_absolute_hours),
    )


def token_of(request: Request) -> str:
    token = request.session.get(SID) if "session" in request.scope else None
    return token if isinstance(token, str) else ""


async def user_for_request(request: Request) -> int | None:
    """The signed-in user behind a request's cookie (a page load or a download), or None."""
    token = token_of(request)
    if not token:
        return None
    idle, absolute = timeouts()
    return await call(resume_session, token=token, at=clock.now(), idle=idle, absolute=absolute)


async def resume_tab() -> int | None:
    """Resolve the current page's session once and remember its tab for kick_user."""
    client = ui.context.client
    token = token_of(client.request)
    user_id = await user_for_request(client.request)
    if user_id is None:
        _TABS.pop(client.id, None)
        return None
    if client.id not in _TABS:
        client.on_delete(lambda: _TABS.pop(client.id, None))
    _TABS[client.id] = Tab(user_id=user_id, token_hash=token_hash(token))
    return user_id


def signed_in_user_id() -> int | None:
    """The user the current tab was resolved for on this page load (see resume_tab)."""
    tab = _TABS.get(ui.context.client.id)
    return tab.user_id if tab else None


def current_token() -> str:
    return token_of(ui.context.client.request)


def end() -> None:
    """Forget the current tab's session on this side: no longer registered, and the token
    dropped from the cookie when the response has not been sent yet (a page being built)."""
    client = ui.context.client
    _TABS.pop(client.id, None)
    request = client.request
    if "session" in request.scope and not getattr(request.state, "responded", True):
        request.session.pop(SID, None)


def tabs_of(user_id: int) -> list[str]:
    """The client ids of this user's open tabs in this process."""
    return [
        client_id
        for client_id, tab in list(_TABS.items())
        if tab.user_id == user_id and client_id in Client.instances
    ]


def kick_user(user_id: int, *, keep: str | None = None) -> int:
    """Send every open tab of this user (in this process) to the sign-in page and delete its
    NiceGUI client, so nothing it sends afterwards reaches a handler; how many tabs. `keep`:
    a client id to leave alone (the tab that asked, which signs itself out).

    The navigation goes straight to the socket's room rather than through the client's outbox:
    the outbox stops with the client, and a queued message would never leave."""
    kicked = 0
    for client_id in tabs_of(user_id):
        if client_id == keep:
            continue
        _TABS.pop(client_id, None)
        client = Client.instances.get(client_id)
        if client is None or client.is_deleted:
            continue
        target = login_url(client.request.url.path)
        background_tasks.create(
            core.sio.emit("open", {"path": target, "new_tab": False}, room=client_id),
            name=f"sign out tab {client_id}",
        )
        client.delete()
        kicked += 1
    return kicked


def safe_next(target: str | None) -> str:
    """Only a local path may be the place to go after sign-in; anything that could leave the
    site ('//evil.example', 'https://…', '/\\evil') or loop back to sign-in becomes home."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if "\\" in target or any(ord(character) < 32 for character in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in {LOGIN, "/logout", "/mfa", "/session/start"}:
        return HOME
    return target


def login_url(next_path: str) -> str:
    return LOGIN if next_path == HOME else f"{LOGIN}?next={quote(next_path, safe='/')}"
