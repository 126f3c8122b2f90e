"""The dashboard as a printable one-page summary (Letter, portrait; fpdf2): the KPIs with their
formulas, A/R aging, the top denial reasons and the two main charts, for the filters in the
URL. Served at /reports/summary.pdf?<the dashboard's query> and by the dashboard's button."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fastapi import Request
from fastapi.responses import Response
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout
from nicegui import app, run, ui

from domain.access import PageAccess, open_area
from domain.claim_filters import ClaimFilters
from domain.revenue_cycle import (
    Choice,
    Dashboard,
    DaysInAr,
    RateKpi,
    ReportOptions,
    dashboard,
    report_options,
)
from domain.roles import Area
from domain.scope import Actor, NotAuthorized
from ui import clock
from ui.charts import aging_chart, denial_trend_chart, percent_text, png_figure
from ui.data import call
from ui.downloads import Download, file_download
from ui.exports import ChartImageError, chart_pngs, rendering
from ui.format import count, date_range, day, moment, money
from ui.pdf import HEADINGS, INK, MUTED, Document, masthead, plain, rule, table

logger = logging.getLogger(__name__)

SUMMARY_PATH = "/reports/summary.pdf"
TITLE = "Revenue-cycle summary"
REPORT_NOT_FOUND = "Report not found"
# The page's geometry (mm): Letter is 215.9 x 279.4; fpdf2 breaks to a new page past
# BOTTOM_LIMIT, which the layout below never reaches (the test reads back one page).
MARGIN = 12
BOTTOM_LIMIT = 18
GUTTER = 5
# The charts are drawn at this CSS size and twice the pixels: on a 93 mm column that keeps the
# charts' 12 px text at about 6 pt, readable on paper.
CHART_WIDTH_PX, CHART_HEIGHT_PX, CHART_SCALE = 540, 420, 2
# Rows kept in the reasons table, and the length a reason's label is cut to, so the table's
# height is known in advance whatever the data.
TOP_REASONS = 6
REASON_CHARS = 64
NARROWED_CHARS = 260  # the filters line: two lines at most
TOTALS = FontFace(emphasis="BOLD", color=INK, fill_color=(248, 250, 252))
CHARTS_MISSING = "The charts could not be drawn for this copy"


@dataclass(frozen=True)
class SummaryScope:
    """Whose numbers the page shows, in words: the practice (or the plan's practices) and
    what else narrows them."""

    organisation: str
    narrowed_by: list[str]


def register() -> None:
    app.get(SUMMARY_PATH, include_in_schema=False)(dashboard_summary_pdf)


def summary_pdf_url(filters: ClaimFilters) -> str:
    return filters.url(SUMMARY_PATH)


async def dashboard_summary_pdf(request: Request) -> Response:
    """For the roles that open the dashboards, over their own scope (the use cases filter by
    it): the same checks and headers as every file the portal serves."""
    filters = ClaimFilters.from_query(request.query_params)

    async def summary_file(access: PageAccess) -> Download:
        return await summary_download(access, filters)

    return await file_download(
        request, area=Area.DASHBOARDS, not_found=REPORT_NOT_FOUND, produce=summary_file
    )


async def summary_download(access: PageAccess, filters: ClaimFilters) -> Download:
    actor = access.actor
    today = clock.today()
    figures = await call(dashboard, actor=actor, filters=filters, today=today)
    options = await call(report_options, actor=actor)
    charts, note = await rendering(_chart_images, figures)
    pdf = await run.io_bound(
        render_dashboard_pdf,
        figures,
        scope=summary_scope(access, figures.filters, options),
        generated_at=clock.now(),
        charts=charts,
        chart_note=note,
    )
    return Download(pdf or b"", "application/pdf", f"revenue-cycle-summary-{today}.pdf")


def _chart_images(figures: Dashboard) -> tuple[list[tuple[str, bytes]], str]:
    """The two main charts as (title, PNG), or none and a note saying why: a missing browser
    costs the pictures, never the summary. The page prints each title as a heading."""
    drawn = [denial_trend_chart(figures.denials_by_month), aging_chart(figures.aging)]
    printable = []
    for chart in drawn:
        figure = png_figure(chart)
        figure.update_layout(
            title={"text": ""},
            width=CHART_WIDTH_PX,
            height=CHART_HEIGHT_PX,
            margin={"l": 4, "r": 4, "t": 30, "b": 4},
            legend={"y": 1.02, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        )
        printable.append(figure)
    try:
        images = chart_pngs(
            printable, width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX, scale=CHART_SCALE
        )
    except ChartImageError as error:
        return [], f"{CHARTS_MISSING}: {error}."
    return [(chart.title, image) for chart, image in zip(drawn, images, strict=True)], ""


def summary_scope(
    access: PageAccess, applied: ClaimFilters, options: ReportOptions
) -> SummaryScope:
    """Names come from the caller's own report options only (their providers, locations and,
    for plan staff, the practices), so a shared link never names another practice's people."""

    def named(ids: Sequence[int], choices: Sequence[Choice], what: str) -> str:
        labels = {choice.value: choice.label for choice in choices}
        names = [labels[str(item)] for item in ids if str(item) in labels]
        if not names:
            return f"{what}: none of yours"
        shown = ", ".join(names[:3])
        return f"{what}: {shown}" + (f" and {len(names) - 3} more" if len(names) > 3 else "")

    organisation = access.organisation_name
    if access.actor.is_plan_staff:
        practices = {choice.value: choice.label for choice in options.practices}
        if applied.practice_id is not None:
            organisation = practices.get(str(applied.practice_id), "No practice of the plan")
        else:
            organisation = "All contracted practices"
    narrowed: list[str] = []
    if applied.provider_ids:
        narrowed.append(named(applied.provider_ids, options.providers, "Providers"))
    if applied.location_ids:
        narrowed.append(named(applied.location_ids, options.locations, "Locations"))
    if applied.products:
        narrowed.append("Products: " + ", ".join(applied.products))
    if applied.status:
        narrowed.append(f"Status: {applied.status.label}")
    if applied.carc:
        narrowed.append(f"Denial reason: CARC {applied.carc}")
    return SummaryScope(organisation, narrowed)


# --- The page ---


def render_dashboard_pdf(
    figures: Dashboard,
    *,
    scope: SummaryScope,
    generated_at: datetime,
    charts: Sequence[tuple[str, bytes]] = (),
    chart_note: str = "",
) -> bytes:
    pdf = Document(
        title=f"{TITLE} - {scope.organisation}",
        footer_text=f"Generated {moment(generated_at)}  -  {TITLE}  -  {scope.organisation}",
        margin=MARGIN,
    )
    pdf.set_auto_page_break(auto=True, margin=BOTTOM_LIMIT)
    pdf.add_page()
    _title(pdf, figures, scope)
    _kpis(pdf, figures)
    _aging_and_reasons(pdf, figures)
    _charts(pdf, charts, chart_note)
    return bytes(pdf.output())


def _title(pdf: FPDF, figures: Dashboard, scope: SummaryScope) -> None:
    masthead(pdf, TITLE)
    kpis = figures.kpis
    pdf.set_font("helvetica", "B", 10)
    pdf.set_text_color(*INK)
    pdf.cell(0, 5, plain(scope.organisation), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=9)
    pdf.set_text_color(*MUTED)
    as_of = figures.aging.as_of
    pdf.cell(
        0,
        4.6,
        plain(
            f"Dates of service {date_range(kpis.service_from, kpis.service_to)}  -  "
            f"A/R as of {day(as_of)}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if scope.narrowed_by:
        pdf.set_font("helvetica", size=8)
        narrowed = _cut("; ".join(scope.narrowed_by), NARROWED_CHARS)
        pdf.multi_cell(0, 4, plain(narrowed), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    rule(pdf, space_after=2)


def _heading(pdf: FPDF, text: str, *, width: float = 0) -> None:
    pdf.set_font("helvetica", "B", 10.5)
    pdf.set_text_color(*INK)
    pdf.cell(width, 6, plain(text), new_x="LEFT", new_y="NEXT")


def _rate_value(kpi: RateKpi) -> str:
    return percent_text(kpi.ratio.value)


def _rate_terms(kpi: RateKpi) -> str:
    numerator, denominator = kpi.ratio.numerator, kpi.ratio.denominator
    if kpi.in_dollars:
        return f"{money(numerator)} / {money(denominator)}"
    return f"{count(int(numerator))} / {count(int(denominator))}"


def _days_value(days: DaysInAr) -> str:
    value = days.value
    return "-" if value is None else f"{value.quantize(Decimal('0.1'))} days"


def _kpis(pdf: FPDF, figures: Dashboard) -> None:
    kpis = figures.kpis
    rows = [(kpi.label, _rate_value(kpi), kpi.formula, _rate_terms(kpi)) for kpi in kpis.rates]
    days = kpis.days_in_ar
    rows.append(
        (
            "Days in A/R",
            _days_value(days),
            days.formula,
            f"{money(days.receivables)} / ({money(days.charges)} / {days.window_days})",
        )
    )
    _heading(pdf, "Key figures")
    table(
        pdf,
        ("Measure", "Value", "Formula", "Terms"),
        rows,
        widths=(44, 20, 84, 44),
        align=("LEFT", "RIGHT", "LEFT", "RIGHT"),
        space_after=3,
    )


def _aging_and_reasons(pdf: FPDF, figures: Dashboard) -> None:
    """A/R aging on the left, the top denial reasons on the right."""
    top = pdf.get_y()
    full = pdf.w - 2 * MARGIN
    left_width = 86.0
    right_width = full - left_width - GUTTER

    aging = figures.aging
    _heading(pdf, f"A/R aging as of {day(aging.as_of)}", width=left_width)
    pdf.set_font("helvetica", size=8.5)
    aging_rows = [
        (
            row.bucket.label,
            money(row.plan.amount),
            money(row.patient.amount),
            money(row.plan.amount + row.patient.amount),
        )
        for row in aging.rows
    ]
    aging_rows.append(
        (
            "Total",
            money(aging.plan_total.amount),
            money(aging.patient_total.amount),
            money(aging.total),
        )
    )
    _column_table(
        pdf,
        ("Age", "Plan owes", "Patients owe", "Total"),
        aging_rows,
        widths=(20, 22, 22, 22),
        align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        x=MARGIN,
        total_row=True,
    )
    left_bottom = pdf.get_y()

    pdf.set_xy(MARGIN + left_width + GUTTER, top)
    reasons = figures.top_denial_reasons[:TOP_REASONS]
    _heading(pdf, "Top denial reasons (initial denials)", width=right_width)
    if reasons:
        reason_rows = [
            (_cut(group.label), count(group.denied), money(group.denied_billed))
            for group in reasons
        ]
        _column_table(
            pdf,
            ("Reason (CARC)", "Denied", "Billed"),
            reason_rows,
            widths=(right_width - 42, 16, 26),
            align=("LEFT", "RIGHT", "RIGHT"),
            x=MARGIN + left_width + GUTTER,
        )
    else:
        pdf.set_font("helvetica", size=9)
        pdf.set_text_color(*MUTED)
        pdf.cell(right_width, 5, "No initial denials in this range.", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(MARGIN, max(left_bottom, pdf.get_y()) + 1)
    rule(pdf, space_after=2)


def _cut(label: str, limit: int = REASON_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 3].rstrip() + "..."


def _column_table(
    pdf: FPDF,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[float],
    align: Sequence[str],
    x: float,
    total_row: bool = False,
) -> None:
    """A table of its own width in a column of the page (ui.pdf's tables span the page): fpdf2
    lays a table out from the left margin, so the margin moves to the column meanwhile."""
    margin = pdf.l_margin
    pdf.set_left_margin(x)
    pdf.set_x(x)
    pdf.set_font("helvetica", size=8.5)
    pdf.set_text_color(*INK)
    try:
        with pdf.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align=tuple(align),
            headings_style=HEADINGS,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=4.4,
            padding=(0.8, 1.5),
        ) as drawn:
            heading = drawn.row()
            for text in headings:
                heading.cell(plain(text))
            for index, values in enumerate(rows):
                last = total_row and index == len(rows) - 1
                row = drawn.row(style=TOTALS if last else None)
                for text in values:
                    row.cell(plain(text))
    finally:
        pdf.set_left_margin(margin)
    pdf.ln(1)


def _charts(pdf: FPDF, charts: Sequence[tuple[str, bytes]], note: str) -> None:
    """The charts side by side under their titles, scaled to the room left on the page (never
    onto a second one)."""
    if not charts:
        if note:
            pdf.set_font("helvetica", "I", 8.5)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(0, 4.2, plain(note), new_x="LMARGIN", new_y="NEXT")
        return
    top = pdf.get_y()
    column = (pdf.w - 2 * MARGIN - GUTTER * (len(charts) - 1)) / len(charts)
    for index, (title, _) in enumerate(charts):
        pdf.set_xy(MARGIN + index * (column + GUTTER), top)
        _heading(pdf, title, width=column)
    images_top = pdf.get_y() + 1
    room = pdf.h - BOTTOM_LIMIT - images_top - 1
    width = min(column, room * CHART_WIDTH_PX / CHART_HEIGHT_PX)
    height = width * CHART_HEIGHT_PX / CHART_WIDTH_PX
    for index, (_, png) in enumerate(charts):
        x = MARGIN + index * (column + GUTTER)
        pdf.image(io.BytesIO(png), x=x, y=images_top, w=width, h=height)
    pdf.set_xy(MARGIN, images_top + height)


# --- The button on the dashboard ---


def summary_pdf_button(actor: Actor, filters: ClaimFilters) -> None:
    """ "Summary PDF": builds the one-page summary of the dashboard as filtered and downloads
    it. It takes a few seconds (the charts are drawn by a browser), so the button shows that
    it works and says so if it fails."""

    async def download() -> None:
        button.props("loading")
        button.disable()
        try:
            access = await call(
                open_area,
                user_id=actor.user_id,
                area=Area.DASHBOARDS,
                path=SUMMARY_PATH,
                at=clock.now(),
                source_ip=actor.source_ip,
            )
            if access is None or not access.allowed:
                raise NotAuthorized(Area.DASHBOARDS.value)
            summary = await summary_download(access, filters)
        except NotAuthorized:
            ui.notify("Your role does not include the dashboards any more.", type="negative")
            return
        finally:
            button.props(remove="loading")
            button.enable()
        ui.download.content(summary.content, summary.file_name, summary.media_type)

    button = (
        ui.button("Summary PDF", icon="picture_as_pdf", on_click=download)
        .props("outline no-caps")
        .tooltip("A printable one-page summary of this dashboard")
        .mark("summary-pdf")
    )
