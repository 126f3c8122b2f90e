"""Password sign-in (argon2id via pwdlib) with a progressive delay and lockout, and the actor a
signed-in user becomes.

What a person trying passwords can learn is the same whether or not the email has an account:
one message for every wrong password (SIGN_IN_FAILED), and the same throttling — a growing
delay from the third failure, a lockout after `lockout_failures` — for unknown emails too. An
account's failures are counted on its User row (so they survive a restart and are shared by
every process); an unknown email's in a bounded in-memory table keyed by a hash of the
address, since there is no row to count on and no reason to store strangers' addresses. The
one difference an attacker could observe is that an unknown email's count starts again when
the process restarts (or on another process), which says nothing about any one address.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

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

# The delay starts with the third failure in a row: 1 s, 2 s, 4 s, ... up to a minute.
DELAY_FROM_FAILURE = 3
MAX_DELAY = timedelta(seconds=60)


@dataclass(frozen=True)
class Throttle:
    """The sign-in throttling policy (from settings: sign_in_lockout_failures/_minutes)."""

    lockout_failures: int = 10
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SignInResult:
    """A first factor that passed (user_id), or the message to show (never why it failed)."""

    user_id: int | None
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.user_id is not None


def too_many_attempts(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"Too many attempts. Try again in {seconds} second{'s' if seconds != 1 else ''}."
    minutes = math.ceil(seconds / 60)
    return f"Too many attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def delay_after(failures: int) -> timedelta:
    """How long after the latest failure the next attempt is refused without a check."""
    if failures < DELAY_FROM_FAILURE:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - DELAY_FROM_FAILURE)), MAX_DELAY)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """A password against a stored hash, without throttling (for a signed-in user re-entering
    their own password, e.g. to change it)."""
    return bool(_hasher.verify(password, password_hash))


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


@dataclass
class _Counter:
    """Failures in a row for one account or one unknown email (the same rules for both)."""

    failures: int = 0
    last_failed_at: datetime | None = None
    locked_until: datetime | None = None

    def refusal(self, at: datetime) -> timedelta | None:
        """How long this attempt must still wait (refused unchecked), or None to check it."""
        if self.locked_until is not None:
            if at < self.locked_until:
                return self.locked_until - at
            # The lockout has run its course: the count starts again.
            self.failures, self.locked_until = 0, None
        if self.last_failed_at is not None:
            wait = self.last_failed_at + delay_after(self.failures) - at
            if wait > timedelta(0):
                return wait
        return None

    def fail(self, at: datetime, throttle: Throttle) -> bool:
        """Count a failure; True when it locks the account (or the email) now."""
        self.failures += 1
        self.last_failed_at = at
        if self.failures >= throttle.lockout_failures:
            self.locked_until = at + throttle.lockout
            return True
        return False


class _UnknownEmails:
    """Counters for emails without an account, keyed by SHA-256 of the address, oldest dropped
    beyond `size` so a flood of made-up addresses cannot grow memory without bound."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._counters: OrderedDict[str, _Counter] = OrderedDict()

    def counter(self, email: str) -> _Counter:
        key = hashlib.sha256(email.encode()).hexdigest()
        with self._lock:
            found = self._counters.pop(key, None) or _Counter()
            self._counters[key] = found
            while len(self._counters) > self._size:
                self._counters.popitem(last=False)
            return found

    def clear(self) -> None:
        with self._lock:
            self._counters.clear()


UNKNOWN_EMAILS = _UnknownEmails()


def attempt_sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    at: datetime,
    source_ip: str = "",
    throttle: Throttle | None = None,
) -> SignInResult:
    """Check a password (the first factor) with throttling, and audit the attempt. Passing does
    not sign anyone in: the caller goes on to MFA and starts the session (ui/sign_in_flow.py)."""
    throttle = throttle or Throttle()
    address = normalise_email(email)
    # FOR UPDATE (PostgreSQL): parallel attempts on one account take turns, so none of them
    # slips past the delay or loses a count; SQLite serializes writers anyway.
    user = session.exec(select(User).where(User.email == address).with_for_update()).first()
    if user is None:
        counter = UNKNOWN_EMAILS.counter(address)
    else:
        counter = _Counter(user.failed_sign_ins, user.last_failed_sign_in_at, user.locked_until)
    practice_id = user.practice_id if user else None
    user_id = user.id if user else None

    wait = counter.refusal(at)
    if wait is not None:  # refused before the password is even looked at
        audit.record(
            session,
            action="sign_in_throttled",
            at=at,
            user_id=user_id,
            practice_id=practice_id,
            outcome="refused",
            source_ip=source_ip,
            detail="locked" if counter.locked_until else "delay",
        )
        _save(session, user, counter)
        return SignInResult(None, too_many_attempts(wait))

    if user is None or user.password_hash is None or not user.is_active:
        _hasher.verify(password, _DUMMY_HASH)  # the same cost as checking a real password
        valid = False
    else:
        valid, new_hash = _hasher.verify_and_update(password, user.password_hash)
        if valid and new_hash:
            user.password_hash = new_hash

    if valid and user is not None and user.id is not None:
        user.failed_sign_ins, user.last_failed_sign_in_at, user.locked_until = 0, None, None
        session.add(user)
        return SignInResult(user.id)

    locked = counter.fail(at, throttle)
    audit.record(
        session,
        action="sign_in_failed",
        at=at,
        user_id=user_id,
        practice_id=practice_id,
        outcome="failed",
        source_ip=source_ip,
        detail="" if user else "unknown account",
    )
    if locked:
        audit.record(
            session,
            action="lockout",
            at=at,
            user_id=user_id,
            practice_id=practice_id,
            outcome="refused",
            source_ip=source_ip,
            detail=f"{counter.failures} failures; locked {int(throttle.lockout.total_seconds())} s"
            + ("" if user else "; unknown account"),
        )
    _save(session, user, counter)
    return SignInResult(None, too_many_attempts(throttle.lockout) if locked else SIGN_IN_FAILED)


def _save(session: Session, user: User | None, counter: _Counter) -> None:
    if user is None:
        return  # an unknown email's counter lives in UNKNOWN_EMAILS and is already updated
    user.failed_sign_ins = counter.failures
    user.last_failed_sign_in_at = counter.last_failed_at
    user.locked_until = counter.locked_until
    session.add(user)


def authenticate(
    session: Session, *, email: str, password: str, at: datetime, source_ip: str = ""
) -> Actor | None:
    """attempt_sign_in for callers that only need yes or no (the seed's self-check, scripts):
    the actor whose password passed, else None. Starts no session."""
    result = attempt_sign_in(session, email=email, password=password, at=at, source_ip=source_ip)
    if result.user_id is None:
        return None
    return actor_for(session, result.user_id, source_ip=source_ip)
