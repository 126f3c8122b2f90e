"""The claim list's filter bar: the most used filters in one row, the rest behind "More
filters", and a Reset; each change hands a new ClaimFilters to the page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date

from nicegui import ui

from domain.claim_filters import (
    ClaimFilters,
    claim_number_or_none,
)
from domain.codes import CARC
from domain.npi import is_valid_npi
from ui.format import day

OnChange = Callable[[ClaimFilters], Awaitable[None]]

_CSS = """
.claims-filters { display: grid; gap: 10px 12px; align-items: center;
  grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); }
.claims-filters-more { margin-top: 10px; }
"""


def active_filter_labels(filters: ClaimFilters) -> list[str]:
    """What narrows the list, in words, for the empty state ("status Denied; CARC 197")."""
    labels = []
    if filters.status:
        labels.append(f"status {filters.status.label}")
    if filters.claim_number:
        labels.append(f"claim number {filters.claim_number}")
    if filters.member_id:
        labels.append(f"member ID {filters.member_id}")
    if filters.member_name:
        labels.append(f'patient "{filters.member_name}"')
    if filters.service_from or filters.service_to:
        labels.append("service " + _span(filters.service_from, filters.service_to))
    if filters.submitted_from or filters.submitted_to:
        labels.append("submitted " + _span(filters.submitted_from, filters.submitted_to))
    if filters.provider_ids:
        labels.append(
            "the chosen providers" if len(filters.provider_ids) > 1 else "the chosen provider"
        )
    if filters.provider_npi:
        labels.append(f"provider NPI {filters.provider_npi}")
    if filters.carc:
        labels.append(f"denial reason CARC {filters.carc}")
    return labels


def _span(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{day(start)} to {day(end)}"
    return f"from {day(start)}" if start else f"through {day(end)}"


class FilterBar:
    def __init__(
        self,
        filters: ClaimFilters,
        *,
        providers: list[tuple[int, str]],
        by_npi: bool,
        current: Callable[[], ClaimFilters],
        on_change: OnChange,
    ) -> None:
        self.current = current
        self.on_change = on_change
        self.by_npi = by_npi
        ui.add_css(_CSS)
        with (
            ui.element("section")
            .classes("portico-card")
            .props('role="search" aria-label="Filter claims"')
            .mark("claims-filters")
        ):
            with ui.element("div").classes("claims-filters"):
                self.claim_number = _text("Claim number", "filter-claim")
                self.patient = _text("Patient name or member ID", "filter-patient")
                self.service_from = _date("Service from", "filter-service-from")
                self.service_to = _date("Service to", "filter-service-to")
                with ui.row().classes("gap-1 items-center no-wrap"):
                    self.more_button = (
                        ui.button("More filters", icon="tune", on_click=self._toggle_more)
                        .props("flat no-caps dense")
                        .mark("filter-more")
                    )
                    ui.button("Reset", icon="filter_alt_off", on_click=self.reset).props(
                        "flat no-caps dense"
                    ).mark("filter-reset")
            with ui.element("div").classes("claims-filters claims-filters-more") as self.more:
                self.submitted_from = _date("Submitted from", "filter-submitted-from")
                self.submitted_to = _date("Submitted to", "filter-submitted-to")
                if by_npi:
                    self.provider: ui.input | ui.select = _text(
                        "Rendering provider NPI", "filter-provider"
                    )
                else:
                    self.provider = (
                        ui.select(
                            dict(providers),
                            label="Rendering provider",
                            clearable=True,
                            multiple=True,
                            value=[],
                        )
                        .props("outlined dense options-dense use-chips")
                        .mark("filter-provider")
                    )
                self.carc = (
                    ui.select(
                        {code: f"{code} · {text}" for code, text in CARC.items()},
                        label="Denial reason (CARC)",
                        clearable=True,
                        with_input=True,
                    )
                    .props("outlined dense options-dense")
                    .mark("filter-carc")
                )
        self.show(filters)
        # Dates and choices apply at once; typed text on Enter or on leaving the field.
        for control in (
            self.service_from,
            self.service_to,
            self.submitted_from,
            self.submitted_to,
            self.carc,
            *((self.provider,) if not by_npi else ()),
        ):
            control.on_value_change(self.apply)
        for field in (self.claim_number, self.patient, *((self.provider,) if by_npi else ())):
            field.on("keydown.enter", self.apply)
            field.on("blur", self.apply)
            field.on("clear", self.apply)

    def show(self, filters: ClaimFilters) -> None:
        """Put `filters` into the controls (on load, and after a reset)."""
        self._showing = True
        try:
            self.claim_number.set_value(filters.claim_number or "")
            self.patient.set_value(filters.patient_text)
            self.service_from.set_value(_iso(filters.service_from))
            self.service_to.set_value(_iso(filters.service_to))
            self.submitted_from.set_value(_iso(filters.submitted_from))
            self.submitted_to.set_value(_iso(filters.submitted_to))
            if not isinstance(self.provider, ui.select):
                self.provider.set_value(filters.provider_npi or "")
            else:
                # Only the practice's own providers can be shown (a shared link's other ids
                # still filter, to nothing, but are never named).
                options = self.provider.options
                known = [
                    pid
                    for pid in filters.provider_ids
                    if isinstance(options, dict) and pid in options
                ]
                self.provider.set_value(known)
            self.carc.set_value(filters.carc)
        finally:
            self._showing = False
        hidden = sum(
            value is not None
            for value in (
                filters.submitted_from,
                filters.submitted_to,
                filters.provider_ids or None,
                filters.provider_npi,
                filters.carc,
            )
        )
        self.more_button.set_text(f"More filters ({hidden})" if hidden else "More filters")
        if hidden:
            self.more.set_visibility(True)
        elif not getattr(self, "_more_opened", False):
            self.more.set_visibility(False)

    def _toggle_more(self) -> None:
        self._more_opened = not self.more.visible
        self.more.set_visibility(self._more_opened)

    def wanted(self) -> ClaimFilters:
        """The filters the controls say, keeping the current sort and page size; page 1."""
        from_controls = ClaimFilters.from_query(
            {
                "service_from": self.service_from.value or "",
                "service_to": self.service_to.value or "",
                "submitted_from": self.submitted_from.value or "",
                "submitted_to": self.submitted_to.value or "",
                "carc": self.carc.value or "",
            }
        )
        current = self.current()
        wanted = replace(
            current,
            service_from=from_controls.service_from,
            service_to=from_controls.service_to,
            submitted_from=from_controls.submitted_from,
            submitted_to=from_controls.submitted_to,
            carc=from_controls.carc,
            claim_number=claim_number_or_none(self.claim_number.value or ""),
            page=1,
        ).with_patient(self.patient.value or "")
        if self.by_npi:
            npi = (self.provider.value or "").strip()
            wanted = replace(wanted, provider_npi=npi if is_valid_npi(npi) else None)
        else:
            value = self.provider.value or []
            chosen = tuple(sorted(pid for pid in value if isinstance(pid, int)))
            wanted = replace(wanted, provider_ids=chosen)
        return wanted

    async def apply(self) -> None:
        if self._showing:
            return
        wanted = self.wanted()
        if wanted.narrowing == self.current().narrowing:
            return
        await self.on_change(wanted)

    async def reset(self) -> None:
        current = self.current()
        cleared = ClaimFilters(
            sort=current.sort, direction=current.direction, page_size=current.page_size
        )
        self.show(cleared)
        await self.on_change(cleared)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _date(label: str, marker: str) -> ui.input:
    return ui.input(label).props("outlined dense type=date stack-label clearable").mark(marker)


def _text(label: str, marker: str) -> ui.input:
    return (
        ui.input(label)
        .props('outlined dense clearable autocomplete=off spellcheck="false"')
        .mark(marker)
    )
