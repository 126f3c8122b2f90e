"""Signed-in sessions, kept server-side so that sign-out, timeouts and deactivation end them for
good: the browser's cookie holds only a random token, the database its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, select

from domain import audit
from domain.types import UTCDateTime
from domain.users import User


class UserSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, description="sha256 hex of the token")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str = Field(
        default="", max_length=30, description="sign_out, idle, absolute, deactivated, everywhere"
    )
    method: str = Field(default="password", max_length=60, description="password or oidc:NAME")
    mfa: bool = Field(default=False, description="a second factor was checked at sign-in")
    source_ip: str = Field(default="", max_length=45)


# Why the reasons are words, not an enum column: they are read by people in the audit trail.
SIGN_OUT = "sign_out"
IDLE = "idle"
ABSOLUTE = "absolute"
DEACTIVATED = "deactivated"
EVERYWHERE = "everywhere"

# last_seen_at is rewritten at most this often by page loads: a page load every second would
# otherwise be a write every second, and the idle timeout is measured in minutes.
SEEN_WRITE_INTERVAL = timedelta(seconds=30)


class SessionRefused(Exception):
    """start_session for a user who is gone or deactivated: no session is created."""


@dataclass(frozen=True)
class LiveSession:
    """A session that is still live, and how long it has before each timeout."""

    user_id: int
    idle_left: timedelta
    absolute_left: timedelta

    @property
    def left(self) -> timedelta:
        return min(self.idle_left, self.absolute_left)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start_session(
    *, session: Session, user_id: int, method: str, mfa: bool, at: datetime, source_ip: str = ""
) -> str:
    """A new session for a user who has passed every factor; returns the raw token (only its
    hash is stored). Audited as the sign-in."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise SessionRefused(user_id)
    token = new_token()
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=at,
            last_seen_at=at,
            method=method[:60],
            mfa=mfa,
            source_ip=source_ip[:45],
        )
    )
    user.last_sign_in_at = at
    session.add(user)
    audit.record(
        session,
        action="sign_in",
        at=at,
        user_id=user_id,
        practice_id=user.practice_id,
        entity_type="session",
        source_ip=source_ip,
        detail=f"method {method}" + (", mfa" if mfa else ""),
    )
    return token


def _find(session: Session, token: str) -> UserSession | None:
    if not token:
        return None
    return session.exec(
        select(UserSession).where(UserSession.token_hash == token_hash(token))
    ).first()


def _end(
    session: Session, row: UserSession, *, at: datetime, reason: str, source_ip: str = ""
) -> None:
    row.ended_at = at
    row.end_reason = reason
    session.add(row)
    user = session.get(User, row.user_id)
    audit.record(
        session,
        action="sign_out" if reason == SIGN_OUT else "session_end",
        at=at,
        user_id=row.user_id,
        practice_id=user.practice_id if user else None,
        entity_type="session",
        entity_id=row.id or "",
        source_ip=source_ip,
        detail=f"reason {reason}",
    )


def _live(
    session: Session,
    row: UserSession | None,
    *,
    at: datetime,
    idle: timedelta,
    absolute: timedelta,
) -> LiveSession | None:
    """The session's state now; ends it (and audits why) if a timeout has passed or its user
    may no longer sign in."""
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        _end(session, row, at=at, reason=DEACTIVATED)
        return None
    absolute_left = row.created_at + absolute - at
    idle_left = row.last_seen_at + idle - at
    if absolute_left <= timedelta(0):
        _end(session, row, at=at, reason=ABSOLUTE)
        return None
    if idle_left <= timedelta(0):
        _end(session, row, at=at, reason=IDLE)
        return None
    return LiveSession(user_id=row.user_id, idle_left=idle_left, absolute_left=absolute_left)


def resume_session(
    *, session: Session, token: str, at: datetime, idle: timedelta, absolute: timedelta
) -> int | None:
    """The user id behind a cookie's token on a page load, or None: unknown token, ended,
    timed out (ended here, with the reason audited), or the user deactivated. A page load is
    activity, so it moves last_seen_at (at most every SEEN_WRITE_INTERVAL)."""
    row = _find(session, token)
    live = _live(session, row, at=at, idle=idle, absolute=absolute)
    if live is None or row is None:
        return None
    if at - row.last_seen_at >= SEEN_WRITE_INTERVAL:
        row.last_seen_at = at
        session.add(row)
    return live.user_id


def session_state(
    *, session: Session, token: str, at: datetime, idle: timedelta, absolute: timedelta
) -> LiveSession | None:
    """What an open tab asks every few seconds, without counting as activity: is the session
    still live, and how long until it times out? Ends it if a timeout has passed."""
    return _live(session, _find(session, token), at=at, idle=idle, absolute=absolute)


def touch(
    *, session: Session, token: str, at: datetime, idle: timedelta, absolute: timedelta
) -> LiveSession | None:
    """Activity in a tab (a key, a click, "Stay signed in"): the idle clock starts again, unless
    the session has already ended."""
    row = _find(session, token)
    live = _live(session, row, at=at, idle=idle, absolute=absolute)
    if live is None or row is None:
        return None
    row.last_seen_at = at
    session.add(row)
    return LiveSession(
        user_id=live.user_id, idle_left=idle, absolute_left=min(live.absolute_left, absolute)
    )


def end_session(
    *, session: Session, token: str, at: datetime, reason: str, source_ip: str = ""
) -> int | None:
    """End the session behind a token (sign-out); the user id it belonged to, or None if it
    was unknown or already over."""
    row = _find(session, token)
    if row is None or row.ended_at is not None:
        return None
    _end(session, row, at=at, reason=reason, source_ip=source_ip)
    return row.user_id


def end_all_for_user(
    session: Session,
    user_id: int,
    *,
    at: datetime,
    reason: str,
    source_ip: str = "",
    keep_token: str = "",
) -> int:
    """End every live session of a user (sign out everywhere, deactivation), but the one
    behind `keep_token` if given (a password change keeps the browser that made it); how many
    ended. One conditional UPDATE, so a session that another process is touching still ends."""
    ids = session.exec(
        select(UserSession.id).where(
            UserSession.user_id == user_id,
            col(UserSession.ended_at).is_(None),
            UserSession.token_hash != (token_hash(keep_token) if keep_token else ""),
        )
    ).all()
    if not ids:
        return 0
    session.execute(
        update(UserSession)
        .where(col(UserSession.id).in_(ids), col(UserSession.ended_at).is_(None))
        .values(ended_at=at, end_reason=reason)
    )
    user = session.get(User, user_id)
    audit.record(
        session,
        action="sessions_ended",
        at=at,
        user_id=user_id,
        practice_id=user.practice_id if user else None,
        entity_type="user",
        entity_id=user_id,
        source_ip=source_ip,
        detail=f"reason {reason}, {len(ids)} session(s)",
    )
    return len(ids)


def live_session_count(*, session: Session, user_id: int) -> int:
    return len(
        session.exec(
            select(UserSession.id).where(
                UserSession.user_id == user_id, col(UserSession.ended_at).is_(None)
            )
        ).all()
    )
