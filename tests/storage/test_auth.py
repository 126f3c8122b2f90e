"""Sign-in against the database: argon2id, same answer for wrong email and wrong password,
deactivated users refused, and every attempt audited."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from domain.audit import AuditEvent
from domain.auth import actor_for, authenticate, hash_password
from domain.roles import Role
from domain.users import User, UserRole

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def billing_user(session: Session) -> User:
    user = User(
        email="billing@example.test",
        full_name="Bea Biller",
        password_hash=hash_password("correct horse battery"),
    )
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, role=Role.BILLING))
    session.commit()
    return user


def test_hash_is_argon2id(billing_user: User) -> None:
    assert billing_user.password_hash is not None
    assert billing_user.password_hash.startswith("$argon2id$")


def test_correct_password_signs_in_and_is_audited(session: Session, billing_user: User) -> None:
    actor = authenticate(
        session, email=" Billing@Example.test ", password="correct horse battery", at=AT
    )
    session.commit()
    assert actor is not None and actor.user_id == billing_user.id
    assert actor.roles == {Role.BILLING}
    events = session.exec(select(AuditEvent.action, AuditEvent.outcome)).all()
    assert events == [("sign_in", "ok")]


@pytest.mark.parametrize(
    ("email", "password"),
    [("billing@example.test", "wrong password!"), ("nobody@example.test", "correct horse battery")],
)
def test_failures_look_alike_and_are_audited(
    session: Session, billing_user: User, email: str, password: str
) -> None:
    assert (
        authenticate(session, email=email, password=password, at=AT, source_ip="10.0.0.9") is None
    )
    session.commit()
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
    assert (
        authenticate(session, email=billing_user.email, password="correct horse battery", at=AT)
        is None
    )
    assert actor_for(session, billing_user.id) is None  # type: ignore[arg-type]
