"""Bulk claims from the command line, for clearinghouse drops: a CSV or 837P file imported as a
practice user, with a summary in counts and locations (never PHI) and, for an 837P, the 999.

`python main.py import FILE --as EMAIL [--ack FILE.999]` calls run_import_file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from api.cli_actor import ActorRefused as ActorRefused
from api.cli_actor import practice_actor
from domain.claim_import_service import ImportResult, export_import, run_import
from domain.roles import Area
from interop.claim_file import read_claim_file
from storage.db import unit_of_work

MAX_FILE_BYTES = 256 * 1024 * 1024  # a clearinghouse drop of 100,000 claims is well under


class FileRefused(ValueError):
    """The file cannot be imported as a whole (too big); the message says why."""


@dataclass(frozen=True)
class ImportReport:
    result: ImportResult
    acknowledgement_path: Path | None

    def lines(self) -> list[str]:
        result = self.result
        lines = []
        if result.repeated:
            lines.append(
                f"This file was imported before (import {result.import_id}): nothing new was "
                "created."
            )
        lines += [
            f"Received: {result.total}",
            f"Accepted: {result.accepted}",
            f"Rejected: {result.rejected}",
        ]
        # Locations and reasons only: an account number is the practice's, not the patient's,
        # but the reason never quotes a member ID or date of birth.
        lines += [f"  {r.locator}: {r.reason}" for r in result.rejections[:50]]
        if len(result.rejections) > 50:
            lines.append(f"  ... and {len(result.rejections) - 50} more")
        if self.acknowledgement_path is not None:
            lines.append(f"Wrote the 999 acknowledgement to {self.acknowledgement_path}.")
        return lines


def run_import_file(
    path: Path,
    email: str,
    *,
    ack: Path | None = None,
    at: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the claims in `path` as `email`; write an 837P's 999 to `ack` (default: next to
    the file, FILE.999). Raises ClaimFileError / X12Error (both ValueError) for a file that
    cannot be read, FileRefused for one too big, ActorRefused for the account."""
    at = at or datetime.now(UTC)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            f"{path} is {size / 1024 / 1024:.0f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB: split it into smaller files."
        )
    with unit_of_work() as session:
        actor = practice_actor(
            session,
            email,
            area=Area.CLAIM_ENTRY,
            refusal="may not submit claims: that needs a practice account with the practice "
            "admin or billing role.",
        )
    claim_file = read_claim_file(path.read_bytes(), file_name=path.name, at=at)
    result = run_import(
        unit_of_work=unit_of_work, actor=actor, claim_file=claim_file, at=at, progress=progress
    )
    written = None
    if result.acknowledgement is not None:
        with unit_of_work() as session:  # the 999 leaves the portal: an audited export
            export_import(session, actor=actor, import_id=result.import_id, file_kind="999", at=at)
        written = ack or path.with_name(path.name + ".999")
        written.write_text(result.acknowledgement, encoding="ascii", errors="replace")
    return ImportReport(result, written)
