"""Sessions in a real browser: the idle warning lets the user stay and otherwise signs them
out; "Sign out everywhere" sends another browser's open tab to sign-in at once; the session
cookie is HttpOnly and SameSite=Lax."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PAGE_TIMEOUT_MS
from tests.e2e.harness import home_heading, log_tail, page_drawn, running_portal, sign_in

pytestmark = pytest.mark.e2e

# A 12-second idle timeout with a 6-second warning: the tab checks every 3 s (ui/idle.py).
SHORT_SESSIONS = {
    "PORTICO_SESSION_IDLE_MINUTES": "0.2",
    "PORTICO_SESSION_WARNING_SECONDS": "6",
}
# Longer than a whole idle period, so the waits below cannot time out before the portal acts.
IDLE_WAIT_MS = 20_000


@pytest.fixture(scope="module")
def short_portal(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("short-sessions")
    database = folder / "portico.db"
    shutil.copyfile(demo_template, database)
    log = folder / "portal.log"
    with running_portal(f"sqlite:///{database}", log, extra_env=SHORT_SESSIONS) as base_url:
        yield base_url
    if re.search(r"Traceback \(most recent call last\)|\bERROR\b", log.read_text()):
        pytest.fail(f"the portal logged an error:\n{log_tail(log)}")


@pytest.fixture
def short_page(browser: Browser, short_portal: str) -> Iterator[Page]:
    context = browser.new_context(base_url=short_portal, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_idle_warning_lets_the_user_stay_and_otherwise_signs_out(short_page: Page) -> None:
    page = short_page
    sign_in(page, "billing@riverside.example")
    home_heading(page)
    page_drawn(page)

    warning = page.get_by_role("alertdialog")
    expect(warning).to_contain_text("Are you still there?", timeout=IDLE_WAIT_MS)
    expect(warning).to_contain_text(re.compile(r"You will be signed out in \d+ s"))
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/(\?.*)?$"))  # still on the home page

    # Warned again once idle again; this time, no answer.
    expect(warning).to_be_visible(timeout=IDLE_WAIT_MS)
    expect(page).to_have_url(re.compile(r"/login"), timeout=IDLE_WAIT_MS)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto("/claims")  # the session is over on the server, not only in this tab
    expect(page).to_have_url(re.compile(r"/login\?next=/claims"))


def test_sign_out_everywhere_reaches_another_browser_at_once(
    page: Page, browser: Browser, portal: str
) -> None:
    other_context = browser.new_context(base_url=portal, viewport={"width": 1366, "height": 900})
    other_context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        other = other_context.new_page()
        sign_in(other, "billing@riverside.example")
        home_heading(other)
        page_drawn(other)

        sign_in(page, "billing@riverside.example")
        home_heading(page)
        page.get_by_role("button", name="Account and sign-out options").click()
        page.get_by_role("menuitem", name="Sign out everywhere").click()
        expect(page).to_have_url(re.compile(r"/login"))

        # The other browser's tab was sent to sign-in without anyone touching it.
        expect(other).to_have_url(re.compile(r"/login"))
        expect(other.get_by_role("button", name="Sign in")).to_be_visible()
        other.goto("/")
        expect(other).to_have_url(re.compile(r"/login"))
    finally:
        other_context.close()


def test_the_session_cookie_is_http_only_and_same_site(page: Page) -> None:
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "portico_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("portico_session") == -1
