"""Home pages of practice staff: the billing worklist (also the practice admin's), the front desk's
day and the clinical team's patient panel (which never shows money)."""

from __future__ import annotations

from nicegui import ui

from domain.claims import ClaimStatus
from domain.practice_worklists import (
    DENIAL_WINDOW_DAYS,
    BillingOverview,
    PatientPanel,
    billing_overview,
    patient_panel,
)
from domain.scope import Actor
from ui import clock
from ui.data import call
from ui.format import count, day, money
from ui.live import live_section
from ui.theme import STANDING_ORDER
from ui.widgets import Column, card, data_table, empty_state, kpi


async def billing_home(actor: Actor) -> None:
    # Every number here moves with claim status, so the whole worklist follows the status job.
    await live_section(
        actor,
        lambda: call(billing_overview, actor=actor, today=clock.today(), at=clock.now()),
        _billing_worklist,
    )


def _billing_worklist(overview: BillingOverview) -> None:
    _billing_kpis(overview)
    _needing_action(overview)
    with ui.element("div").classes("portico-grid-2"):
        _status_breakdown(overview)
        _remittances(overview)


def _billing_kpis(overview: BillingOverview) -> None:
    action = overview.needing_action
    receivables = overview.receivables
    in_flight = sum(
        overview.status_counts.get(status, 0)
        for status in (
            ClaimStatus.RECEIVED,
            ClaimStatus.ACCEPTED,
            ClaimStatus.IN_PROCESS,
            ClaimStatus.PENDED,
        )
    )
    with ui.element("div").classes("portico-kpis"):
        kpi(
            "Needs action",
            count(action.total),
            caption=f"{count(action.rejected)} rejected · {count(action.denied_recently)} "
            f"denied in {DENIAL_WINDOW_DAYS} days",
            marker="kpi-needs-action",
            href="/claims?status=rejected",
            tone="alert" if action.total else "good",
        )
        kpi(
            "Owed by the plan",
            money(receivables.plan_owed),
            caption=f"{count(receivables.plan_owed_claims)} claims open with the plan",
            marker="kpi-plan-ar",
            tone="info",
        )
        kpi(
            "Owed by patients",
            money(receivables.patient_owed),
            caption=f"{count(receivables.patient_owed_claims)} claims with a patient balance",
            marker="kpi-patient-ar",
            tone="info",
        )
        kpi(
            "In process",
            count(in_flight),
            caption=f"{count(overview.status_counts.get(ClaimStatus.PENDED, 0))} pended for review",
            marker="kpi-in-process",
            href="/claims?status=in_process",
        )


def _needing_action(overview: BillingOverview) -> None:
    action = overview.needing_action
    with card(
        "Needs action",
        subtitle=f"Rejected, or denied in the last {DENIAL_WINDOW_DAYS} days",
        marker="needs-action",
        link=("View rejected claims", "/claims?status=rejected") if action.rejected else None,
    ):
        if not action.newest:
            empty_state(
                "Nothing needs action",
                "Rejected claims and recent denials will appear here.",
                marker="needs-action-empty",
            )
            return
        data_table(
            [
                Column("claim_number", "Claim", link=True),
                Column("member_name", "Patient"),
                Column("status", "Status", status=True),
                Column("reason", "Why"),
                Column("total_charge", "Billed", money=True),
            ],
            [
                {
                    "id": item.claim_id,
                    "href": f"/claims/{item.claim_id}",
                    "claim_number": item.claim_number,
                    "member_name": item.member_name,
                    "status": item.status.value,
                    "status_label": item.status.label,
                    "reason": item.reason,
                    "total_charge": money(item.total_charge),
                }
                for item in action.newest
            ],
            marker="needs-action-table",
            label="Claims that need action",
        )


def _status_breakdown(overview: BillingOverview) -> None:
    counts = overview.status_counts
    total = sum(counts.values())
    with card("Claims by status", marker="status-counts", link=("All claims", "/claims")):
        if not counts:
            empty_state("No claims yet", "Submitted claims will be counted here.")
            return
        for status in STANDING_ORDER:
            if not counts.get(status):
                continue
            share = counts[status] / total * 100 if total else 0
            with (
                ui.link(target=f"/claims?status={status.value}")
                .classes("flex items-center gap-3 py-1.5 no-underline text-inherit")
                .mark(f"status-link-{status.value}")
            ):
                ui.label(status.label).classes(
                    f"portico-status status-{status.value} w-32 text-center"
                )
                with ui.element("div").classes("portico-bar-track"):
                    ui.element("div").classes("portico-bar").style(f"width: {share:.1f}%")
                ui.label(count(counts[status])).classes(
                    "w-16 text-right portico-money font-medium"
                ).mark(f"status-count-{status.value}")
                ui.label(f"{share:.0f}%" if share >= 1 else "<1%").classes(
                    "w-10 text-right text-sm portico-muted portico-money"
                )


def _remittances(overview: BillingOverview) -> None:
    with card("Recent remittances", subtitle="Payments from the plan", marker="recent-remittances"):
        if not overview.remittances:
            empty_state(
                "No remittances yet",
                "Payments from the plan will be listed here as they arrive.",
                icon="payments",
            )
            return
        data_table(
            [
                Column("payment_date", "Paid on"),
                Column("payment_number", "Payment"),
                Column("claim_count", "Claims", align="right"),
                Column("total_paid", "Amount", money=True),
            ],
            [
                {
                    "id": remittance.remittance_id,
                    "payment_date": day(remittance.payment_date),
                    "payment_number": remittance.payment_number,
                    "claim_count": count(remittance.claim_count),
                    "total_paid": money(remittance.total_paid),
                }
                for remittance in overview.remittances
            ],
            marker="remittances-table",
            label="Recent remittances",
        )


async def front_desk_home(actor: Actor) -> None:
    panel = await call(patient_panel, actor=actor, today=clock.today())
    accepting = sum(1 for provider in panel.providers if provider.accepting_new_patients)
    with ui.element("div").classes("portico-kpis"):
        kpi(
            "Patients attributed",
            count(panel.attributed_members),
            caption="Members whose PCP is one of our providers",
            marker="kpi-attributed",
            tone="info",
        )
        kpi(
            "Accepting new patients",
            f"{accepting} of {len(panel.providers)}",
            caption="Providers open for new patients",
            marker="kpi-accepting",
        )
    with ui.element("div").classes("portico-grid-2"):
        with card("Check eligibility", marker="eligibility-shortcut"):
            ui.label(
                "Confirm coverage, copays and remaining deductible before the visit, with the "
                "member ID and date of birth from the card."
            ).classes("portico-muted mb-4")
            ui.button(
                "Check eligibility",
                icon="verified_user",
                on_click=lambda: ui.navigate.to("/eligibility"),
            ).props("unelevated no-caps")
        with card("Referrals", marker="referrals-shortcut"):
            ui.label(
                "Send a patient to an in-network specialist and follow the consultation, "
                "without a fax."
            ).classes("portico-muted mb-4")
            ui.button(
                "Open referrals",
                icon="forward_to_inbox",
                on_click=lambda: ui.navigate.to("/referrals"),
            ).props("outline no-caps")
    _providers(panel)


async def clinical_home(actor: Actor) -> None:
    panel = await call(patient_panel, actor=actor, today=clock.today())
    with ui.element("div").classes("portico-kpis"):
        kpi(
            "PCP-attributed members",
            count(panel.attributed_members),
            caption="Active members with one of our providers as PCP",
            marker="kpi-attributed",
            tone="info",
        )
        kpi(
            "Patients seen",
            count(panel.patients_seen),
            caption=f"Distinct patients since {day(panel.seen_since)}",
            marker="kpi-patients-seen",
        )
        kpi(
            "Providers",
            count(len(panel.providers)),
            caption="On the practice's roster",
            marker="kpi-providers",
        )
    _providers(panel)


def _providers(panel: PatientPanel) -> None:
    with card("Our providers", subtitle="PCP panels as of today", marker="provider-panels"):
        if not panel.providers:
            empty_state("No providers on the roster", "Providers appear here once credentialed.")
            return
        data_table(
            [
                Column("provider_name", "Provider"),
                Column("specialty", "Specialty"),
                Column("attributed_members", "PCP members", align="right"),
                Column("accepting", "New patients"),
            ],
            [
                {
                    "id": index,
                    "provider_name": provider.provider_name,
                    "specialty": provider.specialty,
                    "attributed_members": count(provider.attributed_members),
                    "accepting": "Accepting" if provider.accepting_new_patients else "Closed",
                }
                for index, provider in enumerate(panel.providers)
            ],
            marker="providers-table",
            label="Our providers",
        )
