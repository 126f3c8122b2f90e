"""An uploaded claim file (bytes) read into a ClaimFile: its format told from the content, not
the name (an 837P starts 'ISA'; anything else must be the CSV template), its claims with their
row or segment, and for an 837P the 999 acknowledgement."""

from __future__ import annotations

import secrets
from datetime import datetime

from domain.claim_import_service import ClaimFile, IncomingClaim
from interop.claims_csv import ClaimFileError, read_claims_csv
from interop.x12.ack_999 import write_999
from interop.x12.claims_837 import Batch837, parse_837p
from interop.x12.segments import X12Error

PLAN_INTERCHANGE_ID = "PORTICO"  # ISA06 of what the plan sends back (the 999)

__all__ = ["ClaimFileError", "X12Error", "read_claim_file"]


def read_claim_file(
    content: bytes, *, file_name: str, at: datetime, control_number: int | None = None
) -> ClaimFile:
    """Raise ClaimFileError (or X12Error, a kind of ValueError too) when the file as a whole
    cannot be read; problems of single claims travel with them as `IncomingClaim.problems`."""
    if not content.strip():
        raise ClaimFileError("The file is empty.")
    if content.startswith(b"PK\x03\x04"):
        raise ClaimFileError(
            "This is a spreadsheet workbook (.xlsx), not a CSV: save it as CSV (comma "
            "delimited) and upload that."
        )
    if b"\x00" in content[:4096]:
        raise ClaimFileError("This is not a text file: upload a CSV or an X12 837P file.")
    text = _text(content)
    digest = ClaimFile.digest(content)
    if text.lstrip("\ufeff \t\r\n").startswith("ISA"):
        batch = parse_837p(text)
        if not batch.claims:
            problems = [str(p) for ts in batch.transactions for p in ts.problems]
            raise X12Error("the file holds no claim (CLM). " + "; ".join(problems[:3]))
        acknowledgement = write_999(
            batch,
            sender_id=PLAN_INTERCHANGE_ID,
            # ISA13 of the 999: any 9-digit number the sender has not seen from us is fine.
            control_number=control_number or secrets.randbelow(999_999_999) + 1,
            at=at,
        )
        return ClaimFile(file_name, digest, "837p", _from_837(batch), acknowledgement)
    claims = [
        IncomingClaim(
            locator=f"row {claim.row}",
            entry=claim.entry,
            line_locators=tuple(f"row {row}" for row in claim.rows),
            problems=claim.problems,
        )
        for claim in read_claims_csv(text)
    ]
    return ClaimFile(file_name, digest, "csv", tuple(claims))


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save CSV as cp1252; every byte decodes in Latin-1.
        return content.decode("latin-1")


def _from_837(batch: Batch837) -> tuple[IncomingClaim, ...]:
    claims: list[IncomingClaim] = []
    for transaction in batch.transactions:
        # A rejected transaction set (999 IK5 R) takes all its claims with it.
        refused = "; ".join(
            f"transaction {transaction.control_number} was rejected ({problem})"
            for problem in transaction.problems
        )
        for claim in transaction.claims:
            problems = tuple(str(problem) for problem in claim.problems)
            claims.append(
                IncomingClaim(
                    locator=f"segment {claim.segment_number}",
                    entry=claim.entry,
                    line_locators=_line_locators(claim.line_segments),
                    problems=(refused,) if refused else problems,
                    is_dependent=claim.is_dependent,
                    patient_first_name=claim.patient_first_name,
                )
            )
    return tuple(claims)


def _line_locators(segments: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(f"segment {number}" for number in segments)
