"""User administration in a real browser: the practice admin invites someone, who sets a
password from the one-time link and signs in in their own browser; when the admin deactivates
them, their open tab lands on the sign-in page without them doing anything."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import home_heading, page_drawn, sign_in, submit_sign_in
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, blocking_violations, describe

pytestmark = pytest.mark.e2e

NEW_USER = "Erin Example"
NEW_EMAIL = "erin.e2e@riverside.example"
NEW_PASSWORD = "copper violin harbour 913"
# How long the kicked tab may take to reach the sign-in page: a push over the open socket, so
# well under a second in practice; generous for a loaded machine.
KICK_TIMEOUT_MS = 10_000


def _invite(admin: Page, full_name: str = NEW_USER, email: str = NEW_EMAIL) -> str:
    admin.goto("/practice/users")
    page_drawn(admin)
    admin.get_by_role("button", name="Invite user").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Full name").fill(full_name)
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_role("checkbox", name="Front desk").click()
    dialog.get_by_role("button", name="Create invitation link").click()
    link_field = admin.get_by_label("One-time link")
    expect(link_field).to_have_value(re.compile(r"/invite\?token=[\w-]{43}$"))
    expect(admin.get_by_text("it works once, until")).to_be_visible()
    link = link_field.input_value()
    _dialog_has_no_serious_violations(admin, "the one-time link dialog")
    admin.get_by_role("button", name="Done").click()
    return link


def _no_serious_violations(page: Page, where: str) -> None:
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {where}:\n" + describe(violations)


def _dialog_has_no_serious_violations(page: Page, where: str) -> None:
    """axe inside an open dialog, all rules but colour contrast: Quasar's dialog layer has
    pointer-events: none, which axe's contrast check (elementsFromPoint) sees through to the
    backdrop, and then reports white-on-navy buttons as grey. The same colours are checked on
    the page itself, where nothing covers them."""
    expect(page.locator('[class*="q-transition--"]')).to_have_count(0)
    results = Axe().run(
        page,
        context=".q-dialog",
        options={"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}},
    )
    violations = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
    ]
    assert not violations, f"axe-core on {where}:\n" + describe(violations)


def test_deactivation_signs_the_users_open_tab_out_at_once(
    page: Page, browser: Browser, portal: str
) -> None:
    sign_in(page, "admin@riverside.example")
    home_heading(page)
    link = _invite(page)

    theirs = browser.new_context(base_url=portal, viewport={"width": 1366, "height": 900})
    try:
        their_page = theirs.new_page()
        their_page.goto(link)
        expect(their_page.get_by_text(f"Set your password for {NEW_EMAIL}")).to_be_visible()
        their_page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        their_page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
        their_page.get_by_role("button", name="Set password").click()
        expect(their_page.get_by_role("heading", name="Your password is set")).to_be_visible()
        their_page.get_by_role("link", name="Sign in").click()
        expect(their_page).to_have_url(re.compile(r"/login"))
        submit_sign_in(their_page, NEW_EMAIL, NEW_PASSWORD)
        home_heading(their_page)
        page_drawn(their_page)

        # The admin deactivates them; their tab is left alone by its user.
        page.reload()
        page_drawn(page)
        page.get_by_role("button", name=f"Manage {NEW_USER}").click()
        page.get_by_role("button", name="Deactivate").click()
        confirm = page.get_by_role("alertdialog")
        expect(confirm).to_contain_text("signs them out everywhere now")
        confirm.get_by_role("button", name="Deactivate and sign out").click()
        expect(page.get_by_text(f"{NEW_USER} is deactivated and signed out.")).to_be_visible()

        expect(their_page).to_have_url(re.compile(r"/login"), timeout=KICK_TIMEOUT_MS)
        expect(their_page.get_by_role("button", name="Sign in")).to_be_visible()
        # And their session is over, not just the tab: home sends them back to sign-in.
        their_page.goto("/")
        expect(their_page).to_have_url(re.compile(r"/login"))
        # Nor does the password work any more.
        submit_sign_in(their_page, NEW_EMAIL, NEW_PASSWORD)
        expect(their_page.get_by_role("alert")).to_be_visible()
        expect(their_page).to_have_url(re.compile(r"/login"))
    finally:
        theirs.close()


def test_user_admin_pages_have_no_serious_violations(page: Page) -> None:
    sign_in(page, "admin@riverside.example")
    home_heading(page)
    page.goto("/practice/users")
    page_drawn(page)
    _no_serious_violations(page, "/practice/users")
    link = _invite(page, "Alex Access", "alex.a11y@riverside.example")
    page.get_by_role("button", name="Manage Alex Access").click()
    expect(page.get_by_role("button", name="Revoke invitation")).to_be_visible()
    _dialog_has_no_serious_violations(page, "the manage dialog")
    page.goto(link)
    expect(page.get_by_label("New password", exact=True)).to_be_visible()
    _no_serious_violations(page, "the invitation page")
