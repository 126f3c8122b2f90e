"""Multi-factor authentication with TOTP (RFC 6238, pyotp) and one-time recovery codes.

Admins always need a second factor; PORTICO_MFA_REQUIRED_FOR_ALL extends that to everyone.

- The TOTP secret is stored encrypted (a Fernet token; the caller passes the cipher, derived
  from PORTICO_SECRET in storage/secrets.py, so the domain never reads configuration).
- A code is accepted for the current 30-second step or one step either side (clock drift), and
  only for a step later than the last one accepted (User.mfa_last_step), so an overheard code
  can never be replayed, not even within its own 30 seconds.
- Recovery codes are 80 random bits each (16 base32 characters), shown once and stored as their
  SHA-256: at that entropy a fast hash is as safe as a slow one, and lookup is one indexed
  equality. Each is usable once.
- Every accepted and refused code is audited (never the code itself).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import or_, update
from sqlmodel import Session, col, delete, func, select

from domain import audit
from domain.auth import roles_of
from domain.recovery_codes import RecoveryCode
from domain.roles import Role
from domain.scope import Actor
from domain.users import User

ADMIN_ROLES = frozenset({Role.PRACTICE_ADMIN, Role.PLAN_ADMIN})
TOTP_ISSUER = "Portico"
TOTP_STEP_SECONDS = 30  # RFC 6238's default, and what every authenticator app assumes
TOTP_DIGITS = 6
RECOVERY_CODE_COUNT = 10
# Wrong codes in a row that abandon a pending sign-in (ui/pages/mfa.py sends the user back to
# the password); the password's own lockout (domain/auth.py) bounds how often that can repeat.
MAX_FAILED_CODES = 5
# Crockford's base32 alphabet: no I, L, O or U, so a code copied by hand is not misread.
_RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECOVERY_LENGTH = 16  # 16 x 5 bits = 80 bits
_LOOK_ALIKES = str.maketrans("OIL", "011")


class MfaStep(StrEnum):
    NONE = "none"  # no second factor needed or set up: sign-in may finish
    VERIFY = "verify"  # enrolled: ask for a code
    ENROLL = "enroll"  # required but not set up: enrol before the session starts


class MfaRefused(Exception):
    """An MFA change that this user may not make (e.g. an admin turning MFA off)."""


def mfa_required(*, session: Session, user_id: int, required_for_all: bool = False) -> bool:
    return required_for_all or bool(roles_of(session, user_id) & ADMIN_ROLES)


def mfa_step(*, session: Session, user_id: int, required_for_all: bool = False) -> MfaStep:
    """What the second step of this user's sign-in is."""
    user = session.get(User, user_id)
    if user is None:
        return MfaStep.NONE
    if user.mfa_enabled_at is not None:
        return MfaStep.VERIFY
    if mfa_required(session=session, user_id=user_id, required_for_all=required_for_all):
        return MfaStep.ENROLL
    return MfaStep.NONE


# ---------------------------------------------------------------------- pure rules


def time_step(at: datetime) -> int:
    """The RFC 6238 time step `at` falls in."""
    return int(at.timestamp()) // TOTP_STEP_SECONDS


def totp_code(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).generate_otp(step)


def accepted_step(secret: str, code: str, *, at: datetime, last_step: int | None) -> int | None:
    """The time step `code` is valid for (the current one, or one either side), or None; a step
    at or before `last_step` was used already and is never accepted again."""
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    current = time_step(at)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp_code(secret, step), code):
            return step
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, RFC 4226's recommendation


def provisioning_uri(secret: str, *, account: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=TOTP_ISSUER
    )


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def normalise_recovery_code(code: str) -> str:
    """Upper-case, without spaces or hyphens, with the look-alikes Crockford maps (O->0, I/L->1)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(_LOOK_ALIKES)


def recovery_code_hash(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode("ascii", "replace")).hexdigest()


# ---------------------------------------------------------------------- use cases


@dataclass(frozen=True)
class Enrollment:
    secret: str  # base32, shown as text for typing into an app by hand
    provisioning_uri: str  # drawn as the QR code


@dataclass(frozen=True)
class MfaStatus:
    enabled: bool
    enabled_at: datetime | None
    required: bool  # an admin role, or PORTICO_MFA_REQUIRED_FOR_ALL: it cannot be turned off
    recovery_codes_left: int


def mfa_status(*, session: Session, user_id: int, required_for_all: bool = False) -> MfaStatus:
    user = _user(session, user_id)
    return MfaStatus(
        enabled=user.mfa_enabled_at is not None,
        enabled_at=user.mfa_enabled_at,
        required=mfa_required(session=session, user_id=user_id, required_for_all=required_for_all),
        recovery_codes_left=_recovery_codes_left(session, user_id),
    )


def begin_enrollment(*, session: Session, user_id: int, cipher: Fernet) -> Enrollment:
    """A fresh TOTP secret for a user who has none enabled, kept (encrypted) until a first code
    confirms it. Each call replaces an unconfirmed secret, so a QR code left on an unattended
    screen stops working once the page is drawn again."""
    user = _user(session, user_id)
    if user.mfa_enabled_at is not None:
        raise MfaRefused("MFA is already set up; turn it off first to set up a new app.")
    secret = new_totp_secret()
    user.mfa_secret = cipher.encrypt(secret.encode("ascii")).decode("ascii")
    user.mfa_last_step = None  # a new secret has never been used
    session.add(user)
    return Enrollment(secret=secret, provisioning_uri=provisioning_uri(secret, account=user.email))


def confirm_enrollment(
    *,
    session: Session,
    user_id: int,
    code: str,
    cipher: Fernet,
    at: datetime,
    source_ip: str = "",
) -> list[str] | None:
    """Turn MFA on once the user proves a first code; the new recovery codes (shown once), or
    None for a wrong code."""
    user = _user(session, user_id)
    if user.mfa_enabled_at is not None:
        raise MfaRefused("MFA is already set up.")
    if not _totp_accepted(session, user, code, cipher, at):
        _audit(session, user, "mfa_failed", at, source_ip, outcome="failed", detail="enrollment")
        return None
    user.mfa_enabled_at = at
    session.add(user)
    codes = _replace_recovery_codes(session, user_id, at)
    _audit(session, user, "mfa_enrolled", at, source_ip)
    return codes


def verify_code(
    *,
    session: Session,
    user_id: int,
    code: str,
    cipher: Fernet,
    at: datetime,
    source_ip: str = "",
) -> bool:
    """The second step of sign-in: True if `code` is the user's current TOTP code, unused."""
    user = _user(session, user_id)
    enrolled = user.is_active and user.mfa_enabled_at is not None
    if enrolled and _totp_accepted(session, user, code, cipher, at):
        _audit(session, user, "mfa_verified", at, source_ip)
        return True
    _audit(session, user, "mfa_failed", at, source_ip, outcome="failed", detail="code")
    return False


def redeem_recovery_code(
    *, session: Session, user_id: int, code: str, at: datetime, source_ip: str = ""
) -> bool:
    """The second step of sign-in with a recovery code instead: True once per code."""
    user = _user(session, user_id)
    if (
        user.is_active
        and user.mfa_enabled_at is not None
        and _recovery_code_used(session, user_id, code, at)
    ):
        left = _recovery_codes_left(session, user_id)
        _audit(session, user, "mfa_recovery_code_used", at, source_ip, detail=f"{left} left")
        return True
    _audit(session, user, "mfa_failed", at, source_ip, outcome="failed", detail="recovery code")
    return False


def record_abandoned_sign_in(
    *, session: Session, user_id: int, at: datetime, source_ip: str = ""
) -> None:
    """MAX_FAILED_CODES wrong codes in a row: the pending sign-in is dropped."""
    user = _user(session, user_id)
    _audit(
        session,
        user,
        "mfa_abandoned",
        at,
        source_ip,
        outcome="refused",
        detail=f"{MAX_FAILED_CODES} wrong codes in a row",
    )


def regenerate_recovery_codes(
    *, session: Session, actor: Actor, code: str, cipher: Fernet, at: datetime
) -> list[str] | None:
    """New recovery codes (the old ones stop working) after a current code; None if the code
    was wrong."""
    user = _user(session, actor.user_id)
    if user.mfa_enabled_at is None:
        raise MfaRefused("MFA is not set up.")
    if not _second_factor_accepted(session, user, code, cipher, at):
        _audit(
            session, user, "mfa_failed", at, actor.source_ip, outcome="failed", detail="regenerate"
        )
        return None
    codes = _replace_recovery_codes(session, actor.user_id, at)
    _audit(session, user, "mfa_recovery_codes_regenerated", at, actor.source_ip)
    return codes


def disable_mfa(
    *,
    session: Session,
    actor: Actor,
    code: str,
    cipher: Fernet,
    at: datetime,
    required_for_all: bool = False,
) -> bool:
    """Turn the actor's own MFA off after a current code; refused (MfaRefused) where it is
    required. False if the code was wrong."""
    user = _user(session, actor.user_id)
    if mfa_required(session=session, user_id=actor.user_id, required_for_all=required_for_all):
        _audit(session, user, "mfa_disabled", at, actor.source_ip, outcome="refused")
        raise MfaRefused("Your role requires a second factor, so it cannot be turned off.")
    if user.mfa_enabled_at is None:
        return True
    if not _second_factor_accepted(session, user, code, cipher, at):
        _audit(
            session, user, "mfa_failed", at, actor.source_ip, outcome="failed", detail="turn off"
        )
        return False
    user.mfa_secret = None
    user.mfa_enabled_at = None
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == actor.user_id))
    _audit(session, user, "mfa_disabled", at, actor.source_ip)
    return True


# ---------------------------------------------------------------------- internals


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    return user


def _audit(
    session: Session,
    user: User,
    action: str,
    at: datetime,
    source_ip: str,
    *,
    outcome: str = "ok",
    detail: str = "",
) -> None:
    audit.record(
        session,
        action=action,
        at=at,
        user_id=user.id,
        practice_id=user.practice_id,
        entity_type="user",
        entity_id=user.id or "",
        outcome=outcome,
        source_ip=source_ip,
        detail=detail,
    )


def _decrypted_secret(user: User, cipher: Fernet) -> str | None:
    if user.mfa_secret is None:
        return None
    try:
        return cipher.decrypt(user.mfa_secret.encode("ascii")).decode("ascii")
    except InvalidToken:  # PORTICO_SECRET changed since enrolment: no code can match
        return None


def _totp_accepted(session: Session, user: User, code: str, cipher: Fernet, at: datetime) -> bool:
    secret = _decrypted_secret(user, cipher)
    if secret is None:
        return False
    step = accepted_step(secret, code, at=at, last_step=user.mfa_last_step)
    if step is None:
        return False
    # Claim the step in the database, guarded on the previous value: of two requests racing
    # with the same code, only one updates the row.
    claimed = session.execute(
        update(User)
        .where(
            col(User.id) == user.id,
            or_(col(User.mfa_last_step).is_(None), col(User.mfa_last_step) < step),
        )
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    user.mfa_last_step = step
    return True


def _recovery_code_used(session: Session, user_id: int, code: str, at: datetime) -> bool:
    found = session.exec(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == recovery_code_hash(code),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if found is None:
        return False
    marked = session.execute(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == found, col(RecoveryCode.used_at).is_(None))
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(marked.rowcount == 1)  # type: ignore[attr-defined]


def _second_factor_accepted(
    session: Session, user: User, code: str, cipher: Fernet, at: datetime
) -> bool:
    """A current TOTP code, or else one of the user's unused recovery codes."""
    assert user.id is not None
    return _totp_accepted(session, user, code, cipher, at) or _recovery_code_used(
        session, user.id, code, at
    )


def _replace_recovery_codes(session: Session, user_id: int, at: datetime) -> list[str]:
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(
            RecoveryCode(user_id=user_id, code_hash=recovery_code_hash(code), created_at=at)
        )
    return codes


def _recovery_codes_left(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None))
    ).one()
