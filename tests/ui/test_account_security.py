"""The account security page: a password change asks for the current password and the policy,
and the page lists the sessions open in the user's name, this browser's marked."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.account import CURRENT_PASSWORD_WRONG
from domain.auth import verify_password
from domain.users import User as PortalUser
from tests.ui.journeys import DEMO_PASSWORD, see, sign_in

BILLER = "billing@riverside.example"
NEW = "quiet copper meadow 77"


def _fill(user: User, current: str, new: str, again: str) -> None:
    user.find(marker="current-password").clear().type(current)
    user.find(marker="new-password").clear().type(new)
    user.find(marker="new-password-again").clear().type(again)
    user.find(marker="change-password").click()


def _password_hash(engine: Engine) -> str:
    with Session(engine) as session:
        account = session.exec(select(PortalUser).where(PortalUser.email == BILLER)).one()
        return account.password_hash or ""


async def test_a_password_change_checks_the_current_one_then_the_policy(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, BILLER)
    await user.open("/account/security")
    await see(user, marker="security-title")

    _fill(user, "not the password", NEW, NEW)
    await see(user, CURRENT_PASSWORD_WRONG)
    _fill(user, DEMO_PASSWORD, NEW, NEW + "x")
    await see(user, "The two new passwords are not the same.")
    _fill(user, DEMO_PASSWORD, "password1234", "password1234")
    await see(user, "This is one of the most common passwords. Choose another.")
    assert verify_password(DEMO_PASSWORD, _password_hash(demo_db))

    _fill(user, DEMO_PASSWORD, NEW, NEW)
    await see(user, "Your password is changed.")
    assert verify_password(NEW, _password_hash(demo_db))
    for marker in ("current-password", "new-password", "new-password-again"):
        (field,) = user.find(kind=ui.input, marker=marker).elements
        assert field.value == ""  # type: ignore[attr-defined]


async def test_the_page_lists_this_browsers_session(user: User) -> None:
    await sign_in(user, BILLER)
    await user.open("/account/security")
    await see(user, marker="this-session", content="This browser")
    await see(user, marker="open-session")
    await user.should_not_see(marker="end-session")  # no other session to end
