"""Tomorrow's schedule in one batch: a CSV or a 270 upload, rows to fix listed, the others run,
problems first, and the results downloaded as CSV (or a 271)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.eligibility_checks import EligibilityCheck
from interop.eligibility_csv import RESULT_COLUMNS
from tests.ui.journeys import see, sign_in, table_rows, upload_file
from ui.format import day

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
SCHEDULE = "\n".join(
    [
        "member_id,date_of_birth,last_name,first_name,date_of_service,procedure_codes,"
        "place_of_service",
        "PT100000101,1984-03-14,,,,99213,11",  # line 2: active
        "PT100000201,09/02/1971,,,,,",  # line 3: terminated
        "PT100000401,1990-05-30,,,,97110,",  # line 4: at the physical-therapy visit limit
        "PT999999999,1984-03-14,,,,,",  # line 5: nobody
        "PT100000101,1984-13-14,,,,,",  # line 6: no such date
        ",1984-03-14,Thompson,,,,",  # line 7: half a name
        ",1968-07-19,Nguyen,Grace,,,",  # line 8: found by name
    ]
)


async def upload(user: User, content: bytes, name: str = "schedule.csv") -> None:
    await upload_file(user, "/eligibility/batch", "schedule-upload", content, name)


def batch_checks(engine: Engine) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(EligibilityCheck)
        return session.exec(statement.where(EligibilityCheck.batch_id.is_not(None))).one()  # type: ignore[union-attr]


async def test_a_schedule_runs_with_problems_first(user: User, demo_db: Engine) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    await upload(user, SCHEDULE.encode())
    await see(user, marker="batch-results")

    to_fix = table_rows(user, "problems-table")
    assert [row["where"] for row in to_fix] == ["Line 6", "Line 7"]
    assert "date_of_birth '1984-13-14' is not a date" in str(to_fix[0]["message"])
    assert "last and first name" in str(to_fix[1]["message"])

    rows = table_rows(user, "batch-table")
    assert [row["line"] for row in rows][:3] == [5, 3, 4]
    assert [row["status"] for row in rows][:2] == ["No match", "Terminated"]
    assert "Visit limit reached" in str(rows[2]["problems"])
    has_problems = [bool(row["problems"]) or row["status"] != "Active" for row in rows]
    assert has_problems == sorted(has_problems, reverse=True), "problems come first"
    tomorrow = day(date.today() + timedelta(days=1))
    assert {row["date_of_service"] for row in rows} == {tomorrow}
    assert batch_checks(demo_db) == 5

    user.find(marker="download-results").click()
    download = await user.download.next(timeout=5)
    results = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert tuple(results[0]) == RESULT_COLUMNS
    by_line = {row[0]: dict(zip(RESULT_COLUMNS, row, strict=True)) for row in results[1:]}
    assert set(by_line) == {"2", "3", "4", "5", "8"}
    assert by_line["2"]["status"] == "Active"
    assert by_line["5"]["status"] == "No match"
    assert by_line["8"]["last_name"] == "Nguyen"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,dob\nAvery Thompson,1984-03-14\n", "The first row must name the columns"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "This is not a text file."),
        ("member_id,date_of_birth\nPT1,1984-03-14,M\u00fcller".encode("latin-1"), "not UTF-8"),
        (b"member_id,date_of_birth\n", "no appointments"),
    ],
)
async def test_a_file_that_cannot_be_read_says_why(
    user: User, demo_db: Engine, content: bytes, message: str
) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    await upload(user, content)
    await see(user, marker="upload-refused")
    await see(user, message)
    await user.should_not_see(marker="batch-results")
    assert batch_checks(demo_db) == 0


async def test_a_270_is_answered_with_a_271(user: User, demo_db: Engine) -> None:
    await sign_in(user, "billing@riverside.example")
    await upload(user, (FIXTURES / "270_subscriber_and_dependent.x12").read_bytes(), "in.270")
    await see(user, marker="batch-results")
    rows = table_rows(user, "batch-table")
    assert {row["member_id"] for row in rows} == {"PT100000101", "PT100000103", "PT100000201"}
    assert rows[0]["status"] == "Terminated"

    user.find(marker="download-271").click()
    download = await user.download.next(timeout=5)
    text = download.content.decode()
    assert text.startswith("ISA") and "ST*271*" in text
    assert text.count("HL*") >= 5
    with Session(demo_db) as session:
        sources = session.exec(select(EligibilityCheck.source).distinct()).all()
    assert sources == ["x12"]


async def test_the_template_downloads_and_reads_back(user: User) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    await user.open("/eligibility/batch")
    await see(user, marker="download-template")
    user.find(marker="download-template").click()
    download = await user.download.next(timeout=5)
    await upload(user, download.content)
    await see(user, marker="batch-results")
    assert len(table_rows(user, "batch-table")) == 2


async def test_a_broken_270_loop_is_listed_and_the_others_run(user: User) -> None:
    fixture = (FIXTURES / "270_subscriber_and_dependent.x12").read_bytes()
    broken = fixture.replace(b"DMG*D8*19840314*F~", b"DMG*D8*1984031X*F~")
    await sign_in(user, "frontdesk@riverside.example")
    await upload(user, broken, "broken.270")
    await see(user, marker="batch-results")
    (problem,) = table_rows(user, "problems-table")
    assert problem["where"] == "Segment 12 (DMG)"
    assert "1984031X" in str(problem["message"])
    assert {row["member_id"] for row in table_rows(user, "batch-table")} == {
        "PT100000103",
        "PT100000201",
    }
