"""The practice's eligibility checks, newest first: filters kept in the URL query (read on load,
written back on change without a reload), pages served from SQL, each row opening its check."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from fastapi import Request
from nicegui import ui

from domain.eligibility import Problem
from domain.eligibility_service import HistoryFilters, HistoryPage, check_history
from domain.roles import Area
from domain.scope import Actor
from interop.eligibility_csv import parse_date
from ui import clock
from ui.data import call
from ui.eligibility_tabs import HISTORY_PATH, eligibility_header
from ui.format import count, day, moment
from ui.frame import frame, portal_page
from ui.widgets import Column, card, data_table, date_filter, empty_state

PAGE_SIZE = 25
OUTCOMES = {"active": "Active", "inactive": "Not active", "no_match": "No match"}
OUTCOME_TONES = {"active": "active", "inactive": "inactive", "no_match": "nomatch"}
SOURCES = {"portal": "Portal", "batch": "Schedule", "x12": "X12 270"}
_IDENTIFIER = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def register() -> None:
    portal_page(HISTORY_PATH)(history_page)


@dataclass(frozen=True)
class HistoryQuery:
    """The view's state, as it reads in the URL: ?from=2026-03-01&outcome=no_match&page=2."""

    checked_from: date | None = None
    checked_to: date | None = None
    outcome: str | None = None
    source: str | None = None
    member_id: str | None = None
    batch_id: str | None = None
    page: int = 1

    @classmethod
    def from_params(cls, params: dict[str, str]) -> HistoryQuery:
        """Whatever is malformed in a hand-edited URL is dropped, not an error."""
        page = params.get("page", "")
        return cls(
            checked_from=parse_date(params.get("from", "")),
            checked_to=parse_date(params.get("to", "")),
            outcome=params.get("outcome") if params.get("outcome") in OUTCOMES else None,
            source=params.get("source") if params.get("source") in SOURCES else None,
            member_id=_identifier(params.get("member")),
            batch_id=_identifier(params.get("batch")),
            page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
        )

    def url(self) -> str:
        query = {
            "from": self.checked_from.isoformat() if self.checked_from else None,
            "to": self.checked_to.isoformat() if self.checked_to else None,
            "outcome": self.outcome,
            "source": self.source,
            "member": self.member_id,
            "batch": self.batch_id,
            "page": str(self.page) if self.page > 1 else None,
        }
        kept = {name: value for name, value in query.items() if value}
        return HISTORY_PATH + (f"?{urlencode(kept)}" if kept else "")

    def filters(self) -> HistoryFilters:
        return HistoryFilters(
            checked_from=self.checked_from,
            checked_to=self.checked_to,
            outcome=self.outcome,
            source=self.source,
            member_id=self.member_id,
            batch_id=self.batch_id,
        )


def _identifier(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value if _IDENTIFIER.match(value) else None


_CSS = """
.elig-filters { display: grid; gap: 12px 16px; align-items: start;
  grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); }
"""


async def history_page(request: Request) -> None:
    query = HistoryQuery.from_params(dict(request.query_params))
    async with frame("Eligibility history", area=Area.ELIGIBILITY) as actor:
        ui.add_css(_CSS)
        eligibility_header(
            "Eligibility and benefits",
            "Every check your practice has run, with the answer it was given.",
            current=HISTORY_PATH,
        )
        view = HistoryView(actor, query)
        view.draw_filters()
        view.results = ui.column().classes("w-full gap-0")
        await view.load(write_url=False)


class HistoryView:
    def __init__(self, actor: Actor, query: HistoryQuery) -> None:
        self.actor = actor
        self.query = query
        self.results: ui.column

    def draw_filters(self) -> None:
        query = self.query
        with (
            ui.element("section")
            .classes("portico-card")
            .props('role="search" aria-label="Filter checks"')
            .mark("history-filters"),
            ui.element("div").classes("elig-filters"),
        ):
            self.checked_from = date_filter("Checked from", query.checked_from, "filter-from")
            self.checked_to = date_filter("Checked to", query.checked_to, "filter-to")
            self.outcome = _select("Outcome", OUTCOMES, query.outcome, "filter-outcome")
            self.source = _select("Source", SOURCES, query.source, "filter-source")
            self.member_id = _text_input("Member ID", query.member_id, "filter-member")
            self.batch_id = _text_input("Batch", query.batch_id, "filter-batch")
            ui.button("Clear filters", icon="filter_alt_off", on_click=self.clear).props(
                "flat no-caps"
            ).classes("self-center justify-self-start").mark("filter-clear")
        for control in (self.checked_from, self.checked_to, self.outcome, self.source):
            control.on_value_change(self.apply)
        # Typed identifiers apply on Enter or leaving the field, not on every keystroke.
        for field in (self.member_id, self.batch_id):
            field.on("keydown.enter", self.apply)
            field.on("blur", self.apply)

    def _query_from_controls(self) -> HistoryQuery:
        return HistoryQuery.from_params(
            {
                "from": self.checked_from.value or "",
                "to": self.checked_to.value or "",
                "outcome": self.outcome.value or "",
                "source": self.source.value or "",
                "member": self.member_id.value or "",
                "batch": self.batch_id.value or "",
            }
        )

    async def apply(self) -> None:
        wanted = self._query_from_controls()  # a new filter starts again at page 1
        if wanted.filters() == self.query.filters():
            return
        self.query = wanted
        await self.load()

    async def clear(self) -> None:
        # The controls' change handlers run after this and find nothing changed: one reload.
        self.query = HistoryQuery()
        for field in (self.checked_from, self.checked_to, self.member_id, self.batch_id):
            field.set_value("")
        self.outcome.set_value(None)
        self.source.set_value(None)
        await self.load()

    async def go_to(self, page: int) -> None:
        self.query = replace(self.query, page=page)
        await self.load()

    async def load(self, *, write_url: bool = True) -> None:
        result = await call(
            check_history,
            actor=self.actor,
            filters=self.query.filters(),
            at=clock.now(),
            page=self.query.page,
            page_size=PAGE_SIZE,
        )
        if result is None:  # the app is shutting down
            return
        if write_url:
            # The member ID may be in it: acceptable for this filter; no DOB or name ever is.
            ui.navigate.history.replace(self.query.url())
        self.results.clear()
        with self.results:
            _history_table(result, self)


def _select(label: str, options: dict[str, str], value: str | None, marker: str) -> ui.select:
    return (
        ui.select(options, label=label, value=value, clearable=True)
        .props("outlined dense options-dense")
        .mark(marker)
    )


def _text_input(label: str, value: str | None, marker: str) -> ui.input:
    return (
        ui.input(label, value=value or "")
        .props('outlined dense clearable autocomplete=off spellcheck="false"')
        .mark(marker)
    )


def _history_table(result: HistoryPage, view: HistoryView) -> None:
    with card(marker="history-list"):
        if not result.rows:
            empty_state(
                "No checks here",
                "No eligibility checks match these filters."
                if view.query.filters() != HistoryFilters()
                else "Checks appear here as soon as anyone in your practice runs one.",
                icon="history",
                marker="history-empty",
            )
            return
        table = data_table(
            [
                Column("checked_at", "Checked", min_width=165),
                Column("member", "Member", secondary="member_id", min_width=160),
                Column("date_of_service", "Date of service"),
                Column("outcome", "Outcome"),
                Column("problems", "Needs attention", min_width=180, wide_only=True),
                Column("source", "Source", wide_only=True),
                Column("checked_by", "Checked by", min_width=130, wide_only=True),
            ],
            [
                {
                    "id": row.check_id,
                    "href": f"/eligibility/checks/{row.check_id}",
                    "checked_at": moment(row.checked_at),
                    "member": row.member_name or "—",
                    "member_id": row.member_id or "",
                    "date_of_service": day(row.date_of_service),
                    "outcome": OUTCOMES.get(row.outcome, row.outcome),
                    "tone": OUTCOME_TONES.get(row.outcome, "nomatch"),
                    "problems": _problem_labels(row.problems),
                    "source": SOURCES.get(row.source, row.source),
                    "checked_by": row.checked_by,
                    "transaction": row.transaction_id,
                }
                for row in result.rows
            ],
            marker="history-table",
            label="Eligibility checks",
        )
        # The time links to the kept check, with its transaction ID under it.
        table.add_slot(
            "body-cell-checked_at",
            '<q-td :props="props"><a :href="props.row.href">{{ props.value }}</a>'
            '<div class="text-xs portico-muted">{{ props.row.transaction }}</div></q-td>',
        )
        table.add_slot(
            "body-cell-outcome",
            '<q-td :props="props"><span :class="\'elig-status tone-\' + props.row.tone">'
            "{{ props.value }}</span></q-td>",
        )
        _pager(result, view)


def _problem_labels(problems: str) -> str:
    labels = []
    for value in problems.split(","):
        try:
            problem = Problem(value)
        except ValueError:
            continue
        # The outcome column already says no match / not active.
        if problem not in {Problem.NO_MATCH, Problem.NOT_ACTIVE}:
            labels.append(problem.label)
    return "; ".join(labels)


def _pager(result: HistoryPage, view: HistoryView) -> None:
    page_count = max(1, -(-result.total // result.page_size))
    first = (result.page - 1) * result.page_size + 1
    last = first + len(result.rows) - 1
    with ui.row().classes("w-full items-center justify-between mt-4").mark("history-pager"):
        ui.label(
            f"Showing {count(first)}\N{EN DASH}{count(last)} of {count(result.total)}"
        ).classes("text-sm portico-muted")
        with ui.row().classes("gap-2 items-center"):
            previous = (
                ui.button("Previous", on_click=lambda: view.go_to(result.page - 1))
                .props("outline no-caps dense")
                .classes("px-3")
                .mark("page-previous")
            )
            previous.set_enabled(result.page > 1)
            ui.label(f"Page {count(result.page)} of {count(page_count)}").classes(
                "text-sm portico-muted"
            )
            following = (
                ui.button("Next", on_click=lambda: view.go_to(result.page + 1))
                .props("outline no-caps dense")
                .classes("px-3")
                .mark("page-next")
            )
            following.set_enabled(result.page < page_count)
