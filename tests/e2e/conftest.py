"""Real-browser fixtures: one seeded portal per run, one chromium, a fresh context per test."""

from __future__ import annotations

import re
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.harness import REPO, chromium, log_tail, running_portal

E2E_DIR = Path(__file__).parent
PAGE_TIMEOUT_MS = 15_000
# What the portal prints when a request or an event handler fails, e.g. a page that raises.
_SERVER_FAILURE = re.compile(r"Traceback \(most recent call last\)|\bERROR\b")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything here e2e, and skip it when collected next to other tests.

    Playwright's sync API fails inside the event loop that the async `user` tests run, so a
    bare `pytest` runs the fast suite and points at `pytest tests/e2e` for the browser tests.
    """
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)
    browser_items = [item for item in items if item.get_closest_marker("e2e")]
    if browser_items and len(browser_items) < len(items):
        skip = pytest.mark.skip(reason="real-browser tests run on their own: pytest tests/e2e")
        for item in browser_items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def portal_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("portal") / "portal.log"


@pytest.fixture(scope="session")
def portal(demo_template: Path, portal_log: Path) -> Iterator[str]:
    """The portal serving a private copy of the small demo database; yields its base URL."""
    database = portal_log.parent / "portico.db"
    shutil.copyfile(demo_template, database)
    with running_portal(f"sqlite:///{database}", portal_log) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(
    browser: Browser, portal: str, portal_log: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the portal; fails the test if the server logged
    an error while it ran, and keeps a screenshot of a failed test in screenshots/."""
    log_offset = portal_log.stat().st_size
    context = browser.new_context(base_url=portal, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    browser_page = context.new_page()
    try:
        yield browser_page
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            shots = REPO / "screenshots"
            shots.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            browser_page.screenshot(path=shots / f"{name}.png", full_page=True)
    finally:
        context.close()
    with portal_log.open("rb") as log:
        log.seek(log_offset)
        logged = log.read().decode(errors="replace")
    if _SERVER_FAILURE.search(logged):
        pytest.fail(f"the portal logged an error during this test:\n{logged[-4000:]}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # The page fixture reads this to decide whether to keep a screenshot.
    setattr(item, f"rep_{report.when}", report)
    fixtures = getattr(item, "funcargs", {})
    if report.when == "call" and report.failed and "portal_log" in fixtures:
        report.sections.append(("portal log (tail)", log_tail(fixtures["portal_log"])))
    return report
