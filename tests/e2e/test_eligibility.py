"""A front-desk eligibility check in a real browser: sign in, check a member, print the answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.harness import home_heading, page_drawn, sign_in

pytestmark = pytest.mark.e2e


def test_front_desk_checks_a_member_and_opens_the_printable_answer(page: Page) -> None:
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    page.locator("aside.q-drawer").get_by_role("link", name="Eligibility").click()
    expect(page).to_have_url(re.compile(r"/eligibility$"))
    page_drawn(page)

    page.get_by_label("Member ID").fill("PT100000101")
    page.get_by_label("Date of birth").fill("1984-03-14")
    page.get_by_role("button", name="Check eligibility").click()
    answer = page.get_by_role("region", name="Eligibility answer")
    expect(answer).to_contain_text("Active on")
    expect(answer).to_contain_text("Avery Thompson")
    expect(answer).to_contain_text("Maria Alvarez")
    transaction = re.search(r"Transaction (EL\w+)", answer.inner_text())
    assert transaction is not None

    answer.get_by_role("link", name="Print").click()
    expect(page).to_have_url(re.compile(r"/eligibility/checks/\d+$"))
    page_drawn(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Eligibility check")
    kept = page.get_by_role("region", name="Eligibility answer")
    expect(kept).to_contain_text("Active on")
    expect(kept).to_contain_text(transaction.group(1))

    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_a_miss_shows_only_no_match(page: Page) -> None:
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    page.goto("/eligibility")
    page_drawn(page)
    page.get_by_label("Member ID").fill("PT100000101")
    page.get_by_label("Date of birth").fill("1984-03-15")
    page.get_by_role("button", name="Check eligibility").click()
    answer = page.get_by_role("region", name="Eligibility answer")
    expect(answer).to_contain_text("No match")
    expect(answer).not_to_contain_text("Thompson")
    expect(answer.get_by_role("link", name="Print")).to_have_count(0)


def test_a_schedule_chosen_with_the_button_is_checked(page: Page, tmp_path: Path) -> None:
    schedule = tmp_path / "tomorrow.csv"
    schedule.write_text(
        "member_id,date_of_birth,last_name,first_name,date_of_service,procedure_codes,"
        "place_of_service\nPT100000101,1984-03-14,,,,99213,11\nPT100000201,09/02/1971,,,,,\n"
        "PT100000101,1984-13-14,,,,,\n"
    )
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    page.goto("/eligibility/batch")
    page_drawn(page)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose a file").click()
    chooser.value.set_files(schedule)
    results = page.get_by_role("region", name="Batch results")
    expect(results).to_be_visible()
    expect(results.get_by_role("row").nth(1)).to_contain_text("Terminated")
    expect(page.get_by_role("region", name="Rows not checked")).to_contain_text("Line 4")
