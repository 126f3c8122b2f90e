"""Journeys in a real browser: sign in, open a claim from the drawer, sign out; nav by role."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from domain.auth import SIGN_IN_FAILED
from tests.e2e.harness import home_heading, sign_in

pytestmark = pytest.mark.e2e


def nav_drawer(page: Page) -> Locator:
    # Quasar renders ui.left_drawer as an <aside class="q-drawer">.
    return page.locator("aside.q-drawer")


def test_billing_signs_in_opens_a_claim_and_signs_out(page: Page) -> None:
    sign_in(page, "billing@riverside.example")
    home_heading(page)

    nav_drawer(page).get_by_role("link", name="Claims", exact=True).click()
    expect(page).to_have_url(re.compile(r"/claims/?(\?.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Claims")

    first_claim = page.get_by_role("table").get_by_role("link").first
    claim_number = first_claim.inner_text().strip()
    first_claim.click()
    expect(page).to_have_url(re.compile(r"/claims/[^/?]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(claim_number)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    # Signed out means signed out: the home sends the browser back to the sign-in page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_front_desk_navigation_offers_no_claims(page: Page) -> None:
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    drawer = nav_drawer(page)
    expect(drawer.get_by_role("link").first).to_be_visible()
    expect(drawer.get_by_role("link", name="Claims", exact=True)).to_have_count(0)


def test_wrong_password_is_refused_with_a_message(page: Page) -> None:
    sign_in(page, "billing@riverside.example", password="not-the-password")
    expect(page.get_by_role("alert")).to_have_text(SIGN_IN_FAILED)
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
