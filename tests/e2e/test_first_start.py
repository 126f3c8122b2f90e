"""`make run`'s first start: an empty database gets the demo before the portal reports healthy."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.harness import home_heading, running_portal, sign_in

pytestmark = pytest.mark.e2e


def test_first_start_seeds_the_demo_before_answering(browser: Browser, tmp_path: Path) -> None:
    database = tmp_path / "portico.db"
    log = tmp_path / "portal.log"
    with running_portal(f"sqlite:///{database}", log, seed_demo_on_start=True) as base_url:
        # No waiting for the seed: once /healthz answers, a demo account must sign in
        # (a seed left running in the background would fail this with "incorrect").
        context = browser.new_context(base_url=base_url)
        try:
            page = context.new_page()
            sign_in(page, "billing@riverside.example")
            home_heading(page)
        finally:
            context.close()
    logged = log.read_text(errors="replace")
    assert "Traceback" not in logged, logged[-4000:]
