"""Home pages of health-plan staff: the examiner's pended queue, the UM reviewer's and the
credentialing specialist's worklists, and the plan administrator's overview."""

from __future__ import annotations

from nicegui import ui

from domain.plan_worklists import (
    PendedQueue,
    network_overview,
    pended_queue,
    plan_admin_overview,
)
from domain.roles import Role
from domain.scope import Actor
from ui import clock
from ui.data import call
from ui.format import count, day, moment, money
from ui.live import live_section
from ui.widgets import Column, card, data_table, empty_state, kpi


async def claims_examiner_home(actor: Actor) -> None:
    # The queue follows the status job: claims pend (and leave the queue) as it runs.
    await live_section(actor, lambda: call(pended_queue, actor=actor), _pended_queue)


def _pended_queue(queue: PendedQueue) -> None:
    now = clock.now()
    oldest_days = (now - queue.oldest_since).days if queue.oldest_since else 0
    with ui.element("div").classes("portico-kpis"):
        kpi(
            "Pended claims",
            count(queue.count),
            caption="Waiting for an examiner",
            marker="kpi-pended",
            href="/claims?status=pended",
            tone="warn" if queue.count else "good",
        )
        kpi(
            "Oldest in queue",
            f"{oldest_days} days" if queue.oldest_since else "—",
            caption=f"Pended since {moment(queue.oldest_since)}" if queue.oldest_since else None,
            marker="kpi-oldest",
        )
        kpi(
            "Practices waiting",
            count(len(queue.by_practice)),
            caption="With at least one pended claim",
            marker="kpi-practices",
        )
    with ui.element("div").classes("portico-grid-main"):
        with card(
            "Oldest pended claims",
            subtitle="Work these first: they age against prompt-pay deadlines",
            marker="pended-oldest",
            link=("Open the pended list", "/claims?status=pended") if queue.count else None,
        ):
            if not queue.oldest:
                empty_state("The queue is empty", "Claims that adjudication pends appear here.")
            else:
                data_table(
                    [
                        Column("claim_number", "Claim", link=True),
                        Column("practice_name", "Practice"),
                        Column("service_date", "Service date"),
                        Column("waiting", "Waiting", align="right"),
                        Column("total_charge", "Billed", money=True),
                    ],
                    [
                        {
                            "id": claim.claim_id,
                            "href": f"/claims/{claim.claim_id}",
                            "claim_number": claim.claim_number,
                            "practice_name": claim.practice_name,
                            "service_date": day(claim.service_date),
                            "waiting": f"{(now - claim.pended_since).days} d",
                            "total_charge": money(claim.total_charge),
                        }
                        for claim in queue.oldest
                    ],
                    marker="pended-table",
                    label="Oldest pended claims",
                )
        with card("Pended by practice", marker="pended-by-practice"):
            if not queue.by_practice:
                empty_state("No practice is waiting", "Nothing is pended anywhere.")
            for practice in queue.by_practice:
                with ui.row().classes("w-full justify-between py-1.5 border-b border-slate-100"):
                    ui.label(practice.practice_name)
                    ui.label(count(practice.count)).classes("font-medium portico-money")


async def um_reviewer_home(actor: Actor) -> None:
    with card("Prior-authorization queue", marker="um-queue"):
        empty_state(
            "No requests are waiting for review",
            "Prior-authorization requests will queue here with their decision clocks: 72 hours "
            "for expedited requests, 7 calendar days for standard ones (CMS-0057-F). The request "
            "intake is not live yet, so nothing has arrived.",
            icon="fact_check",
            marker="um-empty",
        )


async def credentialing_home(actor: Actor) -> None:
    network = await call(network_overview, actor=actor)
    with ui.element("div").classes("portico-kpis"):
        kpi(
            "Providers",
            count(network.providers),
            caption="Across contracted practices",
            marker="kpi-providers",
            tone="info",
        )
        kpi(
            "In network",
            count(network.in_network),
            caption=f"{count(network.providers - network.in_network)} out of network",
            marker="kpi-in-network",
        )
        kpi(
            "Accepting new patients",
            count(network.accepting_new_patients),
            caption="As listed in the directory",
            marker="kpi-accepting",
        )
    with ui.element("div").classes("portico-grid-2"):
        with card("Applications to review", marker="credentialing-queue"):
            empty_state(
                "No applications are waiting",
                "Credentialing applications and expiring documents will appear here once "
                "practices can submit them. Recredentialing runs every 36 months; directory "
                "details are verified every 90 days.",
                icon="workspace_premium",
                marker="credentialing-empty",
            )
        with card("Providers by practice", marker="providers-by-practice"):
            for practice in network.by_practice:
                with ui.row().classes("w-full justify-between py-1.5 border-b border-slate-100"):
                    ui.label(practice.practice_name)
                    ui.label(count(practice.count)).classes("font-medium portico-money")


async def plan_admin_home(actor: Actor) -> None:
    overview = await call(
        plan_admin_overview,
        actor=actor,
        today=clock.today(),
        day_started_at=clock.start_of_today(),
    )
    with ui.element("div").classes("portico-kpis"):
        kpi(
            "Users",
            count(overview.plan_staff + overview.practice_staff),
            caption=f"{count(overview.plan_staff)} plan staff · "
            f"{count(overview.practice_staff)} practice staff",
            marker="kpi-users",
            tone="info",
        )
        kpi(
            "Audit events today",
            count(overview.audit_events_today),
            caption=f"{count(overview.refusals_today)} access refusals",
            marker="kpi-audit-today",
        )
        kpi(
            "Sign-in failures today",
            count(overview.sign_in_failures_today),
            caption="Wrong password or unknown email",
            marker="kpi-sign-in-failures",
            tone="alert" if overview.sign_in_failures_today else "good",
        )
        kpi(
            "Benefit plans",
            count(len(overview.plans)),
            caption=f"{count(overview.inactive_users)} deactivated users",
            marker="kpi-plans",
        )
    with ui.element("div").classes("portico-grid-2"):
        with card("Benefit plans", subtitle="Members with active coverage today", marker="plans"):
            data_table(
                [
                    Column("code", "Code"),
                    Column("name", "Plan"),
                    Column("product", "Product"),
                    Column("active_members", "Members", align="right"),
                ],
                [
                    {
                        "id": plan.code,
                        "code": plan.code,
                        "name": plan.name,
                        "product": plan.product,
                        "active_members": count(plan.active_members),
                    }
                    for plan in overview.plans
                ],
                marker="plans-table",
                label="Benefit plans",
            )
        with card("Users by role", marker="users-by-role"):
            for role in Role:
                with ui.row().classes("w-full justify-between py-1.5 border-b border-slate-100"):
                    ui.label(role.label)
                    ui.label(count(overview.users_by_role.get(role, 0))).classes(
                        "font-medium portico-money"
                    )
