"""Tomorrow's schedule in one batch: upload a CSV or an X12 270, watch it run, read the results
with the appointments that need attention first, and download them as CSV (or a 271)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from nicegui import app, run, ui
from nicegui.events import UploadEventArguments

from domain.eligibility import Problem
from domain.eligibility_service import BatchItem, BatchOutcome, check_batch, export_batch
from domain.roles import Area
from domain.scope import Actor
from interop.eligibility_csv import COLUMN_HELP, status_label, template, write_results
from interop.x12 import write_271
from ui import clock
from ui.data import call
from ui.eligibility_answer import STATUS_TONES
from ui.eligibility_tabs import BATCH_PATH, HISTORY_PATH, eligibility_header
from ui.eligibility_upload import (
    MAX_UPLOAD_BYTES,
    ParsedUpload,
    UploadProblem,
    UploadRefused,
    read_upload,
)
from ui.format import count, day, long_day
from ui.frame import frame, portal_page
from ui.upload_zone import (
    UploadProgress,
    column_help,
    file_drop,
    progress_shown,
    refuse_upload,
)
from ui.widgets import Column, card, data_table, kpi

# Worst first, as domain.eligibility.Problem is declared; a row sorts by its worst problem.
PROBLEM_RANK = {problem: rank for rank, problem in enumerate(Problem)}
_ACCEPT = ".csv,.txt,.270,.x12,.edi,text/csv,text/plain"


def register() -> None:
    # Quasar's loading bar shows while an upload posts (the only XHR Portico makes): a
    # progressbar needs a name for screen readers, and Vue passes this attribute through to it.
    app.config.quasar_config.setdefault("loadingBar", {})["aria-label"] = "Uploading"
    portal_page(BATCH_PATH)(batch_page)


async def batch_page() -> None:
    async with frame("Schedule eligibility", area=Area.ELIGIBILITY) as actor:
        eligibility_header(
            "Eligibility and benefits",
            "Check every appointment of a day at once, the evening before.",
            current=BATCH_PATH,
        )
        BatchView(actor).draw()


@dataclass(frozen=True)
class Finished:
    parsed: ParsedUpload
    outcome: BatchOutcome


class BatchView:
    def __init__(self, actor: Actor) -> None:
        assert actor.practice_id is not None  # eligibility is a practice area
        self.actor = actor
        self.practice_id = actor.practice_id
        self.finished: Finished | None = None

    def draw(self) -> None:
        tomorrow = clock.today() + timedelta(days=1)
        with ui.element("div").classes("portico-grid-2"):
            with card(
                "Upload the schedule",
                subtitle="A CSV from your scheduling system, or an X12 270",
                marker="batch-upload",
            ):
                ui.label(
                    f"Rows without a date of service are checked for tomorrow, "
                    f"{long_day(tomorrow)}. Rows that cannot be read are listed with what to "
                    "fix; the others still run."
                ).classes("text-sm portico-muted mb-3")
                self.upload = file_drop(
                    title="CSV or X12 270, up to 2 MB",
                    prompt="Drop the schedule file here",
                    accept=_ACCEPT,
                    max_bytes=MAX_UPLOAD_BYTES,
                    on_upload=self.on_upload,
                    on_rejected=self.on_rejected,
                    marker="schedule-upload",
                )
            self._template_help()
        self.status = ui.column().classes("w-full gap-5").props('aria-live="polite"')
        self.status.mark("batch-status")

    def _template_help(self) -> None:
        with card("CSV layout", subtitle="One appointment per row, under this header row"):
            column_help(
                COLUMN_HELP,
                template_label="Download the template",
                template_name="eligibility-schedule-template.csv",
                template_text=template(),
            )

    def on_rejected(self) -> None:
        self._refuse("That file was not accepted: upload a CSV or X12 270 file of at most 2 MB.")

    async def on_upload(self, event: UploadEventArguments) -> None:
        data = await event.file.read()
        self.upload.reset()
        await self.run(data)

    async def run(self, data: bytes) -> None:
        """Read the file, check what can run (with a progress bar), then show the results."""
        self.finished = None
        self.status.clear()
        try:
            parsed = await run.io_bound(read_upload, data, today=clock.today())
        except UploadRefused as refusal:
            self._refuse(str(refusal))
            return
        assert parsed is not None
        with self.status:
            if parsed.problems:
                _problems_card(parsed.problems, parsed.line_label)
            if not parsed.inquiries:
                return
        progress = UploadProgress(len(parsed.inquiries))
        with progress_shown(
            self.status,
            self.upload,
            progress,
            message=f"Checking {count(progress.total)} appointments…",
            aria_label="Checking appointments",
            marker="batch-progress",
        ):
            outcome = await call(
                check_batch,
                actor=self.actor,
                inquiries=parsed.inquiries,
                at=clock.now(),
                source="x12" if parsed.kind == "x12" else "batch",
                on_progress=progress.report,
            )
        self.finished = Finished(parsed, outcome)
        with self.status:
            not_run = [
                UploadProblem(f"{parsed.line_label} {item.line}", item.error)
                for item in outcome.items
                if item.error
            ]
            if not_run:
                _problems_card(not_run, parsed.line_label)
            self._results(self.finished)

    def _refuse(self, message: str) -> None:
        refuse_upload(self.status, "The file was not checked", message)

    def _results(self, finished: Finished) -> None:
        answered = [item for item in finished.outcome.items if item.answer is not None]
        rows = sorted_rows(answered, practice_id=self.practice_id)
        attention = sum(1 for row in rows if row["attention"])
        misses = sum(1 for row in rows if row["status"] == "No match")
        with (
            ui.element("div")
            .classes("portico-kpis")
            .style("scroll-margin-top: 72px")  # clear of the fixed header
            .mark("batch-summary") as summary
        ):
            kpi("Checked", count(len(rows)), marker="batch-checked", tone="info")
            kpi(
                "Active",
                count(sum(1 for row in rows if row["status"] == "Active")),
                marker="batch-active",
                tone="good",
            )
            kpi(
                "Need attention",
                count(attention),
                marker="batch-attention",
                tone="warn" if attention else None,
            )
            kpi(
                "No match",
                count(misses),
                marker="batch-no-match",
                tone="alert" if misses else None,
            )
        # The results start below the upload card: bring them into view (no data goes along).
        summary.run_method("scrollIntoView", {"behavior": "smooth", "block": "start"})
        with card(
            "Results",
            subtitle="Appointments that need attention first",
            marker="batch-results",
        ):
            with ui.row().classes("gap-2 mb-4 flex-wrap"):
                ui.button(
                    "Download results (CSV)", icon="download", on_click=self.download_csv
                ).props("unelevated no-caps").mark("download-results")
                if finished.parsed.kind == "x12":
                    ui.button("Download 271", icon="download", on_click=self.download_271).props(
                        "outline no-caps"
                    ).mark("download-271")
                ui.button("Open in history", icon="history").props(
                    f"flat no-caps href={HISTORY_PATH}?batch={finished.outcome.batch_id}"
                ).mark("open-history")
            results_table(rows, line_label=finished.parsed.line_label)

    async def download_csv(self) -> None:
        finished = self.finished  # kept: another upload may start while the export is audited
        if finished is None:
            return
        answered = sorted(
            (item.line, item.answer) for item in finished.outcome.items if item.answer
        )
        await self._audit_export(finished, "csv", len(answered))
        text = write_results(answered, practice_id=self.practice_id)
        # A byte-order mark, so spreadsheet programs read the names as UTF-8.
        ui.download.content(
            ("\ufeff" + text).encode(),
            f"eligibility-{finished.outcome.batch_id}.csv",
            "text/csv",
        )

    async def download_271(self) -> None:
        finished = self.finished
        if finished is None or finished.parsed.request is None:
            return
        request = finished.parsed.request
        answers = [item.answer for item in finished.outcome.items if item.answer]
        await self._audit_export(finished, "271", len(answers))
        at = clock.now()
        text = write_271(
            answers,
            request=request,
            # The 271 goes back the way the 270 came: its receiver answers its sender.
            sender_id=request.receiver_id,
            receiver_id=request.sender_id,
            control_number=int(at.strftime("%j%H%M%S")),  # nine digits, ISA13
            at=at,
        )
        ui.download.content(
            text.encode(), f"eligibility-{finished.outcome.batch_id}.271", "text/plain"
        )

    async def _audit_export(self, finished: Finished, file_kind: str, rows: int) -> None:
        """Names and member IDs leave the portal: the export is audited before the file goes
        (a file of no answers carries none, and its batch kept no check to vouch for it)."""
        if rows:
            await call(
                export_batch,
                actor=self.actor,
                batch_id=finished.outcome.batch_id,
                file_kind=file_kind,
                rows=rows,
                at=clock.now(),
            )


def sorted_rows(items: list[BatchItem], *, practice_id: int) -> list[dict[str, object]]:
    """Table rows, the worst problem first, then in file order."""
    rows = []
    for item in items:
        answer = item.answer
        assert answer is not None
        problems = answer.problems(practice_id=practice_id)
        member = answer.member
        inquiry = answer.inquiry
        coverage = answer.primary or (answer.coverages[0] if answer.coverages else None)
        status = status_label(answer)
        rows.append(
            {
                "id": item.line,
                "rank": min((PROBLEM_RANK[p] for p in problems), default=len(PROBLEM_RANK)),
                "line": item.line,
                "member_id": member.member_id if member else inquiry.member_id or "",
                "name": f"{member.last_name}, {member.first_name}"
                if member
                else (f"{inquiry.last_name}, {inquiry.first_name}" if inquiry.last_name else "—"),
                "attention": bool(problems),
                "date_of_service": day(inquiry.date_of_service),
                "status": status,
                "tone": STATUS_TONES.get(status, "nomatch"),
                "problems": "; ".join(
                    p.label for p in problems if p not in {Problem.NO_MATCH, Problem.NOT_ACTIVE}
                ),
                "plan": coverage.plan_name if coverage else "",
                "pcp": coverage.pcp_name or "" if coverage else "",
            }
        )
    rows.sort(key=lambda row: (row["rank"], row["line"]))
    return rows


def results_table(rows: list[dict[str, object]], *, line_label: str) -> ui.table:
    table = data_table(
        [
            Column("line", line_label, align="right"),
            # The member ID under the name: one column fewer, so tablets need no sideways scroll.
            Column("name", "Member", secondary="member_id", min_width=150),
            Column("date_of_service", "Date of service"),
            Column("status", "Status"),
            Column("problems", "Needs attention", min_width=190),
            Column("plan", "Plan", wide_only=True, min_width=170),
            Column("pcp", "PCP", wide_only=True, min_width=150),
        ],
        rows,
        marker="batch-table",
        label="Batch results",
    )
    table.add_slot(
        "body-cell-status",
        '<q-td :props="props"><span :class="\'elig-status tone-\' + props.row.tone">'
        "{{ props.value }}</span></q-td>",
    )
    # Long schedules page in the browser; the rows are already here, sorted.
    table.props(remove="hide-bottom")
    table.props(':rows-per-page-options="[25, 50, 100, 0]"')
    table.pagination = {"rowsPerPage": 50}
    return table


def _problems_card(problems: list[UploadProblem], line_label: str) -> None:
    what = "rows" if line_label == "Line" else "patient loops"
    with card(
        "To fix in the file",
        subtitle=f"{count(len(problems))} problems; the other {what} are checked",
        marker="batch-problems",
    ):
        data_table(
            [
                Column("where", "Where", min_width=110),
                Column("message", "What to fix", min_width=300),
            ],
            [
                {"id": index, "where": problem.where, "message": problem.message}
                for index, problem in enumerate(problems)
            ],
            marker="problems-table",
            label="Rows not checked",
        )
