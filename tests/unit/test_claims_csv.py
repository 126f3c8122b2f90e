"""CSV claim files: the template reads as valid claims, rows group into claims by account number,
problems are named by row, wrong columns are refused in one message, and an uploaded file is
told CSV or 837P by its content, not its name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from domain.claim_entry import entry_problems
from domain.claims import FrequencyCode
from interop.claim_file import read_claim_file
from interop.claims_csv import (
    COLUMN_HELP,
    COLUMNS,
    ClaimFileError,
    entries_to_csv,
    read_claims_csv,
    rejections_csv,
    template,
)
from interop.x12.segments import X12Error
from tests.unit.test_claims_837 import entry, write

FIXTURES = Path(__file__).parents[1] / "fixtures" / "x12"
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
HEADER = ",".join(COLUMNS)


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


ROW = "RFM-1,PT100000101,1984-03-14,1538204102,,11,J06.9 R05.9,,,2026-02-02,99213,25,1,145.00,1 2"


def test_every_column_is_documented_and_the_template_is_a_valid_claim() -> None:
    assert list(COLUMN_HELP) == list(COLUMNS)
    (claim,) = read_claims_csv(template())
    assert claim.problems == ()
    assert claim.rows == (2, 3)
    assert entry_problems(claim.entry, today=date(2026, 3, 2)) == []
    assert claim.entry.total_charge == Decimal("173.00")


def test_rows_with_one_account_number_are_one_claim_in_file_order() -> None:
    text = csv_of(
        ROW,
        ROW.replace("RFM-1", "RFM-2"),
        ROW.replace("99213,25,1,145.00,1 2", "87880,,2,28.00,A"),
    )
    first, second = read_claims_csv(text)
    assert (first.row, first.rows) == (2, (2, 4))
    assert (second.row, second.rows) == (3, (3,))
    assert [line.procedure_code for line in first.entry.lines] == ["99213", "87880"]
    assert first.entry.lines[1].units == 2 and first.entry.lines[1].diagnosis_pointers == (1,)
    assert first.entry.lines[0].modifiers == ("25",)
    assert first.entry.rendering_npi == first.entry.billing_npi  # empty: billing rendered
    assert first.entry.diagnoses == ("J06.9", "R05.9")
    assert first.entry.frequency_code == FrequencyCode.ORIGINAL


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ROW.replace("145.00", '"12,x"'), "row 2: charge '12,x' is not an amount"),
        (ROW.replace(",1,145.00", ",1.5,145.00"), "row 2: units '1.5' is not a whole number"),
        (ROW.replace("2026-02-02", "2026-02-31"), "row 2: service_date '2026-02-31' is not a date"),
        (ROW.replace("1984-03-14", "14.03.1984"), "row 2: member_date_of_birth '14.03.1984'"),
        (ROW.replace(",1 2", ",first"), "row 2: diagnosis_pointers 'first' must be numbers"),
        (ROW.replace(",,,2026", ",9,,2026"), "row 2: frequency_code '9' must be 1"),
        (ROW.replace("RFM-1,", ",", 1), "row 2: patient_control_number is empty"),
    ],
)
def test_a_cell_that_cannot_be_read_is_named_by_row(row: str, message: str) -> None:
    (claim,) = read_claims_csv(csv_of(row))
    assert any(problem.startswith(message) for problem in claim.problems), claim.problems


def test_a_line_that_disagrees_on_a_claim_level_cell_is_named() -> None:
    (claim,) = read_claims_csv(csv_of(ROW, ROW.replace("1538204102", "1538204284")))
    assert claim.problems == (
        "row 3: billing_npi differs from row 2 of the same claim (claim-level columns must "
        "repeat unchanged on every line)",
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            HEADER.replace("charge", "amount"),
            "missing charge; not in the template: amount.",
        ),
        ("member,dob,cpt", "missing patient_control_number, member_id, member_date_of_birth"),
        (HEADER + ",units", "given twice: units."),
        ("", "The file is empty."),
    ],
)
def test_wrong_columns_are_refused_in_one_message(header: str, message: str) -> None:
    with pytest.raises(ClaimFileError) as refused:
        read_claims_csv(header + "\n" + ROW + "\n" if header else "\n\n")
    assert message in str(refused.value)


def test_written_entries_read_back_as_the_same_claims() -> None:
    entries = [entry(), entry(patient_control_number="RFM-7", rendering_npi="1538204102")]
    claims = read_claims_csv(entries_to_csv(entries))
    assert [claim.entry for claim in claims] == entries
    assert [claim.rows for claim in claims] == [(2, 3), (4, 5)]


def test_the_rejections_download_cannot_run_as_a_spreadsheet_formula() -> None:
    text = rejections_csv([("row 2", "=HYPERLINK(1)", "member ID: no match")])
    assert text.splitlines()[1] == "row 2,'=HYPERLINK(1),member ID: no match"


# --- An upload: the content decides ---


def test_an_837p_named_csv_is_read_as_an_837p_with_its_999() -> None:
    content = (FIXTURES / "837p_x12sdk_subscribers.x12").read_bytes()
    claim_file = read_claim_file(content, file_name="claims.csv", at=AT, control_number=9)
    assert claim_file.file_format == "837p"
    clm_lines = [
        f"segment {number}"
        for number, line in enumerate(content.decode().splitlines(), start=1)
        if line.startswith("CLM*")
    ]
    assert [c.locator for c in claim_file.claims] == clm_lines
    assert claim_file.acknowledgement is not None and "IK5*A~" in claim_file.acknowledgement
    assert len(claim_file.file_sha256) == 64


def test_a_csv_named_837_is_read_as_a_csv() -> None:
    claim_file = read_claim_file(template().encode(), file_name="claims.837", at=AT)
    assert claim_file.file_format == "csv"
    assert [c.locator for c in claim_file.claims] == ["row 2"]
    assert claim_file.claims[0].line_locators == ("row 2", "row 3")
    assert claim_file.acknowledgement is None


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"", ClaimFileError, "The file is empty."),
        (b"PK\x03\x04rest-of-a-zip", ClaimFileError, "save it as CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ClaimFileError, "not a text file"),
        (b"ISA*00*truncated", X12Error, "the ISA has"),
    ],
)
def test_a_file_that_is_neither_is_refused_whole(
    content: bytes, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read_claim_file(content, file_name="x.csv", at=AT)


def test_an_837p_without_claims_is_refused_whole() -> None:
    text = write([entry()])
    start, end = text.index("HL*2*"), text.index("SE*")
    lines_removed = text[start:end].count("\n")
    empty = text[:start] + text[end:]
    empty = empty.replace(
        f"SE*{text[end:].split('*')[1]}*", f"SE*{int(text[end:].split('*')[1]) - lines_removed}*"
    )
    with pytest.raises(X12Error, match="holds no claim"):
        read_claim_file(empty.encode(), file_name="x.837", at=AT)
