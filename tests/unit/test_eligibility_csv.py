"""The schedule CSV codec: header rules, dates in both forms, the default date of service,
errors per row that leave the other rows to run, and results safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from domain.eligibility import EligibilityAnswer, EligibilityInquiry
from interop.eligibility_csv import (
    COLUMNS,
    MAX_APPOINTMENTS,
    RESULT_COLUMNS,
    ScheduleFileError,
    parse_date,
    read_schedule,
    split_procedure_codes,
    template,
    write_results,
)

TODAY = date(2026, 3, 10)
TOMORROW = date(2026, 3, 11)
HEADER = ",".join(COLUMNS)


def read(text: str):  # type: ignore[no-untyped-def]
    return read_schedule(text, default_date_of_service=TOMORROW, today=TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-14", date(2026, 3, 14)),
        ("03/14/2026", date(2026, 3, 14)),
        ("3/4/2026", date(2026, 3, 4)),
        (" 12/31/1999 ", date(1999, 12, 31)),
        ("2026-02-30", None),
        ("13/01/2026", None),
        ("14.03.2026", None),
        ("20260314", None),
        ("", None),
    ],
)
def test_dates_read_in_both_forms(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("99213", ("99213",)),
        ("99213, 97110", ("99213", "97110")),
        ("99213 97110;g0438", ("99213", "97110", "G0438")),
        ("  ", ()),
    ],
)
def test_procedure_codes_split_on_commas_and_spaces(text: str, codes: tuple[str, ...]) -> None:
    assert split_procedure_codes(text) == codes


def test_an_empty_date_of_service_means_the_default() -> None:
    schedule = read(f"{HEADER}\nPT100000101,1984-03-14,,,,,\nPT100000201,1971-09-02,,,03/20/2026,,")
    assert [(line, q.date_of_service) for line, q in schedule.inquiries] == [
        (2, TOMORROW),
        (3, date(2026, 3, 20)),
    ]
    assert schedule.errors == []


def test_a_row_reads_into_an_inquiry() -> None:
    schedule = read(f'{HEADER}\npt100000101 ,03/14/1984,,,2026-03-11,"99213, 97110",11')
    ((line, inquiry),) = schedule.inquiries
    assert line == 2
    assert inquiry == EligibilityInquiry(
        date_of_service=TOMORROW,
        date_of_birth=date(1984, 3, 14),
        member_id="pt100000101",
        procedure_codes=("99213", "97110"),
        place_of_service="11",
    )


def test_columns_may_come_in_any_order_with_extra_ones_ignored() -> None:
    schedule = read(
        "Appointment time,First Name,Last Name,Date of Birth\n9:30,Grace,Nguyen,1968-07-19\n"
    )
    ((_, inquiry),) = schedule.inquiries
    assert (inquiry.last_name, inquiry.first_name) == ("Nguyen", "Grace")
    assert inquiry.member_id is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("PT1,,,,,,", "Enter the date of birth."),
        ("PT1,1984-14-03,,,,,", "date_of_birth '1984-14-03' is not a date"),
        ("PT1,2027-01-01,,,,,", "date_of_birth 2027-01-01 is in the future"),
        ("PT1,1984-03-14,,,tomorrow,,", "date_of_service 'tomorrow' is not a date"),
        (",1984-03-14,Nguyen,,,,", "Enter the member ID, or the member's last and first name."),
        ("PT1,1984-03-14,,,,9921,", "'9921' is not a procedure code"),
        ("PT1,1984-03-14,,,,,office", "place_of_service 'office' is not a two-digit code"),
    ],
)
def test_a_bad_row_says_what_to_fix_and_the_others_run(row: str, message: str) -> None:
    schedule = read(f"{HEADER}\n{row}\nPT100000101,1984-03-14,,,,,\n")
    (error,) = schedule.errors
    assert error.line == 2
    assert message in error.message
    assert [line for line, _ in schedule.inquiries] == [3]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("\n\n ,\n", "The file is empty."),
        ("member_id,last_name\nPT1,Reed\n", "Missing: date_of_birth."),
        ("date_of_birth,last_name\n1984-03-14,Reed\n", "member_id (or last_name and first_name)"),
        ("PT100000101,1984-03-14,,,,,\n", "The first row must name the columns"),
        (f"{HEADER}\n", "no appointments"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_is_refused(text: str, message: str) -> None:
    with pytest.raises(ScheduleFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read(text)


def test_blank_rows_and_a_byte_order_mark_are_ignored() -> None:
    schedule = read(f"\ufeff{HEADER}\r\n\r\nPT100000101,1984-03-14,,,,,\r\n,,,,,,\r\n")
    assert [line for line, _ in schedule.inquiries] == [3]


def test_a_schedule_too_long_is_refused() -> None:
    rows = "\n".join("PT100000101,1984-03-14,,,,," for _ in range(MAX_APPOINTMENTS + 1))
    with pytest.raises(ScheduleFileError, match="split it"):
        read(f"{HEADER}\n{rows}")


def test_the_template_reads_back_without_errors() -> None:
    schedule = read(template())
    assert len(schedule.inquiries) == 2 and schedule.errors == []


def test_results_echo_no_match_rows_without_letting_a_formula_run() -> None:
    inquiry = EligibilityInquiry(
        date_of_service=TOMORROW,
        date_of_birth=date(1984, 3, 14),
        member_id="=HYPERLINK(1)",
    )
    miss = EligibilityAnswer("EL1", datetime(2026, 3, 10, 18, 0, tzinfo=UTC), inquiry, None)
    text = write_results([(7, miss)], practice_id=1)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == RESULT_COLUMNS
    (row,) = rows[1:]
    result = dict(zip(RESULT_COLUMNS, row, strict=True))
    assert result["line"] == "7"
    assert result["member_id"] == "'=HYPERLINK(1)"
    assert (result["status"], result["problems"]) == ("No match", "No match")
