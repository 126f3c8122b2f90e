"""Bulk claim import at a million claims: 100,000 claims from a CSV and from an 837P, end to
end (read, check, store), and the database write phase against a raw sqlite3 executemany of
the very rows the import wrote, replayed in the same run (goal: within 2x). They measure and
print; they never assert a time. Run: make bench (BENCH_IMPORT_CLAIMS sets the file size)."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import domain.claim_import_service as import_service
from domain.auth import actor_for
from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claim_import_service import run_import
from domain.members import Member
from domain.practices import Provider
from domain.scope import Actor
from domain.users import User
from interop.claim_file import read_claim_file
from interop.claims_csv import entries_to_csv
from interop.x12.claims_837 import Organisation837, write_837p
from tests.bench.million import CLAIMS, million_claims

IMPORT_CLAIMS = int(os.environ.get("BENCH_IMPORT_CLAIMS", "100000"))
# Tables the import writes per claim, children after parents, with the column naming its claim.
WRITTEN = (("claim", "id"), ("claimdiagnosis", "claim_id"), ("claimline", "claim_id"),
           ("claimstatusevent", "claim_id"))  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    bench_engine = million_claims()
    yield bench_engine
    bench_engine.dispose()


def _biller(engine: Engine) -> tuple[Actor, list[str]]:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "billing@riverside.example")).one()
        actor = actor_for(session, user.id)  # type: ignore[arg-type]
        assert actor is not None
        npis = list(
            session.exec(select(Provider.npi).where(Provider.practice_id == user.practice_id))
        )
    return actor, npis


def _entries(engine: Engine, npis: list[str], tag: str) -> list[ClaimEntry]:
    rng = random.Random(tag)
    with Session(engine) as session:
        top = session.exec(select(Member.id).order_by(col(Member.id).desc())).first() or 1
        ids = rng.sample(range(1, top + 1), min(IMPORT_CLAIMS, top))
        members = session.exec(
            select(Member.member_id, Member.date_of_birth).where(col(Member.id).in_(ids))
        ).all()
    today = datetime.now(UTC).date()
    stamp = f"{tag}{time.time_ns() % 10**9}"
    entries = []
    for number in range(IMPORT_CLAIMS):
        member_id, birth = members[number % len(members)]
        day = today - timedelta(days=rng.randrange(3, 300))
        npi = rng.choice(npis)
        entries.append(
            ClaimEntry(
                member_id=member_id,
                member_date_of_birth=birth,
                billing_npi=npi,
                rendering_npi=npi,
                place_of_service="11",
                service_date_from=day,
                service_date_to=day,
                diagnoses=("J06.9", "E11.9"),
                lines=(
                    ServiceLineEntry("99213", Decimal("145.00"), (1,), service_date=day),
                    ServiceLineEntry(
                        "85025", Decimal(f"{20 + number % 9}.00"), (2,), service_date=day
                    ),
                ),
                patient_control_number=f"B{stamp}{number}",
            )
        )
    return entries


@contextmanager
def _session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _replay(path: str, import_id: int) -> float:
    """Insert the rows the import wrote once more, with raw sqlite3 executemany in one
    transaction per table group (ids and claim numbers shifted so nothing collides), time it,
    and roll it back: the floor for writing exactly these rows into this database."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                   "busy_timeout=10000", "cache_size=-262144"):  # fmt: skip
        connection.execute(f"PRAGMA {pragma}")
    claim_ids = [row[0] for row in connection.execute(
        "SELECT id FROM claim WHERE claim_import_id = ?", (import_id,))]  # fmt: skip
    shift = 10**9
    rows: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {}
    marks = ",".join("?" * len(claim_ids))
    for table, key in WRITTEN:
        cursor = connection.execute(f'SELECT * FROM "{table}" WHERE {key} IN ({marks})', claim_ids)
        columns = [description[0] for description in cursor.description]
        values = []
        for row in cursor.fetchall():
            record = dict(zip(columns, row, strict=True))
            record["id"] = record["id"] + shift
            if table == "claim":
                record["claim_number"] = f"R{record['claim_number']}"[:20]
                record["claim_import_id"] = None
            else:
                record["claim_id"] = record["claim_id"] + shift
            values.append(tuple(record[name] for name in columns))
        rows[table] = (columns, values)
    mark = time.perf_counter()
    connection.execute("BEGIN")
    for table, (columns, values) in rows.items():
        statement = (
            f'INSERT INTO "{table}" ({", ".join(columns)}) '
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        for start in range(0, len(values), 500):  # the import's batch size, one transaction here
            connection.executemany(statement, values[start : start + 500])
    elapsed = time.perf_counter() - mark
    connection.execute("ROLLBACK")
    connection.close()
    return elapsed


def _remove(path: str, import_id: int) -> None:
    """Take the imported claims out again, so the shared benchmark database keeps its shape
    (otherwise each run adds 200,000 claims to one practice and the list benchmark drifts)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA busy_timeout=10000")
    claims = "SELECT id FROM claim WHERE claim_import_id = ?"
    connection.execute("BEGIN")
    for table, key in reversed(WRITTEN[1:]):
        connection.execute(f'DELETE FROM "{table}" WHERE {key} IN ({claims})', (import_id,))
    connection.execute("DELETE FROM claim WHERE claim_import_id = ?", (import_id,))
    connection.execute("DELETE FROM claimimport WHERE id = ?", (import_id,))
    connection.execute("COMMIT")
    connection.close()


@pytest.mark.parametrize("file_format", ["csv", "837p"])
def test_import_hundred_thousand_claims(
    engine: Engine, file_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, npis = _biller(engine)
    entries = _entries(engine, npis, file_format)
    at = datetime.now(UTC)
    if file_format == "csv":
        content = entries_to_csv(entries).encode()
    else:
        content = write_837p(
            entries,
            submitter=Organisation837("RIVERSIDE FAMILY MEDICINE", "RIVERSIDE"),
            control_number=int(time.time()) % 10**9,
            at=at,
        ).encode()

    mark = time.perf_counter()
    claim_file = read_claim_file(content, file_name=f"bench.{file_format}", at=at)
    read = time.perf_counter() - mark
    store_seconds = [0.0]
    store = import_service._store

    def timed_store(*args: Any, **kwargs: Any) -> Any:  # the write phase alone
        mark = time.perf_counter()
        try:
            return store(*args, **kwargs)
        finally:
            store_seconds[0] += time.perf_counter() - mark

    monkeypatch.setattr(import_service, "_store", timed_store)
    mark = time.perf_counter()
    result = run_import(
        unit_of_work=lambda: _session_scope(engine), actor=actor, claim_file=claim_file, at=at
    )
    write = time.perf_counter() - mark
    total = read + write
    replay = _replay(engine.url.database or "", result.import_id)
    _remove(engine.url.database or "", result.import_id)
    print(
        f"\n[bench] import {IMPORT_CLAIMS:,} claims from {file_format.upper()} "
        f"({len(content) / 1e6:.1f} MB) into a {CLAIMS:,}-claim database: "
        f"{result.accepted:,} accepted, {result.rejected:,} rejected"
        f"\n  end to end {total:.1f} s = {IMPORT_CLAIMS / total:,.0f} claims/s "
        f"(reading {read:.1f} s, checking and storing {write:.1f} s)"
        f"\n  database write phase {store_seconds[0]:.2f} s vs raw executemany of the same rows "
        f"{replay:.2f} s = {store_seconds[0] / replay:.1f}x (goal within 2x); the whole store "
        f"step with its checks and lookups {write / replay:.1f}x"
    )
