"""The reports: the dashboard, denial analysis and A/R aging pages, their filters in the URL,
practice scoping, drill-down into the claim list and the live refresh."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.claim_filters import AgeBucket, ClaimFilters, Cohort, Owed
from domain.claims import Claim, ClaimStatus, FrequencyCode
from domain.practices import Practice, Provider
from domain.revenue_cycle import AgingCell, AgingReport, AgingRow, DenialGroup
from tests.ui.journeys import (
    PATIENCE,
    pass_mfa_if_asked,
    see,
    submit_sign_in,
    table_rows,
    visible_texts,
)
from tests.ui.test_live_refresh import move
from ui import clock
from ui.charts import aging_chart, denial_ranking_chart, denial_trend_chart, drill_urls, png_figure
from ui.report_filters import Preset, months_before

RATE_KEYS = (
    "denial_rate_count",
    "denial_rate_dollars",
    "clean_claim_rate",
    "first_pass_rate",
    "net_collection_rate",
)


async def sign_in(user: User, email: str) -> None:
    """Sign in and wait for the signed-in frame (a practice admin's "/" is the dashboard, not
    a home page with its title)."""
    await user.open("/login")
    await submit_sign_in(user, email)
    await pass_mfa_if_asked(user, email, "user-name")
    await see(user, marker="user-name")


def practice_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        practice = session.exec(select(Practice).where(Practice.name == name)).one()
        assert practice.id is not None
        return practice.id


def providers_of(engine: Engine, name: str) -> list[Provider]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Provider)
                .join(Practice, col(Practice.id) == Provider.practice_id)
                .where(Practice.name == name)
                .order_by(col(Provider.id))
            ).all()
        )


def replaced_urls(user: User, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the page writes into the address bar (history.replaceState) from now on."""
    urls: list[str] = []
    monkeypatch.setattr(user.navigate.history, "replace", urls.append)
    return urls


async def until(condition: object, message: str) -> None:
    """Wait (bounded) for `condition()` to hold: the page answers after a worker thread."""
    for _ in range(PATIENCE):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(message)


def only(user: User, marker: str) -> ui.element:
    elements = list(user.find(marker=marker).elements)
    assert len(elements) == 1, f"expected one element marked {marker}, found {len(elements)}"
    return elements[0]


def shown(user: User, marker: str) -> bool:
    return any(marker in element._markers for element in user.current_layout.descendants())


def text_of(user: User, marker: str) -> str:
    return str(getattr(only(user, marker), "text", ""))


def href_of(user: User, marker: str) -> str:
    return str(only(user, marker).props["href"])


def links(row: dict[str, object]) -> dict[str, str]:
    """Where each cell of a report table row links (its drill-downs)."""
    cells = row["links"]
    assert isinstance(cells, dict)
    return {str(name): str(url) for name, url in cells.items()}


async def test_each_report_renders_for_a_practice_admin(user: User) -> None:
    await sign_in(user, "admin@riverside.example")

    await user.open("/reports")
    await see(user, marker="kpi-denial_rate_count")
    for key in RATE_KEYS:
        assert text_of(user, f"kpi-{key}").endswith("%"), key
        assert href_of(user, f"kpi-{key}").startswith("/claims?")
        assert href_of(user, f"kpi-denominator-{key}").startswith("/claims?")
    await user.should_see(marker="kpi-days_in_ar")
    await user.should_see(marker="aging-chart")
    await user.should_see(marker="denial-trend-chart")
    assert len(table_rows(user, "aging-table")) == 6  # five buckets and the total
    await user.should_not_see(marker="filter-practice")

    await user.open("/reports/denials")
    await see(user, marker="denials-by-carc-table")
    for marker in ("denials-by-month", "denials-by-provider", "denials-by-procedure"):
        await user.should_see(marker=f"{marker}-table")
    await user.should_not_see(marker="denials-by-practice-table")
    rows = table_rows(user, "denials-by-month-table")
    assert rows and all(links(row)["denied"].startswith("/claims?") for row in rows)

    await user.open("/reports/aging")
    await see(user, marker="aging-as-of")
    assert text_of(user, "aging-as-of").startswith("A/R as of ")
    await user.should_see(marker="aging-total")
    for row in table_rows(user, "aging-table"):
        assert set(links(row)) == {"plan", "plan_claims", "patient", "patient_claims"}


async def test_a_filter_in_the_url_is_applied_and_shown(user: User, demo_db: Engine) -> None:
    provider = providers_of(demo_db, "Riverside Family Medicine")[0]
    await sign_in(user, "admin@riverside.example")
    await user.open(f"/reports?provider={provider.id}&status=denied&service_from=2025-01-01")
    await see(user, marker="kpi-denial_rate_count")

    assert only(user, "filter-providers").value == [provider.id]  # type: ignore[attr-defined]
    assert only(user, "filter-status").value == "denied"  # type: ignore[attr-defined]
    assert only(user, "filter-service-from").value == "2025-01-01"  # type: ignore[attr-defined]
    assert only(user, "filter-preset").value is None  # type: ignore[attr-defined]
    # The drill-downs carry the filters: the numbers are the filtered ones.
    assert f"provider={provider.id}" in href_of(user, "kpi-denial_rate_count")
    assert "status=denied" in href_of(user, "kpi-denial_rate_count")
    # The other reports' tabs keep the view.
    assert href_of(user, "report-tab-aging") == (
        f"/reports/aging?status=denied&service_from=2025-01-01&provider={provider.id}"
    )


async def test_changing_a_filter_rewrites_the_url_without_a_reload(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_in(user, "admin@riverside.example")
    await user.open("/reports/denials")
    await see(user, marker="kpi-denial_rate_count")
    assert only(user, "filter-preset").value == Preset.MONTHS_12.value  # type: ignore[attr-defined]
    client = user.client
    urls = replaced_urls(user, monkeypatch)
    before = href_of(user, "kpi-denial_rate_count")

    with user.client:  # type: ignore[union-attr]
        only(user, "filter-status").set_value("denied")  # type: ignore[attr-defined]
    await until(lambda: urls and urls[-1] == "/reports/denials?status=denied", f"URL: {urls}")
    await until(
        lambda: "status=denied" in href_of(user, "kpi-denial_rate_count"),
        "the numbers were not re-read with the new filter",
    )
    assert user.client is client, "filtered in place, not by loading a new page"

    today = clock.today()
    with user.client:  # type: ignore[union-attr]
        only(user, "filter-preset").set_value(Preset.MONTHS_3.value)  # type: ignore[attr-defined]
    start = months_before(today, 3)
    wanted = f"/reports/denials?status=denied&service_from={start}&service_to={today}"
    await until(lambda: urls[-1] == wanted, f"URL after the 3-month preset: {urls[-1]}")
    assert only(user, "filter-service-from").value == start.isoformat()  # type: ignore[attr-defined]

    user.find(marker="filter-reset").click()
    await until(lambda: urls[-1] == "/reports/denials", f"URL after reset: {urls[-1]}")
    await until(lambda: href_of(user, "kpi-denial_rate_count") == before, "reset shows the default")


async def test_a_practice_never_sees_another_practices_numbers_or_names(
    user: User, demo_db: Engine
) -> None:
    lakeside = practice_id(demo_db, "Lakeside Cardiology")
    theirs = providers_of(demo_db, "Lakeside Cardiology")
    await sign_in(user, "admin@riverside.example")

    for path in ("/reports", "/reports/denials", "/reports/aging"):
        await user.open(f"{path}?practice={lakeside}&provider={theirs[0].id}")
        await see(user, marker="report-kpis")
        texts = " ".join(visible_texts(user))
        for provider in theirs:
            assert provider.last_name not in texts, (path, provider.last_name)
        await user.should_not_see(marker="filter-practice")
        assert only(user, "filter-providers").value == []  # type: ignore[attr-defined]
    await user.open(f"/reports/aging?practice={lakeside}")
    await see(user, marker="aging-total")
    assert text_of(user, "aging-total") == "$0.00"
    await user.open(f"/reports?practice={lakeside}")
    await see(user, marker="kpi-denial_rate_count")
    assert text_of(user, "kpi-denial_rate_count") == "—"
    # Nothing to chart: an empty state of the chart's height, not empty axes.
    for marker in ("denial-trend-chart", "denial-reasons-chart", "aging-chart"):
        await user.should_see(marker=f"{marker}-empty")
        await user.should_not_see(marker=marker)


@pytest.mark.parametrize("email", ["clinical@riverside.example", "frontdesk@riverside.example"])
async def test_clinical_staff_and_the_front_desk_are_not_authorized(user: User, email: str) -> None:
    await sign_in(user, email)
    for path in ("/reports", "/reports/denials", "/reports/aging"):
        response = await user.http_client.get(path)
        assert response.status_code == 403, path
        assert "Not authorized" in response.text
        assert "kpi-denial_rate_count" not in response.text


async def test_plan_staff_get_a_practice_filter_and_denials_by_practice(
    user: User, demo_db: Engine
) -> None:
    lakeside = practice_id(demo_db, "Lakeside Cardiology")
    await sign_in(user, "planadmin@plan.example")
    await user.open("/reports/denials")
    await see(user, marker="denials-by-practice-table")
    practices = {row["label"] for row in table_rows(user, "denials-by-practice-table")}
    assert {"Riverside Family Medicine", "Lakeside Cardiology"} <= practices
    practice_filter = only(user, "filter-practice")
    assert practice_filter.options[lakeside] == "Lakeside Cardiology"  # type: ignore[attr-defined]

    await user.open(f"/reports/denials?practice={lakeside}")
    await see(user, marker="denials-by-practice-table")
    assert only(user, "filter-practice").value == lakeside  # type: ignore[attr-defined]
    practices = {row["label"] for row in table_rows(user, "denials-by-practice-table")}
    assert practices == {"Lakeside Cardiology"}


def denied_count(engine: Engine, practice: str, since: date) -> int:
    """Initially denied, adjudicated claims of a practice serviced since `since`, counted here
    without the domain's cohort expressions."""
    with Session(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Claim)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(
                Practice.name == practice,
                col(Claim.finalized_at).is_not(None),
                col(Claim.initially_denied),
                Claim.frequency_code != FrequencyCode.VOID,
                Claim.service_date_from >= since,
            )
        ).one()


async def test_the_claim_list_shows_what_a_drill_down_adds_up_to(
    user: User, demo_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    since = clock.today() - timedelta(days=120)
    expected = denied_count(demo_db, "Riverside Family Medicine", since)
    assert expected > 0, "the demo should have recent denials"
    await sign_in(user, "admin@riverside.example")
    await user.open(f"/claims?cohort=denied&service_from={since}")
    await see(user, marker="drill-totals")
    assert text_of(user, "drill-count") == f"{expected:,} claims"
    assert text_of(user, "drill-billed").endswith(" billed")
    await user.should_see("Initially denied: Adjudicated claims denied in whole")
    await user.should_not_see(marker="drill-owed")

    # The list's own filters narrow the drill-down; they never drop it.
    urls = replaced_urls(user, monkeypatch)
    with user.client:  # type: ignore[union-attr]
        only(user, "filter-service-from").set_value(since.isoformat())  # type: ignore[attr-defined]
        only(user, "filter-service-to").set_value(clock.today().isoformat())  # type: ignore[attr-defined]
    wanted = f"/claims?service_from={since}&service_to={clock.today()}&cohort=denied"
    await until(lambda: urls and urls[-1] == wanted, f"URL after a list filter: {urls}")
    await until(lambda: text_of(user, "drill-count") == f"{expected:,} claims", "totals kept")

    user.find(marker="drill-clear").trigger("click.prevent")
    wanted = f"/claims?service_from={since}&service_to={clock.today()}"
    await until(lambda: urls[-1] == wanted, f"URL after clearing the drill-down: {urls[-1]}")
    await until(lambda: not shown(user, "drill-totals"), "the strip went away")


async def test_a_kpi_drills_down_to_a_list_of_the_same_size(user: User) -> None:
    await sign_in(user, "admin@riverside.example")
    await user.open("/reports")
    await see(user, marker="kpi-numerator-denial_rate_count")
    denied = text_of(user, "kpi-numerator-denial_rate_count")
    user.find(marker="kpi-numerator-denial_rate_count").click()
    await see(user, marker="drill-totals")
    assert text_of(user, "drill-count") == f"{denied} claims"


async def test_an_aging_bar_opens_its_claims_and_back_returns_to_the_report(
    user: User,
) -> None:
    await sign_in(user, "admin@riverside.example")
    await user.open("/reports/aging?status=paid")
    await see(user, marker="aging-chart")
    bucket = table_rows(user, "aging-table")[0]
    url = links(bucket)["plan"]
    # What the browser sends for a click on a bar: the point's customdata (its drill-down URL).
    # A URL the chart does not carry is ignored, whatever a client sends.
    user.find(marker="aging-chart").trigger("plotly_click", "https://elsewhere.example/")
    user.find(marker="aging-chart").trigger("plotly_click", url)
    await see(user, marker="drill-totals")
    assert user.back_history[-2:] == ["/reports/aging?status=paid", url]
    await user.should_see(marker="drill-owed")
    assert text_of(user, "drill-count") == f"{bucket['plan_claims']} claims"
    assert text_of(user, "drill-owed").startswith(str(bucket["plan"]))
    user.navigate.back()
    await see(user, marker="aging-as-of")
    assert user.back_history[-1] == "/reports/aging?status=paid"


async def test_a_status_change_redraws_the_report_with_its_filters(
    user: User, demo_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(demo_db) as session:
        received = session.exec(
            select(Claim)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(
                Practice.name == "Riverside Family Medicine",
                Claim.status == ClaimStatus.RECEIVED,
            )
        ).first()
    assert received is not None and received.id is not None
    await sign_in(user, "admin@riverside.example")
    await user.open("/reports/aging?status=received")
    await see(user, marker="aging-plan-total")
    before = text_of(user, "aging-plan-total")
    urls = replaced_urls(user, monkeypatch)

    move(demo_db, received.id, ClaimStatus.ACCEPTED)

    await until(
        lambda: text_of(user, "aging-plan-total") != before,
        "the aging report did not follow the status change",
    )
    assert urls == [], "a live refresh leaves the URL alone"
    assert only(user, "filter-status").value == "received"  # type: ignore[attr-defined]


def denial_group(month: int, denied: int, adjudicated: int) -> DenialGroup:
    start = date(2026, month, 1)
    end = date(2026, month, 28)
    return DenialGroup(
        key=f"2026-{month:02d}",
        label=f"{start:%b} 2026",
        denied=denied,
        denied_billed=Decimal("150.00") * denied,
        adjudicated=adjudicated,
        adjudicated_billed=Decimal("150.00") * adjudicated,
        denied_claims=ClaimFilters(cohort=Cohort.DENIED, service_from=start, service_to=end),
        adjudicated_claims=ClaimFilters(
            cohort=Cohort.ADJUDICATED, service_from=start, service_to=end
        ),
    )


def aging_cell(owed: Owed, amount: str, claims: int, age: AgeBucket | None) -> AgingCell:
    filters = ClaimFilters(owed=owed, as_of=date(2026, 6, 30), age=age)
    return AgingCell(Decimal(amount), claims, filters)


def test_every_chart_is_a_valid_figure_whose_bars_carry_their_claims() -> None:
    groups = [denial_group(1, 4, 40), denial_group(2, 0, 35), denial_group(3, 7, 50)]
    report = AgingReport(
        as_of=date(2026, 6, 30),
        rows=[
            AgingRow(
                bucket,
                aging_cell(Owed.PLAN, "1200.50", 3, bucket),
                aging_cell(Owed.PATIENT, "80.25", 2, bucket),
            )
            for bucket in AgeBucket
        ],
        plan_total=aging_cell(Owed.PLAN, "6002.50", 15, None),
        patient_total=aging_cell(Owed.PATIENT, "401.25", 10, None),
    )
    trend = denial_trend_chart(groups)
    ranking = denial_ranking_chart(groups, title="Initial denials by month (claims)")
    aging = aging_chart(report)

    for drawn in (trend, ranking, aging):
        figure = png_figure(drawn)  # plotly's own validation of every property
        assert figure.layout.title.text == drawn.title
        assert not drawn.empty
    assert drill_urls(trend.figure) == {group.denied_claims.url() for group in groups}
    # A month with no denials has no bar to click in the ranking.
    assert drill_urls(ranking.figure) == {
        groups[0].denied_claims.url(),
        groups[2].denied_claims.url(),
    }
    assert ranking.figure["data"][0]["y"][0].startswith("Mar")  # most denials on top
    assert drill_urls(aging.figure) == {
        cell.filters.url() for row in report.rows for cell in (row.plan, row.patient)
    }

    nothing = [denial_group(1, 0, 0), denial_group(2, 0, 0)]
    assert denial_trend_chart(nothing).empty
    assert denial_ranking_chart(nothing, title="x").empty
    assert denial_trend_chart(nothing).height == trend.height, "the same box either way"
