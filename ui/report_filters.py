"""The reports' filter bar: dates of service (with quick ranges), providers, locations, products,
status, denial reason, the A/R as-of day and, for plan staff, the practice. Each change hands
the page a new ClaimFilters holding only the report keys; the page writes it to the URL."""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from enum import StrEnum

from nicegui import ui

from domain.claim_filters import ClaimFilters
from domain.codes import CARC
from domain.revenue_cycle import ReportOptions, applied_filters
from ui.theme import STANDING_ORDER

OnChange = Callable[[ClaimFilters], Awaitable[None]]

_CSS = """
.report-filters { display: grid; gap: 10px 12px; align-items: start;
  grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); }
.report-filters .report-range { grid-column: span 2; min-width: 0; }
.report-filters-top { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 16px;
  margin-bottom: 12px; }
.report-filters .q-field__native > span { overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
"""


class Preset(StrEnum):
    """Quick date-of-service ranges, each ending today."""

    MONTHS_3 = "3m"
    MONTHS_6 = "6m"
    MONTHS_12 = "12m"
    YEAR_TO_DATE = "ytd"

    @property
    def label(self) -> str:
        return {
            Preset.MONTHS_3: "3 months",
            Preset.MONTHS_6: "6 months",
            Preset.MONTHS_12: "12 months",
            Preset.YEAR_TO_DATE: "Year to date",
        }[self]

    def dates(self, today: date) -> tuple[date | None, date | None]:
        """The range as it goes in the URL: the last 12 months is the reports' default (no dates
        in the URL, so a bookmark of it keeps rolling); the others are written out."""
        if self is Preset.MONTHS_12:
            return None, None
        if self is Preset.YEAR_TO_DATE:
            return date(today.year, 1, 1), today
        return months_before(today, 3 if self is Preset.MONTHS_3 else 6), today


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def preset_of(filters: ClaimFilters, today: date) -> Preset | None:
    dates = (filters.service_from, filters.service_to)
    return next((preset for preset in Preset if preset.dates(today) == dates), None)


def report_keys(filters: ClaimFilters) -> ClaimFilters:
    """Only what the reports filter by (a claim-list URL pasted onto a report loses its
    drill-down, sort and paging keys), so equal views have equal URLs."""
    return ClaimFilters(
        service_from=filters.service_from,
        service_to=filters.service_to,
        practice_id=filters.practice_id,
        provider_ids=filters.provider_ids,
        location_ids=filters.location_ids,
        products=filters.products,
        status=filters.status,
        carc=filters.carc,
        as_of=filters.as_of,
    )


def without_defaults(filters: ClaimFilters, today: date) -> ClaimFilters:
    """Drop the dates that equal what the reports take when none are given (the last twelve
    months, A/R as of today): the URL then keeps rolling with the calendar."""
    default = applied_filters(ClaimFilters(), today)
    if (filters.service_from, filters.service_to) == (default.service_from, default.service_to):
        filters = replace(filters, service_from=None, service_to=None)
    if filters.as_of == default.as_of:
        filters = replace(filters, as_of=None)
    return filters


class ReportFilterBar:
    """The controls of one report tab; `current` is the page's filters as the URL has them."""

    def __init__(
        self,
        *,
        options: ReportOptions,
        plan_staff: bool,
        current: Callable[[], ClaimFilters],
        today: Callable[[], date],
        on_change: OnChange,
        as_of: bool = True,
        dates: bool = True,
    ) -> None:
        self.current = current
        self.today = today
        self.on_change = on_change
        self.plan_staff = plan_staff
        self._showing = False
        ui.add_css(_CSS)
        with (
            ui.element("section")
            .classes("portico-card")
            .props('role="search" aria-label="Report filters"')
            .mark("report-filters")
        ):
            with ui.element("div").classes("report-filters-top"):
                dates_label = ui.label("Dates of service").classes(
                    "text-sm font-medium portico-muted"
                )
                self.preset = (
                    ui.toggle({preset.value: preset.label for preset in Preset}, value=None)
                    .props('no-caps unelevated dense toggle-color=primary aria-label="Quick range"')
                    .classes("border rounded-lg")
                    .mark("filter-preset")
                )
                if not dates:
                    # What is owed is owed whenever the visit was: A/R takes no date range (the
                    # URL keeps one for the other reports).
                    dates_label.set_visibility(False)
                    self.preset.set_visibility(False)
                    ui.label(
                        "A/R counts every balance open on the as-of day, whatever the date of "
                        "service."
                    ).classes("text-sm portico-muted")
                ui.space()
                ui.button("Reset", icon="filter_alt_off", on_click=self.reset).props(
                    "flat no-caps dense"
                ).mark("filter-reset")
            with ui.element("div").classes("report-filters"):
                self.service_from = _date("Service from", "filter-service-from")
                self.service_to = _date("Service to", "filter-service-to")
                self.as_of = _date("A/R as of", "filter-as-of")
                # A report without A/R keeps the day in its URL but offers no control for it.
                self.as_of.set_visibility(as_of)
                self.service_from.set_visibility(dates)
                self.service_to.set_visibility(dates)
                self.practice = (
                    _choice(
                        {int(choice.value): choice.label for choice in options.practices},
                        "Practice",
                        "filter-practice",
                    )
                    if plan_staff
                    else None
                )
                self.providers = _choices(
                    {int(choice.value): choice.label for choice in options.providers},
                    "Providers",
                    "filter-providers",
                )
                self.locations = _choices(
                    {int(choice.value): choice.label for choice in options.locations},
                    "Locations",
                    "filter-locations",
                )
                self.products = _choices(
                    {choice.value: choice.label for choice in options.products},
                    "Products",
                    "filter-products",
                )
                self.status = _choice(
                    {status.value: status.label for status in STANDING_ORDER},
                    "Status",
                    "filter-status",
                )
                self.carc = _choice(
                    {code: f"{code} · {text}" for code, text in CARC.items()},
                    "Denial reason (CARC)",
                    "filter-carc",
                    with_input=True,
                )
        self.show(current())
        self.preset.on_value_change(self._choose_preset)
        for control in self._controls():
            control.on_value_change(self.apply)

    def _controls(self) -> list[ui.input | ui.select]:
        controls: list[ui.input | ui.select] = [
            self.service_from,
            self.service_to,
            self.as_of,
            self.providers,
            self.locations,
            self.products,
            self.status,
            self.carc,
        ]
        if self.practice is not None:
            controls.append(self.practice)
        return controls

    def show(self, filters: ClaimFilters) -> None:
        """Put `filters` into the controls, the dates as the reports apply them (the default
        range and as-of day written out, so the user sees what the numbers cover)."""
        today = self.today()
        applied = applied_filters(filters, today)
        self._showing = True
        try:
            preset = preset_of(filters, today)
            self.preset.set_value(preset.value if preset else None)
            self.service_from.set_value(_iso(applied.service_from))
            self.service_to.set_value(_iso(applied.service_to))
            self.as_of.set_value(_iso(applied.as_of))
            if self.practice is not None:
                self.practice.set_value(_known(self.practice, filters.practice_id))
            # Only the caller's own choices are ever named: an id from a shared link that is
            # not among them still narrows the report (to nothing) but is not shown.
            self.providers.set_value(_known_all(self.providers, filters.provider_ids))
            self.locations.set_value(_known_all(self.locations, filters.location_ids))
            self.products.set_value(_known_all(self.products, filters.products))
            self.status.set_value(filters.status.value if filters.status else None)
            self.carc.set_value(filters.carc)
        finally:
            self._showing = False

    def wanted(self) -> ClaimFilters:
        """The filters the controls say (report keys only)."""
        from_controls = ClaimFilters.from_query(
            {
                "service_from": self.service_from.value or "",
                "service_to": self.service_to.value or "",
                "as_of": self.as_of.value or "",
                "status": self.status.value or "",
                "carc": self.carc.value or "",
            }
        )
        current = self.current()
        practice_id = current.practice_id
        if self.practice is not None:
            chosen = self.practice.value
            practice_id = chosen if isinstance(chosen, int) else None
        wanted = replace(
            report_keys(current),
            service_from=from_controls.service_from,
            service_to=from_controls.service_to,
            as_of=from_controls.as_of,
            status=from_controls.status,
            carc=from_controls.carc,
            practice_id=practice_id,
            provider_ids=tuple(sorted(_ints(self.providers.value))),
            location_ids=tuple(sorted(_ints(self.locations.value))),
            products=tuple(sorted(str(item) for item in self.products.value or [])),
        )
        return without_defaults(wanted, self.today())

    async def apply(self) -> None:
        if self._showing:
            return
        wanted = self.wanted()
        if wanted == report_keys(self.current()):
            return
        preset = preset_of(wanted, self.today())
        self._showing = True
        try:
            self.preset.set_value(preset.value if preset else None)
        finally:
            self._showing = False
        await self.on_change(wanted)

    async def _choose_preset(self) -> None:
        if self._showing or not self.preset.value:
            return
        start, end = Preset(self.preset.value).dates(self.today())
        wanted = replace(report_keys(self.current()), service_from=start, service_to=end)
        self.show(wanted)
        await self.on_change(wanted)

    async def reset(self) -> None:
        cleared = ClaimFilters()
        self.show(cleared)
        await self.on_change(cleared)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _ints(values: object) -> list[int]:
    return [value for value in values or [] if isinstance(value, int)]  # type: ignore[attr-defined]


def _known(select: ui.select, value: object) -> object:
    options = select.options
    return value if isinstance(options, dict) and value in options else None


def _known_all(select: ui.select, values: tuple[object, ...]) -> list[object]:
    options = select.options
    return [value for value in values if isinstance(options, dict) and value in options]


def _date(label: str, marker: str) -> ui.input:
    return ui.input(label).props("outlined dense type=date stack-label").mark(marker)


def _choices(options: dict[object, str], label: str, marker: str) -> ui.select:
    """A multiple choice that stays one line high: one choice reads as itself, more as a count
    ("3 selected"), so the bar never grows or reflows as choices are added."""
    select = (
        ui.select(options, label=label, multiple=True, value=[], clearable=True)
        .props("outlined dense options-dense")
        .mark(marker)
    )

    def summarise() -> None:
        chosen = [options[value] for value in select.value or [] if value in options]
        if len(chosen) > 1:
            select.props["display-value"] = f"{len(chosen)} selected"
        else:
            select.props.pop("display-value", None)
        select.update()

    select.on_value_change(summarise)
    return select


def _choice(
    options: dict[object, str], label: str, marker: str, *, with_input: bool = False
) -> ui.select:
    return (
        ui.select(options, label=label, clearable=True, with_input=with_input)
        .props("outlined dense options-dense")
        .mark(marker)
    )
