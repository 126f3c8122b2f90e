"""The audit log: who looked at or changed what, when and from where. A practice admin reads
their practice's events, a plan admin every practice's; filters live in the URL, the table
pages newest first, the hash chain's state sits on top, and the filtered events download as
CSV. Every look and every export is itself an audit event."""

from __future__ import annotations

from dataclasses import replace

from fastapi import Request
from fastapi.responses import Response
from nicegui import app, ui

from domain.access import PageAccess
from domain.audit_chain import ChainStatus, chain_status, seal, verify
from domain.audit_log import (
    AUDIT_PATH,
    OUTCOMES,
    PAGE_SIZES,
    AuditChoices,
    AuditFilters,
    AuditPage,
    AuditRow,
    audit_choices,
    export_audit_events,
    search_audit_events,
)
from domain.roles import Area
from domain.scope import Actor
from ui import clock
from ui.data import call
from ui.downloads import Download, file_download
from ui.exports import export_filename, table_csv
from ui.format import count, moment
from ui.frame import frame, portal_page
from ui.theme import Heading
from ui.widgets import Column, card, data_table, date_filter, empty_state, page_controls

EXPORT_PATH = "/audit/export.csv"
SEAL_BATCH = 5000
OUTCOME_LABELS = {
    "ok": "OK",
    "refused": "Refused",
    "failed": "Failed",
    "not_found": "Not found",
}
_CSS = """
.audit-filters { display: grid; gap: 12px 16px; align-items: start;
  grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); }
.audit-outcome { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px; }
.audit-outcome.tone-ok { background: #DCFCE7; color: #166534; }
.audit-outcome.tone-refused, .audit-outcome.tone-failed { background: #FEE2E2; color: #991B1B; }
.audit-outcome.tone-not_found { background: #FEF3C7; color: #92400E; }
"""
# The CSV: every column the table has, plus the detail and the event's own id and chain state.
EXPORT_COLUMNS = [
    ("id", "Event ID"),
    ("occurred_at", "When"),
    ("user_name", "User"),
    ("user_email", "Email"),
    ("practice_name", "Practice"),
    ("action", "Action"),
    ("entity_type", "Record type"),
    ("entity_id", "Record ID"),
    ("outcome", "Outcome"),
    ("source_ip", "Source IP"),
    ("detail", "Detail"),
    ("sealed", "Sealed"),
]


def register() -> None:
    app.get(EXPORT_PATH, include_in_schema=False)(audit_export)
    portal_page(AUDIT_PATH)(audit_log_page)


async def audit_log_page(request: Request) -> None:
    filters = AuditFilters.from_query(request.query_params)
    async with frame("Audit log", area=Area.AUDIT_LOG) as actor:
        ui.add_css(_CSS)
        with ui.column().classes("gap-1"):
            Heading("Audit log").mark("audit-title")
            ui.label(
                "Sign-ins, record reads, changes and exports across every practice"
                if actor.is_plan_staff
                else "Sign-ins, record reads, changes and exports in your practice"
            ).classes("portico-subtitle")
        chain = ui.element("div").classes("w-full")
        with chain:
            _chain_indicator(await call(chain_status), actor, chain)
        choices = await call(audit_choices, actor=actor)
        view = AuditView(actor, filters, choices)
        view.draw_filters()
        view.results = ui.column().classes("w-full gap-0")
        await view.load(write_url=False)


def _chain_indicator(status: ChainStatus, actor: Actor, chain: ui.element) -> None:
    """Sealed and waiting counts, and the latest verify's verdict (a practice admin sees the
    verdict but not its detail, which may name another practice's event). A plan admin can
    seal and verify now."""
    broken = status.verify_problem is not None
    tone = "tone-alert" if broken else "tone-info"
    with (
        ui.element("section")
        .classes(f"portico-callout {tone} w-full")
        .props('aria-label="Audit chain"')
        .mark("audit-chain")
    ):
        ui.icon("link_off" if broken else "link", size="22px").classes("mt-0.5")
        with ui.column().classes("gap-1 grow"):
            waiting = (
                f"; {count(status.unsealed)} newer waiting to be sealed" if status.unsealed else ""
            )
            ui.label(f"Hash chain: {count(status.sealed_through)} events sealed{waiting}.").classes(
                "font-medium"
            ).mark("chain-counts")
            if status.verified_at is None:
                verdict = "Not verified yet (python main.py audit verify)."
            elif broken:
                detail = f": {status.verify_problem}" if actor.is_plan_staff else ""
                verdict = f"Last verify, {moment(status.verified_at)}, found a problem{detail}."
            else:
                verdict = (
                    f"Last verify, {moment(status.verified_at)}: intact "
                    f"({count(status.verified_count or 0)} events)."
                )
            ui.label(verdict).classes("text-sm").mark("chain-verdict")
        if actor.is_plan_staff:
            button = (
                ui.button("Verify now", icon="verified")
                .props("outline no-caps dense")
                .classes("px-3 self-center")
                .mark("chain-verify")
            )
            button.on_click(lambda: _verify_now(actor, chain, button))


async def _verify_now(actor: Actor, chain: ui.element, button: ui.button) -> None:
    """Seal what is waiting, then walk the whole chain, in worker threads (a long chain takes
    seconds); the verdict is kept on the chain head and shown here."""
    button.props("loading")
    button.disable()
    while await call(seal, limit=SEAL_BATCH, at=clock.now()) == SEAL_BATCH:
        pass
    await call(verify, at=clock.now())
    status = await call(chain_status)
    chain.clear()
    with chain:
        _chain_indicator(status, actor, chain)


class AuditView:
    def __init__(self, actor: Actor, filters: AuditFilters, choices: AuditChoices) -> None:
        self.actor = actor
        self.filters = filters
        self.choices = choices
        self.results: ui.column

    def draw_filters(self) -> None:
        filters, choices = self.filters, self.choices
        with (
            ui.element("section")
            .classes("portico-card")
            .props('role="search" aria-label="Filter audit events"')
            .mark("audit-filters"),
            ui.element("div").classes("audit-filters"),
        ):
            self.date_from = date_filter("From", filters.date_from, "filter-from")
            self.date_to = date_filter("To", filters.date_to, "filter-to")
            self.user = _select(
                "User",
                {choice.value: choice.label for choice in choices.users},
                _text(filters.user_id),
                "filter-user",
            )
            self.action = _select(
                "Action",
                {action: action for action in choices.actions},
                filters.action,
                "filter-action",
            )
            self.outcome = _select(
                "Outcome",
                {value: OUTCOME_LABELS[value] for value in OUTCOMES},
                filters.outcome,
                "filter-outcome",
            )
            self.entity_type = _select(
                "Record type",
                {kind: kind for kind in choices.entity_types},
                filters.entity_type,
                "filter-entity",
            )
            self.entity_id = (
                ui.input("Record ID", value=filters.entity_id or "")
                .props('outlined dense clearable autocomplete=off spellcheck="false"')
                .mark("filter-record")
            )
            self.practice: ui.select | None = None
            if self.actor.is_plan_staff:
                self.practice = _select(
                    "Practice",
                    {choice.value: choice.label for choice in choices.practices},
                    _text(filters.practice_id),
                    "filter-practice",
                )
            ui.button("Clear filters", icon="filter_alt_off", on_click=self.clear).props(
                "flat no-caps"
            ).classes("self-center justify-self-start").mark("filter-clear")
        selects = [self.date_from, self.date_to, self.user, self.action, self.outcome]
        selects += [self.entity_type] + ([self.practice] if self.practice else [])
        for control in selects:
            control.on_value_change(self.apply)
        # A typed id applies on Enter or on leaving the field, not on every keystroke.
        self.entity_id.on("keydown.enter", self.apply)
        self.entity_id.on("blur", self.apply)

    def _filters_from_controls(self) -> AuditFilters:
        return AuditFilters.from_query(
            {
                "from": self.date_from.value or "",
                "to": self.date_to.value or "",
                "user": self.user.value or "",
                "action": self.action.value or "",
                "outcome": self.outcome.value or "",
                "entity": self.entity_type.value or "",
                "record": self.entity_id.value or "",
                "practice": (self.practice.value or "") if self.practice else "",
                "size": str(self.filters.page_size),
            }
        )

    async def apply(self) -> None:
        wanted = self._filters_from_controls()  # a new filter starts again at page 1
        if wanted == self.filters.first_page():
            return
        self.filters = wanted
        await self.load()

    async def clear(self) -> None:
        self.filters = AuditFilters(page_size=self.filters.page_size)
        for field in (self.date_from, self.date_to, self.entity_id):
            field.set_value("")
        for control in (self.user, self.action, self.outcome, self.entity_type, self.practice):
            if control is not None:
                control.set_value(None)
        await self.load()

    async def go_to(self, page: int) -> None:
        self.filters = replace(self.filters, page=page)
        await self.load()

    async def show_per_page(self, size: int) -> None:
        self.filters = replace(self.filters, page_size=size, page=1)
        await self.load()

    async def load(self, *, write_url: bool = True) -> None:
        result = await call(
            search_audit_events, actor=self.actor, filters=self.filters, at=clock.now()
        )
        if result is None:  # the app is shutting down
            return
        # The page may have been clamped to the last one: show (and keep) what is shown.
        self.filters = replace(self.filters, page=result.page)
        if write_url:
            ui.navigate.history.replace(self.filters.url())
        self.results.clear()
        with self.results:
            _events_table(result, self)


def _text(value: int | None) -> str | None:
    return str(value) if value is not None else None


def _select(label: str, options: dict[str, str], value: str | None, marker: str) -> ui.select:
    # A value the options do not hold (a user since removed, a hand-made URL) shows as none.
    return (
        ui.select(options, label=label, value=value if value in options else None, clearable=True)
        .props("outlined dense options-dense")
        .mark(marker)
    )


def _events_table(result: AuditPage, view: AuditView) -> None:
    plan_staff = view.actor.is_plan_staff
    with card(marker="audit-list"):
        with ui.row().classes("w-full items-center justify-between mb-2"):
            total = f"{count(result.total)}+" if result.total_capped else count(result.total)
            ui.label(f"{total} events").classes("text-sm portico-muted").mark("audit-total")
            ui.button("Export CSV", icon="download").props(
                f'flat dense no-caps href="{view.filters.first_page().url(EXPORT_PATH)}" '
                'aria-label="Export the filtered audit events as CSV"'
            ).classes("text-primary").mark("audit-export")
        if not result.rows:
            empty_state(
                "No events here",
                "No audit events match these filters.",
                icon="history",
                marker="audit-empty",
            )
            return
        columns = [
            Column("when", "When", min_width=175),
            Column("who", "Who", secondary="email", min_width=180),
            Column("action", "Action"),
            Column("record", "Record", min_width=110),
        ]
        if plan_staff:
            columns.append(Column("practice", "Practice", min_width=140))
        columns += [
            Column("outcome", "Outcome"),
            Column("source_ip", "Source IP", wide_only=True),
            Column("detail", "Detail", wide_only=True, min_width=160),
        ]
        table = data_table(
            columns,
            [_table_row(row) for row in result.rows],
            marker="audit-table",
            label="Audit events",
        )
        table.add_slot(
            "body-cell-outcome",
            '<q-td :props="props"><span :class="\'audit-outcome tone-\' + props.row.tone">'
            "{{ props.value }}</span></q-td>",
        )
        _pager(result, view)


def _table_row(row: AuditRow) -> dict[str, object]:
    record = f"{row.entity_type} {row.entity_id}".strip()
    return {
        "id": row.id,
        "when": moment(row.occurred_at),
        "who": row.user_name or ("System" if row.user_id is None else f"User {row.user_id}"),
        "email": row.user_email,
        "action": row.action,
        "record": record or "—",
        "practice": row.practice_name or "Plan",
        "outcome": OUTCOME_LABELS.get(row.outcome, row.outcome),
        "tone": row.outcome if row.outcome in OUTCOME_LABELS else "failed",
        "source_ip": row.source_ip,
        "detail": row.detail,
    }


def _pager(result: AuditPage, view: AuditView) -> None:
    first = (result.page - 1) * result.page_size + 1
    last = first + len(result.rows) - 1
    with ui.row().classes("w-full items-center justify-between mt-4").mark("audit-pager"):
        ui.label(f"Showing {count(first)}\N{EN DASH}{count(last)}").classes("text-sm portico-muted")
        page_controls(
            page=result.page,
            page_size=result.page_size,
            page_sizes=PAGE_SIZES,
            page_count=None if result.total_capped else result.page_count,
            has_next=result.has_next,
            rows_name="Events",
            on_page_size=view.show_per_page,
            on_page=view.go_to,
        )


async def audit_export(request: Request) -> Response:
    """The filtered events as CSV (cells a spreadsheet would run as formulas are quoted by
    table_csv); audited as an export, scoped like the page."""
    filters = AuditFilters.from_query(request.query_params)

    async def audit_csv(access: PageAccess) -> Download:
        rows = await call(export_audit_events, actor=access.actor, filters=filters, at=clock.now())
        content = table_csv(EXPORT_COLUMNS, [_export_row(row) for row in rows])
        return Download(content, "text/csv; charset=utf-8", export_filename("Audit log", "csv"))

    return await file_download(
        request, area=Area.AUDIT_LOG, not_found="Not found", produce=audit_csv
    )


def _export_row(row: AuditRow) -> dict[str, object]:
    return {
        "id": row.id,
        "occurred_at": row.occurred_at,
        "user_name": row.user_name,
        "user_email": row.user_email,
        "practice_name": row.practice_name,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "outcome": row.outcome,
        "source_ip": row.source_ip,
        "detail": row.detail,
        "sealed": row.sealed,
    }
