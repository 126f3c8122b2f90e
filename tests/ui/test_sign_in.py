"""Signing in and out: every demo account lands on its role's home, failures say one thing."""

from __future__ import annotations

import pytest
from nicegui import app, ui
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.audit import AuditEvent
from domain.auth import SIGN_IN_FAILED
from domain.roles import Role
from domain.user_sessions import UserSession
from domain.users import User as PortalUser
from tests.ui.journeys import DEMO_ACCOUNTS, PATIENCE, see, sign_in, submit_sign_in
from ui.pages.home import HOMES


@pytest.mark.parametrize("email", list(DEMO_ACCOUNTS))
async def test_each_demo_account_lands_on_its_roles_home(user: User, email: str) -> None:
    await sign_in(user, email)
    role = Role(DEMO_ACCOUNTS[email])
    if role in HOMES:
        await see(user, kind=ui.element, marker="home-title", content=HOMES[role].title)
    else:  # a practice admin's home is the revenue-cycle dashboard
        assert role is Role.PRACTICE_ADMIN
        await see(user, marker="report-title")
    await user.should_see(marker="role-label", content=role.label)
    await user.should_not_see("Not authorized")


async def test_the_form_has_labelled_fields_and_a_sign_in_button(user: User) -> None:
    await user.open("/login")
    await user.should_see(kind=ui.input, content="Email")
    await user.should_see(kind=ui.input, content="Password")
    await user.should_see(kind=ui.button, content="Sign in")


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("billing@riverside.example", "not-the-password"),
        ("nobody@nowhere.example", "portico-demo"),
    ],
    ids=["wrong password", "unknown email"],
)
async def test_a_failed_sign_in_says_the_same_thing_whatever_the_cause(
    user: User, email: str, password: str
) -> None:
    await user.open("/login")
    await submit_sign_in(user, email, password)
    await see(user, marker="sign-in-error", content=SIGN_IN_FAILED)
    await user.should_not_see(marker="home-title")
    assert all(not storage for storage in app.storage._users.values())  # nothing pending


async def test_enter_in_the_password_field_submits(user: User) -> None:
    await user.open("/login")
    user.find(kind=ui.input, content="Email").type("frontdesk@riverside.example")
    user.find(kind=ui.input, content="Password").type("portico-demo").trigger("keydown.enter")
    await see(user, marker="home-title", content="Front desk today")


async def test_the_session_lives_on_the_server_not_in_user_storage(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, "billing@riverside.example")
    # app.storage.user held the pending sign-in for a moment; the session itself is a row.
    assert all(not storage for storage in app.storage._users.values())
    with Session(demo_db) as session:
        (row,) = session.exec(select(UserSession)).all()
        account = session.get(PortalUser, row.user_id)
        assert account is not None and account.email == "billing@riverside.example"
        assert (row.method, row.mfa, row.ended_at) == ("password", False, None)
        assert account.last_sign_in_at == row.created_at
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in")).one()
        assert (event.user_id, event.detail) == (row.user_id, "method password")


async def test_sign_out_ends_the_session(user: User, demo_db: Engine) -> None:
    await sign_in(user, "billing@riverside.example")
    user.find(marker="sign-out").click()
    await see(user, kind=ui.button, content="Sign in")

    await user.open("/")  # the home now sends the browser to the sign-in page
    await user.should_see(kind=ui.button, content="Sign in")
    with Session(demo_db) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "sign_out")).first()
        (row,) = session.exec(select(UserSession)).all()
        assert row.end_reason == "sign_out" and row.ended_at is not None


async def test_a_page_opened_signed_out_comes_back_after_sign_in(user: User) -> None:
    await user.open("/claims?status=denied")
    await user.should_see(kind=ui.button, content="Sign in")
    await submit_sign_in(user, "billing@riverside.example")
    await see(user, marker="filter-denied")
    await user.should_see(kind=ui.element, marker="claims-list")


async def test_sign_in_never_sends_the_browser_off_site(user: User) -> None:
    await user.open("/login?next=//evil.example/phish")
    await submit_sign_in(user, "billing@riverside.example")
    await see(user, marker="home-title", content="Billing worklist")


async def test_a_deactivated_user_is_signed_out_on_the_next_page(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, "billing@riverside.example")
    with Session(demo_db) as session:
        account = session.exec(
            select(PortalUser).where(PortalUser.email == "billing@riverside.example")
        ).one()
        account.is_active = False
        session.add(account)
        session.commit()
    await user.open("/")
    await user.should_see(kind=ui.button, content="Sign in", retries=PATIENCE)
    with Session(demo_db) as session:
        (row,) = session.exec(select(UserSession)).all()
        assert row.end_reason == "deactivated"


async def test_a_signed_in_user_opening_sign_in_goes_home(user: User) -> None:
    await sign_in(user, "clinical@riverside.example")
    await user.open("/login")
    await see(user, marker="home-title", content="Patient panel")
