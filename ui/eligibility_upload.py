"""An uploaded schedule to inquiries: tells a CSV from an X12 270, refuses what is not text,
and lists every row or patient loop that cannot run with what to fix (the others still run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.eligibility import EligibilityInquiry
from interop.eligibility_csv import ScheduleFileError, read_schedule
from interop.x12 import Batch270, X12Error, parse_270

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class UploadRefused(ValueError):
    """The file as a whole cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class UploadProblem:
    where: str  # "Line 7" or "Segment 23 (NM1)"
    message: str


@dataclass
class ParsedUpload:
    kind: str  # "csv" or "x12", also the kept checks' source
    inquiries: list[tuple[int, EligibilityInquiry]] = field(default_factory=list)
    problems: list[UploadProblem] = field(default_factory=list)
    request: Batch270 | None = None  # the 270, which the 271 answers loop by loop

    @property
    def line_label(self) -> str:
        return "Segment" if self.kind == "x12" else "Line"


def read_upload(data: bytes, *, today: date) -> ParsedUpload:
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused("The file is larger than 2 MB: split the schedule into smaller files.")
    if not data.strip():
        raise UploadRefused("The file is empty.")
    # A NUL byte never occurs in CSV or X12 text: a spreadsheet (.xlsx), PDF or image does.
    if b"\x00" in data:
        raise UploadRefused(
            "This is not a text file. Upload the schedule as CSV (in a spreadsheet: Save as, "
            "CSV UTF-8) or as an X12 270."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadRefused(
            "The file is not UTF-8 text. Save it again as CSV UTF-8 (comma delimited) and "
            "upload that."
        ) from error
    if text.lstrip().startswith("ISA"):
        return _read_270(text, today=today)
    return _read_csv(text, today=today)


def _read_csv(text: str, *, today: date) -> ParsedUpload:
    try:
        schedule = read_schedule(
            text, default_date_of_service=today + timedelta(days=1), today=today
        )
    except ScheduleFileError as refusal:
        raise UploadRefused(str(refusal)) from refusal
    return ParsedUpload(
        kind="csv",
        inquiries=schedule.inquiries,
        problems=[UploadProblem(f"Line {error.line}", error.message) for error in schedule.errors],
    )


def _read_270(text: str, *, today: date) -> ParsedUpload:
    try:
        # The X12 guide answers an inquiry without a DTP*291 for the day it is processed.
        batch = parse_270(text, default_date_of_service=today)
    except X12Error as refusal:
        raise UploadRefused(f"This X12 file cannot be read. {refusal}") from refusal
    parsed = ParsedUpload(kind="x12", request=batch)
    for item in batch.items:
        if item.inquiry is not None:
            parsed.inquiries.append((item.segment_number, item.inquiry))
        if item.error is not None:
            parsed.problems.append(_x12_problem(item.error, item.segment_number))
        for rejected in item.rejected_procedures:
            parsed.problems.append(
                _x12_problem(rejected.problem, item.segment_number, still_runs=True)
            )
    if not batch.items:
        raise UploadRefused("The 270 has no patient loops (2000C or 2000D) to answer.")
    return parsed


def _x12_problem(error: X12Error, fallback: int, *, still_runs: bool = False) -> UploadProblem:
    where = f"Segment {error.segment_number or fallback}"
    if error.segment_id:
        where += f" ({error.segment_id})"
    message = error.message + (" The rest of this inquiry was checked." if still_runs else "")
    return UploadProblem(where, message)
