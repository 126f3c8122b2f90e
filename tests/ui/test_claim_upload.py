"""/claims/upload: a CSV with one bad claim submits the others and lists the bad one by row with
its reason (downloadable), an 837P gives its 999, the same file again submits nothing, a file
that cannot be read says why, and past imports reopen from the recent list."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.claims import Claim
from interop.claims_csv import REJECTION_COLUMNS, read_claims_csv, template
from tests.ui.journeys import see, sign_in, table_rows, upload_file
from tests.x12_validation import pyx12_errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
BILLING = "billing@riverside.example"


def _one_bad_claim() -> bytes:
    """The template's claim, plus a copy under another account with a wrong date of birth."""
    lines = template().splitlines()
    bad = [
        line.replace("RFM-10001", "RFM-10002").replace("1984-03-14", "1984-03-15")
        for line in lines[1:]
    ]
    return ("\n".join(lines + bad) + "\n").encode()


async def upload(user: User, content: bytes, name: str = "claims.csv") -> None:
    await upload_file(user, "/claims/upload", "claim-upload", content, name)


def imported(engine: Engine) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(Claim)
        return session.exec(statement.where(col(Claim.claim_import_id).is_not(None))).one()


async def test_a_csv_with_one_bad_claim_submits_the_other(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    await user.open("/claims/upload")
    await see(user, marker="no-imports")
    user.find(marker="download-template").click()
    download = await user.download.next(timeout=5)
    assert len(read_claims_csv(download.content.decode())) == 1

    await upload(user, _one_bad_claim())
    await see(user, marker="import-result")
    assert [label.text for label in user.find(marker="import-received").elements] == ["2"]
    assert [label.text for label in user.find(marker="import-accepted").elements] == ["1"]
    assert [label.text for label in user.find(marker="import-rejected").elements] == ["1"]
    (rejected,) = table_rows(user, "rejections-table")
    assert (rejected["locator"], rejected["account"]) == ("row 4", "RFM-10002")
    assert "No member matches this member ID and date of birth" in str(rejected["reason"])
    assert imported(demo_db) == 1

    user.find(marker="download-rejections").click()
    download = await user.download.next(timeout=5)
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == REJECTION_COLUMNS
    assert rows[1][:2] == ["row 4", "RFM-10002"]
    await user.should_not_see(marker="download-999")
    (recent,) = table_rows(user, "recent-table")
    assert (recent["file"], recent["accepted"], recent["rejected"]) == ("claims.csv", "1", "1")

    # The same bytes again, under another name: its first result, nothing new.
    await upload(user, _one_bad_claim(), "again.csv")
    await see(user, marker="import-repeated")
    assert imported(demo_db) == 1


async def test_an_837p_upload_gives_its_999(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    await upload(user, (FIXTURES / "837p_x12sdk_dependent.x12").read_bytes(), "drop.txt")
    await see(user, marker="no-rejections")
    assert [label.text for label in user.find(marker="import-accepted").elements] == ["3"]
    user.find(marker="download-999").click()
    download = await user.download.next(timeout=5)
    assert pyx12_errors(download.content.decode()) == []

    (recent,) = table_rows(user, "recent-table")
    await user.open(str(recent["href"]))
    await see(user, marker="no-rejections")
    await see(user, marker="download-999")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"member,dob\nPT1,1984-03-14\n", "The columns are not the template's"),
        ((FIXTURES / "837p_x12sdk_subscribers.x12").read_bytes()[:900], "no SE trailer"),
    ],
)
async def test_a_file_that_cannot_be_read_says_why_and_saves_nothing(
    user: User, demo_db: Engine, content: bytes, message: str
) -> None:
    await sign_in(user, BILLING)
    await upload(user, content)
    await see(user, marker="upload-refused")
    await see(user, message)
    await user.should_not_see(marker="import-result")
    assert imported(demo_db) == 0


async def test_a_fifty_megabyte_upload_is_refused_and_saves_nothing(
    user: User, demo_db: Engine
) -> None:
    """Past the page's 20 MB limit: refused with what to do instead, before it is read."""
    rows = template().splitlines()
    repeated = "\n".join(rows[1:]) + "\n"
    content = (rows[0] + "\n" + repeated * (50 * 1024 * 1024 // len(repeated) + 1)).encode()
    assert len(content) > 50 * 1024 * 1024
    await sign_in(user, BILLING)
    await upload(user, content)
    await see(user, marker="upload-refused")
    await see(user, "larger than 20 MB")
    await user.should_not_see(marker="import-result")
    assert imported(demo_db) == 0


async def test_another_practices_import_is_not_found(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    await upload(user, _one_bad_claim())
    await see(user, marker="import-result")
    (recent,) = table_rows(user, "recent-table")
    user.find(marker="sign-out").click()
    await see(user, kind=ui.button, content="Sign in")
    await sign_in(user, "billing@lakeside.example")
    await user.open(str(recent["href"]))
    await see(user, "No import of your practice has that number.")


async def test_front_desk_may_not_upload_claims(user: User) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    response = await user.http_client.get("/claims/upload")
    assert response.status_code == 403
    assert "Not authorized" in response.text
