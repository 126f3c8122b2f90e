"""Eligibility benchmarks at a million members: one check's server time and a 1,000-appointment
batch, each printed against a baseline measured in the same run (the bare member lookup that
every check starts with). They measure and print; they never assert a time. Run:
pytest tests/bench/bench_eligibility.py -o python_files='bench_*.py' -s
(BENCH_MEMBERS sets the member count, default 1,000,000; BENCH_ELIGIBILITY_DB reuses a file.)
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.auth import actor_for
from domain.eligibility import EligibilityInquiry
from domain.eligibility_service import check_batch, check_eligibility, find_member
from domain.scope import Actor
from domain.users import User
from storage.db import make_engine
from storage.migrate import upgrade_to_head
from storage.seed.bulk import seed_bulk
from storage.seed.demo import SMALL, seed_demo

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "1000000"))
AS_OF = date(2026, 11, 26)
SAMPLE = 1000


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = Path(os.environ.get("BENCH_ELIGIBILITY_DB") or tmp_path_factory.mktemp("elig") / "e.db")
    bench_engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(bench_engine)
    with bench_engine.connect() as connection:
        members = connection.execute(text("SELECT count(*) FROM member")).scalar_one()
    if members < MEMBERS:
        started = time.perf_counter()
        if members == 0:
            seed_demo(bench_engine, scale=SMALL, as_of=AS_OF)
        seed_bulk(bench_engine, claims=MEMBERS // 10, members=MEMBERS, as_of=AS_OF)
        print(f"\n[bench] built {MEMBERS:,} members in {time.perf_counter() - started:.0f} s")
    yield bench_engine
    bench_engine.dispose()


def _front_desk(session: Session) -> Actor:
    user = session.exec(select(User).where(User.email == "frontdesk@riverside.example")).one()
    actor = actor_for(session, user.id)  # type: ignore[arg-type]
    assert actor is not None
    return actor


def _sample(engine: Engine) -> list[EligibilityInquiry]:
    """Members spread over the whole table, each checked on a day inside the seed window."""
    rng = random.Random(7)
    with engine.connect() as connection:
        top = connection.execute(text("SELECT max(id) FROM member")).scalar_one()
        ids = rng.sample(range(1, top + 1), SAMPLE * 2)
        rows = connection.execute(
            text("SELECT member_id, date_of_birth FROM member WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        ).all()
    inquiries = []
    for member_id, dob in rows[:SAMPLE]:
        day = AS_OF - timedelta(days=rng.randrange(0, 300))
        birth = dob if isinstance(dob, date) else date.fromisoformat(str(dob))
        inquiries.append(
            EligibilityInquiry(
                date_of_service=day,
                date_of_birth=birth,
                member_id=member_id,
                procedure_codes=("99213", "97110"),
            )
        )
    return inquiries


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms"


def test_one_check_server_time(engine: Engine) -> None:
    inquiries = _sample(engine)
    baseline: list[float] = []
    checks: list[float] = []
    with Session(engine, expire_on_commit=False) as session:
        actor = _front_desk(session)
        for inquiry in inquiries[:50]:  # warm the page cache for both measurements alike
            find_member(session, inquiry)
        for inquiry in inquiries:
            mark = time.perf_counter()
            find_member(session, inquiry)
            baseline.append((time.perf_counter() - mark) * 1000)
        for inquiry in inquiries:
            mark = time.perf_counter()
            check_eligibility(
                session, actor=actor, inquiry=inquiry, at=datetime.now(UTC), source="portal"
            )
            session.commit()  # each check is its own unit of work, as on the page
            checks.append((time.perf_counter() - mark) * 1000)
    ratio = statistics.median(checks) / statistics.median(baseline)
    p95 = sorted(checks)[int(len(checks) * 0.95) - 1]
    print(
        f"\n[bench] eligibility, {MEMBERS:,} members, {len(inquiries)} checks"
        f"\n  baseline (member lookup by ID + DOB): {_percentiles(baseline)}"
        f"\n  one check (answer, kept, audited, committed): {_percentiles(checks)}"
        f"\n  median ratio check / baseline: {ratio:.1f}x; p95 vs the 20 ms goal: "
        f"{p95 / 20:.2f} of the budget"
    )


def test_thousand_appointment_batch(engine: Engine) -> None:
    inquiries = _sample(engine)
    with Session(engine, expire_on_commit=False) as session:
        actor = _front_desk(session)
        mark = time.perf_counter()
        for inquiry in inquiries:
            find_member(session, inquiry)
        baseline = time.perf_counter() - mark
        mark = time.perf_counter()
        outcome = check_batch(
            session,
            actor=actor,
            inquiries=list(enumerate(inquiries, start=2)),
            at=datetime.now(UTC),
        )
        session.commit()
        batch = time.perf_counter() - mark
    problems = sum(1 for item in outcome.items if item.answer and item.answer.problems())
    print(
        f"\n[bench] batch of {len(inquiries):,} appointments ({problems} with problems): "
        f"{batch:.2f} s (goal 2 s: {batch / 2:.2f} of the budget); "
        f"baseline {len(inquiries):,} member lookups {baseline:.3f} s; "
        f"ratio {batch / baseline:.1f}x"
    )
