"""Check one member: the search form (the date of birth, and the member ID or the full name;
no partial-identifier fishing) and the answer, with the kept check's print page and PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from nicegui import ui

from domain.codes import PLACES_OF_SERVICE
from domain.eligibility import EligibilityInquiry
from domain.eligibility_service import KeptCheck, check_and_keep
from domain.roles import Area
from domain.scope import Actor
from interop.eligibility_csv import parse_date, split_procedure_codes
from ui import clock
from ui.data import call
from ui.eligibility_answer import answer_view
from ui.eligibility_tabs import CHECK_PATH, eligibility_header
from ui.frame import frame, portal_page

_CSS = """
.elig-identify { display: grid; gap: 12px 16px; align-items: center;
  grid-template-columns: minmax(0, 1.2fr) auto minmax(0, 1fr) minmax(0, 1fr); }
.elig-details { display: grid; gap: 12px 16px;
  grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); }
.elig-or { font-size: 0.8rem; font-weight: 600; color: var(--portico-muted);
  text-transform: uppercase; letter-spacing: 0.05em; }
@media (max-width: 700px) { .elig-identify { grid-template-columns: 1fr; } }
"""


def register() -> None:
    portal_page(CHECK_PATH)(eligibility_page)


def check_path(check_id: int) -> str:
    return f"/eligibility/checks/{check_id}"


def pdf_path(check_id: int) -> str:
    return f"{check_path(check_id)}.pdf"


async def eligibility_page() -> None:
    async with frame("Check eligibility", area=Area.ELIGIBILITY) as actor:
        ui.add_css(_CSS)
        eligibility_header(
            "Eligibility and benefits",
            "Confirm coverage, benefits and what the patient owes before the visit.",
            current=CHECK_PATH,
        )
        CheckForm(actor).draw()


@dataclass(frozen=True)
class FormValues:
    member_id: str
    last_name: str
    first_name: str
    date_of_birth: str
    date_of_service: str
    procedure_codes: str
    place_of_service: str | None


def read_inquiry(values: FormValues, *, today: date) -> tuple[EligibilityInquiry | None, list[str]]:
    """The inquiry the form describes, or what to fix: every problem at once, in form order."""
    problems: list[str] = []
    date_of_birth = parse_date(values.date_of_birth)
    if not values.date_of_birth.strip():
        problems.append("Enter the date of birth.")
    elif date_of_birth is None:
        problems.append("The date of birth is not a valid date: use MM/DD/YYYY.")
    elif date_of_birth > today:
        problems.append("The date of birth cannot be in the future.")
    date_of_service = parse_date(values.date_of_service)
    if date_of_service is None:
        problems.append("Enter a valid date of service (MM/DD/YYYY).")
    inquiry = EligibilityInquiry(
        # Stand-in dates when those fields are wrong, only so the inquiry can list the rest.
        date_of_service=date_of_service or today,
        date_of_birth=date_of_birth or today,
        member_id=values.member_id.strip() or None,
        last_name=values.last_name.strip() or None,
        first_name=values.first_name.strip() or None,
        procedure_codes=split_procedure_codes(values.procedure_codes),
        place_of_service=values.place_of_service or None,
    )
    # In form order: who (ID or name) first, then the dates, then the procedure codes.
    own = inquiry.problems()
    identified = inquiry.member_id or (inquiry.last_name and inquiry.first_name)
    problems = own[: 0 if identified else 1] + problems + own[0 if identified else 1 :]
    return (None if problems else inquiry), problems


class CheckForm:
    """The form and the answer under it; a new check replaces the answer shown."""

    def __init__(self, actor: Actor) -> None:
        assert actor.practice_id is not None  # eligibility is a practice area
        self.actor = actor
        self.practice_id = actor.practice_id

    def draw(self) -> None:
        with ui.element("section").classes("portico-card").props('aria-label="Find the member"'):
            ui.label(
                "Enter the date of birth and either the member ID from the card or the "
                "member's last and first name."
            ).classes("text-sm portico-muted mb-3")
            self._fields()
            self.alert = (
                ui.element("div")
                .classes("portico-callout tone-alert w-full mt-4")
                .props('role="alert"')
                .mark("check-problems")
            )
            self.alert.set_visibility(False)
            with ui.row().classes("items-center gap-3 mt-4"):
                self.button = (
                    ui.button("Check eligibility", icon="search", on_click=self.submit)
                    .props("unelevated no-caps")
                    .mark("check-submit")
                )
                ui.button("Clear", on_click=self.clear).props("flat no-caps").mark("check-clear")
        self.result = ui.column().classes("w-full gap-5").props('aria-live="polite"')
        self.result.mark("check-result")

    def _fields(self) -> None:
        today = clock.today().isoformat()
        with ui.element("div").classes("elig-identify"):
            self.member_id = _text("Member ID", "member-id", autofocus=True)
            ui.label("or").classes("elig-or text-center")
            self.last_name = _text("Last name", "last-name")
            self.first_name = _text("First name", "first-name")
        with ui.element("div").classes("elig-details mt-3"):
            self.date_of_birth = _text("Date of birth", "date-of-birth", date_max=today)
            self.date_of_service = _text("Date of service", "date-of-service")
            self.date_of_service.value = today
            self.procedure_codes = _text(
                "Procedure codes (optional)", "procedure-codes", hint="e.g. 99213, 97110"
            )
            self.place_of_service = (
                ui.select(
                    {code: f"{code} · {name}" for code, name in PLACES_OF_SERVICE.items()},
                    label="Place of service (optional)",
                    clearable=True,
                )
                .props("outlined dense options-dense")
                .mark("place-of-service")
            )
        for field in (self.member_id, self.last_name, self.first_name, self.procedure_codes):
            field.on("keydown.enter", self.submit)

    def values(self) -> FormValues:
        return FormValues(
            member_id=self.member_id.value or "",
            last_name=self.last_name.value or "",
            first_name=self.first_name.value or "",
            date_of_birth=self.date_of_birth.value or "",
            date_of_service=self.date_of_service.value or "",
            procedure_codes=self.procedure_codes.value or "",
            place_of_service=self.place_of_service.value,
        )

    async def submit(self) -> None:
        inquiry, problems = read_inquiry(self.values(), today=clock.today())
        self._show_problems(problems)
        if inquiry is None:
            return
        self.button.props("loading")
        try:
            kept = await call(check_and_keep, actor=self.actor, inquiry=inquiry, at=clock.now())
        finally:
            self.button.props(remove="loading")
        self._show(kept)

    def _show(self, kept: KeptCheck) -> None:
        self.result.clear()
        with self.result:
            answer_view(
                kept.answer,
                practice_id=self.practice_id,
                # A miss gets no print or PDF: there is nothing to keep in the chart.
                actions=partial(kept_check_actions, kept.check_id) if kept.answer.matched else None,
            )

    def _show_problems(self, problems: list[str]) -> None:
        self.alert.clear()
        with self.alert:
            ui.icon("error", size="22px")
            with ui.column().classes("gap-0"):
                for problem in problems:
                    ui.label(problem).mark("check-problem")
        self.alert.set_visibility(bool(problems))

    def clear(self) -> None:
        for field in (self.member_id, self.last_name, self.first_name, self.date_of_birth):
            field.value = ""
        self.procedure_codes.value = ""
        self.place_of_service.value = None
        self.date_of_service.value = clock.today().isoformat()
        self._show_problems([])
        self.result.clear()
        self.member_id.run_method("focus")


def _text(
    label: str,
    marker: str,
    *,
    autofocus: bool = False,
    hint: str | None = None,
    date_max: str | None = None,
) -> ui.input:
    # autocomplete off: front-desk computers are shared, and browsers must not offer one
    # patient's identifiers to the next person at the desk.
    field = ui.input(label).props('outlined dense autocomplete=off spellcheck="false"')
    if hint:
        field.props["hint"] = hint  # a value, never spliced into a props string
    if autofocus:
        field.props("autofocus")
    if date_max is not None or marker == "date-of-service":
        field.props("type=date stack-label")
    if date_max is not None:
        field.props(f"max={date_max}")
    return field.mark(marker)


def kept_check_actions(check_id: int) -> None:
    """The answer's buttons: its print page and its PDF (links, so they open like links)."""
    ui.button("Print", icon="print").props(f"outline no-caps href={check_path(check_id)}").mark(
        "answer-print"
    )
    ui.button("Download PDF", icon="picture_as_pdf").props(
        f"unelevated no-caps href={pdf_path(check_id)} download"
    ).mark("answer-pdf")
