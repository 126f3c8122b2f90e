"""Two-step verification in the portal: admins are asked for a code after their password, a wrong
code is refused, a right one (or a recovery code) opens the portal, five wrong codes send the
user back to the password, and an admin without an authenticator must set one up first."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
from nicegui import ui
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.mfa import MAX_FAILED_CODES, time_step, totp_code
from domain.recovery_codes import RecoveryCode
from domain.users import User as PortalUser
from storage.seed.demo import DEMO_TOTP_SECRET
from tests.mfa_codes import next_code, recovery_code
from tests.ui.journeys import see, sign_in, submit_sign_in
from ui import clock
from ui.pages.mfa import CODE_LABEL, WRONG_CODE, WRONG_RECOVERY_CODE

ADMIN = "admin@riverside.example"


def _wrong_code() -> str:
    step = time_step(clock.now())
    taken = {totp_code(DEMO_TOTP_SECRET, step + offset) for offset in range(-2, 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in taken)


def _actions(engine: Engine, email: str) -> list[str]:
    with Session(engine) as session:
        user = session.exec(select(PortalUser).where(PortalUser.email == email)).one()
        return list(
            session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.user_id == user.id)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def _type_code(user: User, code: str) -> None:
    user.find(marker="mfa-code").type(code)
    user.find(marker="mfa-verify").click()


async def _to_code_step(user: User, email: str = ADMIN) -> None:
    await user.open("/login")
    await submit_sign_in(user, email)
    await see(user, kind=ui.input, content=CODE_LABEL)


async def test_an_admin_is_asked_for_a_code_and_the_right_one_opens_the_dashboard(
    user: User, demo_db: Engine
) -> None:
    await _to_code_step(user)
    await user.should_see("Two-step verification")
    await user.should_see(marker="mfa-use-recovery", content="Use a recovery code instead")
    await user.should_not_see(marker="report-title")
    _type_code(user, next_code(ADMIN))
    await see(user, marker="report-title")
    assert "mfa_verified" in _actions(demo_db, ADMIN)


async def test_a_wrong_code_is_refused_and_the_portal_stays_shut(
    user: User, demo_db: Engine
) -> None:
    await _to_code_step(user)
    _type_code(user, _wrong_code())
    await see(user, marker="mfa-error", content=WRONG_CODE)
    await user.open("/reports")  # no session yet: the page sends the browser to sign in
    await see(user, kind=ui.button, content="Sign in")
    assert "mfa_failed" in _actions(demo_db, ADMIN)


async def test_a_code_is_never_accepted_twice(
    user: User, create_user: Callable[[], User], demo_db: Engine
) -> None:
    code = next_code(ADMIN)
    await _to_code_step(user)
    _type_code(user, code)
    await see(user, marker="report-title")
    # Someone who overheard the code (and has the password) tries it within its 30 seconds.
    other_browser = create_user()
    await _to_code_step(other_browser)
    _type_code(other_browser, code)
    await see(other_browser, marker="mfa-error", content=WRONG_CODE)
    await other_browser.should_not_see(marker="report-title")


async def test_a_recovery_code_signs_in_once(
    user: User, create_user: Callable[[], User], demo_db: Engine
) -> None:
    await _to_code_step(user)
    user.find(marker="mfa-use-recovery").click()
    await see(user, kind=ui.input, content="Recovery code")
    _type_code(user, recovery_code(ADMIN, 0))
    await see(user, marker="report-title")
    assert "mfa_recovery_code_used" in _actions(demo_db, ADMIN)

    other_browser = create_user()
    await _to_code_step(other_browser)
    other_browser.find(marker="mfa-use-recovery").click()
    await see(other_browser, kind=ui.input, content="Recovery code")
    _type_code(other_browser, recovery_code(ADMIN, 0))
    await see(other_browser, marker="mfa-error", content=WRONG_RECOVERY_CODE)


async def test_five_wrong_codes_abandon_the_sign_in(user: User, demo_db: Engine) -> None:
    await _to_code_step(user)
    wrong = _wrong_code()
    for attempt in range(1, MAX_FAILED_CODES):
        _type_code(user, wrong)
        left = MAX_FAILED_CODES - attempt
        await see(user, marker="mfa-error", content=f"{WRONG_CODE} {left} tr")
        assert _actions(demo_db, ADMIN).count("mfa_failed") == attempt
    _type_code(user, wrong)
    await see(user, kind=ui.button, content="Sign in")  # back to the password
    assert _actions(demo_db, ADMIN)[-1] == "mfa_abandoned"
    # The abandoned sign-in cannot be resumed: /mfa has nothing pending.
    await user.open("/mfa")
    await see(user, kind=ui.button, content="Sign in")


async def test_mfa_without_a_pending_sign_in_goes_to_sign_in(user: User) -> None:
    await user.open("/mfa")
    await see(user, kind=ui.button, content="Sign in")


async def test_a_user_without_mfa_needs_no_code(user: User) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.should_not_see(marker="mfa-code")


def _clear_mfa(engine: Engine, email: str) -> None:
    with Session(engine) as session:
        account = session.exec(select(PortalUser).where(PortalUser.email == email)).one()
        account.mfa_secret = None
        account.mfa_enabled_at = None
        session.add(account)
        for code in session.exec(
            select(RecoveryCode).where(RecoveryCode.user_id == account.id)
        ).all():
            session.delete(code)
        session.commit()


async def test_an_admin_without_mfa_must_enrol_before_any_page_opens(
    user: User, demo_db: Engine
) -> None:
    email = "admin@lakeside.example"
    _clear_mfa(demo_db, email)
    await user.open("/login")
    await submit_sign_in(user, email)
    await see(user, "Set up two-step verification")
    await user.should_see(marker="mfa-qr")
    # Not signed in until the enrolment is done: any page sends the browser to sign in.
    await user.open("/reports")
    await see(user, kind=ui.button, content="Sign in")

    await user.open("/mfa")  # the pending sign-in is still there; a fresh secret is drawn
    await see(user, marker="mfa-secret")
    (label,) = user.find(marker="mfa-secret").elements
    secret = label.text.replace(" ", "")  # type: ignore[attr-defined]
    _type_code(user, _wrong_code())
    await see(user, marker="mfa-error", content=WRONG_CODE)
    _type_code(user, pyotp.TOTP(secret).now())
    await see(user, marker="recovery-codes")
    (codes_box,) = user.find(marker="recovery-codes").elements
    codes = [child.text for child in codes_box.descendants() if isinstance(child, ui.label)]
    assert len(codes) == 10 and all(len(code) == 19 for code in codes)
    await user.should_see(marker="recovery-download")
    user.find(marker="mfa-continue").click()
    await see(user, marker="report-title")
    assert "mfa_enrolled" in _actions(demo_db, email)
    with Session(demo_db) as session:
        account = session.exec(select(PortalUser).where(PortalUser.email == email)).one()
        assert account.mfa_enabled_at is not None
        assert account.mfa_secret is not None and secret not in account.mfa_secret


async def test_the_security_page_sets_up_and_turns_off_mfa_for_a_biller(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open("/account/security")
    await see(user, marker="mfa-state", content="Off")
    user.find(marker="mfa-setup").click()
    await see(user, marker="mfa-secret")
    (label,) = user.find(marker="mfa-secret").elements
    secret = label.text.replace(" ", "")  # type: ignore[attr-defined]
    totp = pyotp.TOTP(secret)
    step = time_step(clock.now())
    _type_code(user, totp_code(secret, step))
    await see(user, marker="recovery-codes")
    user.find(marker="mfa-continue").click()  # "Done"
    await see(user, marker="recovery-left", content="10 of 10 recovery codes left")
    await user.should_see(marker="mfa-turn-off")

    user.find(marker="mfa-turn-off").click()
    await see(user, "Turn off two-step verification")
    user.find(marker="mfa-code").type(_wrong_code())
    user.find(marker="mfa-confirm").click()
    await see(user, marker="mfa-error", content=WRONG_CODE)
    user.find(marker="mfa-code").type(totp_code(secret, step + 1))
    user.find(marker="mfa-confirm").click()
    await see(user, marker="mfa-state", content="Off")
    assert totp.byte_secret()  # a real secret was shown
    assert _actions(demo_db, "billing@riverside.example")[-1] == "mfa_disabled"


async def test_an_admin_cannot_turn_mfa_off_but_can_renew_recovery_codes(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, ADMIN)
    await user.open("/account/security")
    await see(user, marker="mfa-required", content="cannot be turned off")
    await user.should_not_see(marker="mfa-turn-off")
    user.find(marker="mfa-regenerate").click()
    user.find(marker="mfa-code").type(recovery_code(ADMIN, 5))
    user.find(marker="mfa-confirm").click()
    await see(user, marker="recovery-codes")
    with Session(demo_db) as session:
        left = session.exec(select(RecoveryCode).where(col(RecoveryCode.used_at).is_(None))).all()
    # Ten new codes for this admin, and the other two demo admins' twenty.
    assert len(left) == 30
    user.find(marker="mfa-continue").click()
    await see(user, marker="recovery-left", content="10 of 10")
