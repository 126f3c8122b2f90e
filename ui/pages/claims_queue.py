"""The claims examiner's workspace: the pended queue (filters in the URL), one claim's review with
Approve / Adjust / Deny, the open appeals with Overturn / Uphold, and attachment downloads."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from nicegui import app, run, ui

from domain.access import PageAccess
from domain.appeals import (
    AppealList,
    AppealRefused,
    AppealStatus,
    AppealView,
    attachment_for_download,
    decide_appeal,
    list_appeals,
)
from domain.claim_entry import parse_money
from domain.events import ClaimsChanged, claims_changed
from domain.examiner import (
    DENIAL_CARCS,
    PEND_KIND_LABELS,
    ClaimReview,
    DecisionOutcome,
    DecisionRefused,
    PendKind,
    QueueFilters,
    QueuePage,
    adjust_claim,
    approve_claim,
    deny_claim,
    pended_claims,
    review_claim,
)
from domain.roles import Area
from domain.scope import Actor, NotFound
from storage.attachments import StoredFileMissing, attachment_store
from ui import clock
from ui.data import call
from ui.downloads import Download, file_download
from ui.format import count, day, moment, money
from ui.frame import frame, portal_page
from ui.live import live_section
from ui.theme import Heading, message_panel, status_badge
from ui.widgets import Column, card, data_table, empty_state, fact

QUEUE_PATH = "/claims-queue"
CLAIM_NOT_PENDED = "Claim not found"
CARC_OPTIONS = {code: f"{code} · {text}" for code, text in DENIAL_CARCS.items()}
# Callout tones ui/theme.py does not define yet (warn: waiting on someone; good: done), in the
# theme's palette and contrast.
CALLOUT_CSS = """
.portico-callout.tone-warn { background: #FFFBEB; border: 1px solid #FDE68A; color: #78350F; }
.portico-callout.tone-good { background: #F0FDF4; border: 1px solid #BBF7D0; color: #14532D; }
"""


def register() -> None:
    portal_page(QUEUE_PATH)(queue_page)
    portal_page(QUEUE_PATH + "/{claim_id}")(review_page)
    app.get("/appeals/attachments/{attachment_id}", include_in_schema=False)(download_attachment)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def queue_url(
    practice: int | None = None, reason: PendKind | None = None, page: int = 1, tab: str = ""
) -> str:
    query: dict[str, str] = {}
    if tab:
        query["tab"] = tab
    if practice is not None:
        query["practice"] = str(practice)
    if reason is not None:
        query["reason"] = reason.value
    if page > 1:
        query["page"] = str(page)
    return QUEUE_PATH + (f"?{urlencode(query)}" if query else "")


async def queue_page(
    practice: str | None = None,
    reason: str | None = None,
    page: str | None = None,
    tab: str | None = None,
) -> None:
    practice_id = _number(practice)
    kind = PendKind(reason) if reason in {k.value for k in PendKind} else None
    page_number = _number(page) or 1
    showing_appeals = tab == "appeals"
    async with frame("Pended queue", area=Area.CLAIMS_QUEUE) as actor:
        ui.add_css(CALLOUT_CSS)
        with ui.column().classes("gap-1"):
            Heading("Pended queue")
            ui.label(
                "Claims adjudication set aside for an examiner, oldest first, and appeals "
                "waiting for a decision."
            ).classes("portico-subtitle")
        with (
            ui.element("nav")
            .props('aria-label="Queue sections"')
            .classes("flex gap-2")
            .mark("queue-tabs")
        ):
            _tab_link("Pended claims", queue_url(), selected=not showing_appeals)
            _tab_link("Appeals", queue_url(tab="appeals"), selected=showing_appeals)
        if showing_appeals:
            await _appeals_section(actor, page_number)
            return
        filters = QueueFilters(practice_id=practice_id, kind=kind, page=page_number)

        async def load() -> QueuePage:
            return await call(pended_claims, actor=actor, filters=filters, at=clock.now())

        await live_section(actor, load, lambda found: _queue(found, filters))


def _tab_link(label: str, href: str, *, selected: bool) -> None:
    link = ui.link(label, href).classes(
        "px-4 py-2 rounded-md text-sm font-medium no-underline "
        + ("bg-primary text-white" if selected else "bg-white text-slate-700 border")
    )
    if selected:
        link.props('aria-current="page"')


def _queue(found: QueuePage, filters: QueueFilters) -> None:
    with ui.row().classes("items-end gap-3 flex-wrap").mark("queue-filters"):
        practices = {0: "All practices"} | {
            p.practice_id: f"{p.name} ({count(p.pended)})" for p in found.practices
        }
        ui.select(
            practices,
            value=filters.practice_id or 0,
            label="Practice",
            on_change=lambda e: ui.navigate.to(
                queue_url(e.value or None, filters.kind)  # a new filter starts at page 1
            ),
        ).classes("min-w-[16rem]").mark("filter-practice")
        reasons = {"": "Any reason"} | {
            kind.value: label for kind, label in PEND_KIND_LABELS.items()
        }
        ui.select(
            reasons,
            value=filters.kind.value if filters.kind else "",
            label="Pend reason",
            on_change=lambda e: ui.navigate.to(
                queue_url(filters.practice_id, PendKind(e.value) if e.value else None)
            ),
        ).classes("min-w-[12rem]").mark("filter-reason")
    with card(marker="queue-list"):
        if not found.rows:
            empty_state(
                "Nothing pended here",
                "No claim waits for an examiner with these filters.",
                marker="queue-empty",
            )
            return
        data_table(
            [
                Column("claim_number", "Claim", link=True),
                Column("practice_name", "Practice"),
                Column("service_date", "Service date", wide_only=True),
                Column("age", "Age", align="right", min_width=88),
                Column("reason", "Pend reason", min_width=280, secondary="kinds"),
                Column("total_charge", "Billed", money=True),
            ],
            [
                {
                    "id": row.claim_id,
                    "href": f"{QUEUE_PATH}/{row.claim_id}",
                    "claim_number": row.claim_number,
                    "practice_name": row.practice_name,
                    "service_date": day(row.service_date_from),
                    "age": _age(row.age_days),
                    "reason": row.pend_note or "Pended for review",
                    "kinds": " · ".join(kind.label for kind in row.kinds),
                    "total_charge": money(row.total_charge),
                }
                for row in found.rows
            ],
            marker="queue-table",
            label="Pended claims",
        )
        first = (found.page - 1) * found.page_size + 1
        with ui.row().classes("w-full items-center justify-between mt-4").mark("queue-pager"):
            ui.label(
                f"Showing {count(first)}\N{EN DASH}{count(first + len(found.rows) - 1)} "
                f"of {count(found.total)}"
            ).classes("text-sm portico-muted")
            with ui.row().classes("gap-2 items-center"):
                if found.page > 1:
                    ui.link(
                        "Previous", queue_url(filters.practice_id, filters.kind, found.page - 1)
                    ).classes("portico-link text-sm")
                ui.label(f"Page {found.page} of {found.page_count}").classes(
                    "text-sm portico-muted"
                )
                if found.page < found.page_count:
                    ui.link(
                        "Next", queue_url(filters.practice_id, filters.kind, found.page + 1)
                    ).classes("portico-link text-sm")


def _age(days: int) -> str:
    return {0: "today", 1: "1 day"}.get(days, f"{days:,} days")


# --- One claim's review ---


async def review_page(claim_id: str) -> None:
    async with frame("Review claim", area=Area.CLAIMS_QUEUE) as actor:
        ui.add_css(CALLOUT_CSS)
        wanted = _number(claim_id)
        review = (
            await call(review_claim, actor=actor, claim_id=wanted, at=clock.now())
            if wanted
            else None
        )
        if review is None:
            ui.status_code(404)
            with message_panel("search_off", CLAIM_NOT_PENDED, marker="claim-not-found"):
                ui.link("Back to the queue", QUEUE_PATH).classes("portico-link mt-2")
            return
        ReviewView(actor, review).draw()


class ReviewView:
    def __init__(self, actor: Actor, review: ClaimReview) -> None:
        self.actor = actor
        self.review = review
        self.allowed_inputs: dict[int, ui.input] = {}
        self.denial_selects: dict[int, ui.select] = {}

    def draw(self) -> None:
        detail = self.review.detail
        with ui.row().classes("items-center gap-2 text-sm"):
            ui.link("Pended queue", QUEUE_PATH).classes("portico-link")
            ui.label("/").classes("portico-muted")
            ui.label(detail.claim_number).classes("portico-muted")
        with ui.row().classes("items-center gap-3 flex-wrap"):
            Heading(f"Review claim {detail.claim_number}").mark("review-title")
            status_badge(detail.status).mark("review-status")
        ui.label(
            f"{detail.practice_name} · {detail.member_name} · Member ID {detail.member_id}"
        ).classes("portico-subtitle")
        self.result = ui.column().classes("w-full gap-3").props('aria-live="polite"')
        if self.review.pend_note:
            with ui.element("div").classes("portico-callout tone-warn w-full").mark("pend-reason"):
                ui.icon("pending_actions", size="22px")
                with ui.column().classes("gap-0"):
                    ui.label(" · ".join(k.label for k in self.review.kinds)).classes(
                        "font-semibold"
                    )
                    ui.label(self.review.pend_note)
        with card("Claim", marker="review-facts"), ui.element("div").classes("portico-facts"):
            fact("Billed", money(detail.total_charge))
            fact(
                "Review threshold",
                money(self.review.pend_threshold) if self.review.pend_threshold else "",
            )
            fact("Place of service", detail.place_of_service)
            fact("Service date", day(detail.service_date_from))
            fact("Rendering provider", detail.rendering_provider)
        if not self.review.pended:
            with self.result:
                _callout(
                    "info",
                    "Not pended",
                    f"This claim is {detail.standing.label.lower()}: there is nothing to decide.",
                    marker="decision-result",
                )
            ui.link("Open the claim", f"/claims/{detail.claim_id}").classes("portico-link")
            return
        self._lines_and_adjust()
        with ui.element("div").classes("portico-grid-2"):
            self._approve()
            self._deny()

    def _lines_and_adjust(self) -> None:
        with card(
            "Service lines",
            subtitle="Price a line by hand, or deny it, then Save adjustment. Lines left blank "
            "are priced by the fee schedule.",
            marker="review-lines",
        ):
            with (
                ui.element("div").classes("w-full overflow-x-auto"),
                ui.grid(
                    columns="auto minmax(12rem,1fr) auto auto auto minmax(10rem,14rem) "
                    "minmax(12rem,18rem)"
                ).classes("items-center gap-x-4 gap-y-2 w-full"),
            ):
                for header in (
                    "Line",
                    "Procedure",
                    "Units",
                    "Billed",
                    "Schedule allows",
                    "Allowed (by hand)",
                    "Deny line",
                ):
                    ui.label(header).classes("portico-fact-label")
                for line in self.review.detail.lines:
                    pricing = self.review.pricing.get(line.line_number)
                    ui.label(str(line.line_number))
                    ui.label(
                        " ".join(p for p in (line.procedure_code, line.procedure_description) if p)
                    )
                    ui.label(str(line.units)).classes("text-right")
                    ui.label(money(line.charge_amount)).classes("portico-money")
                    schedule = pricing.schedule_allowed if pricing else None
                    ui.label(
                        money(schedule)
                        if schedule is not None
                        else (
                            "Unlisted: price it" if pricing and pricing.unlisted else "Not on file"
                        )
                    ).classes("portico-money" if schedule is not None else "text-amber-800")
                    self.allowed_inputs[line.line_number] = (
                        ui.input(
                            label=f"Allowed, line {line.line_number}",
                            placeholder="e.g. 400.00",
                        )
                        .props("dense outlined prefix=$")
                        .mark(f"allowed-{line.line_number}")
                    )
                    self.denial_selects[line.line_number] = (
                        ui.select(
                            {"": "Do not deny"} | CARC_OPTIONS,
                            value="",
                            label=f"Deny line {line.line_number}",
                        )
                        .props("dense outlined")
                        .mark(f"deny-line-{line.line_number}")
                    )
            self.adjust_note = (
                ui.input("Note for the timeline (optional)")
                .classes("w-full mt-3")
                .mark("adjust-note")
            )
            ui.button("Save adjustment", icon="tune", on_click=self.adjust).props(
                "unelevated no-caps color=primary"
            ).classes("mt-3").mark("adjust")

    def _approve(self) -> None:
        with card(
            "Approve",
            subtitle="Pay as the fee schedule prices it, clearing the high-dollar review.",
            marker="approve-card",
        ):
            self.approve_note = (
                ui.input("Note for the timeline (optional)").classes("w-full").mark("approve-note")
            )
            ui.button("Approve", icon="check_circle", on_click=self.approve).props(
                "unelevated no-caps color=positive"
            ).classes("mt-3").mark("approve")

    def _deny(self) -> None:
        with card(
            "Deny",
            subtitle="Every line is denied with this reason (group CO).",
            marker="deny-card",
        ):
            self.deny_carc = (
                ui.select(CARC_OPTIONS, label="Denial reason (CARC)", value=None)
                .classes("w-full")
                .mark("deny-carc")
            )
            self.deny_note = (
                ui.textarea("Reason the practice will read")
                .props("outlined autogrow maxlength=400")
                .classes("w-full")
                .mark("deny-note")
            )
            ui.button("Deny claim", icon="block", on_click=self.deny).props(
                "unelevated no-caps color=negative"
            ).classes("mt-3").mark("deny")

    async def approve(self) -> None:
        await self._run(approve_claim, note=self.approve_note.value or "")

    async def deny(self) -> None:
        await self._run(
            deny_claim, carc=self.deny_carc.value or "", note=self.deny_note.value or ""
        )

    async def adjust(self) -> None:
        allowed: dict[int, Decimal] = {}
        problems = []
        for number, field in self.allowed_inputs.items():
            text = (field.value or "").strip()
            if not text:
                continue
            amount = parse_money(text)
            if amount is None or amount < 0 or amount != amount.quantize(Decimal("0.01")):
                problems.append(f"Line {number}: {text!r} is not an amount in dollars and cents.")
            else:
                allowed[number] = amount
        denials = {n: s.value for n, s in self.denial_selects.items() if s.value}
        if problems:
            self._error(" ".join(problems))
            return
        await self._run(
            adjust_claim,
            allowed_by_line=allowed,
            denial_by_line=denials,
            note=self.adjust_note.value or "",
        )

    async def _run(self, use_case: object, **arguments: object) -> None:
        try:
            outcome: DecisionOutcome = await call(
                use_case,  # type: ignore[arg-type]
                actor=self.actor,
                claim_id=self.review.detail.claim_id,
                at=clock.now(),
                **arguments,
            )
        except (DecisionRefused, NotFound) as refused:
            self._error(str(refused) if isinstance(refused, DecisionRefused) else CLAIM_NOT_PENDED)
            return
        # After the commit: open claim pages, lists and the practice's home redraw.
        claims_changed.publish(ClaimsChanged.of([outcome.claim_id], [outcome.practice_id]))
        self.result.clear()
        with self.result:
            _callout(
                "good",
                f"Claim {outcome.claim_number} is {outcome.status.label.lower()}",
                f"Plan pays {money(outcome.paid_amount)}. The decision is on the claim's "
                "timeline and in the next remittance.",
                marker="decision-result",
            )
            with ui.row().classes("gap-4"):
                ui.link("Back to the queue", QUEUE_PATH).classes("portico-link").mark(
                    "back-to-queue"
                )
                ui.link("Open the claim", f"/claims/{outcome.claim_id}").classes("portico-link")
        for element in (
            *self.allowed_inputs.values(),
            *self.denial_selects.values(),
        ):
            element.disable()
        ui.notify(f"Claim {outcome.claim_number}: {outcome.status.label}", type="positive")

    def _error(self, message: str) -> None:
        self.result.clear()
        with self.result:
            _callout("alert", "The decision was not saved", message, marker="decision-error")


def _callout(tone: str, title: str, text: str, *, marker: str) -> None:
    icon = {"good": "check_circle", "alert": "error", "info": "info"}.get(tone, "info")
    with (
        ui.element("div")
        .classes(f"portico-callout tone-{tone} w-full")
        .props('role="alert"' if tone == "alert" else 'role="status"')
        .mark(marker)
    ):
        ui.icon(icon, size="22px")
        with ui.column().classes("gap-0"):
            ui.label(title).classes("font-semibold")
            ui.label(text)


# --- Appeals ---


async def _appeals_section(actor: Actor, page: int) -> None:
    async def load() -> AppealList:
        return await call(list_appeals, actor=actor, at=clock.now(), page=page)

    def draw(found: AppealList) -> None:
        if not found.appeals:
            with card(marker="appeals-list"):
                empty_state(
                    "No appeals", "Appeals practices file appear here.", marker="appeals-empty"
                )
            return
        ui.label(f"{count(found.open_count)} open · {count(found.total)} in all").classes(
            "text-sm portico-muted"
        ).mark("appeals-count")
        for appeal in found.appeals:
            _appeal_card(actor, appeal)

    await live_section(actor, load, draw)


def _appeal_card(actor: Actor, appeal: AppealView) -> None:
    with card(marker=f"appeal-{appeal.appeal_id}"):
        with ui.row().classes("items-center gap-3 flex-wrap w-full"):
            ui.link(f"Claim {appeal.claim_number}", f"/claims/{appeal.claim_id}").classes(
                "portico-link font-semibold"
            )
            ui.label(appeal.practice_name).classes("portico-muted")
            ui.label(appeal.status.label).classes(
                "portico-status "
                + {"open": "status-pended", "overturned": "status-paid", "upheld": "status-denied"}[
                    appeal.status.value
                ]
            ).mark("appeal-status")
            ui.space()
            ui.label(f"Filed {moment(appeal.filed_at)} by {appeal.filed_by}").classes(
                "text-sm portico-muted"
            )
        ui.label(appeal.reason).classes("whitespace-pre-wrap mt-2").mark("appeal-reason")
        _attachment_links(appeal)
        if appeal.status is not AppealStatus.OPEN:
            ui.label(
                f"{appeal.status.label} {moment(appeal.decided_at)} by {appeal.decided_by}: "
                f"{appeal.decision_note}"
            ).classes("text-sm mt-2").mark("appeal-decision")
            if appeal.replacement_claim_id:
                ui.link(
                    f"Reprocessed as claim {appeal.replacement_claim_number}",
                    f"{QUEUE_PATH}/{appeal.replacement_claim_id}",
                ).classes("portico-link text-sm")
            return
        note = (
            ui.textarea("Decision note the practice will read")
            .props("outlined autogrow maxlength=1000")
            .classes("w-full mt-3")
            .mark(f"appeal-note-{appeal.appeal_id}")
        )
        message = ui.column().classes("w-full").props('aria-live="polite"')

        async def decide(decision: AppealStatus) -> None:
            try:
                decided = await call(
                    decide_appeal,
                    actor=actor,
                    appeal_id=appeal.appeal_id,
                    decision=decision,
                    note=note.value or "",
                    at=clock.now(),
                )
            except (AppealRefused, NotFound) as refused:
                message.clear()
                with message:
                    _callout(
                        "alert", "The decision was not saved", str(refused), marker="appeal-error"
                    )
                return
            changed = [decided.claim_id] + (
                [decided.replacement_claim_id] if decided.replacement_claim_id else []
            )
            claims_changed.publish(ClaimsChanged.of(changed, [decided.practice_id]))
            if decided.replacement_claim_id:
                ui.navigate.to(f"{QUEUE_PATH}/{decided.replacement_claim_id}")
            else:
                ui.navigate.to(queue_url(tab="appeals"))

        with ui.row().classes("gap-3 mt-2"):
            ui.button(
                "Overturn and reprocess",
                icon="gavel",
                on_click=lambda: decide(AppealStatus.OVERTURNED),
            ).props("unelevated no-caps color=positive").mark(f"overturn-{appeal.appeal_id}")
            ui.button(
                "Uphold", icon="do_not_disturb_on", on_click=lambda: decide(AppealStatus.UPHELD)
            ).props("outline no-caps color=negative").mark(f"uphold-{appeal.appeal_id}")


def _attachment_links(appeal: AppealView) -> None:
    if not appeal.attachments:
        ui.label("No attachments").classes("text-sm portico-muted mt-2")
        return
    with ui.row().classes("gap-3 mt-2 flex-wrap").mark("appeal-attachments"):
        for attachment in appeal.attachments:
            with ui.link(target=f"/appeals/attachments/{attachment.attachment_id}").classes(
                "portico-link text-sm flex items-center gap-1"
            ):
                ui.icon("picture_as_pdf" if attachment.content_type.endswith("pdf") else "image")
                ui.label(f"{attachment.name} ({_size(attachment.size_bytes)})")


def _size(size_bytes: int) -> str:
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):.1f} MB"
    return f"{max(1, size_bytes // 1024)} KB"


# --- Attachment download ---


async def download_attachment(attachment_id: str, request: Request) -> Response:
    """The attachment within the caller's practice (plan staff: any), like a claim page. Sent
    as a download with the type the bytes were found to be, never rendered inline."""

    async def attachment_file(access: PageAccess) -> Download:
        wanted = _number(attachment_id)
        if wanted is None:
            raise NotFound(attachment_id)
        found = await call(
            attachment_for_download, actor=access.actor, attachment_id=wanted, at=clock.now()
        )
        try:
            data = await run.io_bound(attachment_store().read, found.stored_name)
        except (StoredFileMissing, FileNotFoundError) as missing:
            raise NotFound(attachment_id) from missing
        return Download(data, found.content_type, found.download_name)

    return await file_download(
        request, area=Area.CLAIMS, not_found="Attachment not found", produce=attachment_file
    )
