"""Sign-in against the database: argon2id, same answer for wrong email and wrong password,
deactivated users refused, a growing delay then a lockout after repeated failures (for unknown
emails too), and every attempt audited."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.auth import (
    SIGN_IN_FAILED,
    UNKNOWN_EMAILS,
    Throttle,
    actor_for,
    attempt_sign_in,
    authenticate,
    delay_after,
    hash_password,
    too_many_attempts,
)
from domain.roles import Role
from domain.users import User, UserRole

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
THROTTLE = Throttle(lockout_failures=6, lockout=timedelta(minutes=15))


@pytest.fixture(autouse=True)
def _fresh_unknown_email_counters() -> Iterator[None]:
    UNKNOWN_EMAILS.clear()
    yield
    UNKNOWN_EMAILS.clear()


@pytest.fixture
def billing_user(session: Session) -> User:
    user = User(
        email="billing@example.test",
        full_name="Bea Biller",
        password_hash=hash_password(PASSWORD),
    )
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, role=Role.BILLING))
    session.commit()
    return user


def _try(session: Session, email: str, password: str, at: datetime) -> str:
    """One attempt; the message the sign-in page would show ("" when the password passed)."""
    result = attempt_sign_in(
        session, email=email, password=password, at=at, source_ip="10.0.0.9", throttle=THROTTLE
    )
    session.commit()
    return result.message


def _actions(session: Session) -> list[tuple[str, str]]:
    return [
        (event.action, event.outcome)
        for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    ]


def test_hash_is_argon2id(billing_user: User) -> None:
    assert billing_user.password_hash is not None
    assert billing_user.password_hash.startswith("$argon2id$")


def test_correct_password_passes_the_first_factor_without_starting_a_session(
    session: Session, billing_user: User
) -> None:
    result = attempt_sign_in(session, email=" Billing@Example.test ", password=PASSWORD, at=AT)
    session.commit()
    assert result.passed and result.user_id == billing_user.id and result.message == ""
    assert _actions(session) == []  # the sign-in is audited when its session starts

    actor = authenticate(session, email="billing@example.test", password=PASSWORD, at=AT)
    assert actor is not None and actor.user_id == billing_user.id
    assert actor.roles == {Role.BILLING}


@pytest.mark.parametrize(
    ("email", "password"),
    [("billing@example.test", "wrong password!"), ("nobody@example.test", PASSWORD)],
)
def test_failures_look_alike_and_are_audited(
    session: Session, billing_user: User, email: str, password: str
) -> None:
    assert _try(session, email, password, AT) == SIGN_IN_FAILED
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.outcome, event.source_ip) == (
        "sign_in_failed",
        "failed",
        "10.0.0.9",
    )


def test_deactivated_user_cannot_sign_in_nor_keep_a_session(
    session: Session, billing_user: User
) -> None:
    billing_user.is_active = False
    session.add(billing_user)
    session.commit()
    assert _try(session, billing_user.email, PASSWORD, AT) == SIGN_IN_FAILED
    assert authenticate(session, email=billing_user.email, password=PASSWORD, at=AT) is None
    assert actor_for(session, billing_user.id) is None  # type: ignore[arg-type]


def test_the_delay_grows_from_the_third_failure_and_is_capped() -> None:
    assert [delay_after(n).total_seconds() for n in range(1, 11)] == [
        0,
        0,
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


@pytest.mark.parametrize("email", ["billing@example.test", "nobody@example.test"])
def test_delay_then_lockout_say_the_same_for_any_email(
    session: Session, billing_user: User, email: str
) -> None:
    at = AT
    messages = [_try(session, email, "wrong password!", at) for _ in range(3)]
    assert messages == [SIGN_IN_FAILED] * 3
    # Inside the delay even the right password is refused, unchecked.
    assert _try(session, email, PASSWORD, at) == "Too many attempts. Try again in 1 second."
    at += timedelta(seconds=1)
    assert _try(session, email, "wrong password!", at) == SIGN_IN_FAILED  # 4th failure
    assert _try(session, email, "wrong password!", at + timedelta(seconds=1)) == (
        "Too many attempts. Try again in 1 second."  # 2 s after the 4th
    )
    at += timedelta(seconds=2)
    assert _try(session, email, "wrong password!", at) == SIGN_IN_FAILED  # 5th
    at += timedelta(seconds=4)
    # The 6th failure locks (THROTTLE.lockout_failures) and says so.
    assert _try(session, email, "wrong password!", at) == too_many_attempts(THROTTLE.lockout)
    assert too_many_attempts(THROTTLE.lockout) == "Too many attempts. Try again in 15 minutes."
    at += timedelta(minutes=10)
    assert _try(session, email, PASSWORD, at) == "Too many attempts. Try again in 5 minutes."
    actions = _actions(session)
    assert actions.count(("sign_in_failed", "failed")) == 6
    assert actions.count(("lockout", "refused")) == 1
    assert actions.count(("sign_in_throttled", "refused")) == 3
    lockout = session.exec(select(AuditEvent).where(AuditEvent.action == "lockout")).one()
    assert lockout.user_id == (billing_user.id if email == billing_user.email else None)

    at += timedelta(minutes=5)  # the lockout is over: the count starts again
    expected = "" if email == billing_user.email else SIGN_IN_FAILED
    assert _try(session, email, PASSWORD, at) == expected


def test_success_resets_the_count(session: Session, billing_user: User) -> None:
    for _ in range(4):
        _try(session, billing_user.email, "wrong password!", AT)
    session.refresh(billing_user)
    # Only the first three were checked: the fourth came inside the delay.
    assert billing_user.failed_sign_ins == 3
    at = AT + timedelta(seconds=1)
    assert _try(session, billing_user.email, PASSWORD, at) == ""
    session.refresh(billing_user)
    assert (billing_user.failed_sign_ins, billing_user.locked_until) == (0, None)
    assert billing_user.last_failed_sign_in_at is None
    # Two more failures after the success: no delay yet.
    _try(session, billing_user.email, "wrong password!", at)
    assert _try(session, billing_user.email, "wrong password!", at) == SIGN_IN_FAILED


def test_unknown_email_counters_are_bounded_and_keep_no_address() -> None:
    from domain.auth import _UnknownEmails

    table = _UnknownEmails(size=3)
    for number in range(5):
        table.counter(f"person{number}@example.test").failures += 1
    assert len(table._counters) == 3
    assert all("@" not in key and len(key) == 64 for key in table._counters)
