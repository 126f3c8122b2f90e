"""What signed-in users do to their own account: change their password (current one first),
see where they are signed in, and end any of those sessions (ASVS 6.2.2-6.2.3, 7.4.3, 7.5.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from domain import audit
from domain.auth import hash_password, verify_password
from domain.passwords import password_problem
from domain.scope import Actor, NotFound
from domain.user_sessions import EVERYWHERE, SIGN_OUT, UserSession, end_all_for_user, token_hash
from domain.users import User

CURRENT_PASSWORD_WRONG = "Your current password is not correct."  # noqa: S105 (a message)


@dataclass(frozen=True)
class PasswordChange:
    """The outcome: `refusal` is the form's message when nothing changed (returned, not
    raised, so the audit event of a wrong current password commits with the unit of work)."""

    refusal: str = ""
    sessions_ended: int = 0


@dataclass(frozen=True)
class OpenSession:
    id: int
    created_at: datetime
    last_seen_at: datetime
    method: str
    mfa: bool
    source_ip: str
    is_this_one: bool


def change_password(
    *,
    session: Session,
    actor: Actor,
    current_password: str,
    new_password: str,
    at: datetime,
    this_token: str,
    end_other_sessions: bool,
) -> PasswordChange:
    """Set a new password after checking the current one. The new password must meet the
    policy and differ from the current one."""
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active or user.password_hash is None:
        return PasswordChange(refusal=CURRENT_PASSWORD_WRONG)
    if not verify_password(current_password, user.password_hash):
        audit.record_by(
            session,
            actor,
            action="password_change_failed",
            at=at,
            outcome="failed",
            entity_type="user",
            entity_id=actor.user_id,
        )
        return PasswordChange(refusal=CURRENT_PASSWORD_WRONG)
    problem = password_problem(new_password, user_inputs=(user.email, user.full_name))
    if problem is not None:
        return PasswordChange(refusal=problem.message)
    if verify_password(new_password, user.password_hash):
        return PasswordChange(refusal="The new password must differ from the current one.")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = at
    session.add(user)
    ended = (
        end_all_for_user(
            session,
            actor.user_id,
            at=at,
            reason=EVERYWHERE,
            source_ip=actor.source_ip,
            keep_token=this_token,
        )
        if end_other_sessions
        else 0
    )
    audit.record_by(
        session,
        actor,
        action="password_changed",
        at=at,
        entity_type="user",
        entity_id=actor.user_id,
        detail=f"{ended} other session(s) ended",
    )
    return PasswordChange(sessions_ended=ended)


def open_sessions(
    *,
    session: Session,
    actor: Actor,
    at: datetime,
    idle: timedelta,
    absolute: timedelta,
    this_token: str,
) -> list[OpenSession]:
    """The actor's sessions that are still live (not ended, within both timeouts), newest
    first; the one this browser holds is marked."""
    mine = token_hash(this_token) if this_token else ""
    rows = session.exec(
        select(UserSession)
        .where(UserSession.user_id == actor.user_id, col(UserSession.ended_at).is_(None))
        .order_by(col(UserSession.created_at).desc())
    ).all()
    return [
        OpenSession(
            id=row.id or 0,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            method=row.method,
            mfa=row.mfa,
            source_ip=row.source_ip,
            is_this_one=row.token_hash == mine,
        )
        for row in rows
        if row.created_at + absolute > at and row.last_seen_at + idle > at
    ]


def end_own_session(*, session: Session, actor: Actor, session_id: int, at: datetime) -> None:
    """End one of the actor's own sessions; anyone else's id is NotFound."""
    row = session.exec(
        select(UserSession).where(
            UserSession.id == session_id,
            UserSession.user_id == actor.user_id,
            col(UserSession.ended_at).is_(None),
        )
    ).first()
    if row is None:
        raise NotFound(session_id)
    row.ended_at, row.end_reason = at, SIGN_OUT
    session.add(row)
    audit.record_by(
        session,
        actor,
        action="session_end",
        at=at,
        entity_type="session",
        entity_id=session_id,
        detail="ended by its user from account security",
    )
