"""The claims list: server-side pages of the caller's claims, filtered by status from the URL
(/claims?status=denied&page=2), so every view can be bookmarked and shared."""

from __future__ import annotations

from urllib.parse import urlencode

from nicegui import ui

from domain.claim_queries import ClaimPage, claim_counts_by_standing, search_claims
from domain.claims import ClaimStatus
from domain.roles import Area
from domain.scope import Actor
from ui.data import call
from ui.format import count, day, money
from ui.frame import frame, portal_page
from ui.live import live_section
from ui.theme import STANDING_ORDER, Heading
from ui.widgets import Column, card, data_table, empty_state


def register() -> None:
    portal_page("/claims")(claims_page)


def parse_status(value: str | None) -> ClaimStatus | None:
    try:
        return ClaimStatus(value) if value else None
    except ValueError:
        return None


def parse_page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


def claims_url(status: ClaimStatus | None, page: int = 1) -> str:
    query = {"status": status.value} if status else {}
    if page > 1:
        query["page"] = str(page)
    return "/claims" + (f"?{urlencode(query)}" if query else "")


async def claims_page(status: str | None = None, page: str | None = None) -> None:
    chosen = parse_status(status)
    page_number = parse_page(page)
    async with frame("Claims", area=Area.CLAIMS) as actor:
        with ui.column().classes("gap-1"):
            Heading("Claims")
            ui.label(
                "Claims from every contracted practice"
                if actor.is_plan_staff
                else "Your practice's claims, newest date of service first"
            ).classes("portico-subtitle")

        async def load() -> tuple[dict[ClaimStatus, int], ClaimPage]:
            counts = await call(claim_counts_by_standing, actor=actor)
            result = await call(search_claims, actor=actor, status=chosen, page=page_number)
            return counts, result

        def draw(data: tuple[dict[ClaimStatus, int], ClaimPage]) -> None:
            counts, result = data
            _status_filter(counts, chosen)
            _claims_table(result, chosen, actor)

        # The counts and the page re-read when the status job moves this scope's claims; the
        # filters stay in the URL, which a refresh never touches.
        await live_section(actor, load, draw)


def _status_filter(counts: dict[ClaimStatus, int], chosen: ClaimStatus | None) -> None:
    with (
        ui.element("div")
        .props('role="group" aria-label="Filter by status"')
        .classes("flex flex-wrap gap-2")
        .mark("status-filter")
    ):
        _filter_chip("All", sum(counts.values()), claims_url(None), selected=chosen is None)
        for status in STANDING_ORDER:
            if counts.get(status) or status == chosen:
                _filter_chip(
                    status.label,
                    counts.get(status, 0),
                    claims_url(status),
                    selected=status == chosen,
                    marker=f"filter-{status.value}",
                )


def _filter_chip(
    label: str, number: int, href: str, *, selected: bool, marker: str | None = None
) -> None:
    chip = ui.link(target=href).classes(
        "px-3 py-1 rounded-full border text-sm no-underline "
        + (
            "bg-primary text-white border-primary"
            if selected
            else "bg-white text-slate-700 border-slate-300 hover:border-primary"
        )
    )
    if selected:
        chip.props('aria-current="true"')
    if marker:
        chip.mark(marker)
    with chip:
        ui.label(f"{label} · {count(number)}")


def _claims_table(result: ClaimPage, chosen: ClaimStatus | None, actor: Actor) -> None:
    with card(marker="claims-list"):
        if not result.rows:
            empty_state(
                "No claims here",
                f"There are no {chosen.label.lower()} claims." if chosen else "No claims yet.",
                icon="receipt_long",
                marker="claims-empty",
            )
            return
        columns = [
            Column("claim_number", "Claim", link=True),
            # Plan staff see every practice: the practice goes under the patient's name.
            Column(
                "member_name", "Patient", secondary="practice_name" if actor.is_plan_staff else None
            ),
            Column("service_date", "Service date"),
            Column("provider_name", "Rendering provider", wide_only=True),
        ]
        columns += [
            Column("status", "Status", status=True),
            Column("total_charge", "Billed", money=True),
            Column("paid_amount", "Paid", money=True),
        ]
        data_table(
            columns,
            [
                {
                    "id": row.claim_id,
                    "href": f"/claims/{row.claim_id}",
                    "claim_number": row.claim_number,
                    "member_name": row.member_name,
                    "service_date": day(row.service_date),
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
        _pager(result, chosen)


def _pager(result: ClaimPage, chosen: ClaimStatus | None) -> None:
    first = (result.page - 1) * result.page_size + 1
    last = first + len(result.rows) - 1
    with ui.row().classes("w-full items-center justify-between mt-4").mark("pager"):
        ui.label(
            f"Showing {count(first)}\N{EN DASH}{count(last)} of {count(result.total)}"
        ).classes("text-sm portico-muted")
        with ui.row().classes("gap-2"):
            _page_link("Previous", result.page - 1, chosen, enabled=result.page > 1)
            ui.label(f"Page {count(result.page)} of {count(result.page_count)}").classes(
                "text-sm portico-muted self-center"
            )
            _page_link("Next", result.page + 1, chosen, enabled=result.page < result.page_count)


def _page_link(label: str, page: int, chosen: ClaimStatus | None, *, enabled: bool) -> None:
    style = "px-3 py-1 rounded-md border text-sm no-underline "
    if enabled:
        ui.link(label, claims_url(chosen, page)).classes(
            style + "border-slate-300 text-primary bg-white hover:border-primary"
        ).mark(f"page-{label.lower()}")
    else:
        ui.label(label).classes(style + "border-slate-200 text-slate-500").props(
            'aria-disabled="true"'
        )
