"""One claim as its EOB reads: header facts, diagnoses, service lines with what the plan allowed
and paid, CARC/RARC adjustments with their meaning, and the 277 status timeline.

Another practice's claim, a claim id that does not exist and a malformed id all get the same
"Claim not found" page with the same status (404), so ids cannot be probed across tenants.
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui
from nicegui.events import UploadEventArguments

from domain.appeals import (
    MAX_REASON_LENGTH,
    AppealRefused,
    AppealStatus,
    AppealView,
    appeals_of_claim,
    file_appeal,
    may_appeal,
)
from domain.claim_queries import ClaimDetail, read_claim
from domain.claims import ClaimStatus
from domain.events import ClaimsChanged, claims_changed
from domain.roles import Area
from domain.scope import Actor, NotFound
from domain.uploads import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    AttachmentRefused,
    check_attachment,
    clean_file_name,
    size_refusal,
)
from storage.attachments import attachment_store
from ui import clock
from ui.data import call
from ui.format import date_range, day, moment, money
from ui.frame import frame, portal_page
from ui.live import Interest, LiveSection
from ui.pages.claims_queue import CALLOUT_CSS
from ui.theme import Heading, message_panel, status_badge
from ui.widgets import Column, card, data_table, fact, kpi

CLAIM_NOT_FOUND = "Claim not found"
_ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


def register() -> None:
    portal_page("/claims/{claim_id}/appeal")(appeal_page)
    portal_page("/claims/{claim_id}")(claim_page)


@dataclass(frozen=True)
class ClaimPage:
    """The claim and what the page offers around it: its appeals and whether one may be filed."""

    detail: ClaimDetail
    appeals: list[AppealView]
    appealable: bool


async def _load(actor: Actor, claim_id: int) -> ClaimPage | None:
    detail = await call(read_claim, actor=actor, claim_id=claim_id, at=clock.now())
    if detail is None:
        return None
    appeals = await call(appeals_of_claim, actor=actor, claim_id=claim_id, at=clock.now())
    appealable = await call(may_appeal, actor=actor, claim_id=claim_id)
    return ClaimPage(detail, appeals, appealable)


async def claim_page(claim_id: str) -> None:
    # A str parameter, so '/claims/abc' reaches the same not-found page as any other miss.
    async with frame("Claim", area=Area.CLAIMS) as actor:
        ui.add_css(CALLOUT_CSS)
        if not (claim_id.isdigit() and len(claim_id) < 19):
            _not_found()
            return
        wanted = int(claim_id)
        section = LiveSection(Interest.of(actor, wanted))  # before the read: no change missed
        loaded = await _load(actor, wanted)
        if loaded is None:
            _not_found()
            return

        # Defined here, not at module level, so each tab re-draws only its own copy.
        @ui.refreshable
        def drawn(shown: ClaimPage) -> None:
            _draw(shown, actor)

        drawn(loaded)

        async def reload() -> None:
            # read_claim audits every look, and a refresh is a look at newer data: audited too.
            found = await _load(actor, wanted)
            if found is not None:  # gone from scope since: keep what the tab shows
                drawn.refresh(found)

        section.start(reload)


def _draw(page: ClaimPage, actor: Actor) -> None:
    detail = page.detail
    _header(detail, show_practice=actor.is_plan_staff)
    _actions(page, actor)
    _appeals(page.appeals)
    _amounts(detail)
    with ui.element("div").classes("portico-grid-2"):
        _facts(detail)
        _diagnoses(detail)
    _lines(detail)
    _adjustments(detail)
    _timeline(detail)


def _not_found() -> None:
    ui.status_code(404)
    with message_panel("search_off", CLAIM_NOT_FOUND, marker="claim-not-found"):
        ui.label(
            "There is no claim at this address that you can open. Check the link, or find "
            "the claim in the claims list."
        ).classes("portico-muted")
        ui.link("Go to claims", "/claims").classes("portico-link mt-2")


def _header(detail: ClaimDetail, *, show_practice: bool) -> None:
    with ui.column().classes("gap-2 w-full"):
        with ui.row().classes("items-center gap-2 text-sm"):
            ui.link("Claims", "/claims").classes("portico-link")
            ui.label("/").classes("portico-muted")
            ui.label(detail.claim_number).classes("portico-muted")
        with ui.row().classes("items-center gap-3 flex-wrap"):
            Heading(f"Claim {detail.claim_number}").mark("claim-title")
            status_badge(detail.standing).mark("claim-status")
            if detail.status == ClaimStatus.REMITTED:
                ui.label("Remitted").classes("portico-status status-remitted")
        who = [
            detail.member_name,
            f"Member ID {detail.member_id}",
            f"DOB {day(detail.member_date_of_birth)}",
        ]
        if show_practice:
            who.append(detail.practice_name)
        ui.label(" · ".join(who)).classes("portico-subtitle").mark("claim-member")
    if detail.status == ClaimStatus.REJECTED and detail.rejection_reason:
        _callout("Rejected", detail.rejection_reason, tone="alert", icon="error")
    elif detail.denial_carc and detail.denial_description:
        _callout(
            "Denied",
            f"CARC {detail.denial_carc}: {detail.denial_description}",
            tone="alert",
            icon="block",
        )


def _callout(title: str, text: str, *, tone: str, icon: str) -> None:
    with ui.element("div").classes(f"portico-callout tone-{tone} w-full").mark("claim-callout"):
        ui.icon(icon, size="22px")
        with ui.column().classes("gap-0"):
            ui.label(title).classes("font-semibold")
            ui.label(text)


def _amounts(detail: ClaimDetail) -> None:
    with ui.element("div").classes("portico-kpis"):
        kpi("Billed", money(detail.total_charge), marker="claim-billed")
        kpi(
            "Allowed",
            money(detail.allowed_amount),
            caption=f"Contractual adjustment {money(detail.contractual_adjustment)}",
            marker="claim-allowed",
        )
        kpi(
            "Plan paid",
            money(detail.paid_amount),
            marker="claim-paid",
            tone="good" if detail.paid_amount > 0 else None,
        )
        kpi(
            "Patient responsibility",
            money(detail.patient_responsibility),
            caption=f"Balance {money(detail.patient_balance)} after "
            f"{money(detail.patient_paid_amount)} paid",
            marker="claim-patient",
        )


def _facts(detail: ClaimDetail) -> None:
    with card("Claim details", marker="claim-facts"), ui.element("div").classes("portico-facts"):
        fact("Date(s) of service", date_range(detail.service_date_from, detail.service_date_to))
        fact(
            "Place of service",
            f"{detail.place_of_service} {detail.place_of_service_description}".strip(),
        )
        fact("Rendering provider", f"{detail.rendering_provider} (NPI {detail.rendering_npi})")
        fact("Billing provider", f"{detail.billing_provider} (NPI {detail.billing_npi})")
        fact("Location", detail.location_name or "")
        fact(
            "Plan",
            f"{detail.plan_name} · group {detail.group_number}" if detail.plan_name else "",
        )
        fact("Patient control number", detail.patient_control_number)
        fact("Frequency", _frequency(detail))
        fact("Submitted", moment(detail.submitted_at))
        fact("Transaction ID", detail.transaction_id or "")
        if detail.payment_number:
            fact(
                "Remittance",
                f"{detail.payment_number} on {day(detail.payment_date)}",
                marker="claim-remittance",
            )


def _frequency(detail: ClaimDetail) -> str:
    return {"1": "1 · Original", "7": "7 · Replacement", "8": "8 · Void"}.get(
        detail.frequency_code.value, detail.frequency_code.value
    )


def _diagnoses(detail: ClaimDetail) -> None:
    with card("Diagnoses", subtitle="ICD-10-CM, in pointer order", marker="claim-diagnoses"):
        for pointer, code in enumerate(detail.diagnoses, start=1):
            with ui.row().classes("items-center gap-3 py-1"):
                ui.label(str(pointer)).classes(
                    "w-7 h-7 rounded-full bg-slate-100 text-slate-700 text-sm font-semibold "
                    "flex items-center justify-center"
                )
                ui.label(code).classes("font-medium tracking-wide")
                if pointer == 1:
                    ui.label("Principal").classes("text-xs portico-muted")


def _lines(detail: ClaimDetail) -> None:
    with card(
        "Service lines", subtitle="What was billed and how the plan paid it", marker="claim-lines"
    ):
        data_table(
            [
                Column("line_number", "Line"),
                Column("service_date", "Date"),
                Column("procedure", "Procedure", min_width=240),
                Column("units", "Units", align="right"),
                Column("pointers", "Dx"),
                Column("charge", "Billed", money=True),
                Column("allowed", "Allowed", money=True),
                Column("deductible", "Deductible", money=True),
                Column("coinsurance", "Coinsurance", money=True),
                Column("copay", "Copay", money=True),
                Column("paid", "Paid", money=True),
            ],
            [
                {
                    "id": line.line_number,
                    "line_number": line.line_number,
                    "service_date": day(line.service_date),
                    "procedure": " ".join(
                        part
                        for part in (
                            line.procedure_code,
                            f"({line.modifiers})" if line.modifiers else "",
                            f"· {line.procedure_description}" if line.procedure_description else "",
                        )
                        if part
                    ),
                    "units": line.units,
                    "pointers": line.diagnosis_pointers,
                    "charge": money(line.charge_amount),
                    "allowed": money(line.allowed_amount),
                    "deductible": money(line.deductible_amount),
                    "coinsurance": money(line.coinsurance_amount),
                    "copay": money(line.copay_amount),
                    "paid": money(line.paid_amount),
                }
                for line in detail.lines
            ],
            marker="lines-table",
            label="Service lines",
        )


def _adjustments(detail: ClaimDetail) -> None:
    rows = [
        {
            "id": f"{line.line_number}-{index}",
            "line_number": line.line_number,
            "code": f"{adjustment.group_code.value}-{adjustment.carc}",
            "reason": adjustment.carc_description,
            "remark": f"{adjustment.rarc}: {adjustment.rarc_description}"
            if adjustment.rarc
            else "",
            "amount": money(adjustment.amount),
        }
        for line in detail.lines
        for index, adjustment in enumerate(line.adjustments)
    ]
    with card(
        "Adjustments",
        subtitle="CO contractual · PR patient responsibility · OA other · PI payer initiated",
        marker="claim-adjustments",
    ):
        if not rows:
            ui.label(
                "None: rejected claims are not adjudicated. Correct the claim and submit it again."
                if detail.status == ClaimStatus.REJECTED
                else "None yet: the plan has not adjudicated this claim."
            ).classes("portico-muted")
            return
        data_table(
            [
                Column("line_number", "Line"),
                Column("code", "Group-CARC"),
                Column("reason", "Reason"),
                Column("remark", "Remark (RARC)"),
                Column("amount", "Amount", money=True),
            ],
            rows,
            marker="adjustments-table",
            label="Adjustments",
        )


def _timeline(detail: ClaimDetail) -> None:
    with card(
        "Status timeline", subtitle="X12 277 claim status categories", marker="claim-timeline"
    ):
        if not detail.timeline:
            ui.label("No status events yet.").classes("portico-muted")
            return
        with ui.element("ol").classes("portico-timeline"):
            for step in detail.timeline:
                with ui.element("li"):
                    ui.element("span").classes("portico-timeline-dot")
                    with ui.row().classes("items-center gap-2 flex-wrap"):
                        status_badge(step.status)
                        ui.label(f"{step.category_code}/{step.status_code}").classes(
                            "text-sm font-medium"
                        )
                        ui.label(step.category_description).classes("text-sm")
                        ui.space()
                        ui.label(moment(step.occurred_at)).classes("text-sm portico-muted")
                    ui.label(f"{step.source} · transaction {step.transaction_id}").classes(
                        "text-xs portico-muted mt-1"
                    )
                    if step.note:
                        ui.label(step.note).classes("text-sm mt-1")


# --- Actions: corrections, appeal, EOB ---


def _actions(page: ClaimPage, actor: Actor) -> None:
    detail = page.detail
    practice_entry = actor.may_open(Area.CLAIM_ENTRY) and actor.practice_id is not None
    links: list[tuple[str, str, str, str]] = []  # label, href, icon, marker
    if practice_entry and detail.status == ClaimStatus.REJECTED:
        links.append(
            (
                "Correct and resubmit",
                f"/claims/new?correct={detail.claim_id}",
                "edit_note",
                "action-correct",
            )
        )
    if practice_entry and detail.status == ClaimStatus.REMITTED:
        links.append(
            (
                "Replace",
                f"/claims/new?replace={detail.claim_id}",
                "published_with_changes",
                "action-replace",
            )
        )
        links.append(("Void", f"/claims/new?void={detail.claim_id}", "block", "action-void"))
    if practice_entry and page.appealable:
        links.append(("Appeal", f"/claims/{detail.claim_id}/appeal", "gavel", "action-appeal"))
    if detail.finalized_at is not None:
        links.append(
            ("Download EOB (PDF)", f"/claims/{detail.claim_id}/eob.pdf", "download", "action-eob")
        )
    if not links:
        return
    with (
        ui.element("div")
        .props('role="group" aria-label="Claim actions"')
        .classes("flex flex-wrap gap-2")
        .mark("claim-actions")
    ):
        for label, href, icon, marker in links:
            with (
                ui.link(target=href)
                .classes(
                    "portico-action no-underline flex items-center gap-1 px-3 py-2 rounded-md "
                    "border border-slate-300 bg-white text-sm font-medium text-primary "
                    "hover:border-primary"
                )
                .mark(marker)
            ):
                ui.icon(icon, size="18px")
                ui.label(label)


_APPEAL_TONES = {
    AppealStatus.OPEN: ("info", "hourglass_top", "Appeal open: waiting for a claims examiner"),
    AppealStatus.OVERTURNED: ("good", "gavel", "Appeal overturned"),
    AppealStatus.UPHELD: ("alert", "gavel", "Appeal upheld: the decision stands"),
}


def _appeals(appeals: list[AppealView]) -> None:
    for appeal in appeals:
        tone, icon, title = _APPEAL_TONES[appeal.status]
        with ui.element("div").classes(f"portico-callout tone-{tone} w-full").mark("claim-appeal"):
            ui.icon(icon, size="22px")
            with ui.column().classes("gap-1"):
                ui.label(title).classes("font-semibold").mark("claim-appeal-status")
                ui.label(f"Filed {moment(appeal.filed_at)} by {appeal.filed_by}").classes("text-sm")
                ui.label(appeal.reason).classes("text-sm whitespace-pre-wrap")
                if appeal.attachments:
                    with ui.row().classes("gap-3 flex-wrap"):
                        for attachment in appeal.attachments:
                            ui.link(
                                attachment.name,
                                f"/appeals/attachments/{attachment.attachment_id}",
                            ).classes("portico-link text-sm")
                if appeal.status is not AppealStatus.OPEN:
                    ui.label(
                        f"Decided {moment(appeal.decided_at)}: {appeal.decision_note}"
                    ).classes("text-sm").mark("claim-appeal-decision")
                if appeal.replacement_claim_id:
                    ui.link(
                        f"Reprocessed as claim {appeal.replacement_claim_number}",
                        f"/claims/{appeal.replacement_claim_id}",
                    ).classes("portico-link text-sm")


# --- The appeal form ---


@dataclass
class _Picked:
    name: str
    size_bytes: int
    data: bytes | None  # None: refused
    problem: str = ""


async def appeal_page(claim_id: str) -> None:
    async with frame("Appeal a claim", area=Area.CLAIM_ENTRY) as actor:
        ui.add_css(CALLOUT_CSS)
        wanted = int(claim_id) if claim_id.isdigit() and len(claim_id) < 19 else None
        detail = (
            await call(read_claim, actor=actor, claim_id=wanted, at=clock.now())
            if wanted is not None
            else None
        )
        if detail is None or wanted is None:
            _not_found()
            return
        if not await call(may_appeal, actor=actor, claim_id=wanted):
            with message_panel("gavel", "This claim cannot be appealed", marker="not-appealable"):
                ui.label(
                    "Only a denied or partially paid claim that has been remitted can be "
                    "appealed, once."
                ).classes("portico-muted")
                ui.link("Back to the claim", f"/claims/{wanted}").classes("portico-link mt-2")
            return
        AppealForm(actor, detail).draw()


class AppealForm:
    def __init__(self, actor: Actor, detail: ClaimDetail) -> None:
        self.actor = actor
        self.detail = detail
        self.picked: list[_Picked] = []

    def draw(self) -> None:
        detail = self.detail
        with ui.row().classes("items-center gap-2 text-sm"):
            ui.link("Claims", "/claims").classes("portico-link")
            ui.label("/").classes("portico-muted")
            ui.link(detail.claim_number, f"/claims/{detail.claim_id}").classes("portico-link")
            ui.label("/").classes("portico-muted")
            ui.label("Appeal").classes("portico-muted")
        Heading(f"Appeal claim {detail.claim_number}").mark("appeal-title")
        ui.label(
            f"{detail.member_name} · {date_range(detail.service_date_from, detail.service_date_to)}"
            f" · billed {money(detail.total_charge)}, paid {money(detail.paid_amount)}"
        ).classes("portico-subtitle")
        if detail.denial_carc and detail.denial_description:
            _callout(
                "Decision appealed",
                f"CARC {detail.denial_carc}: {detail.denial_description}",
                tone="alert",
                icon="block",
            )
        self.message = ui.column().classes("w-full").props('aria-live="polite"')
        with card(
            "Your appeal",
            subtitle="Say why the decision should change; attach the records that show it.",
            marker="appeal-form",
        ):
            self.reason = (
                ui.textarea(
                    "Reason for the appeal",
                    placeholder="e.g. The attached visit notes document the medical necessity "
                    "of the service.",
                )
                .props(f"outlined autogrow counter maxlength={MAX_REASON_LENGTH}")
                .classes("w-full")
                .mark("appeal-reason")
            )
            ui.label(
                f"Attachments: PDF, PNG or JPEG, up to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB "
                f"each, at most {MAX_ATTACHMENTS} files. Files are checked by their contents, "
                "not their names."
            ).classes("text-sm portico-muted mt-3")
            self.upload = (
                ui.upload(
                    label="Add attachments",
                    multiple=True,
                    auto_upload=True,
                    max_file_size=MAX_ATTACHMENT_BYTES,
                    max_files=MAX_ATTACHMENTS,
                    on_upload=self.on_upload,
                    on_rejected=self.on_rejected,
                )
                .props(f'accept="{_ACCEPT}" flat bordered color=primary')
                .classes("w-full")
                .mark("appeal-upload")
            )

            @ui.refreshable
            def file_list() -> None:
                self._file_list()

            self.file_list = file_list
            file_list()
            with ui.row().classes("gap-3 mt-4"):
                ui.button("File appeal", icon="send", on_click=self.submit).props(
                    "unelevated no-caps color=primary"
                ).mark("file-appeal")
                ui.link("Cancel", f"/claims/{detail.claim_id}").classes("portico-link self-center")

    def _file_list(self) -> None:
        if not self.picked:
            ui.label("No files attached.").classes("text-sm portico-muted").mark("appeal-no-files")
            return
        with ui.column().classes("w-full gap-1 mt-2").mark("appeal-files"):
            for index, item in enumerate(self.picked):
                with ui.row().classes("items-center gap-2 w-full"):
                    ok = item.data is not None
                    ui.icon("check_circle" if ok else "error", size="20px").classes(
                        "text-green-700" if ok else "text-red-700"
                    )
                    ui.label(f"{item.name} ({_size(item.size_bytes)})").classes("text-sm")
                    if not ok:
                        ui.label(item.problem).classes("text-sm text-red-700").mark(
                            "attachment-refused"
                        )
                    ui.space()
                    ui.button("Remove", on_click=lambda index=index: self.remove(index)).props(
                        "flat dense no-caps color=primary"
                    ).mark(f"remove-{index}")

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.picked):
            del self.picked[index]
        self.file_list.refresh()

    async def on_upload(self, event: UploadEventArguments) -> None:
        name = clean_file_name(event.file.name)
        size = event.file.size()
        if len(self.picked) >= MAX_ATTACHMENTS:
            self.picked.append(
                _Picked(name, size, None, f"An appeal can carry at most {MAX_ATTACHMENTS} files.")
            )
        elif refusal := size_refusal(name, size):
            # Refused from its size: the bytes are never read into memory.
            self.picked.append(_Picked(name, size, None, refusal))
        else:
            data = await event.file.read()
            try:
                checked = check_attachment(name, data)
            except AttachmentRefused as refused:
                self.picked.append(_Picked(name, size, None, str(refused)))
            else:
                self.picked.append(_Picked(checked.display_name, size, checked.data))
        self.upload.reset()
        self.file_list.refresh()

    def on_rejected(self) -> None:
        self._say(
            "alert",
            "A file was not added",
            f"Each attachment may be at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB, and an "
            f"appeal may carry at most {MAX_ATTACHMENTS} files.",
            marker="appeal-error",
        )

    async def submit(self) -> None:
        refused = [item for item in self.picked if item.data is None]
        if refused:
            self._say(
                "alert",
                "The appeal was not filed",
                "Remove the files marked as refused (or replace them with PDF, PNG or JPEG "
                "files), then file the appeal. Nothing has been saved.",
                marker="appeal-error",
            )
            return
        try:
            filed = await call(
                file_appeal,
                actor=self.actor,
                claim_id=self.detail.claim_id,
                reason=self.reason.value or "",
                attachments=[(item.name, item.data) for item in self.picked if item.data],
                store=attachment_store(),
                at=clock.now(),
            )
        except (AppealRefused, NotFound) as refusal:
            message = str(refusal) if isinstance(refusal, AppealRefused) else CLAIM_NOT_FOUND
            self._say("alert", "The appeal was not filed", message, marker="appeal-error")
            return
        # Open examiner tabs (the appeals list) and this claim's page redraw.
        claims_changed.publish(ClaimsChanged.of([filed.claim_id], [filed.practice_id]))
        ui.notify("Appeal filed", type="positive")
        ui.navigate.to(f"/claims/{filed.claim_id}")

    def _say(self, tone: str, title: str, text: str, *, marker: str) -> None:
        self.message.clear()
        with (
            self.message,
            ui.element("div")
            .classes(f"portico-callout tone-{tone} w-full")
            .props('role="alert"')
            .mark(marker),
        ):
            ui.icon("error", size="22px")
            with ui.column().classes("gap-0"):
                ui.label(title).classes("font-semibold")
                ui.label(text)


def _size(size_bytes: int) -> str:
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):.1f} MB"
    return f"{max(1, size_bytes // 1024)} KB"
