"""The audit trail's hash chain: seal new events into it, and verify that nothing sealed was
changed, deleted or re-numbered since.

Writers insert events unsealed (seq NULL), so no page waits on a chain lock. `seal` then takes
one lock (a PostgreSQL advisory transaction lock; SQLite's write lock), numbers the unsealed
events in id order after the chain head and sets

    hash = sha256(prev_hash + canonical JSON of the event, seq included)

so changing any field, deleting an event or re-numbering one breaks the chain at that point.
Deleting the newest events leaves a chain that is whole by itself: the head row
(AuditChainHead), moved forward by every seal, still says how long it was. Database triggers
(migration 0009) refuse UPDATE of a sealed event and any DELETE; the chain catches what
someone who can drop a trigger does anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlmodel import Session

from domain.audit import GENESIS_HASH, AuditChainHead, AuditEvent

# pg_advisory_xact_lock takes one bigint shared by every client of the database: "AUDITCHN"
# in ASCII, unlike the scheduler's leader key.
SEAL_LOCK_KEY = 0x4155444954434E
HEAD_ID = 1
# The fields a hash covers, in the canonical JSON (keys sorted, no spaces, UTF-8).
HASHED_FIELDS = (
    "id",
    "seq",
    "occurred_at",
    "user_id",
    "practice_id",
    "action",
    "entity_type",
    "entity_id",
    "outcome",
    "source_ip",
    "detail",
)
# How far from its position verify looks for the seq a changed event was sealed with, to tell
# "re-numbered" from "changed" (a cheap search: only on the first broken event).
RENUMBER_SEARCH = 10_000

_events: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_head: Table = AuditChainHead.__table__  # type: ignore[attr-defined]
_READ = [_events.c[name] for name in HASHED_FIELDS] + [_events.c.prev_hash, _events.c.hash]


class ChainHeadMismatch(RuntimeError):
    """Sealed events exist beyond the chain head: the head row was rolled back or events were
    sealed outside `seal`. Sealing stops (new seqs would collide) until someone looks."""


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The event as hashed: its HASHED_FIELDS as compact JSON with sorted keys; the time as
    ISO 8601 UTC with microseconds, so SQLite and PostgreSQL hash the same bytes."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    occurred_at: datetime = values["occurred_at"]
    values["occurred_at"] = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def _take_seal_lock(session: Session) -> None:
    """One sealer at a time, for the rest of this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK_KEY})
    else:
        # SQLite: a write statement takes the database's write lock (waiting busy_timeout for
        # it) before anything is read, so the head read next is the latest and stays so.
        session.execute(update(_head).where(_head.c.id == HEAD_ID).values(seq=_head.c.seq))


def _chain_head(session: Session) -> tuple[int, str]:
    row = session.execute(select(_head.c.seq, _head.c.hash).where(_head.c.id == HEAD_ID)).first()
    if row is None:  # migration 0009 inserts it; a database built from the models alone may not
        session.execute(_head.insert().values(id=HEAD_ID, seq=0, hash=GENESIS_HASH))
        return 0, GENESIS_HASH
    return int(row.seq), str(row.hash)


def seal(session: Session, *, at: datetime, limit: int = 5000) -> int:
    """Seal up to `limit` unsealed events (oldest id first) into the chain; how many were.
    Commits with the caller's unit of work."""
    # Nothing waiting (the usual tick): no lock, so an idle portal writes nothing every tick.
    waiting = session.execute(select(_events.c.id).where(_events.c.seq.is_(None)).limit(1))
    if waiting.first() is None:
        return 0
    _take_seal_lock(session)
    head_seq, head_hash = _chain_head(session)
    # Continue from the head, not from the newest event left: after the newest events were
    # deleted, re-using their seqs would hide the deletion from verify.
    newest = session.execute(select(func.max(_events.c.seq))).scalar()
    if newest is not None and newest > head_seq:
        raise ChainHeadMismatch(f"sealed events up to seq {newest} beyond the head at {head_seq}")
    rows = session.execute(
        select(*_READ).where(_events.c.seq.is_(None)).order_by(_events.c.id).limit(limit)
    ).mappings()
    sealed: list[dict[str, Any]] = []
    seq, prev_hash = head_seq, head_hash
    for row in rows:
        seq += 1
        digest = event_hash(prev_hash, {**row, "seq": seq})
        sealed.append(
            {"event_id": row["id"], "new_seq": seq, "new_prev": prev_hash, "new_hash": digest}
        )
        prev_hash = digest
    if not sealed:
        return 0
    session.connection().execute(
        update(_events)
        .where(_events.c.id == bindparam("event_id"), _events.c.seq.is_(None))
        .values(
            seq=bindparam("new_seq"), prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")
        ),
        sealed,
    )
    session.execute(
        update(_head).where(_head.c.id == HEAD_ID).values(seq=seq, hash=prev_hash, sealed_at=at)
    )
    return len(sealed)


@dataclass(frozen=True)
class VerifyResult:
    """What verify found: how many sealed events it checked and the first problem, if any."""

    checked: int
    head_seq: int
    head_hash: str
    problem: str | None = None
    event_id: int | None = None  # the event the problem is at, when there is one

    @property
    def intact(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.intact:
            return f"Audit chain intact: {self.checked:,} events"
        return f"Audit chain broken: {self.problem} ({self.checked:,} events checked before it)"


def _missing(first: int, last: int) -> str:
    return f"seq {first} deleted" if first == last else f"seq {first}-{last} deleted"


def _sealed_as(row: Mapping[str, Any]) -> int | None:
    """The seq this event was sealed with, when only its seq has changed since."""
    stored = row["hash"]
    low = max(1, row["seq"] - RENUMBER_SEARCH)
    for candidate in range(low, row["seq"] + RENUMBER_SEARCH + 1):
        if (
            candidate != row["seq"]
            and event_hash(row["prev_hash"], {**row, "seq": candidate}) == stored
        ):
            return candidate
    return None


def _event_problem(row: Mapping[str, Any], expected_seq: int, prev_hash: str) -> str | None:
    seq, event_id = row["seq"], row["id"]
    if row["prev_hash"] is None or row["hash"] is None:
        return f"event id {event_id} (seq {seq}) has lost its hash"
    if event_hash(row["prev_hash"], row) != row["hash"]:
        original = _sealed_as(row)
        if original is not None:
            return f"event id {event_id} was re-numbered: sealed as seq {original}, now seq {seq}"
        return f"event id {event_id} (seq {seq}) was changed: it no longer matches its hash"
    if seq != expected_seq:
        after = expected_seq - 1
        place = f"after seq {after}" if after else "at the start"
        return f"events {place} are missing: {_missing(expected_seq, seq - 1)}"
    if row["prev_hash"] != prev_hash:
        return (
            f"event id {event_id} (seq {seq}) does not link to seq {seq - 1}: its prev_hash "
            "is not that event's hash"
        )
    return None


def verify(session: Session, *, at: datetime, batch: int = 5000) -> VerifyResult:
    """Recompute the chain in seq order, `batch` events at a time, up to the head as read at
    the start (events sealed meanwhile are the next verify's); record the verdict on the head
    row for the audit page. Seal first to cover everything written so far."""
    head_seq, head_hash = _chain_head(session)
    # One statement, one snapshot: a seal moves the events and the head together, so sealed
    # events beyond the head mean the head was rolled back (to leave changed events unchecked).
    newest, head_now = session.execute(
        select(
            select(func.max(_events.c.seq)).scalar_subquery(),
            select(_head.c.seq).where(_head.c.id == HEAD_ID).scalar_subquery(),
        )
    ).one()
    if newest is not None and head_now is not None and newest > head_now:
        beyond = f"sealed events up to seq {newest} lie beyond the chain head at seq {head_now}"
        return _recorded(session, VerifyResult(0, head_now, head_hash, beyond), at)
    checked, prev_seq, prev_hash = 0, 0, GENESIS_HASH
    result: VerifyResult | None = None
    while result is None:
        rows = (
            session.execute(
                select(*_READ)
                .where(_events.c.seq > prev_seq, _events.c.seq <= head_seq)
                .order_by(_events.c.seq)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        for found in rows:
            row = dict(found)
            problem = _event_problem(row, prev_seq + 1, prev_hash)
            if problem is not None:
                result = VerifyResult(checked, head_seq, head_hash, problem, row["id"])
                break
            checked, prev_seq, prev_hash = checked + 1, row["seq"], row["hash"]
        if result is None and len(rows) < batch:
            result = _against_head(checked, prev_seq, prev_hash, head_seq, head_hash)
    return _recorded(session, result, at)


def _recorded(session: Session, result: VerifyResult, at: datetime | None) -> VerifyResult:
    """Keep the verdict on the head row, for the audit page."""
    session.execute(
        update(_head)
        .where(_head.c.id == HEAD_ID)
        .values(
            verified_at=at,
            verified_count=result.checked,
            verify_problem=result.problem[:300] if result.problem else None,
        )
    )
    return result


def _against_head(
    checked: int, last_seq: int, last_hash: str, head_seq: int, head_hash: str
) -> VerifyResult:
    """The walk ended: it must have ended exactly at the head, on the head's hash."""
    if last_seq < head_seq:
        problem = (
            f"events after seq {last_seq} are missing: {_missing(last_seq + 1, head_seq)} "
            f"(the chain head is at seq {head_seq})"
        )
        return VerifyResult(checked, head_seq, head_hash, problem)
    if last_hash != head_hash:
        problem = f"the newest sealed event (seq {last_seq}) does not match the chain head"
        return VerifyResult(checked, head_seq, head_hash, problem)
    return VerifyResult(checked, head_seq, head_hash)


@dataclass(frozen=True)
class ChainStatus:
    """The audit page's chain indicator: cheap counts and the latest verify's verdict."""

    sealed_through: int  # the head's seq: how many events have been sealed, ever
    unsealed: int
    sealed_at: datetime | None
    verified_at: datetime | None
    verified_count: int | None
    verify_problem: str | None


def chain_status(session: Session) -> ChainStatus:
    head = session.get(AuditChainHead, HEAD_ID)
    unsealed = session.execute(
        select(func.count()).select_from(_events).where(_events.c.seq.is_(None))
    ).scalar_one()
    if head is None:
        return ChainStatus(0, int(unsealed), None, None, None, None)
    return ChainStatus(
        sealed_through=head.seq,
        unsealed=int(unsealed),
        sealed_at=head.sealed_at,
        verified_at=head.verified_at,
        verified_count=head.verified_count,
        verify_problem=head.verify_problem,
    )
