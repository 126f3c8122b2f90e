"""The reports in a real browser: filters set by hand end up in the URL; that URL opened by a
colleague of the same practice (a new browser context, their own sign-in) shows the same
numbers, and by another practice nothing of the first; a saved view survives signing out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.harness import home_heading, page_drawn, sign_in

DENIALS = "/reports/denials"


@pytest.fixture
def contexts(browser: Browser, portal: str) -> Iterator[list[BrowserContext]]:
    """Browser contexts opened by a test (each its own cookie jar), closed after it."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def _signed_in(browser: Browser, portal: str, contexts: list[BrowserContext], email: str) -> Page:
    context = browser.new_context(base_url=portal, viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(20_000)
    contexts.append(context)
    page = context.new_page()
    sign_in(page, email)
    home_heading(page)
    return page


def _figures(page: Page) -> str:
    """The KPI tiles' text: every rate with its numerator and denominator."""
    tiles = page.locator(".report-kpis").first
    expect(tiles).to_contain_text("%")
    return tiles.inner_text()


def _choose_first(page: Page, label: str) -> str:
    page.get_by_label(label).click()
    option = page.get_by_role("option").first
    name = option.inner_text().strip()
    option.click()
    page.keyboard.press("Escape")
    return name


def test_a_copied_report_url_shows_a_colleague_the_same_numbers(
    browser: Browser, portal: str, contexts: list[BrowserContext]
) -> None:
    biller = _signed_in(browser, portal, contexts, "billing@riverside.example")
    biller.goto(DENIALS)
    page_drawn(biller)
    unfiltered = _figures(biller)

    biller.get_by_role("button", name="6 months").click()
    expect(biller).to_have_url(re.compile(r"service_from=\d{4}-\d{2}-\d{2}"))
    provider = _choose_first(biller, "Providers")
    expect(biller).to_have_url(re.compile(r"provider=\d+"))
    figures = _figures(biller)
    assert figures != unfiltered  # the filters changed what is counted
    shared = biller.url
    assert biller.evaluate("performance.getEntriesByType('navigation').length") == 1

    colleague = _signed_in(browser, portal, contexts, "admin@riverside.example")
    colleague.goto(shared)
    page_drawn(colleague)
    assert _figures(colleague) == figures
    expect(colleague.get_by_label("Providers")).to_have_value(provider)

    outsider = _signed_in(browser, portal, contexts, "admin@lakeside.example")
    outsider.goto(shared)
    page_drawn(outsider)
    body = outsider.locator(".portico-page").inner_text()
    assert provider not in body
    assert (
        "Nothing to measure in this range yet"
        in outsider.locator(".report-kpis").first.inner_text()
    )


def test_a_saved_view_survives_signing_out(
    browser: Browser, portal: str, contexts: list[BrowserContext]
) -> None:
    manager = _signed_in(browser, portal, contexts, "admin@riverside.example")
    manager.goto(DENIALS)
    page_drawn(manager)
    manager.get_by_role("button", name="3 months").click()
    expect(manager).to_have_url(re.compile(r"service_from="))
    saved_url = manager.url
    figures = _figures(manager)

    manager.get_by_role("button", name="Save view").click()
    manager.get_by_label("Name").fill("Denials, last quarter")
    manager.get_by_label("Name").press("Enter")
    expect(manager.get_by_text("Find it under “Saved views”")).to_be_visible()

    manager.get_by_role("button", name="Sign out").click()
    expect(manager).to_have_url(re.compile(r"/login"))
    sign_in(manager, "admin@riverside.example")
    home_heading(manager)
    manager.get_by_role("button", name="Saved views").click()
    manager.get_by_role("link", name="Denials, last quarter").click()
    expect(manager).to_have_url(saved_url)
    page_drawn(manager)
    assert _figures(manager) == figures
