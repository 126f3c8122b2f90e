"""TOTP enrolment and verification against the database: the secret encrypted at rest, codes
accepted once, recovery codes used once, who must use MFA, and every attempt audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.auth import hash_password
from domain.mfa import (
    MfaRefused,
    MfaStep,
    begin_enrollment,
    confirm_enrollment,
    disable_mfa,
    mfa_status,
    mfa_step,
    redeem_recovery_code,
    regenerate_recovery_codes,
    time_step,
    totp_code,
    verify_code,
)
from domain.recovery_codes import RecoveryCode
from domain.roles import Role
from domain.scope import Actor
from domain.users import User, UserRole
from storage.secrets import mfa_cipher
from storage.seed.demo import DEMO_ACCOUNTS, DEMO_MFA_ROLES, DEMO_TOTP_SECRET, demo_recovery_code

AT = datetime(2026, 11, 26, 9, 0, 10, tzinfo=UTC)
CIPHER = mfa_cipher("a test secret of at least thirty-two characters")


def _user(session: Session, email: str, role: Role) -> User:
    user = User(email=email, full_name="Test Person", password_hash=hash_password("x" * 12))
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, role=role))
    session.commit()
    return user


@pytest.fixture
def admin(session: Session) -> User:
    return _user(session, "admin@example.test", Role.PLAN_ADMIN)


@pytest.fixture
def biller(session: Session) -> User:
    return _user(session, "biller@example.test", Role.BILLING)


def _actor(user: User, roles: frozenset[Role]) -> Actor:
    assert user.id is not None
    return Actor(user_id=user.id, practice_id=user.practice_id, roles=roles, source_ip="10.0.0.7")


def _enrol(session: Session, user: User) -> tuple[str, list[str]]:
    """Enrol `user` with a code for the step before AT; the secret and the recovery codes."""
    assert user.id is not None
    enrollment = begin_enrollment(session=session, user_id=user.id, cipher=CIPHER)
    codes = confirm_enrollment(
        session=session,
        user_id=user.id,
        code=totp_code(enrollment.secret, time_step(AT) - 1),
        cipher=CIPHER,
        at=AT,
    )
    session.commit()
    assert codes is not None
    return enrollment.secret, codes


def _wrong_code(secret: str, at: datetime) -> str:
    """A well-formed code that no step around `at` has."""
    taken = {totp_code(secret, time_step(at) + offset) for offset in range(-2, 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in taken)


def _actions(session: Session) -> list[tuple[str, str, str]]:
    rows = session.exec(
        select(AuditEvent.action, AuditEvent.outcome, AuditEvent.detail).order_by(
            col(AuditEvent.id)
        )
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_who_must_use_mfa(session: Session, admin: User, biller: User) -> None:
    assert admin.id is not None and biller.id is not None
    assert mfa_step(session=session, user_id=admin.id) is MfaStep.ENROLL
    assert mfa_step(session=session, user_id=biller.id) is MfaStep.NONE
    assert mfa_step(session=session, user_id=biller.id, required_for_all=True) is MfaStep.ENROLL
    _enrol(session, biller)  # optional for a biller, but once on it is asked for
    assert mfa_step(session=session, user_id=biller.id) is MfaStep.VERIFY
    practice_admin = _user(session, "padmin@example.test", Role.PRACTICE_ADMIN)
    assert practice_admin.id is not None
    assert mfa_step(session=session, user_id=practice_admin.id) is MfaStep.ENROLL


def test_enrolment_stores_the_secret_encrypted_and_needs_a_first_code(
    session: Session, admin: User
) -> None:
    assert admin.id is not None
    enrollment = begin_enrollment(session=session, user_id=admin.id, cipher=CIPHER)
    session.commit()
    stored = (
        session.connection()
        .execute(
            text("SELECT mfa_secret, mfa_enabled_at FROM " + '"user"' + " WHERE id = :id"),
            {"id": admin.id},
        )
        .one()
    )
    assert stored.mfa_secret is not None
    assert enrollment.secret not in stored.mfa_secret  # a Fernet token, not the base32 secret
    assert CIPHER.decrypt(stored.mfa_secret.encode()).decode() == enrollment.secret
    assert stored.mfa_enabled_at is None  # not on until a code proves the app has it
    assert mfa_step(session=session, user_id=admin.id) is MfaStep.ENROLL

    wrong = _wrong_code(enrollment.secret, AT)
    assert (
        confirm_enrollment(session=session, user_id=admin.id, code=wrong, cipher=CIPHER, at=AT)
        is None
    )
    codes = confirm_enrollment(
        session=session,
        user_id=admin.id,
        code=totp_code(enrollment.secret, time_step(AT)),
        cipher=CIPHER,
        at=AT,
    )
    session.commit()
    assert codes is not None and len(codes) == 10 and len(set(codes)) == 10
    assert mfa_step(session=session, user_id=admin.id) is MfaStep.VERIFY
    stored_hashes = session.exec(select(RecoveryCode.code_hash)).all()
    assert len(stored_hashes) == 10
    assert not set(codes) & set(stored_hashes)  # only hashes are kept
    assert _actions(session) == [
        ("mfa_failed", "failed", "enrollment"),
        ("mfa_enrolled", "ok", ""),
    ]


def test_a_new_enrolment_replaces_an_unconfirmed_secret(session: Session, admin: User) -> None:
    assert admin.id is not None
    first = begin_enrollment(session=session, user_id=admin.id, cipher=CIPHER)
    second = begin_enrollment(session=session, user_id=admin.id, cipher=CIPHER)
    assert first.secret != second.secret
    stale = totp_code(first.secret, time_step(AT))
    assert (
        confirm_enrollment(session=session, user_id=admin.id, code=stale, cipher=CIPHER, at=AT)
        is None
    )


def test_enrolling_twice_is_refused(session: Session, admin: User) -> None:
    assert admin.id is not None
    _enrol(session, admin)
    with pytest.raises(MfaRefused):
        begin_enrollment(session=session, user_id=admin.id, cipher=CIPHER)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_verify_accepts_the_current_step_and_one_either_side(
    session: Session, admin: User, offset: int
) -> None:
    assert admin.id is not None
    secret, _ = _enrol(session, admin)  # enrolment used the step before AT's
    later = AT + timedelta(seconds=60)
    code = totp_code(secret, time_step(later) + offset)
    assert verify_code(session=session, user_id=admin.id, code=code, cipher=CIPHER, at=later)
    session.commit()
    assert session.get(User, admin.id).mfa_last_step == time_step(later) + offset  # type: ignore[union-attr]


def test_verify_refuses_two_steps_off(session: Session, admin: User) -> None:
    assert admin.id is not None
    secret, _ = _enrol(session, admin)
    later = AT + timedelta(minutes=5)
    for offset in (-2, 2):
        code = totp_code(secret, time_step(later) + offset)
        assert not verify_code(
            session=session, user_id=admin.id, code=code, cipher=CIPHER, at=later
        )


def test_a_code_is_accepted_once_and_older_codes_never_after_it(
    session: Session, admin: User
) -> None:
    assert admin.id is not None
    secret, _ = _enrol(session, admin)
    later = AT + timedelta(minutes=5)
    now_code = totp_code(secret, time_step(later))
    assert verify_code(session=session, user_id=admin.id, code=now_code, cipher=CIPHER, at=later)
    session.commit()
    # The same code again, even within its 30 seconds, and the previous step's code: refused.
    for code in (now_code, totp_code(secret, time_step(later) - 1)):
        assert not verify_code(
            session=session, user_id=admin.id, code=code, cipher=CIPHER, at=later
        )
    # The next step's code is new.
    assert verify_code(
        session=session,
        user_id=admin.id,
        code=totp_code(secret, time_step(later) + 1),
        cipher=CIPHER,
        at=later,
    )
    session.commit()
    assert [action for action, _, _ in _actions(session)][-4:] == [
        "mfa_verified",
        "mfa_failed",
        "mfa_failed",
        "mfa_verified",
    ]


def test_a_replay_racing_in_another_session_is_refused(session: Session, admin: User) -> None:
    """Two requests with the same code: the second's guarded update finds the step claimed."""
    assert admin.id is not None
    secret, _ = _enrol(session, admin)
    later = AT + timedelta(minutes=5)
    code = totp_code(secret, time_step(later))
    with Session(session.get_bind()) as other:
        stale_view = other.get(User, admin.id)  # read before the first request commits
        assert stale_view is not None and stale_view.mfa_last_step == time_step(AT) - 1
        assert verify_code(session=session, user_id=admin.id, code=code, cipher=CIPHER, at=later)
        session.commit()
        assert not verify_code(session=other, user_id=admin.id, code=code, cipher=CIPHER, at=later)


def test_a_wrong_code_is_refused_and_audited(session: Session, admin: User) -> None:
    assert admin.id is not None
    secret, _ = _enrol(session, admin)
    wrong = _wrong_code(secret, AT)
    assert not verify_code(
        session=session, user_id=admin.id, code=wrong, cipher=CIPHER, at=AT, source_ip="10.1.2.3"
    )
    session.commit()
    event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert (event.action, event.outcome, event.source_ip, event.user_id) == (
        "mfa_failed",
        "failed",
        "10.1.2.3",
        admin.id,
    )
    assert wrong not in event.detail


def test_a_secret_encrypted_under_another_key_matches_no_code(
    session: Session, admin: User
) -> None:
    assert admin.id is not None
    secret, _ = _enrol(session, admin)
    rotated = mfa_cipher("a different secret of thirty-two characters")
    later = AT + timedelta(minutes=5)
    code = totp_code(secret, time_step(later))
    assert not verify_code(session=session, user_id=admin.id, code=code, cipher=rotated, at=later)


def test_each_recovery_code_works_once(session: Session, admin: User) -> None:
    assert admin.id is not None
    _, codes = _enrol(session, admin)
    assert redeem_recovery_code(session=session, user_id=admin.id, code=codes[3].lower(), at=AT)
    session.commit()
    assert not redeem_recovery_code(session=session, user_id=admin.id, code=codes[3], at=AT)
    assert not redeem_recovery_code(
        session=session, user_id=admin.id, code="AAAA-BBBB-CCCC-DDDD", at=AT
    )
    session.commit()
    used = session.exec(select(RecoveryCode).where(col(RecoveryCode.used_at).is_not(None))).all()
    assert len(used) == 1
    assert mfa_status(session=session, user_id=admin.id).recovery_codes_left == 9
    actions = _actions(session)[-3:]
    assert actions == [
        ("mfa_recovery_code_used", "ok", "9 left"),
        ("mfa_failed", "failed", "recovery code"),
        ("mfa_failed", "failed", "recovery code"),
    ]


def test_another_users_recovery_code_is_no_use(session: Session, admin: User, biller: User) -> None:
    assert admin.id is not None and biller.id is not None
    _, admin_codes = _enrol(session, admin)
    _enrol(session, biller)
    assert not redeem_recovery_code(session=session, user_id=biller.id, code=admin_codes[0], at=AT)


def test_a_deactivated_user_cannot_pass_the_second_step(session: Session, admin: User) -> None:
    assert admin.id is not None
    secret, codes = _enrol(session, admin)
    admin.is_active = False
    session.add(admin)
    session.commit()
    later = AT + timedelta(minutes=5)
    code = totp_code(secret, time_step(later))
    assert not verify_code(session=session, user_id=admin.id, code=code, cipher=CIPHER, at=later)
    assert not redeem_recovery_code(session=session, user_id=admin.id, code=codes[0], at=later)


def test_new_recovery_codes_replace_the_old_ones(session: Session, admin: User) -> None:
    assert admin.id is not None
    secret, old_codes = _enrol(session, admin)
    actor = _actor(admin, frozenset({Role.PLAN_ADMIN}))
    later = AT + timedelta(minutes=5)
    assert (
        regenerate_recovery_codes(
            session=session, actor=actor, code=_wrong_code(secret, later), cipher=CIPHER, at=later
        )
        is None
    )
    new_codes = regenerate_recovery_codes(
        session=session,
        actor=actor,
        code=totp_code(secret, time_step(later)),
        cipher=CIPHER,
        at=later,
    )
    session.commit()
    assert new_codes is not None and not set(new_codes) & set(old_codes)
    assert not redeem_recovery_code(session=session, user_id=admin.id, code=old_codes[0], at=later)
    assert redeem_recovery_code(session=session, user_id=admin.id, code=new_codes[0], at=later)


def test_an_admin_cannot_turn_mfa_off(session: Session, admin: User) -> None:
    assert admin.id is not None
    secret, _ = _enrol(session, admin)
    actor = _actor(admin, frozenset({Role.PLAN_ADMIN}))
    later = AT + timedelta(minutes=5)
    with pytest.raises(MfaRefused):
        disable_mfa(
            session=session,
            actor=actor,
            code=totp_code(secret, time_step(later)),
            cipher=CIPHER,
            at=later,
        )
    assert mfa_step(session=session, user_id=admin.id) is MfaStep.VERIFY


def test_a_biller_turns_mfa_off_with_a_code_unless_everyone_must_use_it(
    session: Session, biller: User
) -> None:
    assert biller.id is not None
    secret, codes = _enrol(session, biller)
    actor = _actor(biller, frozenset({Role.BILLING}))
    later = AT + timedelta(minutes=5)
    with pytest.raises(MfaRefused):
        disable_mfa(
            session=session,
            actor=actor,
            code=codes[0],
            cipher=CIPHER,
            at=later,
            required_for_all=True,
        )
    wrong = _wrong_code(secret, later)
    assert not disable_mfa(session=session, actor=actor, code=wrong, cipher=CIPHER, at=later)
    assert disable_mfa(
        session=session,
        actor=actor,
        code=totp_code(secret, time_step(later)),
        cipher=CIPHER,
        at=later,
    )
    session.commit()
    user = session.get(User, biller.id)
    assert user is not None and user.mfa_secret is None and user.mfa_enabled_at is None
    assert session.exec(select(RecoveryCode)).all() == []
    assert mfa_step(session=session, user_id=biller.id) is MfaStep.NONE
    assert _actions(session)[-1] == ("mfa_disabled", "ok", "")


def test_the_demo_admins_are_enrolled_with_the_published_demo_secret(
    seeded_engine: Engine,
) -> None:
    now = datetime.now(UTC)
    with Session(seeded_engine) as session:
        users = {user.email: user for user in session.exec(select(User)).all()}
        for account in DEMO_ACCOUNTS:
            user_id = users[account.email].id
            assert user_id is not None
            expected = MfaStep.VERIFY if account.role in DEMO_MFA_ROLES else MfaStep.NONE
            assert mfa_step(session=session, user_id=user_id) is expected
        admin = users["planadmin@plan.example"]
        assert admin.id is not None and admin.mfa_secret is not None
        assert DEMO_TOTP_SECRET not in admin.mfa_secret  # encrypted in the seed as well
        # The key the running portal derives from its settings reads it.
        assert verify_code(
            session=session,
            user_id=admin.id,
            code=totp_code(DEMO_TOTP_SECRET, time_step(now)),
            cipher=mfa_cipher(),
            at=now,
        )
        email = "planadmin@plan.example"
        code = demo_recovery_code(email, 9)
        assert redeem_recovery_code(session=session, user_id=admin.id, code=code, at=now)
        assert not redeem_recovery_code(session=session, user_id=admin.id, code=code, at=now)
