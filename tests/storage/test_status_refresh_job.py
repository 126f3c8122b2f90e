"""The status-refresh job: batches, one ClaimsChanged after the commit, idempotence, and one
leader across processes (SQLite file lock; PostgreSQL advisory lock with TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.claims import Claim, ClaimStatus, ClaimStatusEvent
from domain.events import ClaimsChanged, claims_changed
from jobs import status_refresh
from jobs.scheduler import LeaderLock
from jobs.status_refresh import PaymentClock, refresh_claim_statuses
from storage.settings import Settings

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FakeReport:
    claim_ids: frozenset[int]
    practice_ids: frozenset[int]


def fake_advance(session: Session, *, at: datetime, batch_size: int) -> FakeReport:
    """A stand-in pipeline step: pended claims go back to In process, one event each, so a
    second run finds nothing left (the idempotence the real pipeline promises)."""
    claims = session.exec(
        select(Claim)
        .where(Claim.status == ClaimStatus.PENDED)
        .order_by(col(Claim.id))
        .limit(batch_size)
    ).all()
    for claim in claims:
        claim.transition(ClaimStatus.IN_PROCESS, at=at)
        session.add(claim)
        session.add(
            ClaimStatusEvent(
                claim_id=claim.id,
                status=ClaimStatus.IN_PROCESS,
                category_code="A2",
                status_code="20",
                occurred_at=at,
                source="status-refresh",
                transaction_id="TEST",
            )
        )
    return FakeReport(
        frozenset(c.id for c in claims if c.id is not None),
        frozenset(c.practice_id for c in claims),
    )


@pytest.fixture
def published() -> Iterator[list[ClaimsChanged]]:
    messages: list[ClaimsChanged] = []
    unsubscribe = claims_changed.subscribe(messages.append)
    yield messages
    unsubscribe()


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    payment_runs: list[datetime] = []

    def fake_payment_cycle(session: Session, *, at: datetime) -> list[int]:
        payment_runs.append(at)
        return []

    monkeypatch.setattr(status_refresh, "advance_claims", fake_advance)
    monkeypatch.setattr(status_refresh, "run_payment_cycle", fake_payment_cycle)
    return payment_runs


def pended(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(Claim).where(Claim.status == ClaimStatus.PENDED)
        ).one()


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "status_refresh_batch_size": 3,
        "status_refresh_max_batches": 100,
        "payment_cycle_seconds": 3600,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_a_run_advances_in_batches_and_publishes_each_after_its_commit(
    seeded_engine: Engine, fake_pipeline: list[datetime], published: list[ClaimsChanged]
) -> None:
    waiting = pended(seeded_engine)
    assert waiting > 3, "the demo data should have pended claims to move"
    seen_when_published: list[int] = []
    # What another session (a page) reads at the moment of publishing: already committed.
    unsubscribe = claims_changed.subscribe(
        lambda _: seen_when_published.append(pended(seeded_engine))
    )
    try:
        summary = refresh_claim_statuses(
            engine=seeded_engine, at=AT, settings=settings(), payment_clock=PaymentClock()
        )
    finally:
        unsubscribe()

    assert summary.batches == -(-waiting // 3) + (1 if waiting % 3 == 0 else 0)
    assert len(published) == -(-waiting // 3)  # one message per batch that moved claims
    # Each message went out after its batch committed: the pended count had already dropped.
    assert seen_when_published == sorted(seen_when_published, reverse=True)
    assert seen_when_published[0] < waiting and seen_when_published[-1] == 0
    every_id = set().union(*(message.claim_ids for message in published))
    assert len(every_id) == waiting == len(summary.claim_ids)
    with Session(seeded_engine) as session:
        for message in published:
            practices = set(
                session.exec(
                    select(Claim.practice_id).where(col(Claim.id).in_(message.claim_ids))
                ).all()
            )
            assert message.practice_ids == practices
    assert fake_pipeline == [AT]  # the first run of a process pays what is due


def test_a_second_run_finds_nothing_and_publishes_nothing(
    seeded_engine: Engine, fake_pipeline: list[datetime], published: list[ClaimsChanged]
) -> None:
    clock = PaymentClock()
    refresh_claim_statuses(engine=seeded_engine, at=AT, settings=settings(), payment_clock=clock)
    published.clear()

    again = refresh_claim_statuses(
        engine=seeded_engine, at=AT, settings=settings(), payment_clock=clock
    )

    assert published == []
    assert again.claim_ids == set() and again.batches == 1
    assert fake_pipeline == [AT], "the payment cycle is not due again within the hour"


def test_a_run_stops_at_its_cap_and_the_next_run_continues(
    seeded_engine: Engine, fake_pipeline: list[datetime], published: list[ClaimsChanged]
) -> None:
    waiting = pended(seeded_engine)
    capped = settings(status_refresh_batch_size=1, status_refresh_max_batches=2)

    first = refresh_claim_statuses(
        engine=seeded_engine, at=AT, settings=capped, payment_clock=PaymentClock()
    )

    assert first.batches == 2 and len(first.claim_ids) == 2
    assert pended(seeded_engine) == waiting - 2
    assert [len(message.claim_ids) for message in published] == [1, 1]


def test_a_failing_batch_rolls_back_and_publishes_nothing(
    seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch, published: list[ClaimsChanged]
) -> None:
    waiting = pended(seeded_engine)

    def broken(session: Session, *, at: datetime, batch_size: int) -> FakeReport:
        fake_advance(session, at=at, batch_size=batch_size)
        raise RuntimeError("pipeline failed mid-batch")

    monkeypatch.setattr(status_refresh, "advance_claims", broken)
    with pytest.raises(RuntimeError):
        refresh_claim_statuses(
            engine=seeded_engine, at=AT, settings=settings(), payment_clock=PaymentClock()
        )

    assert pended(seeded_engine) == waiting
    assert published == []


def test_two_concurrent_leader_attempts_give_one_leader(engine: Engine) -> None:
    # A key of this test's own on PostgreSQL: advisory locks are per database, not per schema.
    first, second = LeaderLock(engine, key=42_4242), LeaderLock(engine, key=42_4242)
    start = threading.Barrier(2)
    outcomes: dict[str, bool] = {}

    def attempt(name: str, lock: LeaderLock) -> None:
        start.wait()
        outcomes[name] = lock.ensure()

    threads = [
        threading.Thread(target=attempt, args=(name, lock))
        for name, lock in (("first", first), ("second", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(outcomes.values()) == [False, True]
        leader, follower = (first, second) if outcomes["first"] else (second, first)
        assert leader.ensure() and not follower.ensure(), "leadership is stable across ticks"

        leader.release()
        assert follower.ensure(), "when the leader goes, the next tick elects another"
        assert not leader.ensure()
    finally:
        first.release()
        second.release()


def test_the_real_pipeline_moves_claims_one_step_and_pays_them(
    seeded_engine: Engine, published: list[ClaimsChanged]
) -> None:
    """End to end with domain.claim_pipeline: the job's seams reach the real functions."""
    with Session(seeded_engine) as session:
        before = dict(
            session.exec(select(Claim.id, Claim.status).where(Claim.status != "remitted")).all()
        )

    summary = refresh_claim_statuses(
        engine=seeded_engine, at=AT, settings=settings(), payment_clock=PaymentClock()
    )

    assert published, "every batch that moved claims is published"
    assert frozenset().union(*(m.claim_ids for m in published)) == frozenset(summary.claim_ids)
    assert summary.claim_ids and summary.payment_cycle_ran and summary.remitted > 0
    with Session(seeded_engine) as session:
        after = dict(
            session.exec(select(Claim.id, Claim.status).where(col(Claim.id).in_(before))).all()
        )
        events = session.exec(
            select(func.count())
            .select_from(ClaimStatusEvent)
            .where(ClaimStatusEvent.occurred_at == AT)
        ).one()
    moved = {claim_id for claim_id, status in after.items() if status != before[claim_id]}
    assert moved <= summary.claim_ids
    assert events >= len(moved)


def test_the_scheduler_runs_the_job_on_the_leader_only_and_releases_on_shutdown(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs import scheduler

    runs: list[int] = []
    ran = threading.Event()

    def job() -> None:
        runs.append(1)
        ran.set()

    monkeypatch.setattr(scheduler, "refresh_claim_statuses", job)
    monkeypatch.setattr(scheduler, "ADVISORY_LOCK_KEY", 42_4243)
    cadence = Settings(status_refresh_seconds=0.2)
    leader, follower = scheduler.JobRunner(cadence, engine), scheduler.JobRunner(cadence, engine)
    leader.leader = LeaderLock(engine, key=42_4243)
    follower.leader = LeaderLock(engine, key=42_4243)
    assert leader.leader.ensure()
    leader.start()
    try:
        assert ran.wait(timeout=5), "the first run starts at once"
        follower.status_refresh()  # a tick in another process: not the leader, does nothing
        assert not follower.leader.held
    finally:
        leader.shutdown()
    assert not leader.scheduler.running and not leader.leader.held
    assert follower.leader.ensure(), "the lock is free once the leader shuts down"
    follower.leader.release()
