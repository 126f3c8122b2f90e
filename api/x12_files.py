"""Eligibility by file: read a 270, check every inquiry for a practice user, write the 271.

`python main.py eligibility FILE.270 --as EMAIL --out FILE.271` calls run_270_file. What it
reports is counts and locations only: no names, IDs or dates of birth reach the terminal.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from api.cli_actor import ActorRefused as ActorRefused
from api.cli_actor import practice_actor
from domain.eligibility_service import check_batch, export_batch
from domain.roles import Area
from interop.x12.eligibility import REJECT_REASONS, parse_270, write_271
from interop.x12.segments import X12Error
from storage.db import unit_of_work


@dataclass(frozen=True)
class Summary270:
    """What one file run did, in counts and X12 locations (never PHI)."""

    inquiries: int  # patient loops in the 270
    errors: int  # loops that could not be read (answered with AAA in the 271)
    matched: int
    active: int
    no_match: int
    batch_id: str | None
    problems: tuple[str, ...]  # "transaction 0001, segment 12 (DMG): Invalid/missing date of birth"
    interchange_control_number: int

    def lines(self) -> list[str]:
        lines = [
            f"Inquiries: {self.inquiries}",
            f"  matched: {self.matched} (active on the date of service: {self.active})",
            f"  no match: {self.no_match}",
            f"  errors: {self.errors}",
        ]
        lines += [f"    {problem}" for problem in self.problems]
        return lines


def _problem_line(error: X12Error, reason: str | None) -> str:
    """Where and what kind of problem, without the value itself (it may be a date of birth)."""
    where = f"transaction {error.control_number}, " if error.control_number else ""
    segment = f"segment {error.segment_number}" if error.segment_number else "the file"
    if error.segment_id:
        segment += f" ({error.segment_id})"
    kind = REJECT_REASONS.get(reason or "", "Cannot be read")
    return f"{where}{segment}: {kind}"


def run_270_file(
    path: Path,
    *,
    email: str,
    out: Path,
    at: datetime | None = None,
    control_number: int | None = None,
) -> Summary270:
    """Check every inquiry of the 270 at `path` as the user `email` and write the 271 to `out`.

    Raises X12Error when the file cannot be read at all and ActorRefused for the account; a
    patient loop that cannot be read is answered in the 271 (AAA) and counted as an error.
    Without a DTP*291 an inquiry is for the date it is processed, `at` (now by default).
    """
    at = at or datetime.now(UTC)
    text = path.read_text(encoding="utf-8", errors="replace")
    batch = parse_270(text, default_date_of_service=at.date())
    # ISA13 of the reply: any 9-digit number the sender has not seen from us is fine; a random
    # one needs no counter kept between runs.
    control_number = control_number or secrets.randbelow(999_999_999) + 1
    items = batch.items
    runnable = [(item.segment_number, item.inquiry) for item in items if item.inquiry]
    with unit_of_work() as session:
        actor = practice_actor(
            session,
            email,
            area=Area.ELIGIBILITY,
            refusal="may not check eligibility: that needs a practice account with the "
            "practice admin, billing or front desk role.",
        )
        outcome = check_batch(session, actor=actor, inquiries=runnable, at=at, source="x12")
        answers = [result.answer for result in outcome.items if result.answer is not None]
        if answers:  # the 271 names members: a file leaving the portal is an audited export
            export_batch(
                session,
                actor=actor,
                batch_id=outcome.batch_id,
                file_kind="271",
                rows=len(answers),
                at=at,
            )
    response = write_271(
        answers,
        request=batch,
        # ISA06 of the reply is the ISA08 the 270 was addressed to, and the other way round.
        sender_id=batch.receiver_id,
        receiver_id=batch.sender_id,
        control_number=control_number,
        at=at,
    )
    out.write_text(response, encoding="ascii", errors="replace")
    problems = [
        _problem_line(item.error, item.reject_reason) for item in items if item.error is not None
    ]
    problems += [
        f"segment {result.line}: {result.error}" for result in outcome.items if result.error
    ]
    return Summary270(
        inquiries=len(items),
        errors=len(items) - len(runnable) + sum(1 for r in outcome.items if r.error),
        matched=sum(1 for answer in answers if answer.matched),
        active=sum(1 for answer in answers if answer.is_active),
        no_match=sum(1 for answer in answers if not answer.matched),
        batch_id=outcome.batch_id,
        problems=tuple(problems),
        interchange_control_number=control_number,
    )
