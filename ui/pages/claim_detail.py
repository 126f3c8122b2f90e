"""One claim as its EOB reads: header facts, diagnoses, service lines with what the plan allowed
and paid, CARC/RARC adjustments with their meaning, and the 277 status timeline.

Another practice's claim, a claim id that does not exist and a malformed id all get the same
"Claim not found" page with the same status (404), so ids cannot be probed across tenants.
"""

from __future__ import annotations

from nicegui import ui

from domain.claim_queries import ClaimDetail, read_claim
from domain.claims import ClaimStatus
from domain.roles import Area
from ui import clock
from ui.data import call
from ui.format import date_range, day, moment, money
from ui.frame import frame, portal_page
from ui.live import Interest, LiveSection
from ui.theme import Heading, message_panel, status_badge
from ui.widgets import Column, card, data_table, fact, kpi

CLAIM_NOT_FOUND = "Claim not found"


def register() -> None:
    portal_page("/claims/{claim_id}")(claim_page)


async def claim_page(claim_id: str) -> None:
    # A str parameter, so '/claims/abc' reaches the same not-found page as any other miss.
    async with frame("Claim", area=Area.CLAIMS) as actor:
        if not (claim_id.isdigit() and len(claim_id) < 19):
            _not_found()
            return
        wanted = int(claim_id)
        section = LiveSection(Interest.of(actor, wanted))  # before the read: no change missed
        detail = await call(read_claim, actor=actor, claim_id=wanted, at=clock.now())
        if detail is None:
            _not_found()
            return

        # Defined here, not at module level, so each tab re-draws only its own copy.
        @ui.refreshable
        def drawn(shown: ClaimDetail) -> None:
            _draw(shown, show_practice=actor.is_plan_staff)

        drawn(detail)

        async def reload() -> None:
            # read_claim audits every look, and a refresh is a look at newer data: audited too.
            found = await call(read_claim, actor=actor, claim_id=wanted, at=clock.now())
            if found is not None:  # gone from scope since: keep what the tab shows
                drawn.refresh(found)

        section.start(reload)


def _draw(detail: ClaimDetail, *, show_practice: bool) -> None:
    _header(detail, show_practice=show_practice)
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
