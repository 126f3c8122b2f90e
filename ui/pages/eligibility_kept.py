"""One kept eligibility check, exactly as it was answered: a print-friendly page and its PDF.

Another practice's check, a missing id and a malformed id all get the same "Check not found"
(404), on the page and from the PDF route, so ids cannot be probed across practices.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from nicegui import app, run, ui

from domain.access import PageAccess
from domain.eligibility_service import StoredCheck, get_check
from domain.roles import Area
from domain.scope import Actor, NotFound
from ui import clock
from ui.data import call
from ui.downloads import Download, file_download
from ui.eligibility_answer import answer_view, apply_eligibility_css
from ui.eligibility_pdf import SOURCES, render_check_pdf
from ui.eligibility_tabs import CHECK_PATH, HISTORY_PATH
from ui.format import day, moment
from ui.frame import frame, portal_page
from ui.pages.eligibility import pdf_path
from ui.theme import Heading, message_panel
from ui.widgets import card, fact

CHECK_NOT_FOUND = "Check not found"


def register() -> None:
    # The PDF route first: the page's {check_id} would otherwise also match "12.pdf".
    app.get("/eligibility/checks/{check_id}.pdf", include_in_schema=False)(kept_check_pdf)
    portal_page("/eligibility/checks/{check_id}")(kept_check_page)


async def read_kept_check(
    actor: Actor, check_id: str, *, action: str = "read"
) -> StoredCheck | None:
    if not (check_id.isdigit() and len(check_id) < 19):
        return None
    try:
        return await call(
            get_check, actor=actor, check_id=int(check_id), at=clock.now(), action=action
        )
    except NotFound:
        return None


async def kept_check_page(check_id: str) -> None:
    async with frame("Eligibility check", area=Area.ELIGIBILITY) as actor:
        apply_eligibility_css()
        stored = await read_kept_check(actor, check_id)
        if stored is None:
            _not_found()
            return
        assert actor.practice_id is not None
        _header(stored)
        answer_view(stored.answer, practice_id=actor.practice_id)
        if not stored.answer.matched:
            _searched_for(stored)


def _not_found() -> None:
    ui.status_code(404)
    with message_panel("search_off", CHECK_NOT_FOUND, marker="check-not-found"):
        ui.label(
            "There is no eligibility check at this address that you can open. Find it in your "
            "practice's eligibility history."
        ).classes("portico-muted")
        ui.link("Go to eligibility history", HISTORY_PATH).classes("portico-link mt-2")


def _header(stored: StoredCheck) -> None:
    with ui.row().classes("items-center gap-2 text-sm elig-no-print"):
        ui.link("Eligibility", CHECK_PATH).classes("portico-link")
        ui.label("/").classes("portico-muted")
        ui.link("History", HISTORY_PATH).classes("portico-link")
        ui.label("/").classes("portico-muted")
        ui.label(stored.answer.transaction_id).classes("portico-muted")
    with ui.row().classes("w-full items-end justify-between gap-4"):
        with ui.column().classes("gap-1"):
            Heading("Eligibility check").mark("kept-title")
            ui.label(
                f"Checked by {stored.checked_by} on {moment(stored.checked_at)} via "
                f"{SOURCES.get(stored.source, stored.source)}"
            ).classes("portico-subtitle").mark("kept-by")
        with ui.row().classes("gap-2 elig-no-print"):
            # window.print() carries no data: the page prints what it already shows.
            ui.button(
                "Print", icon="print", on_click=lambda: ui.run_javascript("window.print()")
            ).props("unelevated no-caps").mark("kept-print")
            ui.button("Download PDF", icon="picture_as_pdf").props(
                f"outline no-caps href={pdf_path(stored.check_id)} download"
            ).mark("kept-pdf")
            ui.button("New check", icon="search").props(f"flat no-caps href={CHECK_PATH}")


def _searched_for(stored: StoredCheck) -> None:
    inquiry = stored.answer.inquiry
    with (
        card("What was searched", marker="kept-inquiry"),
        ui.element("div").classes("portico-facts"),
    ):
        if inquiry.member_id:
            fact("Member ID", inquiry.member_id)
        else:
            fact("Name", f"{inquiry.last_name}, {inquiry.first_name}")
        fact("Date of birth", day(inquiry.date_of_birth))
        fact("Date of service", day(inquiry.date_of_service))


async def kept_check_pdf(check_id: str, request: Request) -> Response:
    """Within the practice's scope, like the check's page."""

    async def check_file(access: PageAccess) -> Download:
        # The PDF is the check leaving the portal: audited as an export, not a read.
        stored = await read_kept_check(access.actor, check_id, action="export")
        if stored is None or access.actor.practice_id is None:
            raise NotFound(check_id)
        pdf = await run.io_bound(
            render_check_pdf,
            stored,
            practice_name=access.organisation_name,
            practice_id=access.actor.practice_id,
        )
        filename = f"eligibility-{stored.answer.transaction_id}.pdf"
        return Download(pdf, "application/pdf", filename)

    return await file_download(
        request, area=Area.ELIGIBILITY, not_found=CHECK_NOT_FOUND, produce=check_file
    )
