"""axe-core on the sign-in page, every demo role's home and the eligibility pages (with an answer
and with batch results): no serious or critical violations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from storage.seed.demo import DEMO_ACCOUNTS
from tests.e2e.harness import REPO, home_heading, page_drawn, sign_in

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (the copy axe-playwright-python ships) and keep what blocks a user."""
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [violation for violation in violations if violation.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """One paragraph per rule, with the offending elements, for whoever fixes the page."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def test_sign_in_page_has_no_serious_violations(page: Page) -> None:
    page.goto("/login")
    # The sign-in page is drawn in one go (it awaits nothing before its response).
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    violations = blocking_violations(page)
    print(describe(violations))
    assert not violations, "axe-core on /login:\n" + describe(violations)


@pytest.mark.parametrize("email", [account.email for account in DEMO_ACCOUNTS])
def test_home_has_no_serious_violations(page: Page, email: str) -> None:
    sign_in(page, email)
    home_heading(page)
    page_drawn(page)
    violations = blocking_violations(page)
    print(describe(violations))
    assert not violations, f"axe-core on the home of {email}:\n" + describe(violations)


def test_eligibility_answer_has_no_serious_violations(page: Page) -> None:
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    page.goto("/eligibility")
    page_drawn(page)
    page.get_by_label("Member ID").fill("PT100000401")
    page.get_by_label("Date of birth").fill("1990-05-30")
    page.get_by_label("Procedure codes (optional)").fill("97110 93306")
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.get_by_text("Active on")).to_be_visible()
    violations = blocking_violations(page)
    print(describe(violations))
    assert not violations, "axe-core on an eligibility answer:\n" + describe(violations)


def test_eligibility_batch_results_have_no_serious_violations(page: Page) -> None:
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    page.goto("/eligibility/batch")
    page_drawn(page)
    schedule = REPO / "tests" / "fixtures" / "x12" / "270_subscriber_and_dependent.x12"
    page.locator("input[type=file]").set_input_files(schedule)
    expect(page.get_by_role("region", name="Batch results")).to_be_visible()
    violations = blocking_violations(page)
    print(describe(violations))
    assert not violations, "axe-core on batch results:\n" + describe(violations)


def test_eligibility_history_has_no_serious_violations(page: Page) -> None:
    sign_in(page, "frontdesk@riverside.example")
    home_heading(page)
    page.goto("/eligibility/history?outcome=active")
    page_drawn(page)
    violations = blocking_violations(page)
    print(describe(violations))
    assert not violations, "axe-core on eligibility history:\n" + describe(violations)
