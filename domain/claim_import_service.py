"""Bulk claim submission: a file's claims checked and stored in batches, each batch one
transaction that also advances its ClaimImport, so a stopped run resumes and a re-upload of the
same file creates nothing new.

Each claim stands alone: a claim with a problem is rejected (named by its row or segment, with
the reason) and the others go on. A rejected claim is not stored; an accepted one is Received,
exactly as `submit_claim` stores it, and the status-refresh job takes it from there. Members,
providers and corrected claims are looked up once per batch (one query each), and one audit
event covers a batch (counts only, no PHI).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from domain.audit import record_by
from domain.claim_entry import ClaimEntry, FieldProblem, entry_problems
from domain.claim_imports import ClaimImport
from domain.claim_submission import (
    MEMBER_NOT_MATCHED,
    ResolvedEntry,
    claim_numbers,
    claim_providers,
    claim_values,
    correction_note,
    correction_problems,
    diagnosis_rows,
    line_rows,
    new_transaction_id,
    practice_group_npi,
    provider_problems,
    received_event_values,
)
from domain.claims import (
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimStatusEvent,
    FrequencyCode,
)
from domain.events import ClaimsChanged, claims_changed
from domain.members import Member
from domain.practices import Provider
from domain.roles import Area
from domain.scope import Actor, NotAuthorized, get_scoped, scoped

BATCH_SIZE = 500  # claims per transaction: big enough to amortise, small enough to resume
SOURCE = "import"  # ClaimStatusEvent.source of every claim that came in a file

UnitOfWork = Callable[[], AbstractContextManager[Session]]
Progress = Callable[[int, int], None]  # (processed, total)


class ImportConflict(RuntimeError):
    """Another run of the same file committed this batch first; this run re-reads and goes on."""


@dataclass(frozen=True)
class IncomingClaim:
    """One claim as a file reader found it.

    `locator` names where it starts ("row 7", "segment 41"); `line_locators` where each service
    line is, so a line's problem names its own row or segment. `problems` are what the reader
    could not take: the claim is rejected with them, unchecked further. For a dependent (837P
    loop 2000C) the member ID is the subscriber's and the date of birth the patient's: the
    patient is found within the subscriber's family."""

    locator: str
    entry: ClaimEntry
    line_locators: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    is_dependent: bool = False
    patient_first_name: str = ""


@dataclass(frozen=True)
class ClaimFile:
    """A file read into claims, ready to import (the reader is in interop/claim_file.py)."""

    file_name: str
    file_sha256: str
    file_format: str  # csv or 837p
    claims: tuple[IncomingClaim, ...]
    acknowledgement: str | None = None  # the 999 of an 837P

    @staticmethod
    def digest(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Rejection:
    ordinal: int  # the claim's place in the file, from 1
    locator: str
    account: str  # CLM01 / patient_control_number
    reason: str


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    file_name: str
    file_format: str
    received_at: datetime
    total: int
    processed: int
    accepted: int
    rejected: int
    rejections: tuple[Rejection, ...]
    acknowledgement: str | None
    finished: bool
    repeated: bool = False  # this file had been uploaded before: nothing new was created

    @classmethod
    def of(cls, row: ClaimImport, *, repeated: bool = False) -> ImportResult:
        assert row.id is not None
        return cls(
            import_id=row.id,
            file_name=row.file_name,
            file_format=row.file_format,
            received_at=row.received_at,
            total=row.total_claims,
            processed=row.processed,
            accepted=row.accepted,
            rejected=row.rejected,
            rejections=tuple(Rejection(**item) for item in json.loads(row.rejections_json)),
            acknowledgement=row.acknowledgement,
            finished=row.finished_at is not None,
            repeated=repeated,
        )


def run_import(
    *,
    unit_of_work: UnitOfWork,
    actor: Actor,
    claim_file: ClaimFile,
    at: datetime,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import every claim of the file for the actor's practice, `batch_size` per transaction.

    The same file (same bytes) from the same practice returns the earlier import: finished, as
    it was; stopped halfway, resumed where its last committed batch ended."""
    actor.require(Area.CLAIM_ENTRY)
    if actor.practice_id is None:
        raise NotAuthorized("claims are submitted by a practice")
    row, repeated = _open_import(unit_of_work, actor, claim_file, at)
    total = len(claim_file.claims)
    if progress:
        progress(row.processed, total)
    while row.processed < total:
        start = row.processed
        batch = claim_file.claims[start : start + batch_size]
        try:
            with unit_of_work() as session:
                row, changed = _run_batch(session, actor, row, batch, start, total, at)
        except ImportConflict:
            with unit_of_work() as session:
                row = _reload(session, actor, row)
            continue
        if changed:
            claims_changed.publish(ClaimsChanged.of(changed, [actor.practice_id]))
        if progress:
            progress(row.processed, total)
    return ImportResult.of(row, repeated=repeated)


def _open_import(
    unit_of_work: UnitOfWork, actor: Actor, claim_file: ClaimFile, at: datetime
) -> tuple[ClaimImport, bool]:
    """The import row of this file, made (and its receipt audited) if it is new."""
    with unit_of_work() as session:
        existing = _existing(session, actor, claim_file.file_sha256)
        if existing is not None:
            return existing, True
    assert actor.practice_id is not None and actor.user_id is not None
    try:
        with unit_of_work() as session:
            row = ClaimImport(
                practice_id=actor.practice_id,
                user_id=actor.user_id,
                file_name=claim_file.file_name[:200],
                file_sha256=claim_file.file_sha256,
                file_format=claim_file.file_format,
                received_at=at,
                total_claims=len(claim_file.claims),
                acknowledgement=claim_file.acknowledgement,
                finished_at=at if not claim_file.claims else None,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            record_by(
                session,
                actor,
                action="claim.import",
                at=at,
                entity_type="claim_import",
                entity_id=row.id,
                detail=f"format={claim_file.file_format} claims={len(claim_file.claims)}",
            )
        return row, False
    except IntegrityError:
        # The same file arrived twice at once: the other upload made the row first.
        with unit_of_work() as session:
            existing = _existing(session, actor, claim_file.file_sha256)
        if existing is None:
            raise
        return existing, True


def _existing(session: Session, actor: Actor, file_sha256: str) -> ClaimImport | None:
    return session.exec(
        scoped(ClaimImport, actor).where(ClaimImport.file_sha256 == file_sha256)
    ).first()


def _reload(session: Session, actor: Actor, row: ClaimImport) -> ClaimImport:
    assert row.id is not None
    return get_scoped(session, ClaimImport, row.id, actor)


def _run_batch(
    session: Session,
    actor: Actor,
    row: ClaimImport,
    batch: Sequence[IncomingClaim],
    start: int,
    total: int,
    at: datetime,
) -> tuple[ClaimImport, list[int]]:
    assert actor.practice_id is not None and row.id is not None
    rejections: list[Rejection] = []
    ready: list[tuple[ClaimEntry, ResolvedEntry]] = []
    checked: list[tuple[int, IncomingClaim]] = []
    for ordinal, incoming in enumerate(batch, start=start + 1):
        if incoming.problems:
            rejections.append(_rejection(ordinal, incoming, "; ".join(incoming.problems)))
            continue
        problems = entry_problems(incoming.entry, today=at.date())
        if problems:
            rejections.append(_rejection(ordinal, incoming, _reason(incoming, problems)))
            continue
        checked.append((ordinal, incoming))
    lookups = _Lookups.load(session, actor, [incoming for _, incoming in checked])
    for ordinal, incoming in checked:
        entry, resolved, problems = lookups.resolve(incoming)
        if problems:
            rejections.append(_rejection(ordinal, incoming, _reason(incoming, problems)))
        else:
            assert resolved is not None
            ready.append((entry, resolved))
    rejections.sort(key=lambda rejection: rejection.ordinal)  # in file order
    claim_ids = _store(session, actor.practice_id, row.id, ready, at)
    end = start + len(batch)
    earlier = json.loads(row.rejections_json)
    earlier.extend(rejection.__dict__ for rejection in rejections)
    # Only the run that finds `processed` where it left it may record this batch: a second run
    # of the same file racing this one makes the UPDATE match nothing, and its batch rolls back.
    result = session.execute(
        update(ClaimImport)
        .where(col(ClaimImport.id) == row.id, col(ClaimImport.processed) == start)
        .values(
            processed=end,
            accepted=ClaimImport.accepted + len(ready),
            rejected=ClaimImport.rejected + len(rejections),
            rejections_json=json.dumps(earlier),
            finished_at=at if end >= total else None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ImportConflict(f"import {row.id} batch at {start}")
    record_by(
        session,
        actor,
        action="claim.import.batch",
        at=at,
        entity_type="claim_import",
        entity_id=row.id,
        detail=f"claims {start + 1}-{end} accepted={len(ready)} rejected={len(rejections)}",
    )
    session.expire_all()
    return _reload(session, actor, row), claim_ids


def _rejection(ordinal: int, incoming: IncomingClaim, reason: str) -> Rejection:
    return Rejection(ordinal, incoming.locator, incoming.entry.patient_control_number, reason)


_FIELD_LABELS = {
    "member_id": "member ID",
    "member_date_of_birth": "date of birth",
    "billing_npi": "billing NPI",
    "rendering_npi": "rendering NPI",
    "place_of_service": "place of service",
    "patient_control_number": "patient account number",
    "service_date_from": "first date of service",
    "service_date_to": "last date of service",
    "original_claim_number": "original claim number",
    "frequency_code": "frequency code",
    "procedure_code": "procedure code",
    "diagnosis_pointers": "diagnosis pointers",
    "service_date": "date of service",
}


def _reason(incoming: IncomingClaim, problems: Sequence[FieldProblem]) -> str:
    """'row 9 charge: The charge must be more than $0.00.' - a line's problem at its own row."""
    parts = []
    for problem in problems:
        pieces = problem.field.split(".")
        if pieces[0] == "lines" and len(pieces) > 1 and pieces[1].isdigit():
            number = int(pieces[1])
            where = (
                incoming.line_locators[number - 1]
                if number <= len(incoming.line_locators)
                else f"line {number}"
            )
            name = _FIELD_LABELS.get(pieces[2], pieces[2]) if len(pieces) > 2 else "lines"
            parts.append(f"{where} {name}: {problem.message}")
        elif pieces[0] == "diagnoses" and len(pieces) > 1:
            parts.append(f"diagnosis {pieces[1]}: {problem.message}")
        else:
            parts.append(f"{_FIELD_LABELS.get(pieces[0], pieces[0])}: {problem.message}")
    return " ".join(parts)


@dataclass
class _Lookups:
    """Members, the practice's providers and corrected claims of one batch, each found with one
    query, then matched claim by claim with the rules resolve_entry applies to one claim."""

    members: dict[str, Member]
    families: dict[str, list[Member]]
    providers: dict[str, Provider]
    originals: dict[str, Claim]
    group_npi: str  # the practice's organization NPI, which may bill for its providers

    @classmethod
    def load(cls, session: Session, actor: Actor, claims: Sequence[IncomingClaim]) -> _Lookups:
        member_ids = {claim.entry.member_id.strip().upper() for claim in claims}
        members = {
            member.member_id: member
            for member in session.exec(select(Member).where(col(Member.member_id).in_(member_ids)))
        }
        family_ids = {
            members[claim.entry.member_id.strip().upper()].family_id
            for claim in claims
            if claim.is_dependent and claim.entry.member_id.strip().upper() in members
        }
        families: dict[str, list[Member]] = {}
        if family_ids:
            for member in session.exec(select(Member).where(col(Member.family_id).in_(family_ids))):
                families.setdefault(member.family_id, []).append(member)
        npis = {
            npi.strip()
            for claim in claims
            for npi in (claim.entry.billing_npi, claim.entry.rendering_npi)
        }
        providers = {
            provider.npi: provider
            for provider in session.exec(scoped(Provider, actor).where(col(Provider.npi).in_(npis)))
        }
        numbers = {
            claim.entry.original_claim_number.strip()
            for claim in claims
            if claim.entry.frequency_code != FrequencyCode.ORIGINAL
        }
        originals = {}
        if numbers:
            originals = {
                claim.claim_number: claim
                for claim in session.exec(
                    scoped(Claim, actor).where(col(Claim.claim_number).in_(numbers))
                )
            }
        return cls(members, families, providers, originals, practice_group_npi(session, actor))

    def resolve(
        self, incoming: IncomingClaim
    ) -> tuple[ClaimEntry, ResolvedEntry | None, list[FieldProblem]]:
        """The entry (for a dependent, with the patient's own member ID) and what it points
        at, or the problems resolve_entry would name."""
        entry = incoming.entry
        problems: list[FieldProblem] = []
        member = self._member(incoming)
        if member is None:
            problems.append(MEMBER_NOT_MATCHED)
        else:
            entry = replace(entry, member_id=member.member_id)
        problems += provider_problems(entry, self.providers, self.group_npi)
        original = None
        if entry.frequency_code != FrequencyCode.ORIGINAL:
            number = entry.original_claim_number.strip()
            original = self.originals.get(number)
            problems += correction_problems(number, original)
        if problems:
            return entry, None, problems
        assert member is not None
        resolved = ResolvedEntry(
            member, *claim_providers(entry, self.providers, self.group_npi), original
        )
        return entry, resolved, []

    def _member(self, incoming: IncomingClaim) -> Member | None:
        entry = incoming.entry
        found = self.members.get(entry.member_id.strip().upper())
        if found is None:
            return None
        if not incoming.is_dependent:
            return found if found.date_of_birth == entry.member_date_of_birth else None
        born = [
            member
            for member in self.families.get(found.family_id, [])
            if member.date_of_birth == entry.member_date_of_birth
        ]
        if len(born) > 1:  # twins: the first name (2010CA NM104) tells them apart
            first = incoming.patient_first_name.strip().lower()
            born = [member for member in born if member.first_name.lower() == first]
        return born[0] if len(born) == 1 else None


def _store(
    session: Session,
    practice_id: int,
    import_id: int,
    ready: Sequence[tuple[ClaimEntry, ResolvedEntry]],
    at: datetime,
) -> list[int]:
    """Store the batch's accepted claims with the rows submit_claim writes for one (the row
    builders of domain.claim_submission), as rows rather than ORM objects: one multi-row
    INSERT per table and one UPDATE for the claim numbers. Building an object per row costs
    more than the database does at 100,000 claims."""
    if not ready:
        return []
    claim_rows = [
        claim_values(
            practice_id=practice_id,
            entry=entry,
            resolved=resolved,
            at=at,
            transaction_id=new_transaction_id(at),
            claim_import_id=import_id,
        )
        for entry, resolved in ready
    ]
    claim_ids = _insert_claims(session, import_id, claim_rows)
    numbers = []
    diagnoses: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for claim_id, row, (entry, resolved) in zip(claim_ids, claim_rows, ready, strict=True):
        numbers.append(
            {"claim_pk": claim_id, **claim_numbers(claim_id, at, row["patient_control_number"])}
        )
        diagnoses += diagnosis_rows(claim_id, entry)
        lines += line_rows(claim_id, entry)
        events.append(
            received_event_values(
                claim_id,
                at,
                SOURCE,
                row["transaction_id"],
                note=correction_note(entry, resolved.original),
            )
        )
    # Core statements on the tables, not the ORM's bulk paths: the rows are plain values
    # already, and the ORM's per-row bookkeeping costs as much as the database's work.
    connection = session.connection()
    claims = table_of(Claim)
    connection.execute(
        claims.update()
        .where(claims.c.id == bindparam("claim_pk"))
        .values({name: bindparam(name) for name in numbers[0] if name != "claim_pk"}),
        numbers,
    )
    connection.execute(table_of(ClaimDiagnosis).insert(), diagnoses)
    connection.execute(table_of(ClaimLine).insert(), lines)
    connection.execute(table_of(ClaimStatusEvent).insert(), events)
    return claim_ids


def _insert_claims(session: Session, import_id: int, claim_rows: list[dict[str, Any]]) -> list[int]:
    """Insert the claims with one executemany and return their ids in row order.

    Not INSERT ... RETURNING: to return ids in parameter order SQLite's driver falls back to
    one statement per row, four times the cost of the rows themselves. Each row's transaction
    id is unique, so the ids are read back by it, among this import's claims above the highest
    id before the insert (an index range, not the import's earlier batches)."""
    before = session.exec(select(func.max(Claim.id))).one() or 0
    session.connection().execute(table_of(Claim).insert(), claim_rows)
    ids_by_transaction: dict[str | None, int] = {
        transaction_id: claim_id
        for transaction_id, claim_id in session.exec(
            select(Claim.transaction_id, Claim.id).where(
                col(Claim.id) > before, Claim.claim_import_id == import_id
            )
        ).all()
        if claim_id is not None
    }
    return [ids_by_transaction[row["transaction_id"]] for row in claim_rows]


def table_of(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


# --- What the upload page lists ---


@dataclass(frozen=True)
class ImportSummary:
    """A row of the recent-imports list: counts only."""

    import_id: int
    file_name: str
    file_format: str
    received_at: datetime
    total: int
    accepted: int
    rejected: int
    finished: bool


def recent_imports(session: Session, *, actor: Actor, limit: int = 10) -> list[ImportSummary]:
    actor.require(Area.CLAIM_ENTRY)
    rows = session.exec(
        scoped(ClaimImport, actor)
        .order_by(col(ClaimImport.received_at).desc(), col(ClaimImport.id).desc())
        .limit(limit)
    ).all()
    return [
        ImportSummary(
            import_id=row.id or 0,
            file_name=row.file_name,
            file_format=row.file_format,
            received_at=row.received_at,
            total=row.total_claims,
            accepted=row.accepted,
            rejected=row.rejected,
            finished=row.finished_at is not None,
        )
        for row in rows
    ]


def read_import(session: Session, *, actor: Actor, import_id: int, at: datetime) -> ImportResult:
    """One import with its rejections (account numbers are PHI-adjacent: the look is audited)."""
    actor.require(Area.CLAIM_ENTRY)
    row = get_scoped(session, ClaimImport, import_id, actor)
    record_by(
        session, actor, action="claim.import.read", at=at, entity_type="claim_import",
        entity_id=import_id,
    )  # fmt: skip
    return ImportResult.of(row)


EXPORT_FILES = {"rejections": "rejections csv", "999": "999 acknowledgement"}


def export_import(
    session: Session, *, actor: Actor, import_id: int, file_kind: str, at: datetime
) -> ImportResult:
    """An import's rejections (patient account numbers) or its 999 as a file: read afresh
    within the practice and audited as an export (counts only in the detail)."""
    actor.require(Area.CLAIM_ENTRY)
    row = get_scoped(session, ClaimImport, import_id, actor)
    result = ImportResult.of(row)
    detail = EXPORT_FILES[file_kind]
    if file_kind == "rejections":
        detail += f", {len(result.rejections)} rows"
    record_by(
        session,
        actor,
        action="export",
        at=at,
        entity_type="claim_import",
        entity_id=import_id,
        detail=detail,
    )
    return result
