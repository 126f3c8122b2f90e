"""User administration: a practice admin manages their own practice's staff and a plan admin the
plan's staff — invitations and password resets by one-time link, roles, deactivation — and every
change is audited.

Scope is in the SQL of every lookup: a practice admin reaches only users of their practice, a
plan admin only users without a practice (plan staff); any other id is NotFound, exactly like an
id that does not exist.

An invited user is stored *inactive*, without a password, until they accept the invitation: no
way of signing in (password form, SSO's email link, an old session) works for them before they
have chosen their own password. Their status is derived, never stored twice: active; invited
(a live invitation link); invitation expired; deactivated (deactivated_at, or an invitation
that was revoked).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain import audit, user_sessions
from domain.auth import actor_for, hash_password, normalise_email
from domain.one_time_links import LinkPurpose, OneTimeLink
from domain.passwords import password_problem
from domain.roles import PLAN_ROLES, PRACTICE_ROLES, Role
from domain.scope import Actor, NotAuthorized, NotFound
from domain.users import User, UserRole

STAFF_LIMIT = 500
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 bits, 43 characters
MAX_TOKEN_LENGTH = 100  # anything longer is not one of ours: refused before hashing
# Why sessions end when a reset link is used (user_sessions.end_all_for_user's reason).
SESSIONS_END_ON_RESET = "password_reset"

EMAIL_REFUSED = (
    "This email cannot be invited. If the person already has a Portico account elsewhere, "
    "ask Portico support."
)
# One answer for a link that is unknown, used, expired or revoked: the page never tells which.
LINK_INVALID = "This link has expired or was already used. Ask your administrator for a new one."

# Deliberately loose (one @, a dot in the domain, no spaces): the invitation link itself is the
# proof that the address works.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserAdminRefused(ValueError):
    """An admin action the rules do not allow; the message is for the admin, as is."""


class LinkInvalid(LookupError):
    """The one-time link cannot be used (unknown, used, expired or revoked: same answer)."""


class PasswordRejected(ValueError):
    """The chosen password breaks the policy (domain/passwords.py); the message says how."""


class StaffStatus(StrEnum):
    ACTIVE = "active"
    INVITED = "invited"
    INVITE_EXPIRED = "invite_expired"
    DEACTIVATED = "deactivated"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    StaffStatus.ACTIVE: "Active",
    StaffStatus.INVITED: "Invitation pending",
    StaffStatus.INVITE_EXPIRED: "Invitation expired",
    StaffStatus.DEACTIVATED: "Deactivated",
}

ROLE_DESCRIPTIONS = {
    Role.PRACTICE_ADMIN: "Everything in the practice, including its users and audit log.",
    Role.BILLING: "Claims, remittances, eligibility and the revenue reports.",
    Role.FRONT_DESK: "Eligibility checks and referrals.",
    Role.CLINICAL: "Prior authorizations, referrals and clinical notes.",
    Role.CLAIMS_EXAMINER: "The pended-claims queue and claims across practices.",
    Role.UM_REVIEWER: "Prior-authorization reviews and the clinical notes behind them.",
    Role.CREDENTIALING: "Credentialing applications and provider records.",
    Role.PLAN_ADMIN: "Plan staff accounts, plan-wide reports and the audit log.",
}


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    full_name: str
    email: str
    roles: list[Role]
    status: StaffStatus
    last_sign_in_at: datetime | None
    mfa_enabled: bool
    invite_expires_at: datetime | None  # of the live invitation, if any
    has_signed_up: bool  # accepted an invitation (or had a password) at some point


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued link: the raw token exists only here, once, for the admin to pass on."""

    token: str
    purpose: LinkPurpose
    user_id: int
    expires_at: datetime


@dataclass(frozen=True)
class LinkView:
    purpose: LinkPurpose
    email: str
    full_name: str  # for the live password check: a password must not contain the name
    expires_at: datetime


@dataclass(frozen=True)
class RedeemedLink:
    user_id: int
    purpose: LinkPurpose
    email: str


@dataclass(frozen=True)
class StaffScope:
    """The users an admin manages and the roles they may grant."""

    practice_id: int | None  # None: plan staff
    roles: frozenset[Role]
    admin_role: Role

    def criterion(self) -> ColumnElement[bool]:
        if self.practice_id is None:
            return col(User.practice_id).is_(None)
        return col(User.practice_id) == self.practice_id


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def staff_scope(session: Session, actor: Actor) -> StaffScope:
    """Re-read the admin from the database: one demoted or deactivated since their page loaded
    can no longer act."""
    current = actor_for(session, actor.user_id)
    if current is None:
        raise NotAuthorized("user administration")
    if Role.PRACTICE_ADMIN in current.roles and current.practice_id is not None:
        return StaffScope(current.practice_id, PRACTICE_ROLES, Role.PRACTICE_ADMIN)
    if Role.PLAN_ADMIN in current.roles and current.practice_id is None:
        return StaffScope(None, PLAN_ROLES, Role.PLAN_ADMIN)
    raise NotAuthorized("user administration")


# --- the team list ---------------------------------------------------------------------------


def list_staff(*, session: Session, actor: Actor, at: datetime) -> list[StaffMember]:
    """The admin's team: roles, status, last sign-in, MFA and any pending invitation."""
    scope = staff_scope(session, actor)
    users = session.exec(
        select(User)
        .where(scope.criterion())
        .order_by(col(User.full_name), col(User.id))
        .limit(STAFF_LIMIT)
    ).all()
    ids = [user.id for user in users]
    roles: dict[int, list[Role]] = {}
    invites: dict[int, datetime] = {}
    if ids:
        for user_id, role in session.exec(
            select(col(UserRole.user_id), col(UserRole.role)).where(col(UserRole.user_id).in_(ids))
        ).all():
            roles.setdefault(user_id, []).append(Role(role))
        for user_id, expires_at in session.exec(
            select(col(OneTimeLink.user_id), func.max(OneTimeLink.expires_at))
            .where(
                col(OneTimeLink.user_id).in_(ids),
                OneTimeLink.purpose == LinkPurpose.INVITE,
                col(OneTimeLink.used_at).is_(None),
                col(OneTimeLink.revoked_at).is_(None),
            )
            .group_by(col(OneTimeLink.user_id))
        ).all():
            invites[user_id] = expires_at
    order = list(Role)
    members = []
    for user in users:
        assert user.id is not None
        invite_expires_at = invites.get(user.id)
        members.append(
            StaffMember(
                user_id=user.id,
                full_name=user.full_name,
                email=user.email,
                roles=sorted(roles.get(user.id, []), key=order.index),
                status=_status(user, invite_expires_at, at),
                last_sign_in_at=user.last_sign_in_at,
                mfa_enabled=user.mfa_enabled_at is not None,
                invite_expires_at=invite_expires_at
                if invite_expires_at and invite_expires_at > at
                else None,
                has_signed_up=_has_signed_up(user),
            )
        )
    return members


def _has_signed_up(user: User) -> bool:
    return user.password_hash is not None or user.last_sign_in_at is not None


def _status(user: User, invite_expires_at: datetime | None, at: datetime) -> StaffStatus:
    if user.is_active:
        return StaffStatus.ACTIVE
    if user.deactivated_at is not None or _has_signed_up(user):
        return StaffStatus.DEACTIVATED
    if invite_expires_at is not None and invite_expires_at > at:
        return StaffStatus.INVITED
    return StaffStatus.INVITE_EXPIRED


# --- invitations -----------------------------------------------------------------------------


def invite(
    *,
    session: Session,
    actor: Actor,
    email: str,
    full_name: str,
    roles: frozenset[Role] | set[Role] | list[Role],
    at: datetime,
    link_hours: float,
) -> IssuedLink:
    """Create the account, inactive and without a password, and its invitation link."""
    scope = staff_scope(session, actor)
    email = normalise_email(email)
    full_name = " ".join(full_name.split())
    if not full_name:
        raise UserAdminRefused("Enter the person's name.")
    if len(full_name) > 200:
        raise UserAdminRefused("Use at most 200 characters for the name.")
    if len(email) > 254 or not _EMAIL.match(email):
        raise UserAdminRefused("Enter a valid email address.")
    granted = _checked_roles(scope, roles)
    # Any existing account, in any practice, gets the same answer: the form must not tell
    # one practice's admin who works elsewhere.
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise UserAdminRefused(EMAIL_REFUSED)
    user = User(
        email=email,
        full_name=full_name,
        practice_id=scope.practice_id,
        is_active=False,
        created_at=at,
    )
    try:
        # A savepoint: two admins inviting the same address at once meet the unique index,
        # and the loser gets the same answer as above rather than a failed transaction.
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise UserAdminRefused(EMAIL_REFUSED) from None
    assert user.id is not None
    for role in _in_order(granted):
        session.add(UserRole(user_id=user.id, role=role))
    link = _issue_link(session, user.id, LinkPurpose.INVITE, actor, at=at, hours=link_hours)
    _audit(session, actor, scope, "user_invited", user.id, at, detail=_role_names(granted))
    return link


def resend_invite(
    *, session: Session, actor: Actor, user_id: int, at: datetime, link_hours: float
) -> IssuedLink:
    """A new invitation link for someone who has not accepted yet; earlier links stop working.
    A revoked invitation can be sent again this way."""
    scope = staff_scope(session, actor)
    user = _target(session, scope, user_id)
    if user.is_active or _has_signed_up(user):
        raise UserAdminRefused("This person has already accepted their invitation.")
    user.deactivated_at = None
    session.add(user)
    link = _issue_link(session, user_id, LinkPurpose.INVITE, actor, at=at, hours=link_hours)
    _audit(session, actor, scope, "invite_resent", user_id, at)
    return link


def revoke_invite(*, session: Session, actor: Actor, user_id: int, at: datetime) -> None:
    """Withdraw a pending invitation: its link stops working and the account stays inactive."""
    scope = staff_scope(session, actor)
    user = _target(session, scope, user_id)
    if user.is_active or _has_signed_up(user) or user.deactivated_at is not None:
        raise UserAdminRefused("There is no pending invitation to revoke.")
    _revoke_links(session, user_id, at=at, purpose=LinkPurpose.INVITE)
    user.deactivated_at = at
    session.add(user)
    _audit(session, actor, scope, "invite_revoked", user_id, at)


# --- roles and deactivation ------------------------------------------------------------------


def set_roles(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    roles: frozenset[Role] | set[Role] | list[Role],
    at: datetime,
) -> list[Role]:
    """Replace the user's roles; takes effect on their next page (every page re-reads roles)."""
    scope = staff_scope(session, actor)
    admins = _lock_active_admins(session, scope)
    user = _target(session, scope, user_id)
    new = _checked_roles(scope, roles)
    old = set(_roles_of(session, user_id))
    if scope.admin_role in old and scope.admin_role not in new:
        if user_id == actor.user_id:
            raise UserAdminRefused("You cannot remove your own admin role. Ask another admin.")
        if user.is_active and not (admins - {user_id}):
            raise UserAdminRefused(_last_admin_message(scope, "remove their admin role"))
    if new == old:
        return _in_order(new)
    for row in session.exec(select(UserRole).where(UserRole.user_id == user_id)).all():
        if row.role not in new:
            session.delete(row)
    for role in _in_order(new - old):
        session.add(UserRole(user_id=user_id, role=role))
    _an_admin_remains(session, scope, "remove their admin role")
    _audit(
        session,
        actor,
        scope,
        "roles_changed",
        user_id,
        at,
        detail=f"{_role_names(old)} -> {_role_names(new)}",
    )
    return _in_order(new)


def deactivate(*, session: Session, actor: Actor, user_id: int, at: datetime) -> None:
    """Deactivate at once: no more sign-ins, every session of theirs ends, links stop working."""
    scope = staff_scope(session, actor)
    admins = _lock_active_admins(session, scope)
    user = _target(session, scope, user_id)
    if user_id == actor.user_id:
        raise UserAdminRefused("You cannot deactivate your own account. Ask another admin.")
    if not user.is_active:
        raise UserAdminRefused("This account is not active.")
    if user_id in admins and not (admins - {user_id}):
        raise UserAdminRefused(_last_admin_message(scope, "deactivate them"))
    user.is_active = False
    user.deactivated_at = at
    session.add(user)
    _an_admin_remains(session, scope, "deactivate them")
    _revoke_links(session, user_id, at=at)
    user_sessions.end_all_for_user(
        session, user_id, at=at, reason=user_sessions.DEACTIVATED, source_ip=actor.source_ip
    )
    _audit(session, actor, scope, "user_deactivated", user_id, at)


def end_sessions(*, session: Session, actor: Actor, user_id: int, at: datetime) -> int:
    """Sign a user out everywhere (a lost laptop, a shared screen) without deactivating them;
    how many sessions ended. Audited as who did it to whom."""
    scope = staff_scope(session, actor)
    _target(session, scope, user_id)
    ended = user_sessions.end_all_for_user(
        session, user_id, at=at, reason=user_sessions.EVERYWHERE, source_ip=actor.source_ip
    )
    _audit(session, actor, scope, "sessions_ended_by_admin", user_id, at)
    return ended


def reactivate(*, session: Session, actor: Actor, user_id: int, at: datetime) -> None:
    """Let a deactivated user sign in again with their existing password (or a reset link)."""
    scope = staff_scope(session, actor)
    user = _target(session, scope, user_id)
    if user.is_active:
        raise UserAdminRefused("This account is already active.")
    if not _has_signed_up(user):
        raise UserAdminRefused(
            "This person never accepted their invitation: send a new invitation instead."
        )
    user.is_active = True
    user.deactivated_at = None
    session.add(user)
    _audit(session, actor, scope, "user_reactivated", user_id, at)


def issue_reset_link(
    *, session: Session, actor: Actor, user_id: int, at: datetime, link_hours: float
) -> IssuedLink:
    """A password-reset link for an active user; earlier unused reset links stop working. The
    current password keeps working until the link is used."""
    scope = staff_scope(session, actor)
    user = _target(session, scope, user_id)
    if not user.is_active:
        raise UserAdminRefused(
            "This account is not active. Reactivate it (or resend the invitation) first."
        )
    link = _issue_link(session, user_id, LinkPurpose.RESET, actor, at=at, hours=link_hours)
    _audit(session, actor, scope, "reset_link_issued", user_id, at)
    return link


# --- the link pages (no sign-in) -------------------------------------------------------------


def peek_link(
    *, session: Session, token: str, purpose: LinkPurpose, at: datetime
) -> LinkView | None:
    """Whose link this is, for "Set your password for …"; None for any link that cannot be used."""
    found = _live_link(session, token, purpose, at)
    if found is None:
        return None
    link, user = found
    return LinkView(
        purpose=purpose, email=user.email, full_name=user.full_name, expires_at=link.expires_at
    )


def redeem_link(
    *,
    session: Session,
    token: str,
    purpose: LinkPurpose,
    password: str,
    at: datetime,
    source_ip: str = "",
) -> RedeemedLink:
    """Use the link once to set the password: an invitation activates the account, a reset
    ends every session the user still has. A refused password leaves the link usable."""
    found = _live_link(session, token, purpose, at)
    if found is None:
        raise LinkInvalid(LINK_INVALID)
    link, user = found
    assert user.id is not None and link.id is not None
    problem = password_problem(password, user_inputs=(user.email, user.full_name))
    if problem is not None:
        raise PasswordRejected(problem.message)
    # Spend the link in one conditional UPDATE: of two simultaneous uses, one matches no row.
    spent = session.execute(
        update(OneTimeLink)
        .where(
            col(OneTimeLink.id) == link.id,
            col(OneTimeLink.used_at).is_(None),
            col(OneTimeLink.revoked_at).is_(None),
        )
        .values(used_at=at)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkInvalid(LINK_INVALID)
    user.password_hash = hash_password(password)
    user.password_changed_at = at
    user.failed_sign_ins = 0
    user.last_failed_sign_in_at = None
    user.locked_until = None
    if purpose is LinkPurpose.INVITE:
        user.is_active = True
        user.deactivated_at = None
    session.add(user)
    if purpose is LinkPurpose.RESET:
        user_sessions.end_all_for_user(
            session, user.id, at=at, reason=SESSIONS_END_ON_RESET, source_ip=source_ip
        )
    audit.record(
        session,
        action="invite_accepted" if purpose is LinkPurpose.INVITE else "password_reset",
        at=at,
        user_id=user.id,
        practice_id=user.practice_id,
        entity_type="user",
        entity_id=user.id,
        source_ip=source_ip,
    )
    return RedeemedLink(user_id=user.id, purpose=purpose, email=user.email)


def _live_link(
    session: Session, token: str, purpose: LinkPurpose, at: datetime
) -> tuple[OneTimeLink, User] | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    # An invitation is for an account still waiting for its password; a reset for an active one.
    user_state = (
        (~col(User.is_active)) & col(User.deactivated_at).is_(None)
        if purpose is LinkPurpose.INVITE
        else col(User.is_active)
    )
    row = session.exec(
        select(OneTimeLink, User)
        .join(User, col(User.id) == col(OneTimeLink.user_id))
        .where(
            OneTimeLink.token_hash == token_hash(token),
            OneTimeLink.purpose == purpose,
            col(OneTimeLink.used_at).is_(None),
            col(OneTimeLink.revoked_at).is_(None),
            col(OneTimeLink.expires_at) > at,
            user_state,
        )
    ).first()
    return None if row is None else (row[0], row[1])


# --- shared steps ----------------------------------------------------------------------------


def _target(session: Session, scope: StaffScope, user_id: int) -> User:
    """The user, within the admin's scope in SQL, locked for the change; NotFound otherwise."""
    user = session.exec(
        select(User).where(col(User.id) == user_id, scope.criterion()).with_for_update()
    ).first()
    if user is None:
        raise NotFound(f"User {user_id}")
    return user


def _lock_active_admins(session: Session, scope: StaffScope) -> set[int]:
    """The scope's active admins, their rows locked in id order. The acting admin is one of
    them, so one at a time nobody can remove the last admin; the rule matters when two admins
    demote or deactivate each other at the same moment. On PostgreSQL the second then waits
    here for the first and sees its change."""
    rows = session.exec(
        select(User.id, UserRole.id)
        .join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(scope.criterion(), col(User.is_active), UserRole.role == scope.admin_role)
        .order_by(col(User.id))
        .with_for_update()
    ).all()
    return {user_id for user_id, _ in rows if user_id is not None}


def _an_admin_remains(session: Session, scope: StaffScope, what: str) -> None:
    """Count again once the change is written. SQLite ignores FOR UPDATE and reads outside the
    write transaction, but the write just taken makes this process the only writer: the count
    here is final there, as it is on PostgreSQL behind the locks above."""
    session.flush()
    if not _lock_active_admins(session, scope):
        raise UserAdminRefused(_last_admin_message(scope, what))


def _last_admin_message(scope: StaffScope, what: str) -> str:
    where = "the practice" if scope.practice_id is not None else "the plan"
    return f"This is the last active admin of {where}. Make someone else admin before you {what}."


def _checked_roles(
    scope: StaffScope, roles: frozenset[Role] | set[Role] | list[Role]
) -> frozenset[Role]:
    granted = frozenset(Role(role) for role in roles)
    if not granted:
        raise UserAdminRefused("Choose at least one role.")
    if not granted <= scope.roles:
        raise UserAdminRefused("Only roles of your own organisation can be given here.")
    return granted


def _roles_of(session: Session, user_id: int) -> list[Role]:
    rows = session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return [Role(row) for row in rows]


def _in_order(roles: frozenset[Role] | set[Role]) -> list[Role]:
    order = list(Role)
    return sorted(roles, key=order.index)


def _role_names(roles: frozenset[Role] | set[Role]) -> str:
    return ", ".join(role.value for role in _in_order(roles)) or "none"


def _issue_link(
    session: Session,
    user_id: int,
    purpose: LinkPurpose,
    actor: Actor,
    *,
    at: datetime,
    hours: float,
) -> IssuedLink:
    """A new link of this purpose; the user's earlier unused ones of the same purpose are revoked,
    so only the latest link the admin handed out works."""
    _revoke_links(session, user_id, at=at, purpose=purpose)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = at + timedelta(hours=hours)
    session.add(
        OneTimeLink(
            token_hash=token_hash(token),
            purpose=purpose,
            user_id=user_id,
            issued_by=actor.user_id,
            created_at=at,
            expires_at=expires_at,
        )
    )
    return IssuedLink(token=token, purpose=purpose, user_id=user_id, expires_at=expires_at)


def _revoke_links(
    session: Session, user_id: int, *, at: datetime, purpose: LinkPurpose | None = None
) -> None:
    statement = (
        update(OneTimeLink)
        .where(
            col(OneTimeLink.user_id) == user_id,
            col(OneTimeLink.used_at).is_(None),
            col(OneTimeLink.revoked_at).is_(None),
        )
        .values(revoked_at=at)
    )
    if purpose is not None:
        statement = statement.where(col(OneTimeLink.purpose) == purpose)
    session.execute(statement)


def _audit(
    session: Session,
    actor: Actor,
    scope: StaffScope,
    action: str,
    user_id: int,
    at: datetime,
    *,
    detail: str = "",
) -> None:
    """Filed under the practice whose user changed (plan staff: no practice); ids and role
    names only."""
    audit.record_by(
        session,
        actor,
        action=action,
        at=at,
        entity_type="user",
        entity_id=user_id,
        detail=detail,
        practice_id=scope.practice_id,
    )
