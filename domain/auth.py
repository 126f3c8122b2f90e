"""Password sign-in (argon2id via pwdlib) and the actor a signed-in user becomes."""

from __future__ import annotations

from datetime import datetime

from pwdlib import PasswordHash
from sqlmodel import Session, select

from domain import audit
from domain.roles import Role
from domain.scope import Actor
from domain.users import User, UserRole

_hasher = PasswordHash.recommended()  # argon2id with the library's current parameters
# Verified when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("portico-timing-equaliser")

SIGN_IN_FAILED = "Email or password is incorrect."


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    rows = session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return frozenset(Role(row) for row in rows)


def actor_for(session: Session, user_id: int, *, source_ip: str = "") -> Actor | None:
    """The actor for a session's user id, or None if the user is gone or deactivated."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return Actor(
        user_id=user_id,
        practice_id=user.practice_id,
        roles=roles_of(session, user_id),
        source_ip=source_ip,
    )


def authenticate(
    session: Session, *, email: str, password: str, at: datetime, source_ip: str = ""
) -> Actor | None:
    """Check the credentials and audit the attempt; None for any failure, whatever its cause."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None or user.password_hash is None or not user.is_active:
        _hasher.verify(password, _DUMMY_HASH)
        audit.record(
            session,
            action="sign_in_failed",
            at=at,
            user_id=user.id if user else None,
            practice_id=user.practice_id if user else None,
            outcome="failed",
            source_ip=source_ip,
        )
        return None
    valid, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not valid:
        audit.record(
            session,
            action="sign_in_failed",
            at=at,
            user_id=user.id,
            practice_id=user.practice_id,
            outcome="failed",
            source_ip=source_ip,
        )
        return None
    if new_hash:
        user.password_hash = new_hash
    user.last_sign_in_at = at
    session.add(user)
    assert user.id is not None
    audit.record(
        session,
        action="sign_in",
        at=at,
        user_id=user.id,
        practice_id=user.practice_id,
        source_ip=source_ip,
    )
    return Actor(
        user_id=user.id,
        practice_id=user.practice_id,
        roles=roles_of(session, user.id),
        source_ip=source_ip,
    )
