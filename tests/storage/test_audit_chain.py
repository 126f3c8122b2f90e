"""The audit trail's hash chain on SQLite and PostgreSQL: sealing numbers and links events,
verify names the first changed, deleted or re-numbered event, the chain head catches a
truncated tail, and the database itself refuses to update or delete audit events."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from domain.audit import GENESIS_HASH, AuditChainHead, AuditEvent, record
from domain.audit_chain import ChainHeadMismatch, chain_status, event_hash, seal, verify
from jobs.audit_seal import seal_and_verify, seal_audit_events
from storage.db import unit_of_work

AT = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)


def _write_events(engine: Engine, count: int, *, start: int = 0) -> None:
    with unit_of_work(engine) as session:
        for index in range(start, start + count):
            record(
                session,
                action="read",
                at=AT + timedelta(seconds=index),
                entity_type="claim",
                entity_id=index,
                source_ip="10.0.0.1",
                detail=f"détail {index}",  # non-ASCII survives the canonical JSON
            )


def _sealed(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.seq).is_not(None))
                .order_by(col(AuditEvent.seq))
            ).all()
        )


def _verify(engine: Engine):  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return verify(session, batch=3, at=AT)  # a small batch, so the walk crosses batch edges


def _tamper(engine: Engine, *statements: str) -> None:
    """What a DBA with the privilege to drop the append-only triggers could do."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER auditevent_append_only ON auditevent")
        else:
            connection.exec_driver_sql("DROP TRIGGER auditevent_no_update")
            connection.exec_driver_sql("DROP TRIGGER auditevent_no_delete")
        for statement in statements:
            connection.execute(text(statement))


def test_sealing_numbers_and_links_events_in_id_order(engine: Engine) -> None:
    _write_events(engine, 7)
    with unit_of_work(engine) as session:
        assert seal(session, limit=5, at=AT) == 5
    with unit_of_work(engine) as session:
        assert seal(session, limit=5, at=AT) == 2
    with unit_of_work(engine) as session:
        assert seal(session, at=AT) == 0
    events = _sealed(engine)
    assert [event.seq for event in events] == list(range(1, 8))
    assert [event.id for event in events] == sorted(event.id for event in events)  # type: ignore[type-var]
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    for event in events:
        assert event.hash == event_hash(event.prev_hash or "", event.model_dump())
    with Session(engine) as session:
        head = session.get(AuditChainHead, 1)
        assert head is not None and (head.seq, head.hash) == (7, events[-1].hash)


def test_an_untouched_chain_verifies_and_records_the_verdict(engine: Engine) -> None:
    _write_events(engine, 8)
    result = seal_and_verify(engine=engine)
    assert result.intact and result.checked == 8
    assert result.summary() == "Audit chain intact: 8 events"
    with unit_of_work(engine) as session:
        status = chain_status(session)
    assert (status.sealed_through, status.unsealed) == (8, 0)
    assert status.verified_count == 8 and status.verify_problem is None
    assert status.verified_at is not None


def test_an_empty_chain_is_intact(engine: Engine) -> None:
    result = seal_and_verify(engine=engine)
    assert result.intact and result.checked == 0


def test_a_changed_event_is_named(engine: Engine) -> None:
    _write_events(engine, 6)
    seal_audit_events(engine=engine)
    changed = _sealed(engine)[3]
    _tamper(engine, f"UPDATE auditevent SET detail = 'nothing to see' WHERE id = {changed.id}")
    result = _verify(engine)
    assert not result.intact
    assert result.problem == (
        f"event id {changed.id} (seq 4) was changed: it no longer matches its hash"
    )
    assert result.event_id == changed.id and result.checked == 3
    with unit_of_work(engine) as session:
        assert chain_status(session).verify_problem == result.problem


def test_a_changed_time_or_user_is_named(engine: Engine) -> None:
    _write_events(engine, 3)
    seal_audit_events(engine=engine)
    changed = _sealed(engine)[0]
    _tamper(engine, f"UPDATE auditevent SET outcome = 'refused' WHERE id = {changed.id}")
    assert _verify(engine).event_id == changed.id


def test_a_deleted_event_leaves_a_named_gap(engine: Engine) -> None:
    _write_events(engine, 6)
    seal_audit_events(engine=engine)
    _tamper(engine, "DELETE FROM auditevent WHERE seq IN (3, 4)")
    result = _verify(engine)
    assert result.problem == "events after seq 2 are missing: seq 3-4 deleted"
    assert result.checked == 2


def test_deleting_the_first_event_is_a_gap_at_the_start(engine: Engine) -> None:
    _write_events(engine, 3)
    seal_audit_events(engine=engine)
    _tamper(engine, "DELETE FROM auditevent WHERE seq = 1")
    assert _verify(engine).problem == "events at the start are missing: seq 1 deleted"


def test_deleting_the_newest_events_is_caught_by_the_head(engine: Engine) -> None:
    _write_events(engine, 5)
    seal_audit_events(engine=engine)
    _tamper(engine, "DELETE FROM auditevent WHERE seq >= 4")
    result = _verify(engine)
    assert result.problem == (
        "events after seq 3 are missing: seq 4-5 deleted (the chain head is at seq 5)"
    )
    # Sealing goes on from the head, so new events never re-use the deleted seqs.
    _write_events(engine, 2, start=10)
    seal_audit_events(engine=engine)
    assert [event.seq for event in _sealed(engine)] == [1, 2, 3, 6, 7]
    assert _verify(engine).problem == "events after seq 3 are missing: seq 4-5 deleted"


def test_a_renumbered_event_is_named(engine: Engine) -> None:
    """Delete seq 3 and close the gap by moving 4 and 5 down: no gap, but the hashes know."""
    _write_events(engine, 5)
    seal_audit_events(engine=engine)
    moved = _sealed(engine)[3]
    _tamper(
        engine,
        "DELETE FROM auditevent WHERE seq = 3",
        "UPDATE auditevent SET seq = 3 WHERE seq = 4",
        "UPDATE auditevent SET seq = 4 WHERE seq = 5",
    )
    result = _verify(engine)
    assert result.problem == f"event id {moved.id} was re-numbered: sealed as seq 4, now seq 3"


def test_a_broken_link_is_named(engine: Engine) -> None:
    """An event re-hashed onto a forged prev_hash checks out alone, but not as a link."""
    _write_events(engine, 4)
    seal_audit_events(engine=engine)
    target = _sealed(engine)[2]
    forged_prev = "f" * 64
    forged_hash = event_hash(forged_prev, target.model_dump())
    _tamper(
        engine,
        f"UPDATE auditevent SET prev_hash = '{forged_prev}', hash = '{forged_hash}' "
        f"WHERE id = {target.id}",
    )
    result = _verify(engine)
    assert result.problem == (
        f"event id {target.id} (seq 3) does not link to seq 2: its prev_hash is not that "
        "event's hash"
    )


def test_a_rolled_back_head_is_named_and_stops_sealing(engine: Engine) -> None:
    """Moving the head back would leave the events after it unchecked: verify says so, and
    sealing refuses to go on (its seqs would collide) until someone looks."""
    _write_events(engine, 4)
    seal_audit_events(engine=engine)
    _tamper(engine)
    with engine.begin() as connection:
        trigger = "auditchainhead_forward_only"
        drop = f"DROP TRIGGER {trigger}" + (
            " ON auditchainhead" if engine.dialect.name == "postgresql" else ""
        )
        connection.exec_driver_sql(drop)
        connection.exec_driver_sql("UPDATE auditchainhead SET seq = 2")
        connection.exec_driver_sql("UPDATE auditevent SET detail = 'edited' WHERE seq = 4")
    assert _verify(engine).problem == (
        "sealed events up to seq 4 lie beyond the chain head at seq 2"
    )
    _write_events(engine, 1, start=9)
    with pytest.raises(ChainHeadMismatch), unit_of_work(engine) as session:
        seal(session, at=AT)


def test_events_written_after_the_seal_wait_for_the_next_one(engine: Engine) -> None:
    _write_events(engine, 3)
    seal_audit_events(engine=engine)
    _write_events(engine, 2, start=3)
    assert _verify(engine).checked == 3  # unsealed events are not in the chain yet
    with unit_of_work(engine) as session:
        assert chain_status(session).unsealed == 2
    assert seal_and_verify(engine=engine).checked == 5


def test_the_database_refuses_to_change_or_delete_audit_events(engine: Engine) -> None:
    _write_events(engine, 2)
    unsealed_id = _sealed_ids = None
    with Session(engine) as session:
        unsealed_id = session.exec(select(AuditEvent.id)).first()
    refused = (IntegrityError, DBAPIError)
    # An unsealed event: its content is fixed too; only sealing may set the chain columns.
    with pytest.raises(refused, match="append-only"), engine.begin() as connection:
        connection.execute(
            text("UPDATE auditevent SET detail = 'x' WHERE id = :id"), {"id": unsealed_id}
        )
    seal_audit_events(engine=engine)
    _sealed_ids = [event.id for event in _sealed(engine)]
    for statement in (
        "UPDATE auditevent SET detail = 'x'",
        "UPDATE auditevent SET seq = seq + 10",
        "UPDATE auditevent SET hash = NULL, prev_hash = NULL, seq = NULL",
        "DELETE FROM auditevent",
        "UPDATE auditchainhead SET seq = 0",
        "DELETE FROM auditchainhead",
    ):
        with pytest.raises(refused), engine.begin() as connection:
            connection.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(refused, match="append-only"), engine.begin() as connection:
            connection.execute(text("TRUNCATE auditevent"))
    assert [event.id for event in _sealed(engine)] == _sealed_ids
    assert seal_and_verify(engine=engine).intact


def test_the_append_only_triggers_exist_at_head(engine: Engine) -> None:
    """A later SQLite migration that rebuilds auditevent by table copy drops its triggers."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            names = connection.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            ).scalars()
        else:
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
        found = set(names)
    expected = (
        {"auditevent_append_only", "auditevent_no_truncate", "auditchainhead_forward_only"}
        if engine.dialect.name == "postgresql"
        else {"auditevent_no_update", "auditevent_no_delete", "auditchainhead_forward_only"}
    )
    assert expected <= found


def test_concurrent_sealers_and_writers_keep_one_chain(engine: Engine) -> None:
    """Sealers in several threads while writers keep adding events: the lock makes each seal
    continue exactly where the last one ended (no seq twice, no fork)."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        try:
            for round_ in range(10):
                _write_events(engine, 5, start=offset + round_ * 5)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def sealer() -> None:
        try:
            while not stop.is_set():
                seal_audit_events(engine=engine, batch_size=7)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    writers = [threading.Thread(target=writer, args=(n * 1000,)) for n in range(3)]
    sealers = [threading.Thread(target=sealer) for _ in range(3)]
    for thread in writers + sealers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in sealers:
        thread.join()
    assert errors == []
    result = seal_and_verify(engine=engine)
    assert result.intact and result.checked == 150
