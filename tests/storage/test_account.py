"""A user's own account: a password change needs the current password and meets the policy,
may sign out the other sessions, and a user sees and ends only their own sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from domain.account import (
    CURRENT_PASSWORD_WRONG,
    PasswordChange,
    change_password,
    end_own_session,
    open_sessions,
)
from domain.audit import AuditEvent
from domain.auth import hash_password, verify_password
from domain.scope import Actor, NotFound
from domain.user_sessions import resume_session, start_session
from domain.users import User

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
ABSOLUTE = timedelta(hours=12)
OLD = "old orchard lantern 42"
NEW = "quiet copper meadow 77"


def _user(session: Session, email: str) -> Actor:
    user = User(email=email, full_name="Robin Clerk", password_hash=hash_password(OLD))
    session.add(user)
    session.commit()
    assert user.id is not None
    return Actor(user_id=user.id, practice_id=None, source_ip="10.0.0.9")


def _start(session: Session, actor: Actor, at: datetime = AT) -> str:
    token = start_session(
        session=session, user_id=actor.user_id, method="password", mfa=False, at=at
    )
    session.commit()
    return token


def _change(
    session: Session, actor: Actor, current: str, new: str, token: str, end: bool
) -> PasswordChange:
    outcome = change_password(
        session=session,
        actor=actor,
        current_password=current,
        new_password=new,
        at=AT,
        this_token=token,
        end_other_sessions=end,
    )
    session.commit()
    return outcome


def test_a_change_needs_the_current_password(session: Session) -> None:
    actor = _user(session, "robin@example.test")
    token = _start(session, actor)
    assert _change(session, actor, "not my password", NEW, token, end=False).refusal == (
        CURRENT_PASSWORD_WRONG
    )
    user = session.get(User, actor.user_id)
    assert user is not None and verify_password(OLD, user.password_hash or "")
    actions = session.exec(select(AuditEvent.action)).all()
    assert "password_change_failed" in actions


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short one", "at least 12"),
        ("password1234", "most common"),
        ("robin clerk portal", "name or email"),
        (OLD, "differ"),
    ],
)
def test_the_new_password_meets_the_policy(session: Session, new: str, message: str) -> None:
    actor = _user(session, "robin@example.test")
    token = _start(session, actor)
    assert message in _change(session, actor, OLD, new, token, end=False).refusal


def test_a_change_can_sign_out_every_other_session(session: Session) -> None:
    actor = _user(session, "robin@example.test")
    here = _start(session, actor)
    elsewhere = _start(session, actor)
    assert _change(session, actor, OLD, NEW, here, end=True).sessions_ended == 1
    user = session.get(User, actor.user_id)
    assert user is not None and verify_password(NEW, user.password_hash or "")
    assert user.password_changed_at == AT
    later = AT + timedelta(minutes=1)
    assert resume_session(session=session, token=here, at=later, idle=IDLE, absolute=ABSOLUTE)
    assert not resume_session(
        session=session, token=elsewhere, at=later, idle=IDLE, absolute=ABSOLUTE
    )
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "password_changed")).one()


def test_a_change_may_leave_the_other_sessions(session: Session) -> None:
    actor = _user(session, "robin@example.test")
    here = _start(session, actor)
    elsewhere = _start(session, actor)
    assert _change(session, actor, OLD, NEW, here, end=False).sessions_ended == 0
    later = AT + timedelta(minutes=1)
    assert resume_session(session=session, token=elsewhere, at=later, idle=IDLE, absolute=ABSOLUTE)


def test_users_see_and_end_only_their_own_live_sessions(session: Session) -> None:
    robin = _user(session, "robin@example.test")
    sam = _user(session, "sam@example.test")
    here = _start(session, robin)
    _start(session, robin, at=AT - timedelta(hours=13))  # past the absolute timeout
    other = _start(session, robin)
    sams = _start(session, sam)
    listed = open_sessions(
        session=session, actor=robin, at=AT, idle=IDLE, absolute=ABSOLUTE, this_token=here
    )
    assert len(listed) == 2
    assert [row.is_this_one for row in listed].count(True) == 1
    sams_id = open_sessions(
        session=session, actor=sam, at=AT, idle=IDLE, absolute=ABSOLUTE, this_token=sams
    )[0].id
    with pytest.raises(NotFound):
        end_own_session(session=session, actor=robin, session_id=sams_id, at=AT)
    other_id = next(row.id for row in listed if not row.is_this_one)
    end_own_session(session=session, actor=robin, session_id=other_id, at=AT)
    session.commit()
    assert not resume_session(session=session, token=other, at=AT, idle=IDLE, absolute=ABSOLUTE)
    assert resume_session(session=session, token=sams, at=AT, idle=IDLE, absolute=ABSOLUTE)
