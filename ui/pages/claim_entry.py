"""Claim entry (/claims/new): the CMS-1500 form for billing staff, with drafts, the correction of
a rejected claim (?correct=) and replacement or void of a remitted one (?replace=, ?void=).

A draft or a claim of another practice gets the same "not found" answer as one that does not
exist; nothing is stored until the whole form passes, and then the claim number and the
transaction id show at once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date

from nicegui import ui

from domain.claim_corrections import (
    CannotCorrect,
    CorrectionStart,
    Purpose,
    resubmit_rejected,
    start_correction,
)
from domain.claim_drafts import (
    DraftSummary,
    LoadedDraft,
    MemberConfirmation,
    PracticeProvider,
    confirm_member,
    delete_draft,
    list_drafts,
    load_draft,
    practice_providers,
    save_draft,
    submit_draft,
)
from domain.claim_entry import ClaimEntry, FieldProblem
from domain.claim_submission import EntryRejected, Submission, submit_claim
from domain.claims import FrequencyCode, InvalidTransition
from domain.events import ClaimsChanged, claims_changed
from domain.roles import Area
from domain.scope import Actor, NotFound
from ui import clock
from ui.claim_form import ClaimForm, field_label
from ui.data import call
from ui.format import moment
from ui.frame import frame, portal_page
from ui.theme import Heading, message_panel
from ui.widgets import card, empty_state

NEW_CLAIM_PATH = "/claims/new"
DRAFT_NOT_FOUND = "Draft not found"
CLAIM_NOT_FOUND = "Claim not found"


def register() -> None:
    portal_page(NEW_CLAIM_PATH)(claim_entry_page)


def draft_path(draft_id: int) -> str:
    return f"{NEW_CLAIM_PATH}?draft={draft_id}"


@dataclass(frozen=True)
class Start:
    """Where the form starts from: empty, a draft, or an existing claim."""

    purpose: Purpose | None = None  # None: a new original claim
    correction: CorrectionStart | None = None
    draft: LoadedDraft | None = None
    notice: str | None = None  # said above the form (a draft whose claim moved on)

    @property
    def claim_id(self) -> int | None:
        return self.correction.claim_id if self.correction else None


async def claim_entry_page(
    draft: str = "", correct: str = "", replace: str = "", void: str = ""
) -> None:
    # str parameters, so '?draft=abc' gets the same not-found page as any other miss.
    async with frame("New claim", area=Area.CLAIM_ENTRY) as actor:
        start = await _start(actor, draft=draft, correct=correct, replace=replace, void=void)
        if start is None:
            return
        providers = await call(practice_providers, actor=actor)
        await ClaimEntryView(actor, start, providers).draw()


async def _start(
    actor: Actor, *, draft: str, correct: str, replace: str, void: str
) -> Start | None:
    """Read what the URL asks for; draw the not-found or cannot-correct answer and return None
    when it cannot be done."""
    at = clock.now()
    if draft:
        if not _is_id(draft):
            _not_found(DRAFT_NOT_FOUND)
            return None
        try:
            loaded = await call(load_draft, actor=actor, draft_id=int(draft), at=at)
        except NotFound:
            _not_found(DRAFT_NOT_FOUND)
            return None
        if loaded.corrects_claim_id is None:
            return Start(draft=loaded)
        purpose = {
            FrequencyCode.REPLACEMENT: Purpose.REPLACE,
            FrequencyCode.VOID: Purpose.VOID,
        }.get(loaded.entry.frequency_code, Purpose.CORRECT)
        try:
            correction = await call(
                start_correction,
                actor=actor,
                claim_id=loaded.corrects_claim_id,
                purpose=purpose,
                at=at,
            )
        except (CannotCorrect, NotFound) as gone:
            # The claim moved on since the draft was saved (resubmitted in another tab):
            # the draft is still the biller's work, so it opens as a new claim.
            return Start(
                draft=loaded, notice=str(gone) if isinstance(gone, CannotCorrect) else None
            )
        return Start(purpose=purpose, correction=correction, draft=loaded)
    for purpose, raw in (
        (Purpose.CORRECT, correct),
        (Purpose.REPLACE, replace),
        (Purpose.VOID, void),
    ):
        if not raw:
            continue
        if not _is_id(raw):
            _not_found(CLAIM_NOT_FOUND)
            return None
        try:
            correction = await call(
                start_correction, actor=actor, claim_id=int(raw), purpose=purpose, at=at
            )
        except NotFound:
            _not_found(CLAIM_NOT_FOUND)
            return None
        except CannotCorrect as refused:
            with message_panel(
                "block", "This claim cannot be changed here", marker="cannot-correct"
            ):
                ui.label(str(refused)).classes("portico-muted")
                ui.link("Open the claim", f"/claims/{raw}").classes("portico-link mt-2")
            return None
        return Start(purpose=purpose, correction=correction)
    return Start()


def _is_id(text: str) -> bool:
    return text.isdigit() and len(text) < 19


def _not_found(title: str) -> None:
    ui.status_code(404)
    with message_panel("search_off", title, marker="entry-not-found"):
        ui.label(
            "There is nothing at this address that you can open. Start a new claim, or pick a "
            "draft from your practice's drafts."
        ).classes("portico-muted")
        ui.link("Start a new claim", NEW_CLAIM_PATH).classes("portico-link mt-2")


class ClaimEntryView:
    """The page's state: the form, the draft it is saved as, and what submit does."""

    def __init__(self, actor: Actor, start: Start, providers: list[PracticeProvider]) -> None:
        self.actor = actor
        self.start = start
        self.draft_id = start.draft.draft_id if start.draft else None
        self.form = ClaimForm(
            providers=providers,
            today=clock.today,
            find_member=self._find_member,
            read_only_lines=start.purpose == Purpose.VOID,
        )

    async def _find_member(
        self, member_id: str, born: date, date_of_service: date | None
    ) -> MemberConfirmation | None:
        return await call(
            confirm_member,
            actor=self.actor,
            member_id=member_id,
            date_of_birth=born,
            date_of_service=date_of_service,
            at=clock.now(),
        )

    async def draw(self) -> None:
        self._heading()
        self.body = ui.column().classes("w-full gap-4")
        with self.body:
            self.form.draw()
            entry = self.start.draft.entry if self.start.draft else None
            if entry is None and self.start.correction:
                entry = self.start.correction.entry
            if entry is not None:
                self.form.fill(entry)
            self._actions()
        self.confirmation = ui.column().classes("w-full gap-4")
        await self._drafts_card()

    def _heading(self) -> None:
        purpose, correction = self.start.purpose, self.start.correction
        titles = {
            None: "New claim",
            Purpose.CORRECT: "Correct a rejected claim",
            Purpose.REPLACE: "Replacement claim",
            Purpose.VOID: "Void a claim",
        }
        with ui.row().classes("items-center gap-2 text-sm"):
            ui.link("Claims", "/claims").classes("portico-link")
            ui.label("/").classes("portico-muted")
            ui.label(titles[purpose]).classes("portico-muted")
        Heading(titles[purpose]).mark("entry-title")
        if correction is not None:
            link = f"/claims/{correction.claim_id}"
            if purpose == Purpose.CORRECT:
                text = (
                    f"Claim {correction.claim_number} was rejected: "
                    f"{correction.rejection_reason or 'see the claim for the reason'} "
                    "Fix it below and resubmit; it keeps its claim number."
                )
            elif purpose == Purpose.REPLACE:
                text = (
                    f"Frequency 7: this claim replaces claim {correction.claim_number}, whose "
                    "payment is reversed when the replacement is paid."
                )
            else:
                text = (
                    f"Frequency 8: this claim voids claim {correction.claim_number}; its lines "
                    "repeat the original and cannot be changed."
                )
            with (
                ui.element("div")
                .classes("portico-callout tone-info w-full")
                .mark("entry-correction")
            ):
                ui.icon("info", size="22px")
                with ui.column().classes("gap-1"):
                    ui.label(text).mark("entry-correction-text")
                    ui.link(f"Open claim {correction.claim_number}", link).classes("portico-link")
        if self.start.notice:
            with ui.element("div").classes("portico-callout tone-info w-full"):
                ui.icon("info", size="22px")
                ui.label(f"{self.start.notice} This draft opens as a new claim.")
        if self.draft_id is not None:
            ui.label("Resumed from a saved draft.").classes("portico-subtitle").mark(
                "entry-draft-note"
            )

    def _actions(self) -> None:
        self.problem_box = (
            ui.element("div")
            .classes("portico-callout tone-alert w-full")
            .props('role="alert"')
            .mark("entry-problems")
        )
        self.problem_box.set_visibility(False)
        labels = {
            Purpose.CORRECT: "Resubmit claim",
            Purpose.REPLACE: "Submit replacement",
            Purpose.VOID: "Submit void",
        }
        label = labels[self.start.purpose] if self.start.purpose else "Submit claim"
        with ui.row().classes("items-center gap-3"):
            self.submit_button = (
                ui.button(label, icon="send", on_click=self.submit)
                .props("unelevated no-caps")
                .mark("entry-submit")
            )
            self.save_button = (
                ui.button("Save draft", icon="save", on_click=self.save)
                .props("outline no-caps")
                .mark("entry-save-draft")
            )
            self.saved_note = ui.label("").classes("text-sm portico-muted").mark("draft-saved")

    # --- Submit ---

    async def submit(self) -> None:
        self.form.touch_all()
        problems = self.form.recheck()
        if problems:
            self._show_problems(problems)
            self.form.focus_first_problem(problems)
            return
        entry = self.form.entry()
        self.submit_button.props("loading")
        try:
            submission = await self._send(entry)
        except EntryRejected as rejected:
            self._show_problems(rejected.problems)
            self._show_on_fields(rejected.problems)
            return
        except NotFound:
            self._show_message(
                "This draft or claim is no longer there: it was submitted or "
                "deleted in another window. Your entries are still here; save "
                "them as a new draft or start a new claim."
            )
            self.draft_id = None
            return
        except InvalidTransition:
            self._show_message(
                "This claim is no longer rejected: it was already resubmitted. "
                "Open the claim to see where it stands."
            )
            return
        finally:
            self.submit_button.props(remove="loading")
        assert self.actor.practice_id is not None
        # After the commit (call() returns once the unit of work has committed).
        claims_changed.publish(ClaimsChanged.of([submission.claim_id], [self.actor.practice_id]))
        self._confirm(submission)

    async def _send(self, entry: ClaimEntry) -> Submission:
        at = clock.now()
        if self.start.purpose == Purpose.CORRECT and self.start.claim_id is not None:
            return await call(
                resubmit_rejected,
                actor=self.actor,
                claim_id=self.start.claim_id,
                entry=entry,
                at=at,
                draft_id=self.draft_id,
            )
        if self.draft_id is not None:
            return await call(
                submit_draft, actor=self.actor, draft_id=self.draft_id, entry=entry, at=at
            )
        return await call(submit_claim, actor=self.actor, entry=entry, at=at)

    def _show_on_fields(self, problems: list[FieldProblem]) -> None:
        """Problems only the database knows (no such member, an NPI of another practice) go
        under their fields too, until the field changes."""
        for problem in problems:
            target = self.form._input_for(problem.field)
            if target is not None:
                target.element.error = problem.message
        self.form.focus_first_problem(problems)

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        self.problem_box.clear()
        with self.problem_box:
            ui.icon("error", size="22px")
            with ui.column().classes("gap-1"):
                count = len(problems)
                ui.label(
                    f"{count} {'thing needs' if count == 1 else 'things need'} fixing before "
                    "the claim can be submitted:"
                ).classes("font-semibold")
                with ui.element("ul").classes("list-disc pl-5"):
                    for problem in problems:
                        with ui.element("li"):
                            ui.label(f"{field_label(problem.field)}: {problem.message}").mark(
                                "entry-problem"
                            )
        self.problem_box.set_visibility(True)

    def _show_message(self, text: str) -> None:
        self.problem_box.clear()
        with self.problem_box:
            ui.icon("error", size="22px")
            ui.label(text).mark("entry-problem")
        self.problem_box.set_visibility(True)

    def _confirm(self, submission: Submission) -> None:
        self.body.set_visibility(False)
        self.confirmation.clear()
        resubmitted = self.start.purpose == Purpose.CORRECT
        with self.confirmation, card(marker="submit-confirmation"):
            with ui.row().classes("items-center gap-3"):
                ui.icon("check_circle", size="36px").classes("text-green-700")
                Heading("Claim resubmitted" if resubmitted else "Claim submitted", level=2).mark(
                    "confirmation-title"
                )
            with ui.row().classes("gap-x-12 gap-y-3 mt-3"):
                for label, value, marker in (
                    ("Claim number", submission.claim_number, "confirmation-claim-number"),
                    ("Transaction ID", submission.transaction_id, "confirmation-transaction-id"),
                    ("Patient account no.", submission.patient_control_number, None),
                ):
                    with ui.column().classes("gap-0"):
                        ui.label(label).classes("portico-fact-label")
                        shown = ui.label(value).classes("portico-fact-value font-mono")
                        if marker:
                            shown.mark(marker)
            ui.label(
                "The plan received the claim; its front-end edits run next, and the claim's "
                "page follows it from here."
            ).classes("text-sm portico-muted mt-3")
            with ui.row().classes("gap-3 mt-3"):
                ui.button("Open claim", icon="open_in_new").props(
                    f"unelevated no-caps href=/claims/{submission.claim_id}"
                ).mark("confirmation-open")
                ui.button("Enter another claim", icon="add").props(
                    f"outline no-caps href={NEW_CLAIM_PATH}"
                ).mark("confirmation-another")
        self.draft_id = None
        self.drafts.refresh()

    # --- Drafts ---

    async def save(self) -> None:
        entry = self.form.entry()
        self.save_button.props("loading")
        try:
            self.draft_id = await call(
                save_draft,
                actor=self.actor,
                entry=entry,
                at=clock.now(),
                draft_id=self.draft_id,
                corrects_claim_id=self.start.claim_id,
            )
        except NotFound:
            self.draft_id = None  # deleted in another window: keep the work as a new draft
            self.draft_id = await call(
                save_draft,
                actor=self.actor,
                entry=entry,
                at=clock.now(),
                corrects_claim_id=self.start.claim_id,
            )
        finally:
            self.save_button.props(remove="loading")
        # The URL names the draft, so a reload or a bookmark resumes it.
        ui.navigate.history.replace(draft_path(self.draft_id))
        self.saved_note.set_text(f"Draft saved {moment(clock.now())}")
        ui.notify("Draft saved", type="positive")
        self.drafts.refresh()

    async def _drafts_card(self) -> None:
        @ui.refreshable
        async def drafts() -> None:
            listed = await call(list_drafts, actor=self.actor, at=clock.now())
            with card("Drafts", marker="drafts-list", subtitle="Saved, not yet submitted"):
                if not listed:
                    empty_state(
                        "No drafts",
                        "Save draft keeps a claim you cannot finish yet.",
                        icon="drafts",
                    )
                    return
                with ui.column().classes("gap-1 w-full"):
                    for draft in listed:
                        self._draft_row(draft)

        self.drafts = drafts
        await drafts()

    def _draft_row(self, draft: DraftSummary) -> None:
        with (
            ui.row().classes("items-center justify-between w-full py-1 border-b").mark("draft-row")
        ):
            with ui.column().classes("gap-0"):
                ui.link(draft.summary, draft_path(draft.draft_id)).classes("portico-link").mark(
                    f"draft-{draft.draft_id}"
                )
                when = f"Saved {moment(draft.updated_at)}"
                if draft.draft_id == self.draft_id:
                    when += " \N{MIDDLE DOT} open here"
                ui.label(when).classes("text-xs portico-muted")
            ui.button("Delete", icon="delete", on_click=lambda: self._delete(draft.draft_id)).props(
                f'flat dense no-caps aria-label="Delete draft {draft.summary}"'
            ).mark("draft-delete")

    async def _delete(self, draft_id: int) -> None:
        # Already gone (deleted in another window): the list below shows it.
        with contextlib.suppress(NotFound):
            await call(delete_draft, actor=self.actor, draft_id=draft_id, at=clock.now())
        if draft_id == self.draft_id:
            self.draft_id = None
            ui.navigate.history.replace(NEW_CLAIM_PATH)
        ui.notify("Draft deleted")
        self.drafts.refresh()
