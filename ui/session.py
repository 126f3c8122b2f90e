"""The browser session: only the user id and role names live in app.storage.user, never names,
emails or PHI (the storage is a file on the server keyed by a signed cookie)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from nicegui import app

from domain.scope import Actor

HOME = "/"
LOGIN = "/login"


def signed_in_user_id() -> int | None:
    user_id = app.storage.user.get("user_id")
    return user_id if isinstance(user_id, int) else None


def start(actor: Actor) -> None:
    """A fresh session for this actor: whatever the browser held before is dropped first."""
    app.storage.user.clear()
    app.storage.user.update(
        {"user_id": actor.user_id, "roles": sorted(role.value for role in actor.roles)}
    )


def end() -> None:
    app.storage.user.clear()


def safe_next(target: str | None) -> str:
    """Only a local path may be the place to go after sign-in; anything that could leave the
    site ('//evil.example', 'https://…', '/\\evil') or loop back to sign-in becomes home."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if "\\" in target or any(ord(character) < 32 for character in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in {LOGIN, "/logout"}:
        return HOME
    return target


def login_url(next_path: str) -> str:
    return LOGIN if next_path == HOME else f"{LOGIN}?next={quote(next_path, safe='/')}"
