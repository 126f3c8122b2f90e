"""CSV claim files for bulk submission: the documented template, the reader (one row per service
line, grouped into claims by patient_control_number, problems named by row) and the writers
(template, rejections) a practice downloads."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.claim_entry import (
    ClaimEntry,
    ServiceLineEntry,
    parse_modifiers,
    parse_money,
    parse_pointers,
)
from domain.claims import FrequencyCode
from interop.eligibility_csv import parse_date

# The claim key comes first: every row with the same patient_control_number is one claim.
CLAIM_COLUMNS = (
    "patient_control_number",
    "member_id",
    "member_date_of_birth",
    "billing_npi",
    "rendering_npi",
    "place_of_service",
    "diagnoses",
    "frequency_code",
    "original_claim_number",
)
LINE_COLUMNS = (
    "service_date",
    "procedure_code",
    "modifiers",
    "units",
    "charge",
    "diagnosis_pointers",
)
COLUMNS = CLAIM_COLUMNS + LINE_COLUMNS
REQUIRED = frozenset(
    {
        "patient_control_number",
        "member_id",
        "member_date_of_birth",
        "billing_npi",
        "place_of_service",
        "diagnoses",
        "service_date",
        "procedure_code",
        "charge",
        "diagnosis_pointers",
    }
)
# What each column holds, shown on the upload page next to the template download.
COLUMN_HELP: dict[str, str] = {
    "patient_control_number": "Required. Your account number for the claim (CLM01), up to 38 "
    "letters, digits or dashes. Rows with the same number are the lines of one claim.",
    "member_id": "Required. From the member's card.",
    "member_date_of_birth": "Required. YYYY-MM-DD or MM/DD/YYYY.",
    "billing_npi": "Required. A provider of your practice.",
    "rendering_npi": "Optional; empty means the billing provider rendered the service.",
    "place_of_service": "Required. Two-digit CMS code (11 office, 20 urgent care).",
    "diagnoses": "Required. ICD-10-CM codes in order, separated by spaces: J06.9 R05.9 "
    "(the first is the principal diagnosis; at most 12).",
    "frequency_code": "Optional: 1 original (default), 7 replacement, 8 void.",
    "original_claim_number": "With frequency 7 or 8: the Portico claim number corrected.",
    "service_date": "Required. The line's date of service, YYYY-MM-DD or MM/DD/YYYY.",
    "procedure_code": "Required. CPT or HCPCS code, e.g. 99213.",
    "modifiers": "Optional. Up to four, separated by spaces: 25 59.",
    "units": "Optional whole number; empty means 1.",
    "charge": "Required. Dollars and cents, e.g. 145.00.",
    "diagnosis_pointers": "Required. Which diagnoses the line is for: 1 or 1 2 (or A B).",
}
# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SEPARATORS = re.compile(r"[\s,;]+")


class ClaimFileError(ValueError):
    """The file as a whole cannot be read (empty, wrong columns, not text): nothing is saved."""


@dataclass(frozen=True)
class CsvClaim:
    """One claim of the file: the rows it came from and what could not be read in them."""

    row: int  # of its first line, the header being row 1
    entry: ClaimEntry
    rows: tuple[int, ...]
    problems: tuple[str, ...] = ()  # "row 7: charge '12,x' is not an amount"

    @property
    def patient_control_number(self) -> str:
        return self.entry.patient_control_number


@dataclass
class _Group:
    first_row: int
    claim_values: dict[str, str]
    rows: list[int] = field(default_factory=list)
    lines: list[ServiceLineEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def template() -> str:
    """The header and one example claim of two lines (a demo member and Riverside provider)."""
    example_claim = ("RFM-10001", "PT100000101", "1984-03-14", "1538204102", "", "11")
    rows = [
        COLUMNS,
        (*example_claim, "J06.9 R05.9", "1", "", "2026-01-05", "99213", "25", "1", "145.00", "1 2"),
        (*example_claim, "J06.9 R05.9", "1", "", "2026-01-05", "87880", "", "1", "28.00", "1"),
    ]
    return to_csv(rows)


def read_claims_csv(text: str) -> list[CsvClaim]:
    """Read every claim of the file, in the order their first rows appear."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = _read_header(reader)
    groups: dict[str, _Group] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        number = reader.line_num
        values = {name: row[index].strip() if index < len(row) else "" for name, index in header}
        key = values.get("patient_control_number", "")
        # A row without a key cannot join another: it is its own (rejected) claim.
        group_key = key or f"\0row{number}"
        claim_values = {name: values.get(name, "") for name in CLAIM_COLUMNS}
        group = groups.get(group_key)
        if group is None:
            group = groups[group_key] = _Group(number, claim_values)
        else:
            _same_claim(group, claim_values, number)
        if len(row) > len(header):
            group.problems.append(f"row {number}: has more cells than the header has columns")
        group.rows.append(number)
        group.lines.append(_line(values, number, group.problems))
    if not groups:
        raise ClaimFileError("The file has a header but no claim rows under it.")
    return [_claim(group) for group in groups.values()]


def _read_header(reader: Iterator[list[str]]) -> list[tuple[str, int]]:
    for row in reader:
        if any(cell.strip() for cell in row):
            names = [cell.strip().lower().replace(" ", "_") for cell in row]
            break
    else:
        raise ClaimFileError("The file is empty.")
    missing = sorted(REQUIRED - set(names), key=COLUMNS.index)
    unknown = [name or "(blank)" for name in names if name not in COLUMNS]
    duplicated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unknown:
            parts.append(f"not in the template: {', '.join(unknown)}")
        if duplicated:
            parts.append(f"given twice: {', '.join(duplicated)}")
        raise ClaimFileError(
            "The columns are not the template's (download the CSV template): "
            + "; ".join(parts)
            + "."
        )
    return [(name, names.index(name)) for name in COLUMNS if name in names]


def _same_claim(group: _Group, values: dict[str, str], row: int) -> None:
    """Claim-level cells repeat on every line; a line that disagrees makes the claim ambiguous."""
    for name in CLAIM_COLUMNS:
        if values[name] != group.claim_values[name]:
            group.problems.append(
                f"row {row}: {name} differs from row {group.first_row} of the same claim "
                "(claim-level columns must repeat unchanged on every line)"
            )


def _line(values: dict[str, str], row: int, problems: list[str]) -> ServiceLineEntry:
    charge_text = values.get("charge", "")
    charge = parse_money(charge_text)
    if charge_text and charge is None:
        problems.append(f"row {row}: charge '{charge_text}' is not an amount (e.g. 145.00)")
    units_text = values.get("units", "")
    units: int | None = 1
    if units_text:
        units = int(units_text) if units_text.isdigit() else None
        if units is None:
            problems.append(f"row {row}: units '{units_text}' is not a whole number")
    pointers_text = values.get("diagnosis_pointers", "")
    pointers = parse_pointers(pointers_text)
    if pointers is None:
        problems.append(
            f"row {row}: diagnosis_pointers '{pointers_text}' must be numbers (1 2) or "
            "letters (A B)"
        )
    service_date = _date(values.get("service_date", ""), "service_date", row, problems)
    return ServiceLineEntry(
        procedure_code=values.get("procedure_code", ""),
        charge=charge,
        diagnosis_pointers=pointers or (),
        units=units,
        modifiers=parse_modifiers(values.get("modifiers", "")),
        service_date=service_date,
    )


def _date(text: str, name: str, row: int, problems: list[str]) -> date | None:
    if not text:
        return None
    parsed = parse_date(text)
    if parsed is None:
        problems.append(f"row {row}: {name} '{text}' is not a date (YYYY-MM-DD or MM/DD/YYYY)")
    return parsed


def _claim(group: _Group) -> CsvClaim:
    values = group.claim_values
    row = group.first_row
    problems = group.problems
    birth = _date(values["member_date_of_birth"], "member_date_of_birth", row, problems)
    frequency_text = values["frequency_code"] or FrequencyCode.ORIGINAL.value
    if frequency_text not in FrequencyCode._value2member_map_:
        problems.append(
            f"row {row}: frequency_code '{frequency_text}' must be 1 (original), 7 "
            "(replacement) or 8 (void)"
        )
        frequency = FrequencyCode.ORIGINAL
    else:
        frequency = FrequencyCode(frequency_text)
    days = [line.service_date for line in group.lines if line.service_date]
    entry = ClaimEntry(
        member_id=values["member_id"],
        member_date_of_birth=birth,
        billing_npi=values["billing_npi"],
        rendering_npi=values["rendering_npi"] or values["billing_npi"],
        place_of_service=values["place_of_service"],
        service_date_from=min(days) if days else None,
        service_date_to=max(days) if days else None,
        diagnoses=tuple(code for code in _SEPARATORS.split(values["diagnoses"]) if code),
        lines=tuple(group.lines),
        patient_control_number=values["patient_control_number"],
        frequency_code=frequency,
        original_claim_number=values["original_claim_number"],
    )
    if not values["patient_control_number"]:
        problems.append(f"row {row}: patient_control_number is empty (it groups lines into claims)")
    return CsvClaim(row, entry, tuple(group.rows), tuple(problems))


# --- Writing ---


def entries_to_csv(entries: Iterable[ClaimEntry]) -> str:
    """Claims as a file in the template's columns (tests and benchmarks build uploads so)."""
    rows: list[Sequence[Any]] = [COLUMNS]
    for number, entry in enumerate(entries, start=1):
        birth = entry.member_date_of_birth
        claim = (
            entry.patient_control_number or f"PCN{number:09d}",
            entry.member_id,
            birth.isoformat() if birth else "",
            entry.billing_npi,
            "" if entry.rendering_npi == entry.billing_npi else entry.rendering_npi,
            entry.place_of_service,
            " ".join(entry.diagnoses),
            entry.frequency_code.value,
            entry.original_claim_number,
        )
        for line in entry.lines:
            day = line.service_date or entry.service_date_from
            rows.append(
                (
                    *claim,
                    day.isoformat() if day else "",
                    line.procedure_code,
                    " ".join(line.modifiers),
                    "" if line.units is None else str(line.units),
                    "" if line.charge is None else f"{line.charge:.2f}",
                    " ".join(str(pointer) for pointer in line.diagnosis_pointers),
                )
            )
    return to_csv(rows)


REJECTION_COLUMNS = ("locator", "patient_control_number", "reason")


def rejections_csv(rejections: Iterable[tuple[str, str, str]]) -> str:
    """(locator, account, reason) rows: 'row 7' / 'segment 41', CLM01, what to fix."""
    return to_csv([REJECTION_COLUMNS, *rejections])


def to_csv(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return buffer.getvalue()


def _safe(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    # A leading quote keeps a spreadsheet from running the cell; dates and codes never start so.
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
