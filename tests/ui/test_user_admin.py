"""User administration in the portal: the practice admin invites by one-time link, the link page
sets a password under the policy, the new user signs in; resets, deactivation and the plan
admin's own page."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from nicegui import ui
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.user_admin import LINK_INVALID
from domain.users import User as Account
from tests.ui.journeys import see, sign_in, submit_sign_in, table_rows
from ui.access_log import DropQueryStrings

NEW_PASSWORD = "tangerine lighthouse marmalade 42"


async def _open_team(user: User, email: str = "admin@riverside.example", path: str = "") -> None:
    await sign_in(user, email)
    await user.open(path or "/practice/users")
    await see(user, marker="team-table")
    await see(user, marker="team-summary", content="users")


def _link_in_dialog(user: User) -> str:
    (field,) = user.find(marker="one-time-link").elements
    assert isinstance(field, ui.input)
    return str(field.value)


def _row_id(user: User, email: str) -> int:
    (row,) = [row for row in table_rows(user, "team-table") if row["email"] == email]
    return int(str(row["id"]))


def _manage(user: User, email: str) -> None:
    """Press the row's Manage button (a button in a table slot emits `manage` with the id)."""
    user.find(marker="team-table").trigger("manage", _row_id(user, email))


async def _set_password(user: User, link: str, password: str = NEW_PASSWORD) -> None:
    parts = urlsplit(link)
    await user.open(f"{parts.path}?{parts.query}")
    user.find(marker="new-password").type(password)
    user.find(marker="confirm-password").type(password)
    user.find(marker="set-password").click()


async def test_invited_user_sets_a_password_once_and_signs_in(user: User, demo_db: Engine) -> None:
    await _open_team(user)
    user.find(marker="invite-user").click()
    await see(user, marker="invite-dialog")
    user.find(marker="invite-name").type("Nora Newcomer")
    user.find(marker="invite-email").type("nora@riverside.example")
    user.find(marker="invite-submit").click()
    await see(user, "Choose at least one role.")
    user.find(marker="invite-role-front_desk").click()
    user.find(marker="invite-submit").click()
    await see(user, marker="link-detail", content="it works once, until")
    link = _link_in_dialog(user)
    parts = urlsplit(link)
    assert parts.path == "/invite" and len(parse_qs(parts.query)["token"][0]) >= 43
    assert "Invitation pending" in {
        row["state"]
        for row in table_rows(user, "team-table")
        if row["email"] == "nora@riverside.example"
    }
    await user.open("/logout")

    # The link page: whose account, the policy while typing, then the password is set.
    await user.open(f"{parts.path}?{parts.query}")
    await see(user, marker="link-email", content="nora@riverside.example")
    user.find(marker="new-password").type("password1234")
    await see(user, marker="password-problem", content="most common passwords")
    user.find(marker="new-password").clear().type(NEW_PASSWORD)
    user.find(marker="confirm-password").type(NEW_PASSWORD)
    await see(user, "Strong enough.")
    user.find(marker="set-password").click()
    await see(user, marker="password-set")
    await user.should_see(marker="go-sign-in")

    # Once only.
    await user.open(f"{parts.path}?{parts.query}")
    await see(user, marker="link-invalid")
    await user.should_see(LINK_INVALID)

    # The new front-desk user signs in (no second factor for a non-admin role).
    await sign_in(user, "nora@riverside.example", NEW_PASSWORD)
    with Session(demo_db) as session:
        actions = session.exec(
            select(AuditEvent.action).where(
                col(AuditEvent.action).in_(["user_invited", "invite_accepted"])
            )
        ).all()
    assert sorted(actions) == ["invite_accepted", "user_invited"]


async def test_an_unknown_link_and_a_link_of_the_wrong_kind_get_one_message(
    user: User,
) -> None:
    await user.open("/invite?token=not-a-real-token")
    await see(user, marker="link-invalid")
    await user.should_see(LINK_INVALID)
    await user.open("/reset")
    await see(user, marker="link-invalid")


async def test_admin_issues_a_reset_link_that_sets_a_new_password(
    user: User, demo_db: Engine
) -> None:
    await _open_team(user)
    _manage(user, "billing@riverside.example")
    await see(user, marker="manage-dialog")
    user.find(marker="reset-link").click()
    await see(user, marker="link-detail", content="it works once")
    link = _link_in_dialog(user)
    assert urlsplit(link).path == "/reset"
    await user.open("/logout")
    await _set_password(user, link)
    await see(user, marker="password-set")
    await sign_in(user, "billing@riverside.example", NEW_PASSWORD)


async def test_admin_changes_roles_and_deactivates_from_the_page(
    user: User, demo_db: Engine
) -> None:
    await _open_team(user)
    _manage(user, "frontdesk@riverside.example")
    user.find(marker="edit-roles").click()
    await see(user, marker="roles-dialog")
    user.find(marker="edit-role-clinical").click()
    user.find(marker="roles-submit").click()
    await see(user, "saved.")
    rows = {row["email"]: row for row in table_rows(user, "team-table")}
    assert rows["frontdesk@riverside.example"]["roles"] == "Front desk, Clinical staff"

    _manage(user, "billing@riverside.example")
    user.find(marker="deactivate").click()
    await see(user, marker="confirm-dialog")
    await user.should_see("signs them out everywhere now")
    user.find(marker="confirm-deactivate").click()
    await see(user, "is deactivated and signed out.")
    rows = {row["email"]: row for row in table_rows(user, "team-table")}
    assert rows["billing@riverside.example"]["state"] == "Deactivated"
    with Session(demo_db) as session:
        billing = session.exec(
            select(Account).where(Account.email == "billing@riverside.example")
        ).one()
        assert not billing.is_active and billing.deactivated_at is not None
        actions = session.exec(
            select(AuditEvent.action).where(
                col(AuditEvent.action).in_(["roles_changed", "user_deactivated"])
            )
        ).all()
    assert sorted(actions) == ["roles_changed", "user_deactivated"]

    # The deactivated user's password no longer opens the portal.
    await user.open("/logout")
    await user.open("/login")
    await submit_sign_in(user, "billing@riverside.example")
    await see(user, marker="sign-in-error")


async def test_admin_cannot_deactivate_themselves(user: User) -> None:
    await _open_team(user)
    _manage(user, "admin@riverside.example")
    await see(user, marker="manage-dialog")
    await user.should_see(marker="reset-link")
    await user.should_not_see(marker="deactivate")


async def test_plan_admin_manages_plan_staff_only(user: User) -> None:
    await sign_in(user, "planadmin@plan.example")
    user.find(marker="nav-plan_admin").click()
    await see(user, marker="team-table")
    await see(user, marker="team-summary", content="users")
    emails = {str(row["email"]) for row in table_rows(user, "team-table")}
    assert "examiner@plan.example" in emails
    assert all(email.endswith("@plan.example") for email in emails)
    user.find(marker="invite-user").click()
    await see(user, marker="invite-role-um_reviewer")
    await user.should_not_see(marker="invite-role-billing")
    user.find(marker="invite-name").type("Uma Reviewer")
    # An address already in use anywhere gets the one answer that reveals nothing.
    user.find(marker="invite-email").type("billing@lakeside.example")
    user.find(marker="invite-role-um_reviewer").click()
    user.find(marker="invite-submit").click()
    await see(user, "This email cannot be invited.")


def test_the_access_log_never_keeps_a_link_token() -> None:
    """Links carry their token in the query string because the access log cuts queries off."""
    token = "s3cret-token-value"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.1:5000", "GET", f"/invite?token={token}", "1.1", 200),
        None,
    )
    DropQueryStrings().filter(record)
    assert token not in record.getMessage()
    assert "/invite" in record.getMessage()
