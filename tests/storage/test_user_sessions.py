"""Server-side sessions in the database: only the token's hash is kept, the idle and absolute
timeouts end a session for good, sign-out and "everywhere" end it, a deactivated user's
sessions are over, and each start and end is audited."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.auth import hash_password
from domain.user_sessions import (
    SEEN_WRITE_INTERVAL,
    SessionRefused,
    UserSession,
    end_all_for_user,
    end_session,
    live_session_count,
    resume_session,
    session_state,
    start_session,
    touch,
)
from domain.users import User

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
ABSOLUTE = timedelta(hours=12)


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="clerk@example.test", full_name="C", password_hash=hash_password("x" * 12))
    session.add(user)
    session.commit()
    assert user.id is not None
    return user.id


def _start(session: Session, user_id: int, at: datetime = AT) -> str:
    token = start_session(
        session=session, user_id=user_id, method="password", mfa=False, at=at, source_ip="10.1.2.3"
    )
    session.commit()
    return token


def _resume(session: Session, token: str, at: datetime) -> int | None:
    found = resume_session(session=session, token=token, at=at, idle=IDLE, absolute=ABSOLUTE)
    session.commit()
    return found


def _row(session: Session) -> UserSession:
    row = session.exec(select(UserSession)).one()
    session.refresh(row)
    return row


def _events(session: Session) -> list[tuple[str, str]]:
    return [
        (event.action, event.detail)
        for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    ]


def test_only_the_hash_of_the_token_is_stored(session: Session, user_id: int) -> None:
    token = _start(session, user_id)
    assert len(token) >= 43  # 32 random bytes
    row = _row(session)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (row.method, row.source_ip, row.created_at, row.last_seen_at) == (
        "password",
        "10.1.2.3",
        AT,
        AT,
    )
    assert _events(session) == [("sign_in", "method password")]
    user = session.get(User, user_id)
    assert user is not None and user.last_sign_in_at == AT
    assert _resume(session, token, AT) == user_id
    assert _resume(session, row.token_hash, AT) is None  # the stored hash is not a credential
    assert _resume(session, "", AT) is None


def test_tokens_are_unique(session: Session, user_id: int) -> None:
    assert len({_start(session, user_id) for _ in range(5)}) == 5


def test_idle_timeout_ends_the_session_for_good(session: Session, user_id: int) -> None:
    token = _start(session, user_id)
    assert _resume(session, token, AT + timedelta(minutes=14)) == user_id
    assert _row(session).last_seen_at == AT + timedelta(minutes=14)
    assert _resume(session, token, AT + timedelta(minutes=28)) == user_id
    assert _resume(session, token, AT + timedelta(minutes=43)) is None  # 15 min after
    row = _row(session)
    assert (row.end_reason, row.ended_at) == ("idle", AT + timedelta(minutes=43))
    assert _events(session)[-1] == ("session_end", "reason idle")
    assert _resume(session, token, AT + timedelta(minutes=30)) is None  # ended stays ended


def test_page_loads_write_last_seen_at_most_every_interval(session: Session, user_id: int) -> None:
    token = _start(session, user_id)
    _resume(session, token, AT + SEEN_WRITE_INTERVAL / 2)
    assert _row(session).last_seen_at == AT
    _resume(session, token, AT + SEEN_WRITE_INTERVAL)
    assert _row(session).last_seen_at == AT + SEEN_WRITE_INTERVAL


def test_absolute_timeout_ends_even_a_busy_session(session: Session, user_id: int) -> None:
    token = _start(session, user_id)
    at = AT
    while at + timedelta(minutes=10) < AT + ABSOLUTE:
        at += timedelta(minutes=10)
        assert _resume(session, token, at) == user_id
    assert _resume(session, token, AT + ABSOLUTE) is None
    assert _row(session).end_reason == "absolute"


def test_state_and_touch_for_an_open_tab(session: Session, user_id: int) -> None:
    token = _start(session, user_id)
    at = AT + timedelta(minutes=14)
    state = session_state(session=session, token=token, at=at, idle=IDLE, absolute=ABSOLUTE)
    assert state is not None and state.idle_left == timedelta(minutes=1)
    assert _row(session).last_seen_at == AT  # asking is not activity
    touched = touch(session=session, token=token, at=at, idle=IDLE, absolute=ABSOLUTE)
    session.commit()
    assert touched is not None and touched.idle_left == IDLE
    assert _row(session).last_seen_at == at
    late = at + IDLE
    assert touch(session=session, token=token, at=late, idle=IDLE, absolute=ABSOLUTE) is None


def test_sign_out_ends_one_session(session: Session, user_id: int) -> None:
    kept, ended = _start(session, user_id), _start(session, user_id)
    assert end_session(session=session, token=ended, at=AT, reason="sign_out") == user_id
    session.commit()
    assert end_session(session=session, token=ended, at=AT, reason="sign_out") is None
    assert _resume(session, ended, AT) is None
    assert _resume(session, kept, AT) == user_id
    assert ("sign_out", "reason sign_out") in _events(session)


def test_everywhere_ends_every_live_session(session: Session, user_id: int) -> None:
    tokens = [_start(session, user_id) for _ in range(3)]
    end_session(session=session, token=tokens[0], at=AT, reason="sign_out")
    assert end_all_for_user(session, user_id, at=AT, reason="everywhere") == 2
    session.commit()
    assert all(_resume(session, token, AT) is None for token in tokens)
    assert live_session_count(session=session, user_id=user_id) == 0
    assert _events(session)[-1] == ("sessions_ended", "reason everywhere, 2 session(s)")
    assert end_all_for_user(session, user_id, at=AT, reason="everywhere") == 0


def test_a_deactivated_users_sessions_are_over(session: Session, user_id: int) -> None:
    token = _start(session, user_id)
    user = session.get(User, user_id)
    assert user is not None
    user.is_active = False
    session.add(user)
    session.commit()
    assert _resume(session, token, AT) is None
    assert _row(session).end_reason == "deactivated"
    with pytest.raises(SessionRefused):
        start_session(session=session, user_id=user_id, method="password", mfa=False, at=AT)
