"""Exports read back by independent readers: the CSV by Python's csv, the XLSX by openpyxl, the
chart PNGs by their IHDR (drawn for real by kaleido with Debian's chromium), the one-page
summary PDF by pypdf."""

from __future__ import annotations

import csv
import io
import struct
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from domain.claim_filters import AgeBucket, ClaimFilters
from domain.revenue_cycle import (
    AgingCell,
    AgingReport,
    AgingRow,
    Dashboard,
    DaysInAr,
    DenialGroup,
    KpiSummary,
    RateKpi,
    Ratio,
)
from ui.dashboard_pdf import (
    CHARTS_MISSING,
    SummaryScope,
    _chart_images,
    render_dashboard_pdf,
)
from ui.exports import (
    ChartImageError,
    Percent,
    chart_png,
    chart_pngs,
    export_filename,
    png_filename,
    table_csv,
    table_xlsx,
)
from ui.format import money

COLUMNS = [
    ("label", "Reason"),
    ("denied", "Denied claims"),
    ("billed", "Denied billed ($)"),
    ("rate", "Denial rate"),
    ("month", "Month"),
]
ROWS: list[dict[str, object]] = [
    {
        "label": "197 · Precertification absent",
        "denied": 1234,
        "billed": Decimal("1234.50"),
        "rate": Percent(Decimal(1) / Decimal(9)),
        "month": date(2026, 3, 1),
    },
    {
        "label": "Dr José Núñez",  # beyond ASCII: a CSV must keep it intact
        "denied": 0,
        "billed": Decimal("0.00"),
        "rate": None,  # an empty period: no rate, not 0 %
        "month": date(2026, 4, 1),
    },
    {
        "label": '=HYPERLINK("http://evil.example","click")',  # typed by a person
        "denied": 7,
        "billed": Decimal("-12.00"),
        "rate": Percent("1"),
        "month": date(2026, 5, 1),
    },
]
GENERATED_AT = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG signature must precede."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


# --- CSV ---


def test_csv_has_a_header_row_and_unformatted_values() -> None:
    content = table_csv(COLUMNS, ROWS)

    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    parsed = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["Reason", "Denied claims", "Denied billed ($)", "Denial rate", "Month"]
    assert parsed[1] == [
        "197 · Precertification absent",
        "1234",
        "1234.50",
        "0.111111",
        "2026-03-01",
    ]
    assert parsed[2] == ["Dr José Núñez", "0", "0.00", "", "2026-04-01"]
    assert parsed[3][1:] == ["7", "-12.00", "1", "2026-05-01"]
    assert b"\r\n" in content and len(parsed) == 4


def test_csv_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    parsed = list(csv.reader(io.StringIO(table_csv(COLUMNS, ROWS).decode("utf-8-sig"))))

    assert parsed[3][0] == '\'=HYPERLINK("http://evil.example","click")'


def test_csv_of_no_rows_is_the_header() -> None:
    assert table_csv(COLUMNS, []).decode("utf-8-sig").splitlines() == [
        "Reason,Denied claims,Denied billed ($),Denial rate,Month"
    ]


def test_decimal_never_turns_scientific() -> None:
    content = table_csv([("amount", "Amount")], [{"amount": Decimal("1E+3")}])
    assert content.decode("utf-8-sig").splitlines()[1] == "1000"


# --- XLSX ---


def test_xlsx_reads_back_with_types_formats_and_a_bold_header() -> None:
    workbook = load_workbook(io.BytesIO(table_xlsx("Denials: by CARC / month?", COLUMNS, ROWS)))
    sheet = workbook.active
    assert sheet is not None

    assert sheet.title == "Denials  by CARC   month"  # Excel refuses : / ? in a sheet name
    assert [cell.value for cell in sheet[1]] == [header for _, header in COLUMNS]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    label, denied, billed, rate, month = sheet[2]
    assert label.value == "197 · Precertification absent"
    assert (denied.value, denied.number_format) == (1234, "#,##0")
    assert (billed.value, billed.number_format) == (1234.5, "#,##0.00")
    assert rate.number_format == "0.0%"
    assert rate.value == pytest.approx(1 / 9)
    assert month.value == datetime(2026, 3, 1)  # Excel keeps days as date-times
    assert month.number_format == "yyyy-mm-dd"
    assert sheet["D3"].value is None
    assert sheet["A3"].value == "Dr José Núñez"
    assert sheet["C4"].value == -12


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text() -> None:
    workbook = load_workbook(io.BytesIO(table_xlsx("Reasons", COLUMNS, ROWS)))
    sheet = workbook.active
    assert sheet is not None

    cell = sheet["A4"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","click")'


def test_xlsx_columns_are_as_wide_as_their_longest_value_within_bounds() -> None:
    long_label = "x" * 200
    rows = [*ROWS, {"label": long_label, "denied": 1}]
    sheet = load_workbook(io.BytesIO(table_xlsx("Reasons", COLUMNS, rows))).active
    assert sheet is not None

    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDE"}
    assert widths["A"] == 60  # capped: a 200-character label does not make a 200-wide column
    assert widths["B"] >= len("Denied claims")
    assert widths["C"] >= len("Denied billed ($)")
    assert all(8 <= width <= 60 for width in widths.values())


def test_file_names_say_what_and_when() -> None:
    day = date(2026, 11, 26)

    assert export_filename("Denials by CARC", "csv", day) == "denials-by-carc-2026-11-26.csv"
    assert export_filename("A/R aging ($)", "xlsx", day) == "a-r-aging-2026-11-26.xlsx"
    assert export_filename("   ", "csv", day) == "export-2026-11-26.csv"
    assert png_filename("ar-aging.png") == f"ar-aging-{date.today().isoformat()}.png"


# --- Chart PNGs (a real browser) ---


def _figure(title: str = "Initial denials per month") -> go.Figure:
    return go.Figure(
        go.Bar(x=["Jan", "Feb", "Mar"], y=[3, 5, 2], marker_color="#B91C1C"),
        layout={"title": {"text": title}},
    )


def test_a_chart_becomes_a_png_of_the_asked_size() -> None:
    assert png_size(chart_png(_figure())) == (1100, 500)


def test_several_charts_share_one_browser_and_keep_their_size_and_scale() -> None:
    first, second = chart_pngs(
        [_figure(), _figure("A/R by age").to_dict()], width=540, height=420, scale=2
    )

    assert png_size(first) == (1080, 840)
    assert png_size(second) == (1080, 840)
    assert first != second


def test_without_a_browser_the_error_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")

    with pytest.raises(ChartImageError, match=r"no browser .*/nonexistent/chromium not found"):
        chart_png(_figure())


# --- The one-page summary PDF ---


def _rate(key: str, label: str, numerator: str, denominator: str, *, dollars: bool = False):
    return RateKpi(
        key=key,
        label=label,
        ratio=Ratio(Decimal(numerator), Decimal(denominator)),
        numerator_claims=ClaimFilters(),
        denominator_claims=ClaimFilters(),
        definition=f"What {label} means.",
        formula=f"{label} numerator ÷ {label} denominator",
        benchmark="",
        higher_is_better=True,
        in_dollars=dollars,
    )


def _cell(amount: str, claims: int = 1) -> AgingCell:
    return AgingCell(Decimal(amount), claims, ClaimFilters())


def _group(key: str, label: str, denied: int, billed: str) -> DenialGroup:
    return DenialGroup(
        key=key,
        label=label,
        denied=denied,
        denied_billed=Decimal(billed),
        adjudicated=denied * 9,
        adjudicated_billed=Decimal(billed) * 9,
        denied_claims=ClaimFilters(),
        adjudicated_claims=ClaimFilters(),
    )


def make_dashboard(**changes: object) -> Dashboard:
    service_from, service_to, as_of = date(2025, 11, 27), date(2026, 11, 26), date(2026, 11, 26)
    kpis = KpiSummary(
        service_from=service_from,
        service_to=service_to,
        denial_rate_count=_rate("denial_rate_count", "Initial denial rate (count)", "96", "805"),
        denial_rate_dollars=_rate(
            "denial_rate_dollars",
            "Initial denial rate (dollars)",
            "17435.00",
            "149754.00",
            dollars=True,
        ),
        clean_claim_rate=_rate("clean_claim_rate", "Clean-claim rate", "709", "812"),
        first_pass_rate=_rate("first_pass_rate", "First-pass resolution rate", "763", "812"),
        net_collection_rate=_rate(
            "net_collection_rate", "Net collection rate", "87196.37", "110192.31", dollars=True
        ),
        days_in_ar=DaysInAr(
            as_of=as_of,
            receivables=Decimal("16076.61"),
            charges=Decimal("43147.00"),
            window_days=90,
            definition="",
            formula="A/R ÷ average daily charges",
            benchmark="",
        ),
    )
    amounts = ["6617.24", "725.00", "245.00", "375.00", "985.00"]
    aging = AgingReport(
        as_of=as_of,
        rows=[
            AgingRow(bucket, _cell(amount), _cell("100.00"))
            for bucket, amount in zip(AgeBucket, amounts, strict=True)
        ],
        plan_total=_cell("8947.24"),
        patient_total=_cell("500.00"),
    )
    months = [
        _group(f"2026-{month:02}", date(2026, month, 1).strftime("%b %Y"), month, "100.00")
        for month in range(1, 12)
    ]
    reasons = [
        _group("16", "16 · Claim lacks information needed for adjudication", 37, "6916.00"),
        _group("11", "11 · Diagnosis inconsistent with the procedure", 19, "3065.00"),
        _group("50", "50 · Not deemed a medical necessity by the payer", 14, "2695.00"),
    ]
    values: dict[str, object] = {
        "filters": ClaimFilters(service_from=service_from, service_to=service_to, as_of=as_of),
        "kpis": kpis,
        "aging": aging,
        "denials_by_month": months,
        "top_denial_reasons": reasons,
    }
    values.update(changes)
    return Dashboard(**values)  # type: ignore[arg-type]


SCOPE = SummaryScope("Riverside Family Medicine", [])


def _pdf(figures: Dashboard, scope: SummaryScope = SCOPE, **kwargs: object) -> PdfReader:
    content = render_dashboard_pdf(figures, scope=scope, generated_at=GENERATED_AT, **kwargs)  # type: ignore[arg-type]
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def _text(reader: PdfReader) -> str:
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


def test_the_summary_is_one_letter_page_with_every_figure_and_both_charts() -> None:
    figures = make_dashboard()
    charts, note = _chart_images(figures)  # drawn for real, as the download does
    assert note == ""

    reader = _pdf(figures, charts=charts)

    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    text = _text(reader)
    for expected in (
        "Revenue-cycle summary",
        "Riverside Family Medicine",
        "Dates of service 11/27/2025 - 11/26/2026",
        "A/R as of 11/26/2026",
        "Initial denial rate (count) 11.9%",
        "96 / 805",
        "Initial denial rate (dollars) 11.6%",
        "$17,435.00 / $149,754.00",
        "Clean-claim rate 87.3%",
        "First-pass resolution rate 94.0%",
        "Net collection rate 79.1%",
        "Days in A/R 33.5 days",
        "Clean-claim rate numerator ÷ Clean-claim rate denominator",  # the formula
        "0-30 days $6,617.24 $100.00 $6,717.24",
        f"Total $8,947.24 $500.00 {money(Decimal('9447.24'))}",
        "16 - Claim lacks information needed for",
        "Page 1 of 1",
    ):
        assert expected in text, f"{expected!r} not in the summary"
    images = list(page.images)
    assert len(images) == 2
    assert all(image.image is not None and image.image.size == (1080, 840) for image in images)


def test_the_worst_case_still_fits_one_page() -> None:
    """Every reason at its longest, a plan-wide view narrowed every way, huge amounts: the
    tables are bounded and the charts shrink into what room is left."""
    long_label = "252 · " + "An attachment/other documentation is required to adjudicate " * 3
    figures = make_dashboard(
        top_denial_reasons=[_group(str(n), long_label, 10_000 - n, "9999999.99") for n in range(10)]
    )
    scope = SummaryScope(
        "All contracted practices",
        [f"Providers: {', '.join(['Dr Maria Alvarez-Montenegro, MD'] * 3)} and 47 more"] * 4,
    )
    images = chart_pngs([_figure(), _figure("A/R by age")], width=540, height=420, scale=2)
    charts = [("Initial denials per month", images[0]), ("A/R by age", images[1])]

    reader = _pdf(figures, scope, charts=charts)

    assert len(reader.pages) == 1
    assert len(list(reader.pages[0].images)) == 2


def test_without_charts_the_summary_says_why() -> None:
    reader = _pdf(make_dashboard(), charts=[], chart_note=f"{CHARTS_MISSING}: no browser.")

    assert len(reader.pages) == 1
    assert CHARTS_MISSING in _text(reader)
    assert list(reader.pages[0].images) == []


def test_an_empty_period_shows_dashes_not_zero_percent() -> None:
    empty = make_dashboard(top_denial_reasons=[])
    kpis = empty.kpis
    zero = Ratio(Decimal(0), Decimal(0))
    empty = replace(
        empty,
        kpis=replace(
            kpis,
            denial_rate_count=replace(kpis.denial_rate_count, ratio=zero),
            days_in_ar=replace(kpis.days_in_ar, charges=Decimal("0.00")),
        ),
    )

    text = _text(_pdf(empty))

    assert "Initial denial rate (count) -" in text
    assert "Days in A/R -" in text
    assert "No initial denials in this range." in text
