"""Shared building blocks: cards, KPI tiles, empty states, fact lists and data tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from nicegui import ui

from ui.theme import Heading


@contextmanager
def card(
    title: str | None = None,
    *,
    marker: str | None = None,
    link: tuple[str, str] | None = None,
    subtitle: str | None = None,
) -> Iterator[ui.element]:
    """A white card with an h2 title and an optional 'see all' link on the right."""
    with ui.element("section").classes("portico-card") as box:
        if marker:
            box.mark(marker)
        if title or link:
            with ui.element("div").classes("portico-card-header"):
                with ui.column().classes("gap-0"):
                    if title:
                        Heading(title, level=2)
                    if subtitle:
                        ui.label(subtitle).classes("text-sm portico-muted")
                if link:
                    ui.link(link[0], link[1]).classes("portico-link text-sm")
        yield box


def kpi(
    label: str,
    value: str,
    *,
    caption: str | None = None,
    marker: str | None = None,
    href: str | None = None,
    tone: str | None = None,
) -> None:
    """A key number. With href the whole tile is a link to the records behind the number."""
    tile = ui.link(target=href) if href else ui.element("div")
    tile.classes("portico-kpi" + (f" tone-{tone}" if tone else ""))
    with tile:
        ui.label(label).classes("portico-kpi-label")
        value_label = ui.label(value).classes("portico-kpi-value")
        if marker:
            value_label.mark(marker)
        if caption:
            ui.label(caption).classes("portico-kpi-caption")


def empty_state(
    title: str, detail: str, *, icon: str = "task_alt", marker: str | None = None
) -> None:
    with ui.element("div").classes("portico-empty") as box:
        if marker:
            box.mark(marker)
        ui.icon(icon, size="36px").classes("text-slate-400")
        ui.label(title).classes("font-medium text-slate-700")
        ui.label(detail).classes("text-sm max-w-md")


def fact(label: str, value: str, *, marker: str | None = None) -> None:
    with ui.column().classes("gap-0"):
        ui.label(label).classes("portico-fact-label")
        shown = ui.label(value or "—").classes("portico-fact-value")
        if marker:
            shown.mark(marker)


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    align: str = "left"
    link: bool = False  # rendered as <a href=row.href>
    status: bool = False  # rendered as a status badge from row.status / row.status_label
    money: bool = False
    min_width: int | None = None  # px, for a column whose text should not wrap to a sliver
    secondary: str | None = None  # a row field shown in small type under the value
    wide_only: bool = False  # hidden below 1024 px (tablets), where space is short


def data_table(
    columns: list[Column],
    rows: list[dict[str, Any]],
    *,
    marker: str,
    label: str,
    row_key: str = "id",
    wrap: bool = True,
) -> ui.table:
    """A read-only table; its cells are Vue slots fed by row props, never HTML built from data.

    It sits in a labelled region that scrolls sideways on narrow screens and takes keyboard
    focus, so a wide table stays readable without a mouse (WCAG 2.1.1)."""
    region = ui.element("div").classes("portico-table-scroll").props('role="region" tabindex="0"')
    # Set as a value, not parsed from a props string: a quote in the label cannot add a prop.
    region.props["aria-label"] = label
    with region:
        table = ui.table(
            columns=[
                {
                    "name": column.name,
                    "label": column.label,
                    "field": column.name,
                    "align": "right" if column.money else column.align,
                    "classes": " ".join(
                        name
                        for name, wanted in (
                            ("portico-money", column.money),
                            ("gt-sm", column.wide_only),
                        )
                        if wanted
                    ),
                    "headerClasses": "gt-sm" if column.wide_only else "",
                    "style": f"min-width: {column.min_width}px" if column.min_width else "",
                }
                for column in columns
            ],
            rows=rows,
            row_key=row_key,
        )
    table.props('flat hide-bottom :rows-per-page-options="[0]"').classes("portico-table")
    if wrap:
        table.props("wrap-cells")
    table.mark(marker)
    for column in columns:
        if column.link:
            table.add_slot(
                f"body-cell-{column.name}",
                '<q-td :props="props"><a :href="props.row.href">{{ props.value }}</a></q-td>',
            )
        if column.secondary:
            table.add_slot(
                f"body-cell-{column.name}",
                '<q-td :props="props"><div>{{ props.value }}</div>'
                f'<div class="text-xs portico-muted">{{{{ props.row.{column.secondary} }}}}</div>'
                "</q-td>",
            )
        if column.status:
            table.add_slot(
                f"body-cell-{column.name}",
                '<q-td :props="props"><span :class="\'portico-status status-\' + props.row.status">'
                "{{ props.row.status_label }}</span>"
                '<span v-if="props.row.remitted" class="portico-remitted">Remitted</span></q-td>',
            )
    return table


def page_controls(
    *,
    page: int,
    page_size: int,
    page_sizes: tuple[int, ...],
    page_count: int | None,
    has_next: bool,
    rows_name: str,
    on_page_size: Callable[[int], Any],
    on_page: Callable[[int], Any],
) -> None:
    """Rows per page, Previous, "Page n of m" (m left out when the count was capped) and Next,
    as every paged list shows them."""
    with ui.row().classes("gap-2 items-center"):
        size = ui.select(
            {choice: f"{choice} per page" for choice in page_sizes},
            value=page_size,
            on_change=lambda event: on_page_size(int(event.value)),
        ).props("dense outlined options-dense")
        size.props["aria-label"] = f"{rows_name} per page"
        size.classes("w-36").mark("page-size")
        previous = (
            ui.button("Previous", on_click=lambda: on_page(page - 1))
            .props("outline no-caps dense")
            .classes("px-3")
            .mark("page-previous")
        )
        previous.set_enabled(page > 1)
        of = f" of {page_count:,}" if page_count is not None else ""
        ui.label(f"Page {page:,}{of}").classes("text-sm portico-muted").mark("page-number")
        following = (
            ui.button("Next", on_click=lambda: on_page(page + 1))
            .props("outline no-caps dense")
            .classes("px-3")
            .mark("page-next")
        )
        following.set_enabled(has_next)


def date_filter(label: str, value: date | None, marker: str) -> ui.input:
    """A clearable date input for a list's filter bar (the browser's own date picker)."""
    return (
        ui.input(label, value=value.isoformat() if value else "")
        .props("outlined dense type=date stack-label clearable")
        .mark(marker)
    )
