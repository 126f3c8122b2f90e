"""User administration against the database: admins reach only their own staff (another
practice's user is NotFound, as a missing one), one-time links work once and only until they
expire, resets end sessions, the password policy holds, a practice always keeps an admin, and
every change is audited."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.auth import authenticate
from domain.one_time_links import LinkPurpose, OneTimeLink
from domain.practices import Practice
from domain.roles import Role
from domain.scope import Actor, NotAuthorized, NotFound
from domain.user_admin import (
    EMAIL_REFUSED,
    IssuedLink,
    LinkInvalid,
    PasswordRejected,
    StaffStatus,
    UserAdminRefused,
    deactivate,
    end_sessions,
    invite,
    issue_reset_link,
    list_staff,
    peek_link,
    reactivate,
    redeem_link,
    resend_invite,
    revoke_invite,
    set_roles,
)
from domain.user_sessions import UserSession
from domain.users import User, UserRole

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HOURS = 72.0
GOOD_PASSWORD = "tangerine lighthouse marmalade 42"


@dataclass
class World:
    riverside: int
    lakeside: int
    admin: Actor  # Riverside's practice admin
    biller: int  # Riverside billing
    other_admin: Actor  # Lakeside's practice admin
    other_biller: int  # Lakeside billing
    plan_admin: Actor
    examiner: int


def _user(
    session: Session, email: str, roles: set[Role], practice_id: int | None, **changes: Any
) -> int:
    user = User(
        email=email,
        full_name=email.split("@")[0].title(),
        practice_id=practice_id,
        password_hash="$argon2id$not-a-real-hash",
        **changes,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))
    return user.id


def _actor(user_id: int, practice_id: int | None, role: Role) -> Actor:
    return Actor(
        user_id=user_id, practice_id=practice_id, roles=frozenset({role}), source_ip="10.0.0.7"
    )


@pytest.fixture
def world(session: Session) -> World:
    riverside = Practice(name="Riverside", tin="100000001", group_npi="1234567893")
    lakeside = Practice(name="Lakeside", tin="100000002", group_npi="1245319599")
    session.add_all([riverside, lakeside])
    session.flush()
    assert riverside.id is not None and lakeside.id is not None
    admin = _user(session, "admin@riverside.test", {Role.PRACTICE_ADMIN}, riverside.id)
    biller = _user(session, "billing@riverside.test", {Role.BILLING}, riverside.id)
    other_admin = _user(session, "admin@lakeside.test", {Role.PRACTICE_ADMIN}, lakeside.id)
    other_biller = _user(session, "billing@lakeside.test", {Role.BILLING}, lakeside.id)
    plan_admin = _user(session, "planadmin@plan.test", {Role.PLAN_ADMIN}, None)
    examiner = _user(session, "examiner@plan.test", {Role.CLAIMS_EXAMINER}, None)
    session.commit()
    return World(
        riverside=riverside.id,
        lakeside=lakeside.id,
        admin=_actor(admin, riverside.id, Role.PRACTICE_ADMIN),
        biller=biller,
        other_admin=_actor(other_admin, lakeside.id, Role.PRACTICE_ADMIN),
        other_biller=other_biller,
        plan_admin=_actor(plan_admin, None, Role.PLAN_ADMIN),
        examiner=examiner,
    )


def _invite(
    session: Session, actor: Actor, email: str = "new@riverside.test", **changes: Any
) -> IssuedLink:
    arguments: dict[str, Any] = {
        "email": email,
        "full_name": "Nora Newcomer",
        "roles": {Role.FRONT_DESK},
        "at": AT,
        "link_hours": HOURS,
    }
    arguments.update(changes)
    link = invite(session=session, actor=actor, **arguments)
    session.commit()
    return link


def _redeem(
    session: Session, link: IssuedLink, *, at: datetime = AT, password: str = GOOD_PASSWORD
):
    redeemed = redeem_link(
        session=session,
        token=link.token,
        purpose=link.purpose,
        password=password,
        at=at + timedelta(minutes=5),
        source_ip="10.0.0.8",
    )
    session.commit()
    return redeemed


def _actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all())


# --- scope -----------------------------------------------------------------------------------


def _every_use_case(user_id: int) -> dict[str, Callable[[Session, Actor], object]]:
    return {
        "set_roles": lambda s, a: set_roles(
            session=s, actor=a, user_id=user_id, roles={Role.CLINICAL}, at=AT
        ),
        "deactivate": lambda s, a: deactivate(session=s, actor=a, user_id=user_id, at=AT),
        "reactivate": lambda s, a: reactivate(session=s, actor=a, user_id=user_id, at=AT),
        "reset": lambda s, a: issue_reset_link(
            session=s, actor=a, user_id=user_id, at=AT, link_hours=HOURS
        ),
        "resend": lambda s, a: resend_invite(
            session=s, actor=a, user_id=user_id, at=AT, link_hours=HOURS
        ),
        "revoke": lambda s, a: revoke_invite(session=s, actor=a, user_id=user_id, at=AT),
        "end_sessions": lambda s, a: end_sessions(session=s, actor=a, user_id=user_id, at=AT),
    }


@pytest.mark.parametrize(
    "use_case",
    ["set_roles", "deactivate", "reactivate", "reset", "resend", "revoke", "end_sessions"],
)
def test_another_practices_user_is_not_found_like_a_missing_one(
    session: Session, world: World, use_case: str
) -> None:
    with pytest.raises(NotFound) as theirs:
        _every_use_case(world.other_biller)[use_case](session, world.admin)
    session.rollback()
    with pytest.raises(NotFound) as missing:
        _every_use_case(10_000_000)[use_case](session, world.admin)
    session.rollback()
    assert str(theirs.value) == f"User {world.other_biller}"
    assert type(theirs.value) is type(missing.value)
    # And nothing of Lakeside's changed.
    other = session.get(User, world.other_biller)
    assert other is not None and other.is_active


@pytest.mark.parametrize(
    "use_case",
    ["set_roles", "deactivate", "reactivate", "reset", "resend", "revoke", "end_sessions"],
)
def test_plan_and_practice_admins_cannot_reach_each_others_staff(
    session: Session, world: World, use_case: str
) -> None:
    with pytest.raises(NotFound):
        _every_use_case(world.biller)[use_case](session, world.plan_admin)
    session.rollback()
    with pytest.raises(NotFound):
        _every_use_case(world.examiner)[use_case](session, world.admin)
    session.rollback()


def test_each_admin_lists_only_their_own_staff(session: Session, world: World) -> None:
    riverside = {m.email for m in list_staff(session=session, actor=world.admin, at=AT)}
    plan = {m.email for m in list_staff(session=session, actor=world.plan_admin, at=AT)}
    assert riverside == {"admin@riverside.test", "billing@riverside.test"}
    assert plan == {"planadmin@plan.test", "examiner@plan.test"}


def test_only_admins_administer(session: Session, world: World) -> None:
    biller = _actor(world.biller, world.riverside, Role.BILLING)
    with pytest.raises(NotAuthorized):
        list_staff(session=session, actor=biller, at=AT)
    with pytest.raises(NotAuthorized):
        _invite(session, biller)


def test_an_admin_demoted_since_their_page_loaded_can_no_longer_act(
    session: Session, world: World
) -> None:
    # The actor object still says practice admin; the database no longer does.
    for row in session.exec(select(UserRole).where(UserRole.user_id == world.admin.user_id)):
        row.role = Role.BILLING
        session.add(row)
    session.commit()
    with pytest.raises(NotAuthorized):
        deactivate(session=session, actor=world.admin, user_id=world.biller, at=AT)


@pytest.mark.parametrize(
    ("admin", "roles"),
    [
        ("admin", {Role.CLAIMS_EXAMINER}),
        ("admin", {Role.BILLING, Role.PLAN_ADMIN}),
        ("plan_admin", {Role.BILLING}),
        ("plan_admin", {Role.PRACTICE_ADMIN}),
    ],
)
def test_admins_grant_only_their_own_sides_roles(
    session: Session, world: World, admin: str, roles: set[Role]
) -> None:
    actor: Actor = getattr(world, admin)
    with pytest.raises(UserAdminRefused, match="Only roles of your own organisation"):
        _invite(session, actor, roles=roles)
    session.rollback()
    target = world.biller if admin == "admin" else world.examiner
    with pytest.raises(UserAdminRefused):
        set_roles(session=session, actor=actor, user_id=target, roles=roles, at=AT)


# --- invitations -----------------------------------------------------------------------------


def test_invitation_creates_an_inactive_account_with_a_hashed_one_time_link(
    session: Session, world: World
) -> None:
    link = _invite(session, world.admin, email=" New@Riverside.TEST ")
    user = session.get(User, link.user_id)
    assert user is not None
    assert (user.email, user.practice_id, user.is_active, user.password_hash) == (
        "new@riverside.test",
        world.riverside,
        False,
        None,
    )
    assert {r.role for r in session.exec(select(UserRole).where(UserRole.user_id == user.id))} == {
        Role.FRONT_DESK
    }
    stored = session.exec(select(OneTimeLink)).one()
    assert stored.token_hash == hashlib.sha256(link.token.encode()).hexdigest()
    assert link.token not in stored.token_hash and len(link.token) >= 43
    assert (stored.purpose, stored.issued_by) == (LinkPurpose.INVITE, world.admin.user_id)
    assert link.expires_at == AT + timedelta(hours=HOURS)
    # Not able to sign in before accepting.
    assert authenticate(session, email=user.email, password=GOOD_PASSWORD, at=AT) is None
    team = {m.email: m for m in list_staff(session=session, actor=world.admin, at=AT)}
    assert team["new@riverside.test"].status is StaffStatus.INVITED
    assert team["new@riverside.test"].invite_expires_at == link.expires_at


def test_invitation_is_redeemed_once(session: Session, world: World) -> None:
    link = _invite(session, world.admin)
    view = peek_link(session=session, token=link.token, purpose=LinkPurpose.INVITE, at=AT)
    assert view is not None and view.email == "new@riverside.test"
    redeemed = _redeem(session, link)
    assert redeemed.user_id == link.user_id
    user = session.get(User, link.user_id)
    assert user is not None and user.is_active and user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert user.password_changed_at == AT + timedelta(minutes=5)
    assert authenticate(session, email=user.email, password=GOOD_PASSWORD, at=AT) is not None
    # Once only.
    assert peek_link(session=session, token=link.token, purpose=LinkPurpose.INVITE, at=AT) is None
    with pytest.raises(LinkInvalid):
        _redeem(session, link, password="another fine password 77")


def test_expired_revoked_unknown_and_wrong_purpose_links_look_alike(
    session: Session, world: World
) -> None:
    expired = _invite(session, world.admin, email="late@riverside.test")
    revoked = _invite(session, world.admin, email="revoked@riverside.test")
    revoke_invite(session=session, actor=world.admin, user_id=revoked.user_id, at=AT)
    session.commit()
    too_late = AT + timedelta(hours=HOURS, seconds=1)
    cases = [
        (expired.token, LinkPurpose.INVITE, too_late),
        (revoked.token, LinkPurpose.INVITE, AT),
        ("no-such-token", LinkPurpose.INVITE, AT),
        (expired.token, LinkPurpose.RESET, AT),  # an invitation is no reset link
        ("x" * 5000, LinkPurpose.INVITE, AT),
    ]
    for token, purpose, at in cases:
        assert peek_link(session=session, token=token, purpose=purpose, at=at) is None
        with pytest.raises(LinkInvalid) as refused:
            redeem_link(
                session=session, token=token, purpose=purpose, password=GOOD_PASSWORD, at=at
            )
        assert "expired or was already used" in str(refused.value)
        session.rollback()
    # Just before expiry it still works.
    assert _redeem(session, expired, at=too_late - timedelta(minutes=6)).user_id == expired.user_id


def test_resending_an_invitation_replaces_the_earlier_link(session: Session, world: World) -> None:
    first = _invite(session, world.admin)
    second = resend_invite(
        session=session, actor=world.admin, user_id=first.user_id, at=AT, link_hours=HOURS
    )
    session.commit()
    assert peek_link(session=session, token=first.token, purpose=LinkPurpose.INVITE, at=AT) is None
    assert _redeem(session, second).user_id == first.user_id
    with pytest.raises(UserAdminRefused, match="already accepted"):
        resend_invite(
            session=session, actor=world.admin, user_id=first.user_id, at=AT, link_hours=HOURS
        )


def test_revoked_invitation_shows_deactivated_and_can_be_sent_again(
    session: Session, world: World
) -> None:
    link = _invite(session, world.admin)
    revoke_invite(session=session, actor=world.admin, user_id=link.user_id, at=AT)
    session.commit()
    team = {m.user_id: m for m in list_staff(session=session, actor=world.admin, at=AT)}
    assert team[link.user_id].status is StaffStatus.DEACTIVATED
    assert not team[link.user_id].has_signed_up
    with pytest.raises(UserAdminRefused, match="never accepted"):
        reactivate(session=session, actor=world.admin, user_id=link.user_id, at=AT)
    again = resend_invite(
        session=session, actor=world.admin, user_id=link.user_id, at=AT, link_hours=HOURS
    )
    session.commit()
    assert _redeem(session, again).user_id == link.user_id


def test_expired_invitation_is_listed_as_expired(session: Session, world: World) -> None:
    link = _invite(session, world.admin)
    later = AT + timedelta(hours=HOURS + 1)
    team = {m.user_id: m for m in list_staff(session=session, actor=world.admin, at=later)}
    assert team[link.user_id].status is StaffStatus.INVITE_EXPIRED
    assert team[link.user_id].invite_expires_at is None


@pytest.mark.parametrize(
    "email", ["billing@riverside.test", "BILLING@lakeside.test", "examiner@plan.test"]
)
def test_an_email_in_use_anywhere_gets_the_same_answer(
    session: Session, world: World, email: str
) -> None:
    with pytest.raises(UserAdminRefused) as refused:
        _invite(session, world.admin, email=email)
    assert str(refused.value) == EMAIL_REFUSED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"roles": set()}, "at least one role"),
        ({"email": "not-an-email"}, "valid email"),
        ({"full_name": "   "}, "name"),
    ],
)
def test_invitation_form_problems_are_refused(
    session: Session, world: World, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(UserAdminRefused, match=message):
        _invite(session, world.admin, **changes)


# --- password policy and resets ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12"),
        ("password1234", "common"),
        ("nora newcomer 2026!", "name or email"),
    ],
)
def test_password_policy_is_enforced_and_keeps_the_link_usable(
    session: Session, world: World, password: str, message: str
) -> None:
    link = _invite(session, world.admin)
    with pytest.raises(PasswordRejected, match=message):
        _redeem(session, link, password=password)
    session.rollback()
    assert _redeem(session, link).user_id == link.user_id


def _live_session(session: Session, user_id: int, name: str) -> None:
    session.add(
        UserSession(
            token_hash=hashlib.sha256(name.encode()).hexdigest(),
            user_id=user_id,
            created_at=AT,
            last_seen_at=AT,
        )
    )


def test_reset_link_sets_a_password_clears_lockout_and_ends_sessions(
    session: Session, world: World
) -> None:
    _live_session(session, world.biller, "laptop")
    _live_session(session, world.biller, "phone")
    biller = session.get(User, world.biller)
    assert biller is not None
    biller.failed_sign_ins = 9
    biller.locked_until = AT + timedelta(hours=1)
    session.add(biller)
    session.commit()
    first = issue_reset_link(
        session=session, actor=world.admin, user_id=world.biller, at=AT, link_hours=HOURS
    )
    link = issue_reset_link(
        session=session, actor=world.admin, user_id=world.biller, at=AT, link_hours=HOURS
    )
    session.commit()
    assert peek_link(session=session, token=first.token, purpose=LinkPurpose.RESET, at=AT) is None
    # The old password keeps working until the link is used; the sessions too.
    assert session.exec(select(UserSession).where(col(UserSession.ended_at).is_(None))).all()
    _redeem(session, link)
    session.refresh(biller)
    assert biller.failed_sign_ins == 0 and biller.locked_until is None
    ended = session.exec(select(UserSession).where(UserSession.user_id == world.biller)).all()
    assert [(s.ended_at is not None, s.end_reason) for s in ended] == [
        (True, "password_reset"),
        (True, "password_reset"),
    ]
    assert authenticate(session, email=biller.email, password=GOOD_PASSWORD, at=AT) is not None
    with pytest.raises(LinkInvalid):
        _redeem(session, link)


def test_no_reset_link_for_an_inactive_account(session: Session, world: World) -> None:
    deactivate(session=session, actor=world.admin, user_id=world.biller, at=AT)
    session.commit()
    with pytest.raises(UserAdminRefused, match="not active"):
        issue_reset_link(
            session=session, actor=world.admin, user_id=world.biller, at=AT, link_hours=HOURS
        )


# --- deactivation and the admin rules ---------------------------------------------------------


def test_deactivation_ends_sessions_and_revokes_links_and_reactivation_restores(
    session: Session, world: World
) -> None:
    _live_session(session, world.biller, "desk")
    session.commit()
    link = issue_reset_link(
        session=session, actor=world.admin, user_id=world.biller, at=AT, link_hours=HOURS
    )
    deactivate(session=session, actor=world.admin, user_id=world.biller, at=AT)
    session.commit()
    biller = session.get(User, world.biller)
    assert biller is not None and not biller.is_active and biller.deactivated_at == AT
    (desk,) = session.exec(select(UserSession).where(UserSession.user_id == world.biller)).all()
    assert (desk.ended_at, desk.end_reason) == (AT, "deactivated")
    assert peek_link(session=session, token=link.token, purpose=LinkPurpose.RESET, at=AT) is None
    team = {m.user_id: m for m in list_staff(session=session, actor=world.admin, at=AT)}
    assert team[world.biller].status is StaffStatus.DEACTIVATED
    with pytest.raises(UserAdminRefused, match="not active"):
        deactivate(session=session, actor=world.admin, user_id=world.biller, at=AT)
    reactivate(session=session, actor=world.admin, user_id=world.biller, at=AT)
    session.commit()
    session.refresh(biller)
    assert biller.is_active and biller.deactivated_at is None


def test_an_admin_signs_a_user_out_everywhere_without_deactivating_them(
    session: Session, world: World
) -> None:
    _live_session(session, world.biller, "desk")
    _live_session(session, world.biller, "laptop")
    session.commit()
    assert end_sessions(session=session, actor=world.admin, user_id=world.biller, at=AT) == 2
    session.commit()
    rows = session.exec(select(UserSession).where(UserSession.user_id == world.biller)).all()
    assert {(row.ended_at, row.end_reason) for row in rows} == {(AT, "everywhere")}
    biller = session.get(User, world.biller)
    assert biller is not None and biller.is_active
    assert "sessions_ended_by_admin" in _actions(session)


def test_admin_cannot_deactivate_themselves_nor_drop_their_own_admin_role(
    session: Session, world: World
) -> None:
    second = _user(session, "admin2@riverside.test", {Role.PRACTICE_ADMIN}, world.riverside)
    session.commit()
    assert second
    with pytest.raises(UserAdminRefused, match="your own account"):
        deactivate(session=session, actor=world.admin, user_id=world.admin.user_id, at=AT)
    with pytest.raises(UserAdminRefused, match="your own admin role"):
        set_roles(
            session=session,
            actor=world.admin,
            user_id=world.admin.user_id,
            roles={Role.BILLING},
            at=AT,
        )
    # Adding a role to oneself while staying admin is fine.
    assert set_roles(
        session=session,
        actor=world.admin,
        user_id=world.admin.user_id,
        roles={Role.PRACTICE_ADMIN, Role.BILLING},
        at=AT,
    ) == [Role.PRACTICE_ADMIN, Role.BILLING]


@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_two_admins_removing_each_other_at_once_leave_one_admin(
    engine: Engine,
    session: Session,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    """One at a time, the acting admin is always an admin that remains; the last-admin rule is
    for two admins acting on each other at the same moment. The second waits for the first
    and is refused, on SQLite as on PostgreSQL."""
    second = _user(session, "admin2@riverside.test", {Role.PRACTICE_ADMIN}, world.riverside)
    session.commit()
    second_actor = _actor(second, world.riverside, Role.PRACTICE_ADMIN)

    def remove(db: Session, actor: Actor, user_id: int) -> None:
        if change == "demote":
            set_roles(session=db, actor=actor, user_id=user_id, roles={Role.BILLING}, at=AT)
        else:
            deactivate(session=db, actor=actor, user_id=user_id, at=AT)

    # Let the first transaction commit only once the second has passed its permission check:
    # on PostgreSQL as the second asks for the locks (it then waits for the first), on SQLite,
    # which has no row locks, once it has read the admins as they were (it then waits for the
    # write lock, and must count again).
    from domain import user_admin

    second_has_read = threading.Event()
    real_lock = user_admin._lock_active_admins
    sqlite = engine.dialect.name == "sqlite"

    def lock_and_tell(db: Session, scope: user_admin.StaffScope) -> set[int]:
        in_second = threading.current_thread() is not threading.main_thread()
        if in_second and not sqlite:
            second_has_read.set()
        admins = real_lock(db, scope)
        if in_second and sqlite:
            second_has_read.set()
        return admins

    monkeypatch.setattr(user_admin, "_lock_active_admins", lock_and_tell)
    outcome: list[BaseException | None] = []

    def second_admin_acts() -> None:
        with Session(engine) as db:
            try:
                remove(db, second_actor, world.admin.user_id)
                db.commit()
                outcome.append(None)
            except BaseException as error:
                db.rollback()
                outcome.append(error)

    with Session(engine) as first:
        remove(first, world.admin, second)
        first.flush()  # the first holds its locks (PostgreSQL) or the write lock (SQLite)
        other = threading.Thread(target=second_admin_acts)
        other.start()
        assert second_has_read.wait(timeout=30)
        first.commit()
    other.join(timeout=60)
    assert not other.is_alive()
    (error,) = outcome
    assert isinstance(error, UserAdminRefused), error
    assert "last active admin of the practice" in str(error)
    session.expire_all()
    active_admins = session.exec(
        select(User.id)
        .join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(
            col(User.is_active),
            User.practice_id == world.riverside,
            UserRole.role == Role.PRACTICE_ADMIN,
        )
    ).all()
    assert active_admins == [world.admin.user_id]


# --- audit ------------------------------------------------------------------------------------


def test_every_change_is_audited_with_ids_and_roles_only(session: Session, world: World) -> None:
    link = _invite(session, world.admin, roles={Role.FRONT_DESK, Role.BILLING})
    _redeem(session, link)
    set_roles(
        session=session, actor=world.admin, user_id=link.user_id, roles={Role.CLINICAL}, at=AT
    )
    reset = issue_reset_link(
        session=session, actor=world.admin, user_id=link.user_id, at=AT, link_hours=HOURS
    )
    session.commit()
    _redeem(session, reset, password="violet harbour compass 913")
    deactivate(session=session, actor=world.admin, user_id=link.user_id, at=AT)
    reactivate(session=session, actor=world.admin, user_id=link.user_id, at=AT)
    pending = _invite(session, world.admin, email="later@riverside.test")
    resend_invite(session=session, actor=world.admin, user_id=pending.user_id, at=AT, link_hours=1)
    revoke_invite(session=session, actor=world.admin, user_id=pending.user_id, at=AT)
    session.commit()
    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) != "sign_in").order_by(col(AuditEvent.id))
    ).all()
    mine = [e for e in events if e.action != "sessions_ended"]
    assert [(e.action, e.entity_id) for e in mine] == [
        ("user_invited", str(link.user_id)),
        ("invite_accepted", str(link.user_id)),
        ("roles_changed", str(link.user_id)),
        ("reset_link_issued", str(link.user_id)),
        ("password_reset", str(link.user_id)),
        ("user_deactivated", str(link.user_id)),
        ("user_reactivated", str(link.user_id)),
        ("user_invited", str(pending.user_id)),
        ("invite_resent", str(pending.user_id)),
        ("invite_revoked", str(pending.user_id)),
    ]
    assert mine[0].detail == "billing, front_desk"
    assert mine[2].detail == "billing, front_desk -> clinical"
    assert {e.practice_id for e in mine} == {world.riverside}
    # Admin actions carry the admin and their address; the link pages the user's own.
    assert (mine[0].user_id, mine[0].source_ip) == (world.admin.user_id, "10.0.0.7")
    assert (mine[1].user_id, mine[1].source_ip) == (link.user_id, "10.0.0.8")
    # No names, emails or tokens in any detail.
    for event in events:
        for secret in ("Nora", "riverside.test", link.token, reset.token):
            assert secret not in event.detail


def test_plan_staff_changes_are_audited_without_a_practice(session: Session, world: World) -> None:
    link = _invite(session, world.plan_admin, email="um@plan.test", roles={Role.UM_REVIEWER})
    user = session.get(User, link.user_id)
    assert user is not None and user.practice_id is None
    (event,) = session.exec(select(AuditEvent)).all()
    assert (event.action, event.practice_id, event.user_id) == (
        "user_invited",
        None,
        world.plan_admin.user_id,
    )
