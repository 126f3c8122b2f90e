"""CSV schedules for the eligibility batch: the template, the reader (errors per row) and the
results writer."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.eligibility import CoverageState, EligibilityAnswer, EligibilityInquiry

COLUMNS = (
    "member_id",
    "date_of_birth",
    "last_name",
    "first_name",
    "date_of_service",
    "procedure_codes",
    "place_of_service",
)
# What each column holds, for the template's documentation on the batch page.
COLUMN_HELP: dict[str, str] = {
    "member_id": "From the member's card. Or leave it empty and give last and first name.",
    "date_of_birth": "Required. YYYY-MM-DD or MM/DD/YYYY.",
    "last_name": "With first_name, when there is no member ID.",
    "first_name": "With last_name, when there is no member ID.",
    "date_of_service": "The appointment date; empty means tomorrow. YYYY-MM-DD or MM/DD/YYYY.",
    "procedure_codes": "Optional CPT/HCPCS codes, separated by spaces or commas: 99213 97110.",
    "place_of_service": "Optional two-digit CMS place of service (11 = office).",
}
MAX_APPOINTMENTS = 5000  # about ten seconds of checking; a day's schedule is far smaller
_CODE_SEPARATORS = re.compile(r"[\s,;]+")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ScheduleFileError(ValueError):
    """The file as a whole cannot be read (empty, wrong header, too long): nothing runs."""


@dataclass(frozen=True)
class RowError:
    line: int  # the file's line number, the header being line 1
    message: str


@dataclass
class Schedule:
    inquiries: list[tuple[int, EligibilityInquiry]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD or MM/DD/YYYY (the two forms schedules are exported in); None if neither."""
    text = text.strip()
    us_date = _US_DATE.match(text)
    try:
        if us_date:
            month, day, year = (int(part) for part in us_date.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def split_procedure_codes(text: str) -> tuple[str, ...]:
    return tuple(code.upper() for code in _CODE_SEPARATORS.split(text.strip()) if code)


def template() -> str:
    """The header and two example rows: one found by member ID, one by name."""
    rows = [
        COLUMNS,
        ("PT100000101", "1984-03-14", "", "", "", "99213", "11"),
        ("", "09/02/1971", "Reed", "Marcus", "", "", ""),
    ]
    return _to_csv(rows)


def read_schedule(text: str, *, default_date_of_service: date, today: date) -> Schedule:
    """Read a schedule; rows that cannot run are reported with what to fix, the rest run."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = _read_header(reader)
    schedule = Schedule()
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(schedule.inquiries) + len(schedule.errors) >= MAX_APPOINTMENTS:
            raise ScheduleFileError(
                f"The file has more than {MAX_APPOINTMENTS:,} appointments: split it into "
                "smaller files."
            )
        values = {name: row[index].strip() if index < len(row) else "" for name, index in header}
        inquiry, problems = _inquiry(values, default_date_of_service, today)
        if problems:
            schedule.errors.append(RowError(line, " ".join(problems)))
        else:
            assert inquiry is not None
            schedule.inquiries.append((line, inquiry))
    if not schedule.inquiries and not schedule.errors:
        raise ScheduleFileError("The file has a header but no appointments under it.")
    return schedule


def _read_header(reader: Iterable[list[str]]) -> list[tuple[str, int]]:
    for row in reader:
        if any(cell.strip() for cell in row):
            names = [cell.strip().lower().replace(" ", "_") for cell in row]
            break
    else:
        raise ScheduleFileError("The file is empty.")
    missing = []
    if "date_of_birth" not in names:
        missing.append("date_of_birth")
    if "member_id" not in names and not {"last_name", "first_name"} <= set(names):
        missing.append("member_id (or last_name and first_name)")
    if missing:
        raise ScheduleFileError(
            "The first row must name the columns, as in the template: "
            f"{', '.join(COLUMNS)}. Missing: {'; '.join(missing)}."
        )
    # Columns the template does not have (appointment time, provider...) are ignored.
    return [(name, names.index(name)) for name in COLUMNS if name in names]


def _inquiry(
    values: dict[str, str], default_date_of_service: date, today: date
) -> tuple[EligibilityInquiry | None, list[str]]:
    problems: list[str] = []
    date_of_birth = parse_date(values.get("date_of_birth", ""))
    if not values.get("date_of_birth"):
        problems.append("Enter the date of birth.")
    elif date_of_birth is None:
        problems.append(
            f"date_of_birth '{values['date_of_birth']}' is not a date: use YYYY-MM-DD or "
            "MM/DD/YYYY."
        )
    elif date_of_birth > today:
        problems.append(f"date_of_birth {values['date_of_birth']} is in the future.")
    date_of_service = default_date_of_service
    if values.get("date_of_service"):
        parsed = parse_date(values["date_of_service"])
        if parsed is None:
            problems.append(
                f"date_of_service '{values['date_of_service']}' is not a date: use YYYY-MM-DD "
                "or MM/DD/YYYY."
            )
        else:
            date_of_service = parsed
    place_of_service = values.get("place_of_service") or None
    if place_of_service and not re.fullmatch(r"\d{2}", place_of_service):
        problems.append(f"place_of_service '{place_of_service}' is not a two-digit code (e.g. 11).")
    inquiry = EligibilityInquiry(
        date_of_service=date_of_service,
        # A stand-in date when the DOB is wrong, only so the inquiry can list its own problems.
        date_of_birth=date_of_birth or today,
        member_id=values.get("member_id") or None,
        last_name=values.get("last_name") or None,
        first_name=values.get("first_name") or None,
        procedure_codes=split_procedure_codes(values.get("procedure_codes", "")),
        place_of_service=place_of_service,
    )
    problems += inquiry.problems()
    return (None if problems else inquiry), problems


# --- Results ---

RESULT_COLUMNS = (
    "line",
    "member_id",
    "last_name",
    "first_name",
    "date_of_birth",
    "date_of_service",
    "status",
    "explanation",
    "problems",
    "plan",
    "group_number",
    "pcp_name",
    "pcp_npi",
    "procedures",
    "transaction_id",
    "checked_at",
)


def status_label(answer: EligibilityAnswer) -> str:
    """One word for the front desk: Active, Not yet effective, Terminated, No coverage."""
    if not answer.matched:
        return "No match"
    if answer.is_active:
        return "Active"
    states = {coverage.state for coverage in answer.coverages}
    if CoverageState.NOT_YET_EFFECTIVE in states:
        return "Not yet effective"
    if CoverageState.TERMINATED in states:
        return "Terminated"
    return "No coverage"


def explanation(answer: EligibilityAnswer) -> str:
    """Why the status is what it is, from the coverage that decides it."""
    if not answer.matched:
        return ""
    if not answer.coverages:
        return "No coverage on file"
    deciding = answer.primary or answer.coverages[0]
    return deciding.explanation


def procedure_summary(answer: EligibilityAnswer) -> str:
    parts = []
    for procedure in answer.procedures:
        notes = [
            "covered" if procedure.covered else "not covered",
            "prior auth needed" if procedure.prior_auth_required else "no prior auth",
        ]
        if procedure.visit_limit_reached:
            notes.append("visit limit reached")
        parts.append(f"{procedure.code}: {', '.join(notes)}")
    return "; ".join(parts)


def write_results(answers: Iterable[tuple[int, EligibilityAnswer]], *, practice_id: int) -> str:
    """The batch's answers, one row per appointment (with its line in the upload), in order."""
    rows: list[tuple[object, ...]] = [RESULT_COLUMNS]
    for line, answer in answers:
        member = answer.member
        coverage = answer.primary or (answer.coverages[0] if answer.coverages else None)
        rows.append(
            (
                line,
                member.member_id if member else answer.inquiry.member_id or "",
                member.last_name if member else answer.inquiry.last_name or "",
                member.first_name if member else answer.inquiry.first_name or "",
                answer.inquiry.date_of_birth.isoformat(),
                answer.inquiry.date_of_service.isoformat(),
                status_label(answer),
                explanation(answer),
                "; ".join(problem.label for problem in answer.problems(practice_id=practice_id)),
                coverage.plan_name if coverage else "",
                coverage.group_number if coverage else "",
                coverage.pcp_name or "" if coverage else "",
                coverage.pcp_npi or "" if coverage else "",
                procedure_summary(answer),
                answer.transaction_id,
                answer.computed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            )
        )
    return _to_csv(rows)


def _to_csv(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    for row in rows:
        writer.writerow(_safe_cell(value) for value in row)
    return out.getvalue()


def _safe_cell(value: object) -> str:
    """Echoed upload text could start with '=': prefix a quote so spreadsheets show, not run, it."""
    if isinstance(value, datetime):
        value = value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
