"""The benchmark database at a million claims: the small demo (accounts, showcase members,
plans) plus the bulk seed, built once and reused through BENCH_CLAIMS_DB."""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.claim_pipeline import advance_claims
from storage.db import make_engine
from storage.migrate import upgrade_to_head
from storage.seed.bulk import seed_bulk
from storage.seed.demo import SMALL, seed_demo

CLAIMS = int(os.environ.get("BENCH_CLAIMS", "1000000"))
AS_OF = date(2026, 11, 26)


# Built once and shared by every benchmark module and every later `make bench` (building a
# million claims takes minutes); `make clean` removes it.
SHARED_DIR = Path(__file__).resolve().parents[2] / ".bench"


def million_claims() -> Engine:
    """A migrated SQLite database with at least CLAIMS claims: BENCH_CLAIMS_DB when set, else
    .bench/claims-<CLAIMS>.db. Benchmarks that write to it (imports, the drained pipeline)
    leave their rows, so a reused database only grows."""
    SHARED_DIR.mkdir(exist_ok=True)
    path = Path(os.environ.get("BENCH_CLAIMS_DB") or SHARED_DIR / f"claims-{CLAIMS}.db")
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.connect() as connection:
        claims = connection.execute(text("SELECT count(*) FROM claim")).scalar_one()
    if claims < CLAIMS:
        started = time.perf_counter()
        if claims == 0:
            seed_demo(engine, scale=SMALL, as_of=AS_OF)
        seed_bulk(engine, claims=CLAIMS, as_of=AS_OF)
        print(f"\n[bench] built {CLAIMS:,} claims in {time.perf_counter() - started:.0f} s")
    return engine


def largest_practice(session: Session) -> tuple[int, int]:
    """The practice with the most claims, and how many."""
    practice_id, claims = session.execute(
        text(
            "SELECT practice_id, count(*) FROM claim GROUP BY practice_id "
            "ORDER BY count(*) DESC LIMIT 1"
        )
    ).one()
    return int(practice_id), int(claims)


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def drain_open_claims(engine: Engine) -> None:
    """Work off the open claims the bulk seed leaves (a FIFO backlog a new claim would queue
    behind), so the samples time the refresh rather than the queue; the drain itself is the
    pipeline's throughput on this database, printed as such."""
    moved = 0
    mark = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        while True:
            report = advance_claims(session, at=datetime.now(UTC), batch_size=5_000)
            moved += report.total
            if report.total == 0:
                break
    if moved:
        elapsed = time.perf_counter() - mark
        print(
            f"\n[bench] drained the seed's open claims: {moved:,} pipeline steps in "
            f"{elapsed:.0f} s ({moved / elapsed:,.0f} steps/s)"
        )
