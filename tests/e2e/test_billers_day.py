"""A biller's day in a real browser, with the status job running in the portal: enter a
claim, watch it move to Paid on its page without reloading, open its EOB, and appeal a
denied claim with a PDF attached."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import home_heading, page_drawn, running_portal, sign_in

JOB_SECONDS = 1
A_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def database(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("billers-day") / "portico.db"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture(scope="module")
def live_portal(database: Path) -> Iterator[str]:
    """The portal with its status job every second and a payment run every few seconds."""
    log = database.parent / "portal.log"
    with running_portal(
        f"sqlite:///{database}",
        log,
        scheduler=True,
        status_refresh_seconds=JOB_SECONDS,
        payment_cycle_seconds=3,
    ) as base_url:
        yield base_url


@pytest.fixture
def biller(browser: Browser, live_portal: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_portal, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, "billing@riverside.example")
    home_heading(page)
    yield page
    context.close()


def _choose_first(page: Page, label: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option").first.click()


def test_enter_a_claim_and_watch_it_get_paid(biller: Page) -> None:
    page = biller
    page.goto("/claims")
    page_drawn(page)
    page.get_by_role("link", name="New claim").or_(
        page.get_by_role("button", name="New claim")
    ).first.click()
    expect(page).to_have_url(re.compile(r"/claims/new"))
    page_drawn(page)

    page.get_by_label("Member ID").fill("PT100000101")
    page.get_by_label("Date of birth").fill("1984-03-14")
    page.get_by_role("button", name="Find member").click()
    expect(page.get_by_text("Thompson, Avery").first).to_be_visible()
    _choose_first(page, "Billing provider")
    _choose_first(page, "Rendering provider")
    day = (date.today() - timedelta(days=2)).isoformat()
    page.get_by_label("From date").fill(day)
    page.get_by_label("To date").fill(day)
    page.get_by_label("Diagnosis A").fill("J06.9")
    page.get_by_label("Line 1 CPT/HCPCS").fill("99213")
    page.get_by_label("Line 1 charge").fill("145.00")
    page.get_by_label("Line 1 pointers").fill("A")
    page.get_by_role("button", name="Submit claim").click()

    expect(page.get_by_text("Claim submitted")).to_be_visible()
    confirmation = page.locator("body").inner_text()
    claim_number = re.search(r"\b\d{13}\b", confirmation)
    assert claim_number, "no claim number shown"
    assert re.search(r"\bTRN\w+", confirmation), "no transaction id shown"

    # A second tab on the claim list follows the same claim on its own.
    list_tab = page.context.new_page()
    list_tab.goto(f"/claims?claim={claim_number.group(0)}")
    page_drawn(list_tab)
    list_tab.evaluate("window.__stillTheSamePage = true")
    row = list_tab.get_by_role("row").filter(has_text=claim_number.group(0))
    expect(row).to_have_count(1)

    page.get_by_role("link", name="Open claim").or_(
        page.get_by_role("button", name="Open claim")
    ).first.click()
    expect(page).to_have_url(re.compile(r"/claims/\d+$"))
    page_drawn(page)
    # A reload would drop this mark: the page must change by itself.
    page.evaluate("window.__stillTheSamePage = true")
    expect(page.locator(".portico-status.status-paid").first).to_be_visible(timeout=30_000)
    assert page.evaluate("window.__stillTheSamePage === true")
    expect(row.locator(".status-paid")).to_be_visible(timeout=5_000)
    assert list_tab.evaluate("window.__stillTheSamePage === true")

    eob = page.get_by_role("link", name=re.compile("EOB"))
    href = eob.first.get_attribute("href")
    assert href is not None
    pdf = page.request.get(href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")


def _denied_remitted_claim(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT c.id FROM claim c JOIN practice p ON p.id = c.practice_id "
            "WHERE p.name LIKE 'Riverside%' AND c.status = 'remitted' "
            "AND c.finalized_as = 'denied' "
            "AND NOT EXISTS (SELECT 1 FROM appeal a WHERE a.claim_id = c.id) "
            "ORDER BY c.id DESC LIMIT 1"
        ).fetchone()
    assert row is not None, "the demo has no denied remitted claim at Riverside"
    return int(row[0])


def test_appeal_a_denied_claim_with_a_pdf(biller: Page, database: Path, tmp_path: Path) -> None:
    page = biller
    claim_id = _denied_remitted_claim(database)
    page.goto(f"/claims/{claim_id}")
    page_drawn(page)
    page.get_by_role("link", name="Appeal").or_(
        page.get_by_role("button", name="Appeal")
    ).first.click()
    expect(page).to_have_url(re.compile(rf"/claims/{claim_id}/appeal$"))
    page_drawn(page)
    page.get_by_label("Reason for the appeal").fill(
        "The attached visit notes document the medical necessity of the service."
    )
    notes = tmp_path / "visit-notes.pdf"
    notes.write_bytes(A_PDF)
    page.locator("input[type=file]").set_input_files(notes)
    expect(page.get_by_text("visit-notes.pdf").first).to_be_visible()
    page.get_by_role("button", name="File appeal").click()
    expect(page.get_by_text(re.compile("Appeal open")).first).to_be_visible()
