"""Bulk claim submission: upload a CSV or an X12 837P, watch the batches run, read which claims
were rejected and why (downloadable as CSV, with the 999 for an 837P), and reopen past imports."""

from __future__ import annotations

from nicegui import run, ui
from nicegui.events import UploadEventArguments

from domain.claim_import_service import (
    ImportResult,
    ImportSummary,
    export_import,
    read_import,
    recent_imports,
    run_import,
)
from domain.roles import Area
from domain.scope import Actor, NotFound
from interop.claim_file import read_claim_file
from interop.claims_csv import COLUMN_HELP, rejections_csv, template
from storage.db import unit_of_work
from ui import clock
from ui.data import call
from ui.format import count, moment
from ui.frame import frame, portal_page
from ui.theme import Heading
from ui.upload_zone import (
    UploadProgress,
    column_help,
    file_drop,
    progress_shown,
    refuse_upload,
)
from ui.widgets import Column, card, data_table, empty_state, kpi

UPLOAD_PATH = "/claims/upload"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # about 25,000 claims of CSV; larger drops go by the CLI
_ACCEPT = ".csv,.txt,.837,.x12,.edi,.dat,text/csv,text/plain"
_FORMATS = {"csv": "CSV", "837p": "837P"}


def register() -> None:
    portal_page(UPLOAD_PATH)(upload_page)


async def upload_page(import_id: int | None = None) -> None:
    """`?import_id=N` opens a past import of the practice (the link in the recent list)."""
    async with frame("Bulk submission", area=Area.CLAIM_ENTRY) as actor:
        with ui.row().classes("w-full items-end justify-between gap-2 mb-4"):
            with ui.column().classes("gap-0"):
                Heading("Submit claims in bulk", level=1)
                ui.label(
                    "Upload a CSV in the template's columns or an X12 837P (005010X222A1). "
                    "Each claim is checked on its own: the good ones are submitted, the others "
                    "are listed with what to fix."
                ).classes("portico-muted")
            ui.link("All claims", "/claims").classes("portico-link")
        view = UploadView(actor)
        view.draw()
        await ui.context.client.connected()
        if import_id is not None:
            await view.open_import(import_id)
        await view.refresh_recent()


class UploadView:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.result: ImportResult | None = None

    def draw(self) -> None:
        with ui.element("div").classes("portico-grid-2"):
            with card(
                "Upload claims",
                subtitle="CSV or X12 837P, up to 20 MB",
                marker="claim-upload-card",
            ):
                ui.label(
                    "Uploading the same file again shows its earlier result and submits "
                    "nothing twice."
                ).classes("text-sm portico-muted mb-3")
                self.upload = file_drop(
                    title="CSV or X12 837P, up to 20 MB",
                    prompt="Drop the claim file here",
                    accept=_ACCEPT,
                    max_bytes=MAX_UPLOAD_BYTES,
                    on_upload=self.on_upload,
                    on_rejected=self.on_rejected,
                    marker="claim-upload",
                )
            self._template_help()
        self.status = ui.column().classes("w-full gap-5 mt-5").props('aria-live="polite"')
        self.status.mark("upload-status")
        with (
            ui.column().classes("w-full mt-5"),
            card("Recent imports", subtitle="Your practice's last ten files"),
        ):
            self.recent = ui.column().classes("w-full").mark("recent-imports")

    def _template_help(self) -> None:
        with card("CSV layout", subtitle="One service line per row, under this header row"):
            ui.label(
                "Rows with the same patient_control_number are the lines of one claim; the "
                "claim-level columns repeat on each of its rows."
            ).classes("text-sm portico-muted mb-2")
            column_help(
                COLUMN_HELP,
                template_label="Download CSV template",
                template_name="claims-template.csv",
                template_text=template(),
                dense=True,
            )

    def on_rejected(self) -> None:
        self._refuse(
            "That file was not accepted: it is larger than 20 MB or not a CSV/837P file. "
            "Split it into smaller files, or send it with `python main.py import`."
        )

    async def on_upload(self, event: UploadEventArguments) -> None:
        data = await event.file.read()
        name = event.file.name
        self.upload.reset()
        await self.run(data, name)

    async def run(self, data: bytes, file_name: str) -> None:
        self.result = None
        self.status.clear()
        if len(data) > MAX_UPLOAD_BYTES:  # the browser checks too; this is the server's word
            self.on_rejected()
            return
        at = clock.now()
        try:
            claim_file = await run.io_bound(read_claim_file, data, file_name=file_name, at=at)
        except ValueError as refusal:  # ClaimFileError, X12Error
            self._refuse(str(refusal))
            return
        if claim_file is None:  # the app is shutting down
            return
        progress = UploadProgress()
        with progress_shown(
            self.status,
            self.upload,
            progress,
            message=f"Submitting {count(len(claim_file.claims))} claims…",
            aria_label="Submitting claims",
            marker="import-progress",
        ):
            result = await run.io_bound(
                run_import,
                unit_of_work=unit_of_work,
                actor=self.actor,
                claim_file=claim_file,
                at=at,
                progress=progress.report,
            )
        if result is None:
            return
        self._show(result)
        await self.refresh_recent()

    async def open_import(self, import_id: int) -> None:
        self.status.clear()
        try:
            result = await call(read_import, actor=self.actor, import_id=import_id, at=clock.now())
        except NotFound:
            self._refuse("No import of your practice has that number.")
            return
        self._show(result)

    def _refuse(self, message: str) -> None:
        refuse_upload(self.status, "Nothing was submitted", message)

    def _show(self, result: ImportResult) -> None:
        self.result = result
        self.status.clear()
        with self.status:
            if result.repeated:
                with (
                    ui.element("div")
                    .classes("portico-callout tone-info w-full")
                    .mark("import-repeated")
                ):
                    ui.icon("info", size="22px")
                    ui.label(
                        f"This file was uploaded before ({moment(result.received_at)}): "
                        "here is its result; nothing new was submitted."
                    )
            with (
                ui.element("div")
                .classes("portico-kpis")
                .style("scroll-margin-top: 72px")  # clear of the fixed header
                .mark("import-summary") as summary
            ):
                kpi("Received", count(result.total), marker="import-received", tone="info")
                kpi("Accepted", count(result.accepted), marker="import-accepted", tone="good")
                kpi(
                    "Rejected",
                    count(result.rejected),
                    marker="import-rejected",
                    tone="alert" if result.rejected else None,
                )
            # The result starts below the upload card: bring it into view (no data goes along).
            summary.run_method("scrollIntoView", {"behavior": "smooth", "block": "start"})
            if not result.finished:
                ui.label(
                    f"{count(result.processed)} of {count(result.total)} claims were processed "
                    "before the run stopped; upload the same file again to finish it."
                ).classes("portico-muted").mark("import-unfinished")
            with card(
                "Rejected claims",
                subtitle=f"{result.file_name} · {_FORMATS.get(result.file_format, '')}",
                marker="import-result",
            ):
                with ui.row().classes("gap-2 mb-4 flex-wrap"):
                    if result.rejections:
                        ui.button(
                            "Download rejections CSV",
                            icon="download",
                            on_click=self.download_rejections,
                        ).props("unelevated no-caps").mark("download-rejections")
                    if result.acknowledgement:
                        ui.button(
                            "Download 999", icon="download", on_click=self.download_999
                        ).props("outline no-caps").mark("download-999")
                    ui.button("Open submitted claims", icon="list").props(
                        "flat no-caps href=/claims?status=received"
                    )
                if result.rejections:
                    data_table(
                        [
                            Column("locator", "Where", min_width=110),
                            Column("account", "Account number", min_width=120),
                            Column("reason", "Why it was rejected", min_width=320),
                        ],
                        [
                            {
                                "id": rejection.ordinal,
                                "locator": rejection.locator,
                                "account": rejection.account or "—",
                                "reason": rejection.reason,
                            }
                            for rejection in result.rejections
                        ],
                        marker="rejections-table",
                        label="Rejected claims",
                    )
                else:
                    empty_state(
                        "No claim was rejected",
                        "Every claim in the file was submitted; they appear in the claim "
                        "list as Received.",
                        marker="no-rejections",
                    )

    async def download_rejections(self) -> None:
        exported = await self._export("rejections")
        if exported is None:
            return
        text = rejections_csv(
            (rejection.locator, rejection.account, rejection.reason)
            for rejection in exported.rejections
        )
        ui.download.content(
            ("\ufeff" + text).encode(),
            f"claim-import-{exported.import_id}-rejections.csv",
            "text/csv",
        )

    async def download_999(self) -> None:
        exported = await self._export("999")
        if exported is None or exported.acknowledgement is None:
            return
        ui.download.content(
            exported.acknowledgement.encode(),
            f"claim-import-{exported.import_id}.999",
            "text/plain",
        )

    async def _export(self, file_kind: str) -> ImportResult | None:
        """The file's content read afresh, and its leaving the portal audited, in one call."""
        if self.result is None:
            return None
        try:
            return await call(
                export_import,
                actor=self.actor,
                import_id=self.result.import_id,
                file_kind=file_kind,
                at=clock.now(),
            )
        except NotFound:  # deleted since it was shown
            return None

    async def refresh_recent(self) -> None:
        imports = await call(recent_imports, actor=self.actor)
        self.recent.clear()
        with self.recent:
            if not imports:
                empty_state(
                    "No files yet",
                    "Imports of your practice appear here.",
                    icon="upload_file",
                    marker="no-imports",
                )
                return
            data_table(
                [
                    Column("file", "File", link=True, min_width=160),
                    Column("received", "Received"),
                    Column("format", "Format"),
                    Column("total", "Claims", align="right"),
                    Column("accepted", "Accepted", align="right"),
                    Column("rejected", "Rejected", align="right"),
                    Column("state", "Status"),
                ],
                [_recent_row(summary) for summary in imports or []],
                marker="recent-table",
                label="Recent imports",
            )


def _recent_row(summary: ImportSummary) -> dict[str, object]:
    return {
        "id": summary.import_id,
        "file": summary.file_name,
        "href": f"{UPLOAD_PATH}?import_id={summary.import_id}",
        "received": moment(summary.received_at),
        "format": _FORMATS.get(summary.file_format, summary.file_format),
        "total": count(summary.total),
        "accepted": count(summary.accepted),
        "rejected": count(summary.rejected),
        "state": "Finished" if summary.finished else "Stopped: upload again to finish",
    }
