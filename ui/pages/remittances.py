"""Remittances: the practice's payments from the plan, each with the claims it pays and
reverses, and its X12 835 to download for posting.

Another practice's remittance, a missing id and a malformed id all get the same "Remittance
not found" (404), on the detail page and from the 835 route, so ids cannot be probed.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import Request
from fastapi.responses import Response
from nicegui import app, run, ui

from domain.access import PageAccess
from domain.remittance_advice import (
    RemittanceDetail,
    RemittanceRow,
    list_remittances,
    read_remittance,
    remittance_advice,
)
from domain.roles import Area
from domain.scope import Actor, NotFound
from interop.x12.remittance_835 import file_name, render_835
from ui import clock
from ui.data import call
from ui.downloads import Download, file_download, record_id
from ui.format import count, day, money
from ui.frame import frame, portal_page
from ui.live import live_section
from ui.theme import Heading, message_panel
from ui.widgets import Column, card, data_table, empty_state, kpi

REMITTANCE_NOT_FOUND = "Remittance not found"
METHODS = {"ACH": "EFT (ACH)", "CHK": "Check"}


def register() -> None:
    app.get("/remittances/{remittance_id}/835", include_in_schema=False)(remittance_835)
    portal_page("/remittances")(remittances_page)
    portal_page("/remittances/{remittance_id}")(remittance_page)


def detail_path(remittance_id: int) -> str:
    return f"/remittances/{remittance_id}"


def download_path(remittance_id: int) -> str:
    return f"/remittances/{remittance_id}/835"


def _parse_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


# --- The list ---


async def remittances_page() -> None:
    async with frame("Remittances", area=Area.REMITTANCES) as actor:
        with ui.column().classes("gap-1"):
            Heading("Remittances").mark("remittances-title")
            ui.label(
                "Payments from the plan, newest first. Each 835 lists the claims it pays, "
                "denies and reverses, ready to post."
            ).classes("portico-subtitle")

        async def load() -> list[RemittanceRow]:
            return await call(list_remittances, actor=actor, at=clock.now())

        # A payment run adds remittances and moves claims: the list re-reads on that change.
        await live_section(actor, load, lambda rows: _list(rows, actor))


def _list(rows: list[RemittanceRow], actor: Actor) -> None:
    with card(
        "Payments",
        subtitle=f"{count(len(rows))} remittance{'s' if len(rows) != 1 else ''}",
        marker="remittances",
    ):
        if not rows:
            empty_state(
                "No remittances yet",
                "When the plan pays or denies your claims, the payment and its 835 appear here.",
                icon="payments",
                marker="remittances-empty",
            )
            return
        columns = [
            Column("payment_date", "Date"),
            Column("payment_number", "Payment number", link=True),
            Column("method", "Method"),
            Column("claims", "Claims", align="right"),
            Column("total", "Total paid", money=True),
            Column("download", "835"),
        ]
        if actor.is_plan_staff:
            columns.insert(1, Column("practice", "Practice"))
        table = data_table(
            columns,
            [
                {
                    "id": row.remittance_id,
                    "href": detail_path(row.remittance_id),
                    "download_href": download_path(row.remittance_id),
                    "payment_date": day(row.payment_date),
                    "payment_number": row.payment_number,
                    "method": METHODS.get(row.payment_method, row.payment_method),
                    "claims": count(row.claim_count),
                    "total": money(row.total_paid),
                    "practice": row.practice_name,
                }
                for row in rows
            ],
            marker="remittances-table",
            label="Remittances",
        )
        # A plain link with the download attribute: the browser fetches the file itself.
        table.add_slot(
            "body-cell-download",
            '<q-td :props="props"><a class="portico-link" :href="props.row.download_href" '
            "download>Download 835</a></q-td>",
        )


# --- One remittance ---


async def remittance_page(remittance_id: str) -> None:
    async with frame("Remittance", area=Area.REMITTANCES) as actor:
        wanted = _parse_id(remittance_id)
        detail = None
        if wanted is not None:
            try:
                detail = await call(
                    read_remittance, actor=actor, remittance_id=wanted, at=clock.now()
                )
            except NotFound:
                detail = None
        if detail is None:
            _not_found()
            return
        _detail(detail)


def _not_found() -> None:
    ui.status_code(404)
    with message_panel("search_off", REMITTANCE_NOT_FOUND, marker="remittance-not-found"):
        ui.label(
            "There is no remittance at this address that you can open. Find it in your "
            "practice's remittances."
        ).classes("portico-muted")
        ui.link("Go to remittances", "/remittances").classes("portico-link mt-2")


def _detail(detail: RemittanceDetail) -> None:
    row = detail.row
    with ui.column().classes("gap-2 w-full"):
        with ui.row().classes("items-center gap-2 text-sm"):
            ui.link("Remittances", "/remittances").classes("portico-link")
            ui.label("/").classes("portico-muted")
            ui.label(row.payment_number).classes("portico-muted")
        with ui.row().classes("w-full items-end justify-between gap-4"):
            with ui.column().classes("gap-1"):
                Heading(f"Remittance {row.payment_number}").mark("remittance-title")
                ui.label(
                    f"{METHODS.get(row.payment_method, row.payment_method)} on "
                    f"{day(row.payment_date)}"
                ).classes("portico-subtitle")
            ui.button("Download 835", icon="download").props(
                f"outline no-caps href={download_path(row.remittance_id)} download"
            ).mark("remittance-download")
    reversals = [claim for claim in detail.claims if claim.outcome == "Reversal"]
    with ui.element("div").classes("portico-kpis"):
        kpi(
            "Payment",
            money(detail.payment_amount),
            caption="Nothing moves: notification only" if detail.payment_amount == 0 else None,
            marker="remittance-payment",
            tone="good" if detail.payment_amount > 0 else None,
        )
        kpi("Claims", count(len(detail.claims) - len(reversals)), marker="remittance-claims")
        kpi("Reversals", count(len(reversals)), marker="remittance-reversals")
        kpi(
            "Patient responsibility",
            money(sum((claim.patient_responsibility for claim in detail.claims), Decimal("0.00"))),
        )
    if detail.forwarded_balance:
        with (
            ui.element("div")
            .classes("portico-callout tone-info w-full")
            .mark("remittance-forwarded")
        ):
            ui.icon("info", size="22px")
            with ui.column().classes("gap-0"):
                if detail.forwarded_balance < 0:
                    ui.label("Balance forwarded").classes("font-semibold")
                    ui.label(
                        f"The reversals in this remittance exceed its payments by "
                        f"{money(-detail.forwarded_balance)}. Nothing is paid now; the plan "
                        f"recovers that amount from a later payment (835 PLB, reason FB)."
                    )
                else:
                    ui.label("Earlier balance recovered").classes("font-semibold")
                    ui.label(
                        f"{money(detail.forwarded_balance)} of a balance an earlier remittance "
                        f"forwarded is taken back from this payment (835 PLB, reason FB)."
                    )
    with card(
        "Claims in this payment",
        subtitle="Reversals take back an earlier payment of a replaced or voided claim",
        marker="remittance-claims-card",
    ):
        data_table(
            [
                Column("claim_number", "Claim", link=True),
                Column("account", "Patient account no."),
                Column("patient", "Patient"),
                Column("outcome", "Outcome"),
                Column("billed", "Billed", money=True),
                Column("paid", "Paid", money=True),
                Column("patient_resp", "Patient resp.", money=True),
            ],
            [
                {
                    "id": f"{claim.claim_id}-{claim.outcome}",
                    "href": f"/claims/{claim.claim_id}",
                    "claim_number": claim.claim_number,
                    "account": claim.patient_control_number,
                    "patient": claim.patient_name,
                    "outcome": claim.outcome,
                    "billed": money(claim.billed),
                    "paid": money(claim.paid),
                    "patient_resp": money(claim.patient_responsibility),
                }
                for claim in detail.claims
            ],
            marker="remittance-claims-table",
            label="Claims in this payment",
        )


# --- The 835 file ---


async def remittance_835(remittance_id: str, request: Request) -> Response:
    """Within the practice's scope, like the remittance page; the export is audited by the use
    case."""

    async def file_835(access: PageAccess) -> Download:
        at = clock.now()
        advice = await call(
            remittance_advice, actor=access.actor, remittance_id=record_id(remittance_id), at=at
        )
        # A large remittance takes a moment to write: off the event loop, like the database work.
        text = await run.io_bound(render_835, advice, at=at)
        return Download(text, "application/edi-x12", file_name(advice))

    return await file_download(
        request, area=Area.REMITTANCES, not_found=REMITTANCE_NOT_FOUND, produce=file_835
    )
