"""Multi-factor authentication with TOTP (RFC 6238, pyotp) and one-time recovery codes.

Admins always need a second factor; PORTICO_MFA_REQUIRED_FOR_ALL extends that to everyone.
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session

from domain.auth import roles_of
from domain.roles import Role
from domain.users import User

ADMIN_ROLES = frozenset({Role.PRACTICE_ADMIN, Role.PLAN_ADMIN})


class MfaStep(StrEnum):
    NONE = "none"  # no second factor needed or set up: sign-in may finish
    VERIFY = "verify"  # enrolled: ask for a code
    ENROLL = "enroll"  # required but not set up: enrol before the session starts


def mfa_step(*, session: Session, user_id: int, required_for_all: bool = False) -> MfaStep:
    """What the second step of this user's sign-in is."""
    user = session.get(User, user_id)
    if user is None:
        return MfaStep.NONE
    if user.mfa_enabled_at is not None:
        return MfaStep.VERIFY
    if required_for_all or roles_of(session, user_id) & ADMIN_ROLES:
        return MfaStep.ENROLL
    return MfaStep.NONE
