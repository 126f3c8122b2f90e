"""The revenue-cycle reports: the practice dashboard (/reports), the denial analysis
(/reports/denials) and A/R aging (/reports/aging). Their filters live in the URL (read on load,
rewritten without a reload on change); every number, bar and cell opens the claim list of the
claims behind it; each report's numbers follow the status job live."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from fastapi import Request
from nicegui import ui

from domain.claim_filters import ClaimFilters
from domain.revenue_cycle import (
    AgingCell,
    AgingReport,
    Dashboard,
    DaysInAr,
    DenialBreakdown,
    DenialGroup,
    KpiSummary,
    RateKpi,
    aging_report,
    dashboard,
    denial_breakdown,
    report_kpis,
    report_options,
)
from domain.roles import Area
from domain.scope import Actor
from ui import clock, dashboard_pdf
from ui.charts import (
    PATIENT_OWED,
    PLAN_OWED,
    WIDE_LABEL_CHARS,
    Chart,
    aging_chart,
    chart,
    denial_ranking_chart,
    denial_trend_chart,
    percent_text,
    png_figure,
)
from ui.dashboard_pdf import summary_pdf_button
from ui.data import call
from ui.exports import Percent, chart_png_button, export_menu
from ui.format import count, date_range, day, long_day, money
from ui.frame import frame, portal_page
from ui.live import live_section
from ui.report_filters import ReportFilterBar, report_keys
from ui.saved_views import saved_views_control
from ui.theme import PRIMARY, Heading
from ui.widgets import Column, card, data_table

DASHBOARD_PATH = "/reports"
DENIALS_PATH = "/reports/denials"
AGING_PATH = "/reports/aging"
REPORTS = (
    (DASHBOARD_PATH, "Dashboard", "space_dashboard"),
    (DENIALS_PATH, "Denial analysis", "block"),
    (AGING_PATH, "A/R aging", "hourglass_bottom"),
)

T = TypeVar("T")

_CSS = f"""
.report-tabs {{ display: flex; gap: 4px; border-bottom: 1px solid var(--portico-border);
  width: 100%; }}
.report-tabs a {{ display: inline-flex; align-items: center; gap: 6px; padding: 8px 14px;
  color: var(--portico-muted); font-weight: 500; text-decoration: none;
  border-bottom: 3px solid transparent; margin-bottom: -1px; }}
.report-tabs a:hover {{ color: var(--portico-ink); }}
.report-tabs a:focus-visible {{ outline: 2px solid {PRIMARY}; outline-offset: -2px; }}
.report-tabs a[aria-current="page"] {{ color: {PRIMARY}; border-bottom-color: {PRIMARY}; }}
.report-kpis {{ display: grid; gap: 16px; width: 100%;
  grid-template-columns: repeat(3, minmax(0, 1fr)); }}
.report-kpis.four {{ grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); }}
@media (max-width: 1100px) {{
  .report-kpis {{ grid-template-columns: repeat(2, minmax(0, 1fr)); }} }}
@media (max-width: 640px) {{ .report-kpis {{ grid-template-columns: 1fr; }} }}
.report-kpi {{ position: relative; gap: 2px; }}
.report-kpi-head {{ display: flex; align-items: flex-start; justify-content: space-between;
  gap: 4px; min-height: 28px; }}
a.report-kpi-value {{ text-decoration: none; color: var(--portico-ink); align-self: flex-start; }}
a.report-kpi-value:hover {{ text-decoration: underline; color: {PRIMARY}; }}
.report-kpi-terms {{ font-size: 0.85rem; color: var(--portico-muted); }}
.report-kpi-terms a {{ color: {PRIMARY}; font-weight: 500; text-decoration: none; }}
.report-kpi-terms a:hover {{ text-decoration: underline; }}
.report-kpi-benchmark {{ font-size: 0.75rem; color: var(--portico-muted); margin-top: 4px; }}
.report-definition {{ max-width: 340px; padding: 12px 14px; font-size: 0.875rem; }}
.report-definition .formula {{ font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 0.8rem; background: #F3F4F6; border-radius: 6px; padding: 6px 8px; }}
.report-scope {{ font-size: 0.9rem; color: var(--portico-muted); }}
.report-as-of {{ font-size: 1.15rem; font-weight: 600; color: var(--portico-ink); }}
.report-split {{ display: grid; gap: 20px; width: 100%; align-items: start;
  grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }}
@media (max-width: 1180px) {{ .report-split {{ grid-template-columns: 1fr; }} }}
.report-table .report-total td {{ font-weight: 600; background: #F8FAFC; }}
.report-jump {{ display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 0.9rem; }}
.report-jump a {{ color: {PRIMARY}; font-weight: 500; text-decoration: none; }}
.report-jump a:hover {{ text-decoration: underline; }}
.report-section {{ display: block; scroll-margin-top: 140px; }}
.report-tools {{ display: flex; gap: 8px; align-items: center; justify-content: flex-end;
  width: 100%; }}
.report-numbers .q-item {{ padding-left: 0; min-height: 36px; }}
.report-numbers .q-item__section--avatar {{ min-width: 0; padding-right: 8px; }}
"""

# A cell that links where the row says, and the totals row in bold (Vue slot, no HTML from data).
_LINKED_CELL = (
    '<q-td :props="props">'
    '<a v-if="props.row.links && props.row.links[props.col.name]" '
    ':href="props.row.links[props.col.name]">{{ props.value }}</a>'
    "<span v-else>{{ props.value }}</span></q-td>"
)
_TOTAL_ROW_CLASS = "(row) => row.total ? 'report-total' : ''"


def register() -> None:
    dashboard_pdf.register()  # /reports/summary.pdf, before the pages
    portal_page(DASHBOARD_PATH)(dashboard_page)
    portal_page(DENIALS_PATH)(denials_page)
    portal_page(AGING_PATH)(aging_page)


# --- The view a report tab holds ------------------------------------------------------------


class ReportView(Generic[T]):
    """One tab's report: its filters (as the URL has them), its data section, and the links
    that carry the filters to the other reports."""

    def __init__(
        self,
        actor: Actor,
        path: str,
        filters: ClaimFilters,
        *,
        load: Callable[[Actor, ClaimFilters, date], Awaitable[T]],
        draw: Callable[[ReportView[T], T], None],
    ) -> None:
        self.actor = actor
        self.path = path
        self.filters = report_keys(filters)
        self._load = load
        self._draw = draw
        self.section: ui.element | None = None
        self.tabs: list[tuple[str, ui.link]] = []
        self.summary: ui.element | None = None
        self._generation = 0

    def url(self, path: str | None = None) -> str:
        return self.filters.url(path or self.path)

    def query(self) -> str:
        return self.url().partition("?")[2]

    async def load(self) -> T:
        return await self._load(self.actor, self.filters, clock.today())

    def draw(self, data: T) -> None:
        with ui.column().classes("w-full gap-5").mark("report-body") as self.section:
            self._draw(self, data)

    async def apply(self, wanted: ClaimFilters) -> None:
        """A filter changed: the URL first (no reload), then the numbers. A slower answer to an
        earlier change is dropped, so the last change is the one shown."""
        wanted = report_keys(wanted)
        if wanted == self.filters:
            return
        self.filters = wanted
        self._generation += 1
        generation = self._generation
        ui.navigate.history.replace(self.url())
        self._relink()
        data = await self.load()
        if data is None or generation != self._generation or self.section is None:
            return
        self.section.clear()
        with self.section:
            self._draw(self, data)

    def _relink(self) -> None:
        for path, link in self.tabs:
            link.props["href"] = self.url(path)
            link.update()
        # The summary button takes the filters as a value: a new one for the new filters (the
        # saved-views control asks for the query when it saves).
        if self.summary is not None:
            self.summary.clear()
            with self.summary:
                summary_pdf_button(self.actor, self.filters)

    def header_tools(self) -> None:
        with ui.row().classes("gap-2 items-center"):
            saved_views_control(self.actor, self.path, self.query)
            if self.path == DASHBOARD_PATH:
                with ui.element("div") as self.summary:
                    summary_pdf_button(self.actor, self.filters)


async def _report_page(
    request: Request,
    *,
    path: str,
    title: str,
    subtitle: str,
    load: Callable[[Actor, ClaimFilters, date], Awaitable[T]],
    draw: Callable[[ReportView[T], T], None],
    as_of_filter: bool = True,
    date_filter: bool = True,
) -> None:
    requested = ClaimFilters.from_query(request.query_params)
    async with frame(title, area=Area.DASHBOARDS) as actor:
        ui.add_css(_CSS)
        view = ReportView(actor, path, requested, load=load, draw=draw)
        with ui.row().classes("w-full items-end justify-between gap-4"):
            with ui.column().classes("gap-1"):
                Heading(title).mark("report-title")
                ui.label(
                    f"{subtitle}, across every contracted practice"
                    if actor.is_plan_staff
                    else f"{subtitle} for your practice"
                ).classes("portico-subtitle")
            view.header_tools()
        _report_tabs(view)
        options = await call(report_options, actor=actor)
        ReportFilterBar(
            options=options,
            plan_staff=actor.is_plan_staff,
            current=lambda: view.filters,
            today=clock.today,
            on_change=view.apply,
            as_of=as_of_filter,
            dates=date_filter,
        )
        # A status-job change re-reads with the tab's current filters and redraws only the
        # data section (fixed chart heights), so the URL and the scroll position stay.
        await live_section(actor, view.load, view.draw)


def _report_tabs(view: ReportView[Any]) -> None:
    with ui.element("nav").classes("report-tabs").props('aria-label="Reports"').mark("report-tabs"):
        for path, label, icon in REPORTS:
            name = path.rsplit("/", 1)[-1]
            with ui.link(target=view.url(path)).mark(f"report-tab-{name}") as link:
                ui.icon(icon).classes("text-lg")
                ui.label(label)
            if path == view.path:
                link.props('aria-current="page"')
            view.tabs.append((path, link))


# --- The three pages ------------------------------------------------------------------------


async def dashboard_page(request: Request) -> None:
    await _report_page(
        request,
        path=DASHBOARD_PATH,
        title="Revenue-cycle dashboard",
        subtitle="Denials, collections and A/R",
        load=_load_dashboard,
        draw=_draw_dashboard,
    )


async def denials_page(request: Request) -> None:
    await _report_page(
        request,
        path=DENIALS_PATH,
        title="Denial analysis",
        subtitle="Initial denials by month, reason, provider, procedure and place of service",
        load=_load_denials,
        draw=_draw_denials,
        as_of_filter=False,
    )


async def aging_page(request: Request) -> None:
    await _report_page(
        request,
        path=AGING_PATH,
        title="A/R aging",
        subtitle="What the plan and patients owe, by age of claim",
        load=_load_aging,
        draw=_draw_aging,
        date_filter=False,
    )


async def _load_dashboard(actor: Actor, filters: ClaimFilters, today: date) -> Dashboard:
    return await call(dashboard, actor=actor, filters=filters, today=today)


@dataclass(frozen=True)
class DenialsData:
    kpis: KpiSummary
    breakdown: DenialBreakdown


async def _load_denials(actor: Actor, filters: ClaimFilters, today: date) -> DenialsData:
    kpis, breakdown = await asyncio.gather(
        call(report_kpis, actor=actor, filters=filters, today=today),
        call(denial_breakdown, actor=actor, filters=filters, today=today),
    )
    return DenialsData(kpis, breakdown)


@dataclass(frozen=True)
class AgingData:
    aging: AgingReport
    kpis: KpiSummary


async def _load_aging(actor: Actor, filters: ClaimFilters, today: date) -> AgingData:
    aging, kpis = await asyncio.gather(
        call(aging_report, actor=actor, filters=filters, today=today),
        call(report_kpis, actor=actor, filters=filters, today=today),
    )
    return AgingData(aging, kpis)


def _scope_line(start: date, end: date, as_of: date | None) -> None:
    parts = [f"Dates of service {date_range(start, end)}"]
    if as_of is not None:
        parts.append(f"A/R as of {day(as_of)}")
    ui.label(" · ".join(parts)).classes("report-scope").mark("report-scope")


def _draw_dashboard(view: ReportView[Dashboard], data: Dashboard) -> None:
    kpis = data.kpis
    _scope_line(kpis.service_from, kpis.service_to, data.aging.as_of)
    with ui.element("div").classes("report-kpis").mark("report-kpis"):
        for rate in kpis.rates:
            rate_tile(rate)
        days_in_ar_tile(kpis.days_in_ar, href=view.url(AGING_PATH))
    with ui.element("div").classes("portico-grid-2"):
        with _chart_card(
            "Denial trend",
            "Initial denials and the denial rate by month of service",
            marker="denial-trend",
            link=("Denial analysis", view.url(DENIALS_PATH)),
        ):
            _denial_chart_and_table(
                denial_trend_chart(data.denials_by_month),
                data.denials_by_month,
                key_label="Month",
                marker="denial-trend",
                name="Denial trend",
                collapsed=True,
            )
        with _chart_card(
            "Top denial reasons",
            "Initial denials by claim adjustment reason code (CARC)",
            marker="denial-reasons",
        ):
            _denial_chart_and_table(
                denial_ranking_chart(
                    data.top_denial_reasons, title="Initial denials by reason (claims)"
                ),
                data.top_denial_reasons,
                key_label="Denial reason (CARC)",
                marker="denial-reasons",
                name="Top denial reasons",
                collapsed=True,
            )
    _aging_card(view, data.aging, link=("A/R aging report", view.url(AGING_PATH)))


def _draw_denials(view: ReportView[DenialsData], data: DenialsData) -> None:
    kpis, breakdown = data.kpis, data.breakdown
    _scope_line(breakdown.service_from, breakdown.service_to, None)
    with ui.element("div").classes("report-kpis four").mark("report-kpis"):
        for rate in (
            kpis.denial_rate_count,
            kpis.denial_rate_dollars,
            kpis.clean_claim_rate,
            kpis.first_pass_rate,
        ):
            rate_tile(rate)
    sections: list[tuple[str, str, str, str, Sequence[DenialGroup], str]] = [
        (
            "Denials by month",
            "Initial denials and the denial rate by month of service",
            "denials-by-month",
            "Month",
            breakdown.by_month,
            "trend",
        ),
        (
            "Denials by reason",
            "Top reasons (CARC) with their descriptions",
            "denials-by-carc",
            "Denial reason (CARC)",
            breakdown.by_carc,
            "Initial denials by reason (claims)",
        ),
        (
            "Denials by provider",
            "Rendering provider of the claim",
            "denials-by-provider",
            "Rendering provider",
            breakdown.by_provider,
            "Initial denials by rendering provider (claims)",
        ),
        (
            "Denials by procedure",
            "Principal procedure (the first line's code)",
            "denials-by-procedure",
            "Principal procedure",
            breakdown.by_procedure,
            "Initial denials by principal procedure (claims)",
        ),
        (
            "Denials by place of service",
            "Where the service was rendered (CMS place-of-service code)",
            "denials-by-place",
            "Place of service",
            breakdown.by_place_of_service,
            "Initial denials by place of service (claims)",
        ),
    ]
    if view.actor.is_plan_staff:
        sections.append(
            (
                "Denials by practice",
                "Every contracted practice in the range",
                "denials-by-practice",
                "Practice",
                breakdown.by_practice,
                "Initial denials by practice (claims)",
            )
        )
    with (
        ui.element("nav")
        .classes("report-jump")
        .props('aria-label="Sections of this report"')
        .mark("report-jump")
    ):
        ui.label("Jump to:").classes("portico-muted")
        for heading, _, marker, *_ in sections:
            ui.link(heading.removeprefix("Denials "), f"#{marker}")
    for heading, detail, marker, key_label, groups, chart_title in sections:
        drawn = (
            denial_trend_chart(groups)
            if chart_title == "trend"
            else denial_ranking_chart(groups, title=chart_title, label_chars=WIDE_LABEL_CHARS)
        )
        with _chart_card(heading, detail, marker=marker):
            # The jump links' target (its own element: NiceGUI addresses elements by id).
            ui.element("span").classes("report-section").props(f"id={marker}")
            _denial_chart_and_table(
                drawn,
                groups,
                key_label=key_label,
                marker=marker,
                name=heading,
                collapsed=False,
            )


def _draw_aging(view: ReportView[AgingData], data: AgingData) -> None:
    aging = data.aging
    with ui.row().classes("items-baseline gap-3"):
        ui.label(f"A/R as of {long_day(aging.as_of)}").classes("report-as-of").mark("aging-as-of")
        ui.label("Balances at the end of that day, aged by days since the date of service").classes(
            "report-scope"
        )
    with ui.element("div").classes("report-kpis four").mark("report-kpis"):
        _amount_tile(
            "Total A/R",
            money(aging.total),
            f"{count(aging.plan_total.claims + aging.patient_total.claims)} balances",
            marker="aging-total",
        )
        _amount_tile(
            "Owed by the plan",
            money(aging.plan_total.amount),
            f"{count(aging.plan_total.claims)} claims",
            marker="aging-plan-total",
            href=aging.plan_total.filters.url(),
            colour=PLAN_OWED,
        )
        _amount_tile(
            "Owed by patients",
            money(aging.patient_total.amount),
            f"{count(aging.patient_total.claims)} claims",
            marker="aging-patient-total",
            href=aging.patient_total.filters.url(),
            colour=PATIENT_OWED,
        )
        days_in_ar_tile(data.kpis.days_in_ar, href=None)
    _aging_card(view, aging, link=None)


# --- KPI tiles ------------------------------------------------------------------------------


def rate_tile(rate: RateKpi) -> None:
    """A rate with its terms: the value opens the numerator's claims, the denominator its own;
    the info button explains the definition, formula and benchmark."""
    ratio = rate.ratio
    with ui.element("div").classes("portico-kpi report-kpi").mark(f"kpi-tile-{rate.key}"):
        with ui.element("div").classes("report-kpi-head"):
            ui.label(rate.label).classes("portico-kpi-label")
            definition_button(
                rate.label, rate.definition, rate.formula, rate.benchmark, key=rate.key
            )
        ui.link(percent_text(ratio.value), rate.numerator_claims.url()).classes(
            "portico-kpi-value report-kpi-value"
        ).mark(f"kpi-{rate.key}")
        if ratio.denominator == 0:
            ui.label("Nothing to measure in this range yet").classes("report-kpi-terms")
        else:
            with ui.element("div").classes("report-kpi-terms"):
                ui.link(_term(ratio.numerator, rate.in_dollars), rate.numerator_claims.url()).mark(
                    f"kpi-numerator-{rate.key}"
                )
                ui.label(" of ").classes("inline")
                ui.link(
                    _term(ratio.denominator, rate.in_dollars)
                    + ("" if rate.in_dollars else " claims"),
                    rate.denominator_claims.url(),
                ).mark(f"kpi-denominator-{rate.key}")
        ui.label(f"Benchmark: {rate.benchmark}").classes("report-kpi-benchmark")


def _term(value: Decimal, in_dollars: bool) -> str:
    return money(value) if in_dollars else count(int(value))


def days_in_ar_tile(days: DaysInAr, *, href: str | None) -> None:
    with ui.element("div").classes("portico-kpi report-kpi").mark("kpi-tile-days_in_ar"):
        with ui.element("div").classes("report-kpi-head"):
            ui.label("Days in A/R").classes("portico-kpi-label")
            definition_button(
                "Days in A/R", days.definition, days.formula, days.benchmark, key="days_in_ar"
            )
        value = days.value
        text = "—" if value is None else f"{value.quantize(Decimal('0.1'))} days"
        shown = (
            ui.link(text, href).classes("portico-kpi-value report-kpi-value")
            if href
            else ui.label(text).classes("portico-kpi-value")
        )
        shown.mark("kpi-days_in_ar")
        if value is None:
            ui.label("No charges in the window before the as-of day").classes("report-kpi-terms")
        else:
            ui.label(
                f"{money(days.receivables)} A/R ÷ {money(days.average_daily_charges)} a day "
                f"({days.window_days}-day average)"
            ).classes("report-kpi-terms")
        ui.label(f"Benchmark: {days.benchmark}").classes("report-kpi-benchmark")


def _amount_tile(
    label: str,
    value: str,
    caption: str,
    *,
    marker: str,
    href: str | None = None,
    colour: str | None = None,
) -> None:
    with ui.element("div").classes("portico-kpi report-kpi") as tile:
        if colour:
            tile.style(f"border-left: 4px solid {colour}")
        with ui.element("div").classes("report-kpi-head"):
            ui.label(label).classes("portico-kpi-label")
        shown = (
            ui.link(value, href).classes("portico-kpi-value report-kpi-value")
            if href
            else ui.label(value).classes("portico-kpi-value")
        )
        shown.mark(marker)
        ui.label(caption).classes("report-kpi-terms")


def definition_button(
    label: str, definition: str, formula: str, benchmark: str, *, key: str
) -> None:
    """An info button opening the definition: a click, Enter or Space opens it, Escape closes
    it (a hover-only tooltip would leave keyboard users without it)."""
    button = ui.button(icon="info_outline").props("flat round dense size=sm color=grey-8")
    button.props["aria-label"] = f"How {label} is measured"  # a value, not spliced into props
    with (
        button.mark(f"kpi-info-{key}"),
        ui.menu().props("anchor='bottom right' self='top right'"),
        ui.element("div").classes("report-definition").mark(f"kpi-definition-{key}"),
    ):
        ui.label(label).classes("font-semibold mb-1")
        ui.label(definition).classes("mb-2")
        ui.label(formula).classes("formula mb-2")
        ui.label(f"Benchmark: {benchmark}").classes("text-xs portico-muted")


# --- Cards, charts and tables ---------------------------------------------------------------


def _chart_card(
    title: str, subtitle: str, *, marker: str, link: tuple[str, str] | None = None
) -> Any:
    return card(title, subtitle=subtitle, marker=f"{marker}-card", link=link)


def _denial_chart_and_table(
    drawn: Chart,
    groups: Sequence[DenialGroup],
    *,
    key_label: str,
    marker: str,
    name: str,
    collapsed: bool,
) -> None:
    """The chart, its PNG and the table's exports, then the table with the same numbers (on
    the dashboard folded under "The numbers", to keep the overview short)."""
    chart(
        drawn,
        marker=f"{marker}-chart",
        empty_title="No denials in this range",
        empty_detail="Initial denials of adjudicated claims will show here.",
    )
    with ui.element("div").classes("report-tools"):
        if not drawn.empty:
            chart_png_button(lambda: png_figure(drawn), name)
        export_menu(name, *denial_export(groups, key_label=key_label))
    if not groups:
        return
    if collapsed:
        with (
            ui.expansion("The numbers behind the chart")
            .props("dense switch-toggle-side")
            .classes("w-full report-numbers text-sm")
        ):
            denial_table(groups, key_label=key_label, marker=f"{marker}-table", title=drawn.title)
    else:
        denial_table(groups, key_label=key_label, marker=f"{marker}-table", title=drawn.title)


def denial_export(
    groups: Sequence[DenialGroup], *, key_label: str
) -> tuple[list[tuple[str, str]], list[dict[str, object]]]:
    """The table's columns and rows as numbers (Decimal dollars, the rate in percent)."""
    columns = [
        ("label", key_label),
        ("denied", "Denied claims"),
        ("denied_billed", "Denied billed ($)"),
        ("adjudicated", "Adjudicated claims"),
        ("rate", "Denial rate"),
    ]
    rows: list[dict[str, object]] = [
        {
            "label": group.label,
            "denied": group.denied,
            "denied_billed": group.denied_billed,
            "adjudicated": group.adjudicated,
            "rate": None if group.rate.value is None else Percent(group.rate.value),
        }
        for group in groups
    ]
    return columns, rows


def denial_table(
    groups: Sequence[DenialGroup], *, key_label: str, marker: str, title: str
) -> ui.table:
    columns = [
        Column("label", key_label, min_width=160),
        Column("denied", "Denied", align="right"),
        Column("denied_billed", "Denied $", money=True),
        Column("adjudicated", "Adjudicated", align="right"),
        Column("rate", "Denial rate", align="right"),
    ]
    rows = [
        {
            "id": index,
            "label": group.label,
            "denied": count(group.denied),
            "denied_billed": money(group.denied_billed),
            "adjudicated": count(group.adjudicated),
            "rate": percent_text(group.rate.value),
            "links": {
                "label": group.denied_claims.url(),
                "denied": group.denied_claims.url(),
                "denied_billed": group.denied_claims.url(),
                "adjudicated": group.adjudicated_claims.url(),
            },
        }
        for index, group in enumerate(groups)
    ]
    return linked_table(columns, rows, marker=marker, label=title)


def linked_table(
    columns: list[Column], rows: list[dict[str, Any]], *, marker: str, label: str
) -> ui.table:
    """A data_table whose every cell can link (row["links"][column]) and whose totals row
    (row["total"]) reads in bold."""
    table = data_table(columns, rows, marker=marker, label=label, wrap=False)
    table.classes("report-table").props("dense")
    table.add_slot("body-cell", _LINKED_CELL)
    table.props[":table-row-class-fn"] = _TOTAL_ROW_CLASS
    return table


def _aging_card(view: ReportView[Any], aging: AgingReport, *, link: tuple[str, str] | None) -> None:
    with (
        _chart_card(
            "A/R aging",
            f"Owed by the plan and by patients on {day(aging.as_of)}, by days since the date "
            "of service",
            marker="aging",
            link=link,
        ),
        ui.element("div").classes("report-split"),
    ):
        drawn = aging_chart(aging)
        with ui.column().classes("w-full gap-2"):
            chart(
                drawn,
                marker="aging-chart",
                empty_title="Nothing owed",
                empty_detail=f"No claim had a balance with the plan or a patient on "
                f"{day(aging.as_of)}.",
            )
            if not drawn.empty:
                with ui.row().classes("w-full justify-end"):
                    chart_png_button(lambda: png_figure(drawn), "A/R aging")
        with ui.column().classes("w-full gap-2"):
            aging_table(aging)


def aging_table(aging: AgingReport) -> None:
    def cells(prefix: str, cell: AgingCell) -> dict[str, str]:
        return {prefix: money(cell.amount), f"{prefix}_claims": count(cell.claims)}

    def links(row_cells: tuple[AgingCell, AgingCell]) -> dict[str, str]:
        plan, patient = row_cells
        return {
            "plan": plan.filters.url(),
            "plan_claims": plan.filters.url(),
            "patient": patient.filters.url(),
            "patient_claims": patient.filters.url(),
        }

    rows: list[dict[str, Any]] = [
        {
            "id": row.bucket.value,
            "age": row.bucket.label,
            **cells("plan", row.plan),
            **cells("patient", row.patient),
            "links": links((row.plan, row.patient)),
        }
        for row in aging.rows
    ]
    rows.append(
        {
            "id": "total",
            "age": "Total",
            "total": True,
            **cells("plan", aging.plan_total),
            **cells("patient", aging.patient_total),
            "links": links((aging.plan_total, aging.patient_total)),
        }
    )
    with ui.element("div").classes("report-tools"):
        export_menu(
            f"A/R aging as of {aging.as_of.isoformat()}"
            if aging.as_of != clock.today()
            else "A/R aging",
            [
                ("age", "Age (days since service)"),
                ("plan", "Owed by the plan ($)"),
                ("plan_claims", "Plan-owed claims"),
                ("patient", "Owed by patients ($)"),
                ("patient_claims", "Patient-owed claims"),
            ],
            [
                {
                    "age": label,
                    "plan": plan.amount,
                    "plan_claims": plan.claims,
                    "patient": patient.amount,
                    "patient_claims": patient.claims,
                }
                for label, plan, patient in [
                    *((row.bucket.label, row.plan, row.patient) for row in aging.rows),
                    ("Total", aging.plan_total, aging.patient_total),
                ]
            ],
        )
    linked_table(
        [
            Column("age", "Age"),
            Column("plan", "Plan owes", money=True),
            Column("plan_claims", "Claims", align="right"),
            Column("patient", "Patients owe", money=True),
            Column("patient_claims", "Claims", align="right"),
        ],
        rows,
        marker="aging-table",
        label=f"A/R aging as of {day(aging.as_of)}",
    )
