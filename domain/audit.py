"""Audit events: who did what to which record, for which practice, when and from where.

Details never carry PHI (no names, DOBs or member IDs): the record's type and id say what was
touched, and the audit reader resolves them under their own access rights.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, Session, SQLModel

from domain.scope import Actor, NotFound, T, get_scoped
from domain.types import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __table_args__ = (Index("ix_audit_practice_time", "practice_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    practice_id: int | None = Field(default=None, foreign_key="practice.id")
    action: str = Field(max_length=60, description="e.g. sign_in, sign_in_failed, read, denied")
    entity_type: str = Field(default="", max_length=40)
    entity_id: str = Field(default="", max_length=40)
    outcome: str = Field(default="ok", max_length=20, description="ok, refused, failed")
    source_ip: str = Field(default="", max_length=45)
    detail: str = Field(default="", max_length=500)
    # The hash chain (domain/audit_chain.py): a sealing job numbers events in id order and sets
    # hash = sha256(prev_hash + canonical event); unsealed events have seq NULL.
    seq: int | None = Field(default=None, unique=True)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


GENESIS_HASH = "0" * 64


class AuditChainHead(SQLModel, table=True):
    """The newest sealed event's seq and hash, kept apart from the events themselves: deleting
    the newest events leaves a chain that checks out on its own, and only this row says that
    it used to be longer. One row (id 1), written by each seal; the latest verify's verdict
    rides along so the audit page can show it without walking the chain."""

    id: int | None = Field(default=None, primary_key=True)
    seq: int = 0
    hash: str = Field(default=GENESIS_HASH, max_length=64)
    sealed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_count: int | None = None
    # None: intact (or never verified); else the first problem the verify found.
    verify_problem: str | None = Field(default=None, max_length=300)


def record(
    session: Session,
    *,
    action: str,
    at: datetime,
    user_id: int | None = None,
    practice_id: int | None = None,
    entity_type: str = "",
    entity_id: str | int = "",
    outcome: str = "ok",
    source_ip: str = "",
    detail: str = "",
) -> AuditEvent:
    """Add an audit event to the caller's unit of work (it commits with the use case)."""
    event = AuditEvent(
        occurred_at=at,
        user_id=user_id,
        practice_id=practice_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        outcome=outcome,
        source_ip=source_ip,
        detail=detail,
    )
    session.add(event)
    return event


def record_by(
    session: Session,
    actor: Actor,
    *,
    action: str,
    at: datetime,
    entity_type: str = "",
    entity_id: str | int = "",
    outcome: str = "ok",
    detail: str = "",
    practice_id: int | None = None,
) -> AuditEvent:
    """An audit event for something a signed-in actor did (their id, practice and address)."""
    return record(
        session,
        action=action,
        at=at,
        user_id=actor.user_id,
        practice_id=practice_id if practice_id is not None else actor.practice_id,
        entity_type=entity_type,
        entity_id=entity_id,
        outcome=outcome,
        source_ip=actor.source_ip,
        detail=detail,
    )


def get_scoped_audited(
    session: Session,
    model: type[T],
    record_id: int,
    actor: Actor,
    *,
    action: str,
    entity_type: str,
    at: datetime,
) -> T:
    """get_scoped, with the look audited either way: a hit is a PHI read, filed under the
    record's practice (an examiner's too); a miss may be someone probing ids, and raises
    NotFound as get_scoped does."""
    try:
        found = get_scoped(session, model, record_id, actor)
    except NotFound:
        record_by(
            session,
            actor,
            action=action,
            at=at,
            entity_type=entity_type,
            entity_id=record_id,
            outcome="not_found",
        )
        raise
    record_by(
        session,
        actor,
        action=action,
        at=at,
        practice_id=found.practice_id,  # type: ignore[attr-defined]
        entity_type=entity_type,
        entity_id=record_id,
    )
    return found
