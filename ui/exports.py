"""Exports of what the reports show: any table to CSV and XLSX, any chart to PNG (kaleido
driving the installed Chromium), each downloaded under a name saying what it is and the day.

Table values keep their meaning from their type, so one row feeds the screen, the CSV and the
spreadsheet alike: `int` is a count, `Decimal` is money (the portal's rule: a Decimal is
dollars), `Percent` is a fraction shown as a percentage, `float` a plain measure (days in
A/R), `date` a day; anything else is text.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, ParamSpec, TypeVar

from nicegui import ui

from ui import clock

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

Columns = Sequence[tuple[str, str]]  # (row key, header)
Rows = Sequence[Mapping[str, object]]
# A figure as plotly takes it (go.Figure or its dict), or a function returning the one shown
# now, for a chart the page redraws when its filters or the live data change.
Figure = Any

DEBIAN_CHROMIUM = "/usr/bin/chromium"
# A figure that takes longer than this is stuck (a first render takes about 2 s).
RENDER_TIMEOUT_S = 60
# Each render starts a browser (~150 MB, a core for a second or two): two at most, in threads
# of their own, so a burst of exports queues here rather than taking nicegui.run's worker
# threads, which every page's database calls (ui.data.call) need.
_render_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="chart-png")
# Formats Excel applies by value type; widths are in characters of the default font.
MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
MEASURE_FORMAT = "#,##0.0"
DATE_FORMAT = "yyyy-mm-dd"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_WIDTH, MAX_WIDTH = 8, 60
# A spreadsheet opens a CSV cell starting with one of these as a formula ("CSV injection");
# a provider or location name is typed by people, so text cells get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Percent(Decimal):
    """A fraction meant as a percentage: Percent("0.1111") is 11.1 % on screen and in Excel,
    and 0.1111 in a CSV (the fraction, unformatted, as a program reading it expects)."""

    __slots__ = ()


class ChartImageError(RuntimeError):
    """The chart could not be drawn as an image; the message says why, for the user."""


# --- Tables ---


def table_csv(columns: Columns, rows: Rows) -> bytes:
    """UTF-8 with a byte-order mark (what Excel's own "CSV UTF-8" writes, so a name with an
    accent opens intact; Python's utf-8-sig and the portal's importers read it too), a header
    row, RFC 4180 line ends, numbers unformatted (1234.50, not $1,234.50)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(key)) for key, _ in columns])
    return ("\N{BYTE ORDER MARK}" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Percent):
        return format(value.quantize(Decimal("0.000001")).normalize(), "f")
    if isinstance(value, Decimal):
        return format(value, "f")  # never 1E+3
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return _local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return _safe_text(str(value))


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def table_xlsx(title: str, columns: Columns, rows: Rows) -> bytes:
    """One sheet: a bold, frozen header row with filters, each column formatted by what its
    values are, widths fitted to the longest value shown."""
    # Imported here: main.py is imported afresh for every UI test and at each start, and
    # most never export a table.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_title(title)
    workbook.properties.title = title
    workbook.properties.creator = "Portico"
    widths = [len(header) for _, header in columns]
    sheet.append([header for _, header in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for index, (key, _) in enumerate(columns):
            cell = sheet.cell(row=row_number, column=index + 1)
            value = row.get(key)
            number_format, shown = _xlsx_value(cell, value)
            if number_format:
                cell.number_format = number_format
            widths[index] = max(widths[index], len(shown))
    for index, width in enumerate(widths):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows), 1) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(cell: Any, value: object) -> tuple[str, str]:
    """Put `value` in the cell; the number format it takes and the text it shows (for width)."""
    if value is None:
        cell.value = None
        return "", ""
    if isinstance(value, Percent):
        cell.value = value
        return PERCENT_FORMAT, f"{value * 100:.1f}%"
    if isinstance(value, Decimal):
        cell.value = value
        return MONEY_FORMAT, f"{value:,.2f}"
    if isinstance(value, bool):
        cell.value = "Yes" if value else "No"
        return "", cell.value
    if isinstance(value, int):
        cell.value = value
        return COUNT_FORMAT, f"{value:,}"
    if isinstance(value, float):
        cell.value = value
        return MEASURE_FORMAT, f"{value:,.1f}"
    if isinstance(value, datetime):
        cell.value = _local(value).replace(tzinfo=None)  # Excel has no time zones
        return "yyyy-mm-dd hh:mm", "yyyy-mm-dd hh:mm"
    if isinstance(value, date):
        cell.value = value
        return DATE_FORMAT, "yyyy-mm-dd"
    text = str(value)
    cell.value = text
    # openpyxl takes a string starting with "=" for a formula: this is text, always.
    cell.data_type = "s"
    return "", text


def _local(value: datetime) -> datetime:
    return value.astimezone() if value.tzinfo else value


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ ."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()
    return (cleaned or "Export")[:31]


def export_filename(title: str, extension: str, day: date | None = None) -> str:
    """ "Denials by CARC" on 2026-11-26 -> denials-by-carc-2026-11-26.csv"""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "export"
    return f"{slug}-{(day or clock.today()).isoformat()}.{extension}"


def export_menu(
    title: str,
    columns: Columns,
    rows: Rows | Callable[[], Rows],
) -> None:
    """An "Export" button whose menu downloads the table as CSV or XLSX. `rows` may be a
    function returning the rows shown now, for a table redrawn without redrawing its menu."""

    def download(kind: str) -> None:
        # Built right here: a report table is a screenful of aggregates (a page of claims at
        # most), milliseconds of work, so it needs no worker thread.
        shown = rows() if callable(rows) else rows
        if kind == "csv":
            content, media_type = table_csv(columns, shown), "text/csv"
        else:
            content, media_type = table_xlsx(title, columns, shown), XLSX_MEDIA_TYPE
        ui.download.content(content, export_filename(title, kind), media_type)

    label = f"Export {title}".replace('"', "'")
    button = (
        ui.button("Export", icon="download")
        .props(f'flat dense no-caps aria-haspopup="menu" aria-label="{label}"')
        .classes("text-primary")
        .mark("export")
    )
    with button, ui.menu().props("auto-close"):
        ui.menu_item("CSV (comma-separated)", on_click=lambda: download("csv")).mark("export-csv")
        ui.menu_item("Excel workbook (XLSX)", on_click=lambda: download("xlsx")).mark("export-xlsx")


# --- Charts ---


def browser_path() -> str | None:
    """The browser kaleido drives: BROWSER_PATH when set (kaleido's and choreographer's own
    variable, for another machine's Chrome), else Debian's chromium, which `make install`
    puts there. None lets choreographer search PATH for chrome or chromium itself."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured
    return DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None


def chart_png(figure: Figure, width: int = 1100, height: int = 500, scale: float = 1) -> bytes:
    """The figure as a PNG of width x height CSS pixels (times `scale`). Blocking for a couple
    of seconds (a headless browser starts and draws it): pages call it through `rendering`."""
    return chart_pngs([figure], width=width, height=height, scale=scale)[0]


def chart_pngs(
    figures: Sequence[Figure], *, width: int, height: int, scale: float = 1
) -> list[bytes]:
    """Several figures through one browser start (the summary PDF's charts). Runs kaleido's
    own event loop, so not in a thread that has one running (the page's)."""
    options = {"format": "png", "width": width, "height": height, "scale": scale}
    try:
        return asyncio.run(_render(list(figures), options))
    except Exception as error:
        raise _explained(error) from error


async def rendering(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`await rendering(chart_png, figure)`: run image work in the render threads, off the
    event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_render_pool, partial(function, *args, **kwargs))


async def _render(figures: list[Figure], options: dict[str, Any]) -> list[bytes]:
    import kaleido  # type: ignore[import-untyped]

    browser: dict[str, Any] = {"path": path} if (path := browser_path()) else {}
    # mathjax=False: charts have no LaTeX, and its default is a CDN this server may not reach.
    async with kaleido.Kaleido(mathjax=False, timeout=RENDER_TIMEOUT_S, **browser) as renderer:
        images = []
        for figure in figures:
            shown = figure() if callable(figure) else figure
            images.append(await renderer.calc_fig(shown, opts=options))
    return images


def _explained(error: Exception) -> ChartImageError:
    from kaleido.errors import ChromeNotFoundError  # type: ignore[import-untyped]

    if isinstance(error, ChromeNotFoundError):
        message = (
            f"no browser to draw it with on the server ({browser_path() or DEBIAN_CHROMIUM} "
            "not found; `make install` installs Debian's chromium, or set BROWSER_PATH)"
        )
    elif isinstance(error, TimeoutError | asyncio.TimeoutError):
        message = f"drawing it took longer than {RENDER_TIMEOUT_S} seconds"
    else:
        message = "the image renderer failed (the server log has the details)"
    logger.warning("chart image failed: %s", message, exc_info=error)
    return ChartImageError(message)


def png_filename(name: str) -> str:
    """ "ar-aging.png" or "A/R aging" -> ar-aging-2026-11-26.png, like the tables' files."""
    return export_filename(name.removesuffix(".png"), "png")


def chart_png_button(figure: Figure | Callable[[], Figure], filename: str) -> None:
    """A small "PNG" button that downloads the chart as an image. Drawing takes a few seconds
    off the event loop; the button waits (disabled, with a spinner) and says so if it fails."""

    async def download() -> None:
        button.props("loading")
        button.disable()
        try:
            png = await rendering(chart_png, figure() if callable(figure) else figure)
        except ChartImageError as error:
            ui.notify(f"The chart could not be saved as an image: {error}.", type="negative")
            return
        finally:
            button.props(remove="loading")
            button.enable()
        ui.download.content(png, png_filename(filename), "image/png")

    button = (
        ui.button("PNG", icon="image", on_click=download)
        .props('flat dense no-caps aria-label="Download the chart as a PNG image"')
        .classes("text-primary")
        .tooltip("Download the chart as a PNG image")
        .mark("chart-png")
    )
