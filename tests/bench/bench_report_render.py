"""The dashboard's first render in a real browser at a million claims (goal <= 1.5 s): from
asking for /reports to every KPI tile and chart drawn, for the practice admin of a practice of
about 110,000 claims. Baselines in the same run: loading the rows the dashboard sums into
Python (the same practice and year, one SELECT), and the claim list's own first render."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.bench.million import CLAIMS, million_claims, p95, percentiles
from tests.e2e.harness import chromium, home_heading, page_drawn, running_portal, sign_in

pytestmark = pytest.mark.e2e

SAMPLES = int(os.environ.get("BENCH_RENDER_SAMPLES", "12"))
CHARTS_ON_THE_DASHBOARD = 3  # denial trend, top reasons, A/R aging


@pytest.fixture(scope="module")
def database() -> Iterator[Engine]:
    engine = million_claims()
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def portal(database: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = database.url.render_as_string(hide_password=False)
    log = tmp_path_factory.mktemp("render-log") / "portal.log"
    with running_portal(url, log) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _dashboard_drawn(page: Page) -> None:
    page_drawn(page)
    expect(page.locator(".report-kpis").first).to_contain_text("%")
    expect(page.locator(".js-plotly-plot .main-svg")).to_have_count(
        CHARTS_ON_THE_DASHBOARD * 3  # plotly draws each chart in three stacked SVG layers
    )


def _rows_into_python(database: Engine, practice_id: int) -> float:
    with database.connect() as connection:
        latest = date.fromisoformat(
            str(connection.execute(text("SELECT max(service_date_from) FROM claim")).scalar_one())
        )
        mark = time.perf_counter()
        rows = connection.execute(
            text(
                "SELECT finalized_at, initially_denied, ever_rejected, ever_pended, total_charge, "
                "denial_carc, paid_amount, patient_paid_amount, contractual_amount, "
                "service_date_from FROM claim WHERE practice_id = :p AND service_date_from > :d"
            ),
            {"p": practice_id, "d": str(latest - timedelta(days=365))},
        ).all()
        denied = sum(1 for row in rows if row[0] is not None and row[1])
        billed = sum((Decimal(row[4]) for row in rows), Decimal(0))
        assert denied >= 0 and billed >= 0
        return (time.perf_counter() - mark) * 1000


def test_dashboard_first_render(database: Engine, portal: str, browser: Browser) -> None:
    with database.connect() as connection:
        practice_id, claims = connection.execute(
            text(
                "SELECT u.practice_id, (SELECT count(*) FROM claim c "
                "WHERE c.practice_id = u.practice_id) FROM user u "
                "WHERE u.email = 'admin@riverside.example'"
            )
        ).one()
    context = browser.new_context(base_url=portal, viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, "admin@riverside.example")
    home_heading(page)
    _dashboard_drawn(page)  # warm: the first view pays for Plotly's script and the page cache

    dashboard, claim_list, rows = [], [], []
    for _ in range(SAMPLES):
        mark = time.perf_counter()
        page.goto("/reports")
        _dashboard_drawn(page)
        dashboard.append((time.perf_counter() - mark) * 1000)

        mark = time.perf_counter()
        page.goto("/claims")
        page_drawn(page)
        expect(page.locator("table tbody tr").first).to_be_visible()
        claim_list.append((time.perf_counter() - mark) * 1000)

        rows.append(_rows_into_python(database, practice_id))
    context.close()
    print(
        f"\n[bench] dashboard first render in Chromium, {CLAIMS:,}-claim database, practice of "
        f"{claims:,} claims, {SAMPLES} loads (KPIs, 3 charts, aging table)\n"
        f"  dashboard: {percentiles(dashboard)}  (goal p95 1500 ms: "
        f"{p95(dashboard) / 1500:.2f} of the budget)\n"
        f"  baseline, the year's rows of the practice loaded into Python: {percentiles(rows)} "
        f"(dashboard p95 / baseline p95: {p95(dashboard) / p95(rows):.1f}x)\n"
        f"  baseline, the claim list's first render: {percentiles(claim_list)} "
        f"(ratio {statistics.median(dashboard) / statistics.median(claim_list):.2f}x at p50)"
    )
