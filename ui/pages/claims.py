"""The claims list: server-side pages of the caller's claims with filters, sort and page size
in the URL (/claims?status=denied&service_from=2026-03-01&sort=billed&page=2), read on load and
written back on change without a reload, so every view can be bookmarked, shared and linked to
from a dashboard number."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC

from fastapi import Request
from nicegui import ui

from domain.claim_cohorts import COHORT_DEFINITIONS
from domain.claim_filters import PAGE_SIZES, ClaimFilters, Direction, Owed, SortKey
from domain.claim_queries import (
    ClaimListing,
    ClaimPage,
    ClaimTotals,
    claim_totals,
    list_claims,
    rendering_providers,
)
from domain.claims import ClaimStatus
from domain.codes import PLACES_OF_SERVICE, PROCEDURES_BY_CODE
from domain.roles import Area
from domain.scope import Actor
from ui import clock, eob_pdf
from ui.claim_filters import FilterBar, active_filter_labels
from ui.data import call
from ui.format import count, day, money
from ui.frame import frame, portal_page
from ui.live import live_section
from ui.theme import STANDING_ORDER, Heading
from ui.widgets import Column, card, data_table, empty_state, page_controls

NEW_CLAIM_PATH = "/claims/new"
UPLOAD_CLAIMS_PATH = "/claims/upload"
# Column name -> the sort key a click on its header asks for.
SORTABLE = {
    "claim_number": SortKey.CLAIM_NUMBER,
    "service_date": SortKey.SERVICE_DATE,
    "submitted": SortKey.SUBMITTED,
    "total_charge": SortKey.BILLED,
}
_CSS = """
.claims-sort { all: unset; cursor: pointer; display: inline-flex; align-items: center; gap: 2px; }
.claims-sort:focus-visible { outline: 2px solid #1b4f72; outline-offset: 2px; border-radius: 2px; }
.claims-sort .q-icon { font-size: 14px; }
"""


def register() -> None:
    eob_pdf.register()
    portal_page("/claims")(claims_page)


def claims_url(status: ClaimStatus | None = None, page: int = 1) -> str:
    """A link to the list at one standing (the homes' tiles use it)."""
    return ClaimFilters(status=status, page=page).url()


async def claims_page(request: Request) -> None:
    filters = ClaimFilters.from_query(request.query_params)
    async with frame("Claims", area=Area.CLAIMS) as actor:
        ui.add_css(_CSS)
        with ui.row().classes("w-full items-end justify-between gap-4"):
            with ui.column().classes("gap-1"):
                Heading("Claims")
                ui.label(
                    "Claims from every contracted practice"
                    if actor.is_plan_staff
                    else "Your practice's claims"
                ).classes("portico-subtitle")
            if actor.may_open(Area.CLAIM_ENTRY):
                with ui.row().classes("gap-2"):
                    ui.button("New claim", icon="add").props(
                        f"unelevated no-caps href={NEW_CLAIM_PATH}"
                    ).mark("new-claim")
                    ui.button("Upload claims", icon="upload_file").props(
                        f"outline no-caps href={UPLOAD_CLAIMS_PATH}"
                    ).mark("upload-claims")
        view = ClaimsView(actor, filters)
        providers = await call(rendering_providers, actor=actor)
        view.bar = FilterBar(
            filters,
            providers=providers,
            by_npi=actor.is_plan_staff,
            current=lambda: view.filters,
            on_change=view.apply,
        )

        # The live section re-reads with the view's current filters when the status job moves
        # this scope's claims; the filters stay in the URL, which a refresh never touches.
        await live_section(actor, view.load, view.draw)


@dataclass(frozen=True)
class ClaimsData:
    listing: ClaimListing
    # What a report's drill-down adds up to (None: the URL carries no report key).
    totals: ClaimTotals | None


class ClaimsView:
    """One tab's list: its current filters, and the part of the page that shows them."""

    def __init__(self, actor: Actor, filters: ClaimFilters) -> None:
        self.actor = actor
        self.filters = filters
        self.results: ui.column | None = None
        self.bar: FilterBar | None = None
        self._generation = 0

    async def load(self) -> ClaimsData:
        filters = self.filters
        if not is_drill_down(filters):
            return ClaimsData(
                await call(list_claims, actor=self.actor, filters=filters, at=clock.now()), None
            )
        listing, totals = await asyncio.gather(
            call(list_claims, actor=self.actor, filters=filters, at=clock.now()),
            call(claim_totals, actor=self.actor, filters=filters),
        )
        return ClaimsData(listing, totals)

    def draw(self, data: ClaimsData) -> None:
        with ui.column().classes("w-full gap-3") as self.results:
            self._contents(data)

    def _contents(self, data: ClaimsData) -> None:
        listing = data.listing
        # The page may have been clamped to the last one: show (and keep) what is shown.
        self.filters = replace(self.filters, page=listing.page.page)
        if data.totals is not None:
            _drill_totals(data.totals, self.filters, self)
        _status_chips(listing.counts, self.filters, self)
        _claims_table(listing.page, self)

    async def apply(self, wanted: ClaimFilters) -> None:
        """A filter, sort or page changed: new URL (no reload), new rows. A slower answer to an
        earlier change is dropped, so the last change the user made is the one shown."""
        if wanted == self.filters:
            return
        self.filters = wanted
        self._generation += 1
        generation = self._generation
        ui.navigate.history.replace(wanted.url())
        data = await self.load()
        if data is None or generation != self._generation or self.results is None:
            return
        self.results.clear()
        with self.results:
            self._contents(data)
        if self.filters != wanted:  # clamped past the end: the URL says the page shown
            ui.navigate.history.replace(self.filters.url())

    async def choose_status(self, status: ClaimStatus | None) -> None:
        await self.apply(replace(self.filters, status=status, page=1))

    async def sort_by(self, key: SortKey) -> None:
        await self.apply(self.filters.sorted_by(key))

    async def go_to(self, page: int) -> None:
        await self.apply(replace(self.filters, page=page))

    async def show_per_page(self, size: int) -> None:
        await self.apply(replace(self.filters, page_size=size, page=1))


# --- A report's drill-down: what the list adds up to, and which claims it is -----------------

DRILL_KEYS = (
    "practice_id",
    "location_ids",
    "products",
    "procedure",
    "place_of_service",
    "cohort",
    "owed",
    "as_of",
    "age",
)


def is_drill_down(filters: ClaimFilters) -> bool:
    """True when the URL carries a key only the reports set (the filter bar shows none of
    them, so the list says in words what they narrow it to)."""
    return any(getattr(filters, key) not in (None, ()) for key in DRILL_KEYS)


def drill_down_words(filters: ClaimFilters) -> list[str]:
    """Which claims a drill-down lists, in the reports' own words."""
    words = []
    if filters.cohort is not None:
        words.append(f"{filters.cohort.label}: {COHORT_DEFINITIONS[filters.cohort]}")
    as_of = filters.as_of or clock.today()
    if filters.owed is not None:
        age = f", {filters.age.label} old," if filters.age is not None else ""
        words.append(f"{filters.owed.label}{age} at the end of {day(as_of)}.")
    elif filters.age is not None:
        words.append(f"Dates of service {filters.age.label} before {day(as_of)}.")
    if filters.procedure:
        info = PROCEDURES_BY_CODE.get(filters.procedure)
        described = f" · {info.description}" if info else ""
        words.append(f"Principal procedure {filters.procedure}{described}.")
    if filters.place_of_service:
        place = PLACES_OF_SERVICE.get(filters.place_of_service, "")
        words.append(f"Place of service {filters.place_of_service} · {place}.")
    if filters.location_ids:
        several = len(filters.location_ids) > 1
        words.append("At the chosen locations." if several else "At the chosen location.")
    if filters.products:
        words.append("Plan products: " + ", ".join(filters.products) + ".")
    if filters.practice_id is not None:
        words.append("At the chosen practice.")
    return words


def _drill_totals(totals: ClaimTotals, filters: ClaimFilters, view: ClaimsView) -> None:
    with (
        ui.element("section")
        .classes("portico-callout tone-info w-full")
        .props('aria-label="Drill-down totals"')
        .mark("drill-totals")
    ):
        ui.icon("insights", size="22px").classes("mt-0.5")
        with ui.column().classes("gap-1 grow"):
            with ui.row().classes("gap-x-2 gap-y-0 items-baseline font-medium"):
                ui.label(f"{count(totals.count)} claims").mark("drill-count")
                ui.label("·")
                ui.label(f"{money(totals.billed)} billed").mark("drill-billed")
                if totals.owed is not None and filters.owed is not None:
                    party = "the plan" if filters.owed is Owed.PLAN else "patients"
                    as_of = filters.as_of or clock.today()
                    ui.label("·")
                    ui.label(f"{money(totals.owed)} owed by {party} as of {day(as_of)}").mark(
                        "drill-owed"
                    )
            for words in drill_down_words(filters):
                ui.label(words).classes("text-sm").mark("drill-words")
        cleared = without_drill_down(filters)
        link = ui.link("Clear the report filters", cleared.url())
        link.classes("portico-link text-sm shrink-0").mark("drill-clear")
        link.on("click.prevent", lambda: view.apply(cleared))


def without_drill_down(filters: ClaimFilters) -> ClaimFilters:
    return replace(
        filters,
        practice_id=None,
        location_ids=(),
        products=(),
        procedure=None,
        place_of_service=None,
        cohort=None,
        owed=None,
        as_of=None,
        age=None,
        page=1,
    )


def _status_chips(counts: dict[ClaimStatus, int], filters: ClaimFilters, view: ClaimsView) -> None:
    chosen = filters.status
    # The counts are of every claim in scope; beside a drill-down's own totals they would read
    # as its breakdown, so a drill-down shows the standings without them.
    counted = not is_drill_down(filters)
    with (
        ui.element("div")
        .props('role="group" aria-label="Filter by status"')
        .classes("flex flex-wrap gap-2")
        .mark("status-filter")
    ):
        _chip(
            "All",
            sum(counts.values()) if counted else None,
            None,
            view,
            selected=chosen is None,
            marker="filter-all",
        )
        for status in STANDING_ORDER:
            if counts.get(status) or status == chosen:
                _chip(
                    status.label,
                    counts.get(status, 0) if counted else None,
                    status,
                    view,
                    selected=status == chosen,
                    marker=f"filter-{status.value}",
                )


def _chip(
    label: str,
    number: int | None,
    status: ClaimStatus | None,
    view: ClaimsView,
    *,
    selected: bool,
    marker: str,
) -> None:
    # A real link (it opens in a new tab, and works before the socket connects) whose click
    # is taken over to filter in place.
    href = replace(view.filters, status=status, page=1).url()
    chip = (
        ui.link(label if number is None else f"{label} · {count(number)}", target=href)
        .classes(
            "px-3 py-1 rounded-full border text-sm no-underline "
            + (
                "bg-primary text-white border-primary"
                if selected
                else "bg-white text-slate-700 border-slate-300 hover:border-primary"
            )
        )
        .mark(marker)
    )
    chip.on("click.prevent", lambda: view.choose_status(status))
    if selected:
        chip.props('aria-current="true"')


def _claims_table(result: ClaimPage, view: ClaimsView) -> None:
    filters = view.filters
    plan_staff = view.actor.is_plan_staff
    with card(marker="claims-list"):
        if not result.rows:
            active = active_filter_labels(filters)
            empty_state(
                "No claims match" if active else "No claims yet",
                (
                    "No claims match " + "; ".join(active) + ". Change or reset the filters."
                    if active
                    else "Claims appear here as soon as they are submitted."
                ),
                icon="receipt_long",
                marker="claims-empty",
            )
            return
        columns = [
            Column("claim_number", "Claim", link=True),
            # Under the patient's name: the rendering provider, or for plan staff (who see
            # every practice) the practice.
            Column(
                "member_name",
                "Patient",
                secondary="practice_name" if plan_staff else "provider_name",
            ),
            Column("service_date", "Service date"),
            Column("submitted", "Submitted", wide_only=True),
            Column("status", "Status", status=True),
            Column("total_charge", "Billed", money=True),
            Column("paid_amount", "Paid", money=True),
        ]
        table = data_table(
            columns,
            [
                {
                    "id": row.claim_id,
                    "href": f"/claims/{row.claim_id}",
                    "claim_number": row.claim_number,
                    "member_name": row.member_name,
                    "service_date": day(row.service_date),
                    # UTC calendar days, as the submitted-date filter reads them.
                    "submitted": day(row.submitted_at.astimezone(UTC).date())
                    if row.submitted_at
                    else "",
                    "provider_name": row.provider_name,
                    "practice_name": row.practice_name,
                    "status": row.standing.value,
                    "status_label": row.standing.label,
                    "remitted": row.remitted,
                    "total_charge": money(row.total_charge),
                    "paid_amount": money(row.paid_amount),
                }
                for row in result.rows
            ],
            marker="claims-table",
            label="Claims",
            wrap=False,
        )
        _sortable_headers(table, filters, view)
        _pager(result, view)


def _sortable_headers(table: ui.table, filters: ClaimFilters, view: ClaimsView) -> None:
    """Headers that sort on the server: a button in each sortable header (keyboard reachable),
    aria-sort on the column that orders the list."""
    for column in table.columns:
        key = SORTABLE.get(column["name"])
        if key is None:
            continue
        column["sortKey"] = key.value
        if key == filters.sort:
            ascending = filters.direction == Direction.ASCENDING
            column["ariaSort"] = "ascending" if ascending else "descending"
            column["sortIcon"] = "arrow_upward" if ascending else "arrow_downward"
        else:
            column["ariaSort"] = "none"
            column["sortIcon"] = "unfold_more"
    table.add_slot(
        "header-cell",
        '<q-th :props="props" :aria-sort="props.col.ariaSort">'
        '<button v-if="props.col.sortKey" type="button" class="claims-sort" '
        "@click=\"$parent.$emit('sort', props.col.sortKey)\">"
        '{{ props.col.label }}<q-icon :name="props.col.sortIcon" /></button>'
        "<span v-else>{{ props.col.label }}</span></q-th>",
    )
    table.on("sort", lambda event: _sort(view, event.args))


async def _sort(view: ClaimsView, value: object) -> None:
    try:
        key = SortKey(str(value))
    except ValueError:
        return
    await view.sort_by(key)


def _pager(result: ClaimPage, view: ClaimsView) -> None:
    first = (result.page - 1) * result.page_size + 1
    last = first + len(result.rows) - 1
    total = f"{count(result.total)}+" if result.total_capped else count(result.total)
    with ui.row().classes("w-full items-center justify-between gap-3 mt-4").mark("pager"):
        ui.label(f"Showing {count(first)}\N{EN DASH}{count(last)} of {total}").classes(
            "text-sm portico-muted"
        ).mark("claims-total")
        page_controls(
            page=result.page,
            page_size=result.page_size,
            page_sizes=PAGE_SIZES,
            page_count=result.page_count,
            has_next=result.has_next,
            rows_name="Claims",
            on_page_size=view.show_per_page,
            on_page=view.go_to,
        )
