"""From a first factor that passed to a started session, through MFA when it is needed.

The session starts in an HTTP response (GET /session/start), never in a websocket handler,
because only an HTTP response can rewrite the cookie: the browser's whole session cookie is
replaced there — a new NiceGUI browser id and a new session token — so an id planted in the
browser before sign-in (session fixation) is worth nothing after it. Between the first factor
and that request, the pending sign-in waits in app.storage.user for at most five minutes, with
a nonce that only the page which checked the first factor knows.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app

from domain.mfa import MfaStep, mfa_step
from domain.user_sessions import SessionRefused, start_session
from storage.settings import get_settings
from ui import clock, session
from ui.data import call

PENDING = "pending_sign_in"
PENDING_FOR = timedelta(minutes=5)
MFA_PAGE = "/mfa"
START_PATH = "/session/start"


@dataclass(frozen=True)
class PendingSignIn:
    user_id: int
    method: str
    next_path: str
    mfa_step: MfaStep
    mfa_done: bool

    @property
    def needs_mfa(self) -> bool:
        return self.mfa_step in (MfaStep.VERIFY, MfaStep.ENROLL) and not self.mfa_done


def _start_url(nonce: str) -> str:
    return f"{START_PATH}?n={quote(nonce)}"


async def first_factor_passed(user_id: int, *, method: str, next_path: str) -> str:
    """Remember a sign-in whose first factor (password, or an SSO provider) passed; the URL the
    browser goes to next: the MFA page, or the request that starts the session."""
    step = await call(
        mfa_step, user_id=user_id, required_for_all=get_settings().mfa_required_for_all
    )
    nonce = secrets.token_urlsafe(32)
    app.storage.user[PENDING] = {
        "user_id": user_id,
        "method": method,
        "next": session.safe_next(next_path),
        "nonce": nonce,
        "mfa_step": step.value,
        "mfa_done": False,
        "expires": (clock.now() + PENDING_FOR).timestamp(),
    }
    return MFA_PAGE if step in (MfaStep.VERIFY, MfaStep.ENROLL) else _start_url(nonce)


def _pending_entry() -> dict[str, Any] | None:
    entry = app.storage.user.get(PENDING)
    if not isinstance(entry, dict):
        return None
    if float(entry.get("expires", 0)) <= clock.now().timestamp():
        app.storage.user.pop(PENDING, None)
        return None
    return entry


def pending_sign_in() -> PendingSignIn | None:
    """The sign-in waiting in this browser for its second factor (or to start), if any."""
    entry = _pending_entry()
    if entry is None:
        return None
    return PendingSignIn(
        user_id=int(entry["user_id"]),
        method=str(entry["method"]),
        next_path=str(entry["next"]),
        mfa_step=MfaStep(entry["mfa_step"]),
        mfa_done=bool(entry["mfa_done"]),
    )


async def mfa_passed() -> str:
    """The second factor checked out: the URL that starts the session (or sign-in again when
    nothing is pending any more)."""
    entry = _pending_entry()
    if entry is None:
        return session.LOGIN
    entry = {**entry, "mfa_done": True}
    app.storage.user[PENDING] = entry
    return _start_url(str(entry["nonce"]))


def cancel() -> None:
    app.storage.user.pop(PENDING, None)


def register() -> None:
    app.get(START_PATH, include_in_schema=False)(start_session_route)


async def start_session_route(request: Request, n: str = "") -> RedirectResponse:
    """Start the session the pending sign-in is waiting for, in a brand-new cookie."""
    entry = _pending_entry()
    # Bytes, not str: compare_digest refuses non-ASCII str, and `n` is whatever the URL holds.
    if entry is None or not hmac.compare_digest(str(entry.get("nonce", "")).encode(), n.encode()):
        # A stale or forged link: nothing pending is disturbed, the browser signs in anew.
        return RedirectResponse(session.LOGIN, status_code=303)
    pending = pending_sign_in()
    assert pending is not None
    if pending.needs_mfa:
        return RedirectResponse(MFA_PAGE, status_code=303)
    app.storage.user.pop(PENDING, None)
    source_ip = request.client.host if request.client else ""
    try:
        token = await call(
            start_session,
            user_id=pending.user_id,
            method=pending.method,
            mfa=pending.mfa_done,
            at=clock.now(),
            source_ip=source_ip,
        )
    except SessionRefused:  # deactivated between the first factor and now
        return RedirectResponse(session.LOGIN, status_code=303)
    # Everything the browser held before is dropped: a new NiceGUI browser id (so a new
    # app.storage.user) and the new session token.
    request.session.clear()
    request.session["id"] = str(uuid.uuid4())
    request.session[session.SID] = token
    return RedirectResponse(pending.next_path, status_code=303)
