"""Single sign-on: which portal account an OpenID Connect identity (provider + `sub`) is.

An identity is admitted only through a link (ExternalIdentity): one an admin made
(link_identity), or, where the provider is trusted to (link_by_email), one made at the first
sign-in from the provider's *verified* email. Anything else is refused, and every refusal is
audited with its reason and no personal data; the person sees one generic message whatever the
reason, so the sign-in page never tells which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from domain import audit
from domain.auth import normalise_email
from domain.external_identities import ExternalIdentity
from domain.roles import Role
from domain.scope import Actor, NotFound
from domain.users import User

SSO_FAILED = "Single sign-on did not complete. Ask your administrator to link your account."


class SsoRefusal(StrEnum):
    """Why a single sign-on was refused (audited as the detail of "sso_failed")."""

    STATE_MISMATCH = "state_mismatch"  # no sign-in of ours started this callback, or replayed
    PROVIDER_ERROR = "provider_error"  # the provider answered with an error, or a bad token
    UNKNOWN_PROVIDER = "unknown_provider"
    UNKNOWN_SUBJECT = "unknown_subject"  # no link, and no email link possible
    DEACTIVATED = "deactivated"
    EMAIL_CONFLICT = "email_conflict"  # the email's account is linked to another subject


@dataclass(frozen=True)
class SsoIdentity:
    """What the provider's validated ID token says about the person."""

    provider: str
    subject: str
    email: str | None = None
    email_verified: bool = False


class LinkConflict(Exception):
    """The subject is linked to another account, or the account to another subject."""


def sign_in_with_identity(
    *,
    session: Session,
    identity: SsoIdentity,
    link_by_email: bool,
    at: datetime,
    source_ip: str = "",
) -> int | None:
    """The user id this identity signs in as (audited "sign_in"), or None (audited
    "sso_failed" with the reason)."""
    link = session.exec(
        select(ExternalIdentity).where(
            ExternalIdentity.provider == identity.provider,
            ExternalIdentity.subject == identity.subject,
        )
    ).first()
    if link is not None:
        user = session.get(User, link.user_id)
        if user is None or not user.is_active:
            record_sso_failure(
                session=session,
                provider=identity.provider,
                reason=SsoRefusal.DEACTIVATED,
                at=at,
                source_ip=source_ip,
                user=user,
            )
            return None
    else:
        found = _link_by_email(session, identity, link_by_email=link_by_email, at=at)
        if isinstance(found, SsoRefusal):
            record_sso_failure(
                session=session,
                provider=identity.provider,
                reason=found,
                at=at,
                source_ip=source_ip,
            )
            return None
        user, link = found
        audit.record(
            session,
            action="sso_linked",
            at=at,
            user_id=user.id,
            practice_id=user.practice_id,
            entity_type="user",
            entity_id=user.id or "",
            source_ip=source_ip,
            detail=f"{identity.provider}: by verified email at first sign-in",
        )
    assert user.id is not None
    link.last_used_at = at
    user.last_sign_in_at = at
    session.add(link)
    session.add(user)
    audit.record(
        session,
        action="sign_in",
        at=at,
        user_id=user.id,
        practice_id=user.practice_id,
        source_ip=source_ip,
        detail=f"oidc:{identity.provider}",
    )
    return user.id


def _link_by_email(
    session: Session, identity: SsoIdentity, *, link_by_email: bool, at: datetime
) -> tuple[User, ExternalIdentity] | SsoRefusal:
    if not (link_by_email and identity.email_verified and identity.email):
        return SsoRefusal.UNKNOWN_SUBJECT
    user = session.exec(select(User).where(User.email == normalise_email(identity.email))).first()
    if user is None:
        return SsoRefusal.UNKNOWN_SUBJECT
    if not user.is_active:
        return SsoRefusal.DEACTIVATED
    already = session.exec(
        select(ExternalIdentity.id).where(
            ExternalIdentity.provider == identity.provider, ExternalIdentity.user_id == user.id
        )
    ).first()
    if already is not None:
        # The account is linked to another subject at this provider: a new `sub` with the same
        # email is someone else (or a recycled address), never a reason to relink.
        return SsoRefusal.EMAIL_CONFLICT
    assert user.id is not None
    link = ExternalIdentity(
        provider=identity.provider, subject=identity.subject, user_id=user.id, created_at=at
    )
    session.add(link)
    return user, link


def record_sso_failure(
    *,
    session: Session,
    provider: str,
    reason: SsoRefusal,
    at: datetime,
    source_ip: str = "",
    user: User | None = None,
) -> None:
    """Audit a refused single sign-on: the provider and the reason, nothing about the person
    (a refused identity may belong to no one here)."""
    audit.record(
        session,
        action="sso_failed",
        at=at,
        user_id=user.id if user else None,
        practice_id=user.practice_id if user else None,
        outcome="refused",
        source_ip=source_ip,
        detail=f"{provider[:40]}: {reason.value}",
    )


# ---------------------------------------------------------------------- admin side


@dataclass(frozen=True)
class LinkedIdentity:
    provider: str
    subject: str
    created_at: datetime
    last_used_at: datetime | None


def _administered_user(session: Session, actor: Actor, user_id: int) -> User:
    """The user if the actor administers them: a practice admin their own practice's users, a
    plan admin the plan's staff. Anyone else's user is NotFound, like a missing one."""
    user = session.get(User, user_id)
    if user is not None:
        own_practice = actor.practice_id is not None and user.practice_id == actor.practice_id
        if Role.PRACTICE_ADMIN in actor.roles and own_practice:
            return user
        if Role.PLAN_ADMIN in actor.roles and user.practice_id is None:
            return user
    raise NotFound(f"user {user_id}")


def linked_identities(*, session: Session, actor: Actor, user_id: int) -> list[LinkedIdentity]:
    _administered_user(session, actor, user_id)
    links = session.exec(
        select(ExternalIdentity)
        .where(ExternalIdentity.user_id == user_id)
        .order_by(col(ExternalIdentity.provider))
    ).all()
    return [
        LinkedIdentity(link.provider, link.subject, link.created_at, link.last_used_at)
        for link in links
    ]


def link_identity(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    provider: str,
    subject: str,
    at: datetime,
) -> ExternalIdentity:
    """An admin links a user to their identity at a provider (its `sub`, as the provider's
    admin console shows it). One link per user and provider; a subject belongs to one user."""
    user = _administered_user(session, actor, user_id)
    subject = subject.strip()
    if not subject or len(subject) > 255:
        raise ValueError("The subject must be 1 to 255 characters.")
    taken = session.exec(
        select(ExternalIdentity).where(
            ExternalIdentity.provider == provider, ExternalIdentity.subject == subject
        )
    ).first()
    if taken is not None:
        if taken.user_id == user_id:
            return taken
        raise LinkConflict("That identity is already linked to another account.")
    existing = session.exec(
        select(ExternalIdentity.id).where(
            ExternalIdentity.provider == provider, ExternalIdentity.user_id == user_id
        )
    ).first()
    if existing is not None:
        raise LinkConflict("This account is already linked at that provider; unlink it first.")
    link = ExternalIdentity(provider=provider, subject=subject, user_id=user_id, created_at=at)
    session.add(link)
    audit.record_by(
        session,
        actor,
        action="sso_linked",
        at=at,
        entity_type="user",
        entity_id=user_id,
        practice_id=user.practice_id,
        detail=f"{provider}: by an administrator",
    )
    return link


def unlink_identity(
    *, session: Session, actor: Actor, user_id: int, provider: str, at: datetime
) -> bool:
    """Remove a user's link at a provider; False if there was none."""
    user = _administered_user(session, actor, user_id)
    link = session.exec(
        select(ExternalIdentity).where(
            ExternalIdentity.provider == provider, ExternalIdentity.user_id == user_id
        )
    ).first()
    if link is None:
        return False
    session.delete(link)
    audit.record_by(
        session,
        actor,
        action="sso_unlinked",
        at=at,
        entity_type="user",
        entity_id=user_id,
        practice_id=user.practice_id,
        detail=provider,
    )
    return True
