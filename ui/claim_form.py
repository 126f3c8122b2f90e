"""The CMS-1500 claim form as NiceGUI inputs: reads itself into a `ClaimEntry`, shows each field's
problem under the field as the biller types, and is filled back from a draft or a claim.

Every message comes from `domain.claim_entry.entry_problems` over the whole form, so a field's
message, the summary at submit and a bulk upload's per-row reason are the same words, and a
change in one field (a removed diagnosis) re-checks the fields that depend on it (pointers).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from nicegui import events, ui

from domain.claim_drafts import MemberConfirmation, PracticeProvider
from domain.claim_entry import (
    MAX_DIAGNOSES,
    MAX_LINES,
    ClaimEntry,
    FieldProblem,
    ServiceLineEntry,
    charge_problem,
    entry_problems,
    parse_modifiers,
    parse_money,
    parse_pointers,
)
from domain.claims import FrequencyCode
from domain.codes import PLACES_OF_SERVICE
from domain.npi import npi_problem
from interop.eligibility_csv import parse_date
from ui.format import money

LETTERS = "ABCDEFGHIJKL"  # CMS-1500 box 21 diagnosis letters
SHOWN_DIAGNOSES = 4  # box 21 shows A-D on its first row; more on demand
DEFAULT_PLACE_OF_SERVICE = "11"  # office: most professional claims

CSS = """
.claim-grid { display: grid; gap: 4px 14px; align-items: start;
  grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); }
.claim-dx { display: grid; gap: 4px 10px;
  grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); }
.claim-line { display: grid; gap: 4px 8px; align-items: start;
  grid-template-columns: 28px 150px 118px 120px 70px 120px 100px 40px; }
.claim-line-number { font-weight: 600; color: var(--portico-muted); padding-top: 10px; }
.claim-lines { overflow-x: auto; }
.claim-total { font-size: 1.05rem; font-weight: 600; }
.claim-box { font-size: 0.72rem; color: #4B5563; font-weight: 500; margin-left: 4px; }
.claim-member-ok { color: #166534; }
.claim-member-miss { color: #991B1B; }
"""

# How the summary names each header field (the CMS-1500 box in brackets).
HEADER_LABELS = {
    "member_id": "Member ID",
    "member_date_of_birth": "Date of birth",
    "billing_npi": "Billing provider NPI",
    "rendering_npi": "Rendering provider NPI",
    "place_of_service": "Place of service",
    "patient_control_number": "Patient account number",
    "service_date_from": "From date",
    "service_date_to": "To date",
    "original_claim_number": "Original claim number",
    "diagnoses": "Diagnoses",
    "lines": "Service lines",
}
LINE_LABELS = {
    "service_date": "date",
    "procedure_code": "CPT/HCPCS",
    "modifiers": "modifiers",
    "units": "units",
    "charge": "charge",
    "diagnosis_pointers": "pointers",
}


def field_label(name: str) -> str:
    """'lines.2.charge' -> 'Line 2 charge'; 'diagnoses.3' -> 'Diagnosis C'."""
    parts = name.split(".")
    if parts[0] == "diagnoses" and len(parts) == 2:
        number = int(parts[1])
        return f"Diagnosis {LETTERS[number - 1] if number <= len(LETTERS) else number}"
    if parts[0] == "lines" and len(parts) == 3:
        return f"Line {parts[1]} {LINE_LABELS.get(parts[2], parts[2])}"
    return HEADER_LABELS.get(name, name)


def read_pointers(text: str) -> tuple[int, ...]:
    """'A', 'AB', 'A, B', '1,2' -> pointers; unreadable text points nowhere (and says so)."""
    pointers = parse_pointers(text)
    if pointers is None:
        compact = re.sub(r"[,\s:]+", "", text)
        pointers = parse_pointers(compact) if compact.isalpha() else None
    return pointers or ()


def pointers_text(pointers: tuple[int, ...]) -> str:
    """Pointers as the 1500 prints them (letters) when they are all within A-L."""
    if all(1 <= p <= len(LETTERS) for p in pointers):
        return "".join(LETTERS[p - 1] for p in pointers)
    return ",".join(str(p) for p in pointers)


def _whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _text(value: object) -> str:
    return "" if value is None else str(value)


class FieldInput:
    """One input and when its message shows: "reward early, punish late" — after the biller
    leaves the field, or at once when more typing cannot make it right (`eager`)."""

    def __init__(self, element: ui.input | ui.select, eager: Callable[[str], bool]) -> None:
        # The form sets the message itself; NiceGUI's own validation would clear it again
        # right after every change.
        self.element = element.without_auto_validation()
        self.eager = eager
        self.touched = False

    @property
    def text(self) -> str:
        return _text(self.element.value).strip()

    def show(self, message: str | None) -> None:
        shown = message if (self.touched or self.eager(self.text)) else None
        self.element.error = shown


@dataclass
class LineRow:
    """One box-24 row and its inputs by field name."""

    row: ui.element
    inputs: dict[str, FieldInput] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return self.inputs[name].text

    def is_blank(self) -> bool:
        return not any(self.text(name) for name in self.inputs if name != "units") and (
            self.text("units") in ("", "1")
        )


class ClaimForm:
    """Inputs laid out like the CMS-1500; `entry()` reads them, `fill()` writes them back."""

    def __init__(
        self,
        *,
        providers: list[PracticeProvider],
        today: Callable[[], date],
        find_member: Callable[[str, date, date | None], Awaitable[MemberConfirmation | None]],
        read_only_lines: bool = False,
    ) -> None:
        self.providers = providers
        self.practice_npis = {provider.npi for provider in providers}
        self.today = today
        self.find_member = find_member
        self.read_only_lines = read_only_lines
        self.frequency_code = FrequencyCode.ORIGINAL
        self.original_claim_number = ""
        self.header: dict[str, FieldInput] = {}
        self.diagnoses: list[FieldInput] = []
        self.lines: list[LineRow] = []
        # What the biller is typing into an NPI select before it becomes its value.
        self.typed_npi: dict[str, str] = {}
        self.looked_up: tuple[str, date] | None = None

    # --- Drawing ---

    def draw(self) -> None:
        ui.add_css(CSS)
        self._patient()
        self._providers_and_claim()
        self._diagnoses_card()
        self._lines_card()
        self.recheck()

    def _section(self, title: str, box: str, marker: str) -> ui.element:
        section = ui.element("section").classes("portico-card w-full").mark(marker)
        with section, ui.row().classes("items-baseline gap-1 mb-2"):
            ui.label(title).classes("portico-section").props('role="heading" aria-level="2"')
            ui.label(box).classes("claim-box")
        return section

    def _input(
        self,
        name: str,
        label: str,
        *,
        marker: str,
        eager: Callable[[str], bool] = lambda text: False,
        date_input: bool = False,
        hint: str | None = None,
    ) -> FieldInput:
        element = ui.input(label).props(
            'outlined dense autocomplete=off spellcheck="false" hide-bottom-space'
        )
        if date_input:
            element.props(f"type=date stack-label max={self.today().isoformat()}")
        if hint:
            element.props["hint"] = hint  # a value, never spliced into a props string
        element.mark(marker)
        checked = FieldInput(element, eager)
        element.on_value_change(lambda _: self.recheck())
        element.on("blur", lambda _: self._touch(checked))
        self.header[name] = checked
        return checked

    def _touch(self, checked: FieldInput) -> None:
        checked.touched = True
        self.recheck()

    def _patient(self) -> None:
        with self._section("Patient and insured", "boxes 1a, 2, 3", "entry-patient"):
            with ui.element("div").classes("claim-grid"):
                self._input(
                    "member_id", "Member ID", marker="member-id", eager=lambda t: len(t) > 20
                )
                dob = self._input(
                    "member_date_of_birth",
                    "Date of birth",
                    marker="member-dob",
                    eager=bool,
                    date_input=True,
                )
                dob.element.on("blur", lambda _: self.lookup_member(quiet=True))
                ui.button("Find member", icon="person_search", on_click=self.lookup_member).props(
                    "outline no-caps"
                ).classes("self-center").mark("find-member")
            self.member_line = ui.row().classes("items-center gap-2 mt-1 text-sm")
            self.member_line.props('aria-live="polite"').mark("member-confirmation")

    def _providers_and_claim(self) -> None:
        with ui.element("div").classes("portico-grid-2 w-full"):
            providers = self._section("Providers", "boxes 24J, 33a", "entry-providers")
            with providers, ui.column().classes("gap-2 w-full"):
                self._npi_select("billing_npi", "Billing provider", "billing-npi")
                self._npi_select("rendering_npi", "Rendering provider", "rendering-npi")
            claim = self._section("Claim", "boxes 24A, 24B, 26", "entry-claim")
            with claim, ui.element("div").classes("claim-grid"):
                place = ui.select(
                    {code: f"{code} · {name}" for code, name in PLACES_OF_SERVICE.items()},
                    label="Place of service",
                    value=DEFAULT_PLACE_OF_SERVICE,
                ).props("outlined dense options-dense hide-bottom-space")
                place.mark("place-of-service")
                self.header["place_of_service"] = FieldInput(place, bool)
                place.on_value_change(lambda _: self.recheck())
                self._input(
                    "patient_control_number",
                    "Patient account no. (optional)",
                    marker="patient-account",
                    eager=lambda t: len(t) > 38,
                )
                start = self._input(
                    "service_date_from",
                    "From date",
                    marker="date-from",
                    eager=bool,
                    date_input=True,
                )
                start.element.on_value_change(self._to_follows_from)
                self._input(
                    "service_date_to", "To date", marker="date-to", eager=bool, date_input=True
                )

    def _npi_select(self, name: str, label: str, marker: str) -> None:
        options = {p.npi: f"{p.name} \N{EM DASH} {p.npi}" for p in self.providers}
        select = (
            ui.select(options, label=label, new_value_mode="add-unique")
            .props("outlined dense options-dense hide-bottom-space clearable")
            .classes("w-full")
            .mark(marker)
        )
        checked = FieldInput(select, bool)
        self.header[name] = checked
        select.on_value_change(lambda _: self._npi_chosen(name))
        select.on("input-value", lambda e: self._npi_typed(name, e))

    def _npi_chosen(self, name: str) -> None:
        self.typed_npi.pop(name, None)
        self.recheck()

    def _npi_typed(self, name: str, event: events.GenericEventArguments) -> None:
        """Check an NPI as it is typed into the select: once it has 10 characters (or anything
        but digits) no more typing can make it right, so say what is wrong at once."""
        text = _text(event.args).strip()
        labels = {f"{p.name} \N{EM DASH} {p.npi}" for p in self.providers}
        if text in labels:  # the select echoes a chosen option's label: not typing
            text = ""
        self.typed_npi[name] = text
        self.recheck()

    def _to_follows_from(self, _: object) -> None:
        """A one-day claim is the common case: the To date follows the From date until set."""
        start, end = self.header["service_date_from"], self.header["service_date_to"]
        if start.text and not end.text:
            end.element.value = start.text

    def _diagnoses_card(self) -> None:
        with self._section("Diagnoses", "box 21, ICD-10-CM", "entry-diagnoses"):
            self.diagnosis_grid = ui.element("div").classes("claim-dx w-full")
            with ui.row().classes("gap-2 mt-2"):
                self.add_diagnosis_button = (
                    ui.button("Add diagnosis", icon="add", on_click=lambda: self.add_diagnosis())
                    .props("flat dense no-caps")
                    .mark("add-diagnosis")
                )
                self.remove_diagnosis_button = (
                    ui.button("Remove last", icon="remove", on_click=self.remove_diagnosis)
                    .props("flat dense no-caps")
                    .mark("remove-diagnosis")
                )
        for _ in range(SHOWN_DIAGNOSES):
            self.add_diagnosis(recheck=False)
        self.add_diagnosis_button.set_visibility(not self.read_only_lines)
        self.remove_diagnosis_button.set_visibility(not self.read_only_lines)

    def add_diagnosis(self, *, recheck: bool = True) -> FieldInput | None:
        if len(self.diagnoses) >= MAX_DIAGNOSES:
            return None
        letter = LETTERS[len(self.diagnoses)]
        with self.diagnosis_grid:
            element = ui.input(f"{letter}.").props(
                'outlined dense autocomplete=off spellcheck="false" hide-bottom-space'
            )
            element.props(f'aria-label="Diagnosis {letter}"').mark(f"diagnosis-{letter}")
            if self.read_only_lines:  # a void repeats the original's diagnoses too
                element.props("readonly")
        checked = FieldInput(element, lambda text: len(text.replace(".", "")) > 7)
        element.on_value_change(lambda _: self.recheck())
        element.on("blur", lambda _: self._touch(checked))
        self.diagnoses.append(checked)
        if recheck:
            self.recheck()
        return checked

    def remove_diagnosis(self) -> None:
        if len(self.diagnoses) <= 1:
            return
        removed = self.diagnoses.pop()
        removed.element.delete()
        self.recheck()

    def _lines_card(self) -> None:
        with self._section("Service lines", "box 24, up to 50", "entry-lines"):
            with ui.element("div").classes("claim-lines w-full"):
                self.line_list = ui.column().classes("gap-2 w-full")
            with ui.row().classes("items-center justify-between w-full mt-2"):
                self.add_line_button = (
                    ui.button("Add line", icon="add", on_click=lambda: self.add_line())
                    .props("flat dense no-caps")
                    .mark("add-line")
                )
                with ui.row().classes("items-center gap-2 ml-auto"):
                    ui.label("Total charge").classes("portico-muted")
                    self.total = ui.label("$0.00").classes("claim-total").mark("total-charge")
        self.add_line(recheck=False)
        self.add_line_button.set_visibility(not self.read_only_lines)

    def add_line(self, *, recheck: bool = True) -> LineRow | None:
        if len(self.lines) >= MAX_LINES:
            ui.notify(f"A claim carries at most {MAX_LINES} service lines.", type="warning")
            return None
        number = len(self.lines) + 1
        with self.line_list:
            row = ui.element("div").classes("claim-line").mark("service-line")
        line = LineRow(row)
        with row:
            ui.label(str(number)).classes("claim-line-number")

            def add(name: str, label: str, eager: Callable[[str], bool], **props: str) -> None:
                element = ui.input(label).props(
                    'outlined dense autocomplete=off spellcheck="false" hide-bottom-space'
                )
                for key, value in props.items():
                    element.props(f'{key}="{value}"')
                element.props(f'aria-label="Line {number} {LINE_LABELS[name]}"')
                element.mark(f"line-{number}-{name.replace('_', '-')}")
                if self.read_only_lines:
                    element.props("readonly")
                checked = FieldInput(element, eager)
                element.on_value_change(lambda _: self.recheck())
                element.on("blur", lambda _: self._touch(checked))
                line.inputs[name] = checked

            add("service_date", "Date", bool, type="date", **{"stack-label": ""})
            add("procedure_code", "CPT/HCPCS", lambda t: len(t) >= 5)
            add("modifiers", "Modifiers", lambda t: len(parse_modifiers(t)) > 4)
            add("units", "Units", bool)
            line.inputs["units"].element.value = "1"
            add("charge", "Charge", lambda t: bool(re.search(r"\.\d{3}", t)), prefix="$")
            add("diagnosis_pointers", "Pointers", bool)
            line.inputs["service_date"].element.props(f"max={self.today().isoformat()}")
            if not self.read_only_lines:
                ui.button(icon="close", on_click=lambda: self.remove_line(line)).props(
                    f'flat round dense aria-label="Remove line {number}"'
                )
        self.lines.append(line)
        if recheck:
            self.recheck()
        return line

    def remove_line(self, line: LineRow) -> None:
        if len(self.lines) <= 1 or line not in self.lines:
            return
        index = self.lines.index(line)
        # Rows are numbered as printed; rebuilding the rows after the removed one keeps each
        # input's label and marker in step with its number.
        kept = [self._line_values(row) for row in self.lines[index + 1 :]]
        for row in self.lines[index:]:
            row.row.delete()
        del self.lines[index:]
        for values in kept:
            added = self.add_line(recheck=False)
            if added is not None:
                for name, value in values.items():
                    added.inputs[name].element.value = value
        self.recheck()

    @staticmethod
    def _line_values(line: LineRow) -> dict[str, str]:
        return {name: _text(checked.element.value) for name, checked in line.inputs.items()}

    # --- Reading and checking ---

    def _kept_lines(self) -> list[LineRow]:
        """The rows that are part of the claim: blank rows are skipped, but never all of them
        (an empty claim shows its first line's messages)."""
        kept = [line for line in self.lines if not line.is_blank()]
        return kept or self.lines[:1]

    def _diagnosis_codes(self) -> list[str]:
        codes = [checked.text for checked in self.diagnoses]
        while codes and not codes[-1]:
            codes.pop()
        return codes

    def entry(self) -> ClaimEntry:
        """The claim the form describes; what cannot be read is None or empty, and checked."""
        text = {name: checked.text for name, checked in self.header.items()}
        lines = tuple(
            ServiceLineEntry(
                procedure_code=line.text("procedure_code").upper(),
                charge=parse_money(line.text("charge")),
                diagnosis_pointers=read_pointers(line.text("diagnosis_pointers")),
                units=_whole_number(line.text("units")),
                modifiers=parse_modifiers(line.text("modifiers")),
                service_date=parse_date(line.text("service_date")),
            )
            for line in self._kept_lines()
        )
        return ClaimEntry(
            member_id=text["member_id"].upper(),
            member_date_of_birth=parse_date(text["member_date_of_birth"]),
            billing_npi=self._npi("billing_npi"),
            rendering_npi=self._npi("rendering_npi"),
            place_of_service=text["place_of_service"],
            service_date_from=parse_date(text["service_date_from"]),
            service_date_to=parse_date(text["service_date_to"]),
            diagnoses=tuple(code.upper() for code in self._diagnosis_codes()),
            lines=lines,
            patient_control_number=text["patient_control_number"],
            frequency_code=self.frequency_code,
            original_claim_number=self.original_claim_number,
        )

    def _npi(self, name: str) -> str:
        """The chosen NPI, or the digits typed into the select and not yet confirmed with
        Enter: what the biller sees in the field is what gets checked."""
        typed = self.typed_npi.get(name, "")
        return typed if typed.isdigit() else self.header[name].text

    def problems(self) -> list[FieldProblem]:
        """Every problem, in form order, including an NPI that is not the practice's."""
        entry = self.entry()
        found = entry_problems(entry, today=self.today())
        flagged = {problem.field for problem in found}
        for name in ("billing_npi", "rendering_npi"):
            npi = getattr(entry, name)
            if name not in flagged and npi not in self.practice_npis:
                found.append(FieldProblem(name, _not_in_practice(npi)))
        order = list(HEADER_LABELS)
        return sorted(found, key=lambda p: _form_position(p.field, order))

    def recheck(self) -> list[FieldProblem]:
        """Show each field's own problem under it; returns them all."""
        problems = self.problems()
        by_field: dict[str, str] = {}
        for problem in problems:
            by_field.setdefault(problem.field, problem.message)
        for name, checked in self.header.items():
            checked.show(by_field.get(name))
        for name in ("billing_npi", "rendering_npi"):
            # Digits typed into the select (letters search the providers by name): ten of them
            # are a whole NPI, so its check digit is checked before it is even chosen.
            typed = self.typed_npi.get(name, "")
            if typed.isdigit() and len(typed) >= 10:
                message = npi_problem(typed) or (
                    None if typed in self.practice_npis else _not_in_practice(typed)
                )
                if message:
                    self.header[name].element.error = message
        for number, checked in enumerate(self.diagnoses, start=1):
            checked.show(by_field.get(f"diagnoses.{number}"))
        kept = self._kept_lines()
        for line in self.lines:
            number = kept.index(line) + 1 if line in kept else None
            for name, checked in line.inputs.items():
                checked.show(by_field.get(f"lines.{number}.{name}") if number else None)
        self._show_total()
        return problems

    def _show_total(self) -> None:
        charges = [parse_money(line.text("charge")) for line in self._kept_lines()]
        total = sum(
            (c for c in charges if c is not None and charge_problem(c) is None), Decimal("0.00")
        )
        self.total.set_text(money(total))

    def touch_all(self) -> None:
        for checked in self._all_inputs():
            checked.touched = True

    def _all_inputs(self) -> list[FieldInput]:
        inputs = [*self.header.values(), *self.diagnoses]
        for line in self.lines:
            inputs.extend(line.inputs.values())
        return inputs

    def focus_first_problem(self, problems: list[FieldProblem]) -> None:
        for problem in problems:
            target = self._input_for(problem.field)
            if target is not None:
                target.element.run_method("focus")
                return

    def _input_for(self, name: str) -> FieldInput | None:
        if name in self.header:
            return self.header[name]
        parts = name.split(".")
        if parts[0] == "diagnoses" and len(parts) == 2 and parts[1].isdigit():
            index = int(parts[1]) - 1
            return self.diagnoses[index] if index < len(self.diagnoses) else None
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
            kept = self._kept_lines()
            index = int(parts[1]) - 1
            return kept[index].inputs.get(parts[2]) if index < len(kept) else None
        return None

    # --- Filling from a draft or a claim ---

    def fill(self, entry: ClaimEntry) -> None:
        """Put an entry into the inputs (a resumed draft, a claim to correct); every field is
        then checked at once, so what needs fixing shows without a click."""
        self.frequency_code = entry.frequency_code
        self.original_claim_number = entry.original_claim_number
        values = {
            "member_id": entry.member_id,
            "member_date_of_birth": _iso(entry.member_date_of_birth),
            "place_of_service": entry.place_of_service or None,
            "patient_control_number": entry.patient_control_number,
            "service_date_from": _iso(entry.service_date_from),
            "service_date_to": _iso(entry.service_date_to),
        }
        for name, value in values.items():
            self.header[name].element.value = value
        for name in ("billing_npi", "rendering_npi"):
            npi = getattr(entry, name).strip()
            select = self.header[name].element
            assert isinstance(select, ui.select)
            if npi and npi not in select.options:
                select.options[npi] = npi  # type: ignore[index]
                select.update()
            select.value = npi or None
        while len(self.diagnoses) < min(len(entry.diagnoses), MAX_DIAGNOSES):
            self.add_diagnosis(recheck=False)
        for checked, code in zip(self.diagnoses, entry.diagnoses, strict=False):
            checked.element.value = code
        while len(self.lines) < min(len(entry.lines), MAX_LINES):
            self.add_line(recheck=False)
        for row, line in zip(self.lines, entry.lines, strict=False):
            row.inputs["service_date"].element.value = _iso(line.service_date)
            row.inputs["procedure_code"].element.value = line.procedure_code
            row.inputs["modifiers"].element.value = ", ".join(line.modifiers)
            row.inputs["units"].element.value = _text(line.units)
            row.inputs["charge"].element.value = _text(line.charge)
            row.inputs["diagnosis_pointers"].element.value = pointers_text(line.diagnosis_pointers)
        self.touch_all()
        self.recheck()

    # --- The member, confirmed by name ---

    async def lookup_member(self, *, quiet: bool = False) -> None:
        member_id = self.header["member_id"].text
        born = parse_date(self.header["member_date_of_birth"].text)
        if not member_id or born is None:
            if not quiet:
                self.header["member_id"].touched = True
                self.header["member_date_of_birth"].touched = True
                self.recheck()
            return
        if quiet and (member_id.upper(), born) == self.looked_up:
            return
        self.looked_up = (member_id.upper(), born)
        found = await self.find_member(
            member_id, born, parse_date(self.header["service_date_from"].text)
        )
        self.member_line.clear()
        with self.member_line:
            if isinstance(found, MemberConfirmation):
                ui.icon("check_circle", size="20px").classes("claim-member-ok")
                plan = found.plan_name or "no coverage on the date of service"
                ui.label(f"{found.display_name} \N{MIDDLE DOT} {plan}").classes(
                    "claim-member-ok font-medium"
                ).mark("member-name")
            else:
                ui.icon("error", size="20px").classes("claim-member-miss")
                ui.label(
                    "No member matches this member ID and date of birth. Check both against "
                    "the member's ID card."
                ).classes("claim-member-miss").mark("member-miss")


def _not_in_practice(npi: str) -> str:
    return f"NPI {npi} is not a provider of your practice in the portal."


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _form_position(name: str, order: list[str]) -> tuple[int, int, int]:
    parts = name.split(".")
    if parts[0] == "diagnoses":
        return (len(order), int(parts[1]) if len(parts) > 1 else 0, 0)
    if parts[0] == "lines":
        line = int(parts[1]) if len(parts) > 1 else 0
        column = list(LINE_LABELS).index(parts[2]) if len(parts) > 2 else 0
        return (len(order) + 1, line, column)
    return (order.index(name) if name in order else len(order), 0, 0)
