"""Which account an OpenID Connect identity signs in as: a link by (provider, sub), or a link made
from a verified email where the provider allows it; everything else refused and audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.external_identities import ExternalIdentity
from domain.practices import Practice
from domain.roles import Role
from domain.scope import Actor, NotFound
from domain.sso import (
    LinkConflict,
    SsoIdentity,
    SsoRefusal,
    link_identity,
    linked_identities,
    record_sso_failure,
    sign_in_with_identity,
    unlink_identity,
)
from domain.users import User, UserRole

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _practice(session: Session, name: str, number: int = 1) -> int:
    practice = Practice(
        name=name, tin=f"12345678{number}", group_npi=f"123456789{number}", created_at=AT
    )
    session.add(practice)
    session.flush()
    assert practice.id is not None
    return practice.id


def _user(session: Session, email: str, role: Role, practice_id: int | None = None) -> User:
    user = User(email=email, full_name="Test Person", practice_id=practice_id)
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, role=role))
    session.commit()
    return user


@pytest.fixture
def practice_id(session: Session) -> int:
    return _practice(session, "Riverside")


@pytest.fixture
def biller(session: Session, practice_id: int) -> User:
    return _user(session, "kim@riverside.test", Role.BILLING, practice_id)


def _link(session: Session, user: User, provider: str = "okta", subject: str = "sub-1") -> None:
    assert user.id is not None
    session.add(
        ExternalIdentity(provider=provider, subject=subject, user_id=user.id, created_at=AT)
    )
    session.commit()


def _sign_in(session: Session, identity: SsoIdentity, *, link_by_email: bool = False) -> int | None:
    user_id = sign_in_with_identity(
        session=session, identity=identity, link_by_email=link_by_email, at=AT, source_ip="10.0.0.5"
    )
    session.commit()
    return user_id


def _events(session: Session) -> list[tuple[str, str, str, int | None]]:
    rows = session.exec(
        select(
            AuditEvent.action, AuditEvent.outcome, AuditEvent.detail, AuditEvent.user_id
        ).order_by(col(AuditEvent.id))
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_linked_subject_signs_in_as_its_user(session: Session, biller: User) -> None:
    _link(session, biller)
    assert _sign_in(session, SsoIdentity("okta", "sub-1")) == biller.id
    link = session.exec(select(ExternalIdentity)).one()
    assert link.last_used_at == AT
    assert _events(session) == [("sign_in", "ok", "oidc:okta", biller.id)]


def test_the_same_subject_at_another_provider_is_someone_else(
    session: Session, biller: User
) -> None:
    _link(session, biller, provider="okta", subject="sub-1")
    assert _sign_in(session, SsoIdentity("entra", "sub-1")) is None
    assert _events(session) == [("sso_failed", "refused", "entra: unknown_subject", None)]


def test_an_unknown_subject_is_refused_even_with_a_matching_email_unless_allowed(
    session: Session, biller: User
) -> None:
    identity = SsoIdentity("okta", "sub-9", email="kim@riverside.test", email_verified=True)
    assert _sign_in(session, identity, link_by_email=False) is None
    assert session.exec(select(ExternalIdentity)).all() == []
    assert _events(session)[-1][:3] == ("sso_failed", "refused", "okta: unknown_subject")


def test_a_verified_email_links_the_account_when_the_provider_allows_it(
    session: Session, biller: User
) -> None:
    identity = SsoIdentity("okta", "sub-9", email="Kim@Riverside.test", email_verified=True)
    assert _sign_in(session, identity, link_by_email=True) == biller.id
    link = session.exec(select(ExternalIdentity)).one()
    assert (link.provider, link.subject, link.user_id) == ("okta", "sub-9", biller.id)
    assert [event[0] for event in _events(session)] == ["sso_linked", "sign_in"]
    # The next sign-in goes by the link.
    assert _sign_in(session, SsoIdentity("okta", "sub-9")) == biller.id


@pytest.mark.parametrize(
    "identity",
    [
        SsoIdentity("okta", "sub-9", email="kim@riverside.test", email_verified=False),
        SsoIdentity("okta", "sub-9", email=None, email_verified=True),
        SsoIdentity("okta", "sub-9", email="nobody@riverside.test", email_verified=True),
    ],
    ids=["unverified email", "no email", "no such account"],
)
def test_no_link_by_email_without_a_verified_email_of_an_account(
    session: Session, biller: User, identity: SsoIdentity
) -> None:
    assert _sign_in(session, identity, link_by_email=True) is None
    assert session.exec(select(ExternalIdentity)).all() == []
    assert _events(session) == [("sso_failed", "refused", "okta: unknown_subject", None)]


def test_an_account_linked_to_another_subject_is_not_relinked_by_email(
    session: Session, biller: User
) -> None:
    _link(session, biller, subject="sub-1")
    identity = SsoIdentity("okta", "sub-2", email="kim@riverside.test", email_verified=True)
    assert _sign_in(session, identity, link_by_email=True) is None
    assert len(session.exec(select(ExternalIdentity)).all()) == 1
    assert _events(session)[-1][:3] == ("sso_failed", "refused", "okta: email_conflict")


def test_a_deactivated_user_is_refused_by_link_and_by_email(session: Session, biller: User) -> None:
    _link(session, biller)
    biller.is_active = False
    session.add(biller)
    session.commit()
    assert _sign_in(session, SsoIdentity("okta", "sub-1")) is None
    identity = SsoIdentity("entra", "x", email="kim@riverside.test", email_verified=True)
    assert _sign_in(session, identity, link_by_email=True) is None
    assert [event[2] for event in _events(session)] == [
        "okta: deactivated",
        "entra: deactivated",
    ]


def test_a_failure_before_matching_is_audited_without_personal_data(session: Session) -> None:
    record_sso_failure(
        session=session,
        provider="okta",
        reason=SsoRefusal.STATE_MISMATCH,
        at=AT,
        source_ip="1.2.3.4",
    )
    session.commit()
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.outcome, event.detail, event.source_ip, event.user_id) == (
        "sso_failed",
        "refused",
        "okta: state_mismatch",
        "1.2.3.4",
        None,
    )


# ---------------------------------------------------------------------- admin linking


def _admin_actor(user: User, role: Role) -> Actor:
    assert user.id is not None
    return Actor(user_id=user.id, practice_id=user.practice_id, roles=frozenset({role}))


def test_a_practice_admin_links_their_own_practices_user(
    session: Session, practice_id: int, biller: User
) -> None:
    admin = _user(session, "admin@riverside.test", Role.PRACTICE_ADMIN, practice_id)
    actor = _admin_actor(admin, Role.PRACTICE_ADMIN)
    assert biller.id is not None
    link_identity(
        session=session, actor=actor, user_id=biller.id, provider="okta", subject=" sub-7 ", at=AT
    )
    session.commit()
    assert _sign_in(session, SsoIdentity("okta", "sub-7")) == biller.id
    linked = linked_identities(session=session, actor=actor, user_id=biller.id)
    assert [(link.provider, link.subject) for link in linked] == [("okta", "sub-7")]
    events = _events(session)
    assert events[0] == ("sso_linked", "ok", "okta: by an administrator", admin.id)
    # Linking the same again is a no-op; another subject for the same provider is a conflict.
    link_identity(
        session=session, actor=actor, user_id=biller.id, provider="okta", subject="sub-7", at=AT
    )
    with pytest.raises(LinkConflict):
        link_identity(
            session=session, actor=actor, user_id=biller.id, provider="okta", subject="sub-8", at=AT
        )
    assert unlink_identity(session=session, actor=actor, user_id=biller.id, provider="okta", at=AT)
    session.commit()
    assert _sign_in(session, SsoIdentity("okta", "sub-7")) is None


def test_a_subject_belongs_to_one_account(session: Session, practice_id: int, biller: User) -> None:
    admin = _user(session, "admin@riverside.test", Role.PRACTICE_ADMIN, practice_id)
    other = _user(session, "lee@riverside.test", Role.FRONT_DESK, practice_id)
    _link(session, biller, subject="sub-1")
    assert other.id is not None
    with pytest.raises(LinkConflict):
        link_identity(
            session=session,
            actor=_admin_actor(admin, Role.PRACTICE_ADMIN),
            user_id=other.id,
            provider="okta",
            subject="sub-1",
            at=AT,
        )


def test_admins_link_only_the_users_they_administer(
    session: Session, practice_id: int, biller: User
) -> None:
    other_practice = _practice(session, "Lakeside", 2)
    lakeside_admin = _user(session, "admin@lakeside.test", Role.PRACTICE_ADMIN, other_practice)
    plan_admin = _user(session, "planadmin@plan.test", Role.PLAN_ADMIN)
    examiner = _user(session, "examiner@plan.test", Role.CLAIMS_EXAMINER)
    assert biller.id is not None and examiner.id is not None
    # Another practice's user looks exactly like a missing one.
    for user_id in (biller.id, 999_999):
        with pytest.raises(NotFound):
            link_identity(
                session=session,
                actor=_admin_actor(lakeside_admin, Role.PRACTICE_ADMIN),
                user_id=user_id,
                provider="okta",
                subject="x",
                at=AT,
            )
    # The plan admin links plan staff, not practice users; a practice admin not plan staff.
    with pytest.raises(NotFound):
        link_identity(
            session=session,
            actor=_admin_actor(plan_admin, Role.PLAN_ADMIN),
            user_id=biller.id,
            provider="okta",
            subject="x",
            at=AT,
        )
    with pytest.raises(NotFound):
        link_identity(
            session=session,
            actor=_admin_actor(lakeside_admin, Role.PRACTICE_ADMIN),
            user_id=examiner.id,
            provider="okta",
            subject="x",
            at=AT,
        )
    link_identity(
        session=session,
        actor=_admin_actor(plan_admin, Role.PLAN_ADMIN),
        user_id=examiner.id,
        provider="okta",
        subject="examiner-sub",
        at=AT,
    )
    session.commit()
    assert _sign_in(session, SsoIdentity("okta", "examiner-sub")) == examiner.id
    # A biller is no admin at all.
    with pytest.raises(NotFound):
        linked_identities(
            session=session, actor=_admin_actor(biller, Role.BILLING), user_id=biller.id
        )
