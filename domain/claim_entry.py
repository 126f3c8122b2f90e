"""A professional claim as a practice enters it (form, CSV row or 837P loop), and the checks a
field can fail before the claim is ever submitted.

The same `ClaimEntry` value comes from the CMS-1500 form, a CSV row and an 837P claim loop, so
the form's messages, a bulk upload's per-row reasons and the API's errors are one set of rules.
Everything here is pure: time comes in as `today`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.claims import FrequencyCode
from domain.codes import PLACES_OF_SERVICE
from domain.front_end_edits import diagnosis_problem
from domain.npi import npi_problem

MAX_DIAGNOSES = 12  # CMS-1500 box 21 A-L / 837P HI
MAX_LINES = 50  # 837P 2400 loop repeat
MAX_MODIFIERS = 4  # SV101-3..6
MAX_POINTERS = 4  # SV107-1..4
MAX_UNITS = 9999
MAX_CHARGE = Decimal("99999999.99")  # what Money and the 837's R10 amount can carry
MAX_CONTROL_NUMBER = 38  # CLM01 (the practice's patient account number)

# CPT (5 digits; category II ends in F, III in T), or HCPCS level II (letter A-V + 4 digits).
_PROCEDURE = re.compile(r"^(\d{4}[0-9FT]|[A-V]\d{4})$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
_MEMBER_ID = re.compile(r"^[A-Z0-9-]{2,20}$")
_CONTROL_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,38}$")


@dataclass(frozen=True)
class ServiceLineEntry:
    """CMS-1500 box 24, one row; 837P loop 2400 (SV1 + DTP*472)."""

    procedure_code: str
    charge: Decimal | None
    diagnosis_pointers: tuple[int, ...]
    units: int | None = 1
    modifiers: tuple[str, ...] = ()
    service_date: date | None = None  # None: the claim's first date of service


@dataclass(frozen=True)
class ClaimEntry:
    """A claim before submission; fields a parser could not read are None or empty."""

    member_id: str
    member_date_of_birth: date | None
    billing_npi: str
    rendering_npi: str
    place_of_service: str
    service_date_from: date | None
    service_date_to: date | None
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLineEntry, ...]
    patient_control_number: str = ""
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL
    original_claim_number: str = ""  # CLM05-3 = 7 or 8: REF*F8, the claim it replaces or voids

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge or Decimal("0.00") for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field, said so the person typing can fix it.

    `field` names the field the way the form marks its inputs: `member_id`, `diagnoses.3`,
    `lines.2.charge` (diagnoses and lines counted from 1, as printed)."""

    field: str
    message: str


@dataclass
class _Problems:
    found: list[FieldProblem] = field(default_factory=list)

    def add(self, name: str, message: str | None) -> None:
        if message:
            self.found.append(FieldProblem(name, message))


def entry_problems(entry: ClaimEntry, *, today: date) -> list[FieldProblem]:
    """Every field problem in the claim, in the order the form shows its fields."""
    problems = _Problems()
    _member(entry, today, problems)
    problems.add("billing_npi", npi_problem(entry.billing_npi.strip()))
    problems.add("rendering_npi", npi_problem(entry.rendering_npi.strip()))
    problems.add("place_of_service", place_of_service_problem(entry.place_of_service))
    problems.add("patient_control_number", control_number_problem(entry.patient_control_number))
    _dates(entry, today, problems)
    _diagnoses(entry, problems)
    _lines(entry, today, problems)
    _frequency(entry, problems)
    return problems.found


def _member(entry: ClaimEntry, today: date, problems: _Problems) -> None:
    member_id = entry.member_id.strip().upper()
    if not member_id:
        problems.add("member_id", "Enter the member ID from the member's card.")
    elif not _MEMBER_ID.match(member_id):
        problems.add("member_id", "A member ID is 2 to 20 letters, digits or dashes.")
    if entry.member_date_of_birth is None:
        problems.add("member_date_of_birth", "Enter the member's date of birth.")
    elif entry.member_date_of_birth > today:
        problems.add("member_date_of_birth", "The date of birth cannot be in the future.")


def _dates(entry: ClaimEntry, today: date, problems: _Problems) -> None:
    start, end = entry.service_date_from, entry.service_date_to
    if start is None:
        problems.add("service_date_from", "Enter the first date of service.")
    elif start > today:
        problems.add("service_date_from", "A date of service cannot be in the future.")
    if end is None:
        problems.add("service_date_to", "Enter the last date of service.")
    elif end > today:
        problems.add("service_date_to", "A date of service cannot be in the future.")
    elif start is not None and end < start:
        problems.add("service_date_to", "The last date of service is before the first.")


def _diagnoses(entry: ClaimEntry, problems: _Problems) -> None:
    if not entry.diagnoses:
        problems.add("diagnoses.1", "Enter the principal diagnosis (ICD-10-CM).")
    if len(entry.diagnoses) > MAX_DIAGNOSES:
        problems.add("diagnoses", f"A claim carries at most {MAX_DIAGNOSES} diagnoses.")
    seen: set[str] = set()
    for number, code in enumerate(entry.diagnoses, start=1):
        bare = code.strip().upper().replace(".", "")
        if not bare:
            problems.add(f"diagnoses.{number}", "Enter a code or remove the empty diagnosis.")
            continue
        problem = diagnosis_problem(code)
        if problem:
            problems.add(f"diagnoses.{number}", f"This code {problem}")
        elif bare in seen:
            problems.add(f"diagnoses.{number}", "This diagnosis is already on the claim.")
        seen.add(bare)


def _lines(entry: ClaimEntry, today: date, problems: _Problems) -> None:
    if not entry.lines:
        problems.add("lines", "Add at least one service line.")
    if len(entry.lines) > MAX_LINES:
        problems.add("lines", f"A claim carries at most {MAX_LINES} service lines.")
    for number, line in enumerate(entry.lines, start=1):
        prefix = f"lines.{number}"
        problems.add(f"{prefix}.procedure_code", procedure_problem(line.procedure_code))
        problems.add(f"{prefix}.modifiers", modifiers_problem(line.modifiers))
        problems.add(f"{prefix}.units", units_problem(line.units))
        problems.add(f"{prefix}.charge", charge_problem(line.charge))
        problems.add(
            f"{prefix}.diagnosis_pointers",
            pointers_problem(line.diagnosis_pointers, len(entry.diagnoses)),
        )
        problems.add(f"{prefix}.service_date", _line_date_problem(entry, line, today))


def _line_date_problem(entry: ClaimEntry, line: ServiceLineEntry, today: date) -> str | None:
    day = line.service_date
    if day is None:
        return None
    if day > today:
        return "A date of service cannot be in the future."
    start, end = entry.service_date_from, entry.service_date_to
    if start is not None and end is not None and not start <= day <= end:
        return "The line's date is outside the claim's dates of service."
    return None


def _frequency(entry: ClaimEntry, problems: _Problems) -> None:
    corrects = entry.frequency_code != FrequencyCode.ORIGINAL
    if corrects and not entry.original_claim_number.strip():
        problems.add(
            "original_claim_number",
            "A replacement or void must name the claim number it corrects.",
        )


# --- One field at a time: the form calls these as the user types ---


def procedure_problem(code: str) -> str | None:
    code = code.strip().upper()
    if not code:
        return "Enter the CPT or HCPCS code."
    if not _PROCEDURE.match(code):
        return "A CPT code is 5 digits (e.g. 99213); a HCPCS code is a letter and 4 digits."
    return None


def modifiers_problem(modifiers: tuple[str, ...]) -> str | None:
    if len(modifiers) > MAX_MODIFIERS:
        return f"A line carries at most {MAX_MODIFIERS} modifiers."
    for modifier in modifiers:
        if not _MODIFIER.match(modifier.strip().upper()):
            return f"'{modifier}' is not a modifier: each is 2 letters or digits (e.g. 25)."
    return None


def units_problem(units: int | None) -> str | None:
    if units is None:
        return "Enter the units (a whole number)."
    if not 1 <= units <= MAX_UNITS:
        return f"Units are a whole number from 1 to {MAX_UNITS}."
    return None


def charge_problem(charge: Decimal | None) -> str | None:
    if charge is None:
        return "Enter the charge in dollars and cents."
    if charge <= 0:
        return "The charge must be more than $0.00."
    if charge > MAX_CHARGE:
        return "The charge is too large for one line."
    if charge != charge.quantize(Decimal("0.01")):
        return "A charge has at most two decimal places (cents)."
    return None


def pointers_problem(pointers: tuple[int, ...], diagnosis_count: int) -> str | None:
    if not pointers:
        return "Point the line at a diagnosis (1 to 12, e.g. 1 or 1,2)."
    if len(pointers) > MAX_POINTERS:
        return f"A line points at most at {MAX_POINTERS} diagnoses."
    if len(set(pointers)) != len(pointers):
        return "A line points at each diagnosis once."
    for pointer in pointers:
        if not 1 <= pointer <= max(diagnosis_count, 0) or pointer > MAX_DIAGNOSES:
            return f"Pointer {pointer} does not point at a diagnosis on this claim."
    return None


def place_of_service_problem(code: str) -> str | None:
    code = code.strip()
    if not code:
        return "Choose the place of service."
    if code not in PLACES_OF_SERVICE:
        return f"'{code}' is not a place-of-service code the plan accepts."
    return None


def control_number_problem(number: str) -> str | None:
    """The patient account number is optional on the form (the portal assigns one if blank)."""
    if number and not _CONTROL_NUMBER.match(number.strip()):
        return "The patient account number is up to 38 letters, digits or dashes."
    return None


# --- Reading text the way every source writes it ---


def parse_money(text: str) -> Decimal | None:
    """'$1,234.50' or '1234.5' -> Decimal; None when it is not an amount."""
    cleaned = text.strip().replace("$", "").replace(",", "")
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def parse_pointers(text: str) -> tuple[int, ...] | None:
    """'1,2' or '1 2' or 'AB' (the 1500's letters) -> (1, 2); None when unreadable."""
    text = text.strip().upper()
    if not text:
        return ()
    if text.isalpha() and all("A" <= letter <= "L" for letter in text):
        return tuple(ord(letter) - ord("A") + 1 for letter in text)
    parts = [part for part in re.split(r"[,\s:]+", text) if part]
    if not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def parse_modifiers(text: str) -> tuple[str, ...]:
    return tuple(part.upper() for part in re.split(r"[,\s:]+", text.strip()) if part)


# --- Drafts keep an entry as JSON ---


def entry_to_json(entry: ClaimEntry) -> str:
    return json.dumps(asdict(entry), default=_json_default, sort_keys=True)


def entry_from_json(text: str) -> ClaimEntry:
    raw = json.loads(text)
    lines = tuple(
        ServiceLineEntry(
            procedure_code=line["procedure_code"],
            charge=_decimal_or_none(line["charge"]),
            diagnosis_pointers=tuple(line["diagnosis_pointers"]),
            units=line["units"],
            modifiers=tuple(line["modifiers"]),
            service_date=_date_or_none(line["service_date"]),
        )
        for line in raw["lines"]
    )
    return ClaimEntry(
        member_id=raw["member_id"],
        member_date_of_birth=_date_or_none(raw["member_date_of_birth"]),
        billing_npi=raw["billing_npi"],
        rendering_npi=raw["rendering_npi"],
        place_of_service=raw["place_of_service"],
        service_date_from=_date_or_none(raw["service_date_from"]),
        service_date_to=_date_or_none(raw["service_date_to"]),
        diagnoses=tuple(raw["diagnoses"]),
        lines=lines,
        patient_control_number=raw["patient_control_number"],
        frequency_code=FrequencyCode(raw["frequency_code"]),
        original_claim_number=raw["original_claim_number"],
    )


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _date_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _decimal_or_none(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None
