"""Adjudication throughput at a million claims: the pure engine over prepared inputs, and the
whole pipeline (front-end edits, adjudication, EOB and accumulators, one commit per claim) over
freshly submitted claims, each against a baseline from the same run. They measure and print;
they never assert a time. Run: make bench (BENCH_CLAIMS_DB reuses a built database)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import domain.claim_pipeline as pipeline
from domain.adjudication import adjudicate
from domain.adjudication_inputs import ClaimToAdjudicate
from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claim_submission import submit_claim
from domain.claims import Claim, FrequencyCode
from domain.members import Member
from domain.practices import Provider
from domain.roles import Role
from domain.scope import Actor
from tests.bench.million import CLAIMS, drain_open_claims, million_claims

ENGINE_SAMPLE = 5_000
PIPELINE_SAMPLE = 2_000


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    bench_engine = million_claims()
    drain_open_claims(bench_engine)  # so the timed steps are this benchmark's claims only
    yield bench_engine
    bench_engine.dispose()


def _prepared(session: Session) -> list[tuple[object, ...]]:
    """Engine inputs for a spread of original claims: what the pipeline reads per claim."""
    catalogue = pipeline._Catalogue(session)
    top = session.exec(select(Claim.id).order_by(col(Claim.id).desc())).first() or 0
    rng = random.Random(11)
    ids = rng.sample(range(1, top + 1), ENGINE_SAMPLE * 2)
    claims = session.exec(
        select(Claim).where(col(Claim.id).in_(ids), Claim.frequency_code == FrequencyCode.ORIGINAL)
    ).all()
    at = datetime.now(UTC)
    prepared = []
    for claim in claims[:ENGINE_SAMPLE]:
        member = session.get(Member, claim.member_fk)
        coverage = pipeline._coverage_for(session, claim)
        if member is None or coverage is None:
            continue
        standing = pipeline._standing(
            session, member, coverage, claim.service_date_from, at, catalogue
        )
        if standing is None:
            continue
        plan = catalogue.plan(coverage.plan_id)
        received_on = (claim.submitted_at or at).date()
        prepared.append(
            (
                ClaimToAdjudicate.from_rows(
                    claim, pipeline._lines(session, claim), received_on=received_on
                ),
                catalogue.terms(coverage.plan_id),
                standing,
                catalogue.fees(session, plan.fee_schedule_id),
            )
        )
    return prepared


def test_engine_throughput(engine: Engine) -> None:
    with Session(engine) as session:
        prepared = _prepared(session)
    mark = time.perf_counter()
    # Baseline: touch every line's money once (the floor of any per-claim work in Decimal).
    for claim, *_ in prepared:
        sum((line.charge for line in claim.lines), Decimal("0.00"))  # type: ignore[attr-defined]
    baseline = time.perf_counter() - mark
    mark = time.perf_counter()
    outcomes = [adjudicate(*inputs) for inputs in prepared]  # type: ignore[arg-type]
    elapsed = time.perf_counter() - mark
    by_status: dict[str, int] = {}
    for outcome in outcomes:
        by_status[outcome.status.value] = by_status.get(outcome.status.value, 0) + 1
    rate = len(outcomes) / elapsed
    print(
        f"\n[bench] adjudication engine, {len(outcomes):,} claims from a {CLAIMS:,}-claim "
        f"database: {rate:,.0f} claims/s on one core ({rate / 5000:.1f}x the 5,000/s goal); "
        f"baseline (sum each claim's charges) {len(outcomes) / baseline:,.0f} claims/s; "
        f"ratio {elapsed / baseline:.1f}x; outcomes {by_status}"
    )


def _biller(session: Session) -> tuple[Actor, list[str]]:
    practice_id = session.exec(
        text("SELECT practice_id FROM user WHERE email = 'billing@riverside.example'")  # type: ignore[call-overload]
    ).one()[0]
    npis = list(session.exec(select(Provider.npi).where(Provider.practice_id == practice_id)))
    return Actor(user_id=2, practice_id=practice_id, roles=frozenset({Role.BILLING})), npis


def _entries(session: Session, npis: list[str]) -> list[ClaimEntry]:
    # A new draw each run: the same claims again would be rejected as duplicates of the last
    # run's, and a rejection is one step, not the pipeline.
    rng = random.Random(time.time_ns())
    members = session.exec(select(Member).order_by(col(Member.id)).limit(20_000)).all()
    today = datetime.now(UTC).date()
    entries = []
    for number in range(PIPELINE_SAMPLE):
        member = rng.choice(members)
        day = today - timedelta(days=rng.randrange(5, 120))
        npi = rng.choice(npis)
        entries.append(
            ClaimEntry(
                member_id=member.member_id,
                member_date_of_birth=member.date_of_birth,
                billing_npi=npi,
                rendering_npi=npi,
                place_of_service="11",
                service_date_from=day,
                service_date_to=day,
                diagnoses=("J06.9", "E11.9"),
                lines=(
                    ServiceLineEntry("99213", Decimal("145.00"), (1,)),
                    ServiceLineEntry("85025", Decimal(f"{20 + number % 7}.00"), (2,)),
                ),
                patient_control_number=f"BENCH{time.time_ns() % 10**12}{number}",
            )
        )
    return entries


def test_pipeline_throughput(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        actor, npis = _biller(session)
        entries = _entries(session, npis)
        at = datetime.now(UTC)
        ids = []
        for entry in entries:
            ids.append(submit_claim(session, actor=actor, entry=entry, at=at, audit=False).claim_id)
        session.commit()

        # Baseline: one guarded status UPDATE per claim, committed per claim, as the pipeline
        # takes each claim (the floor of one-transaction-per-claim on this database).
        mark = time.perf_counter()
        for claim_id in ids:
            session.execute(
                text("UPDATE claim SET status_changed_at = status_changed_at WHERE id = :id"),
                {"id": claim_id},
            )
            session.commit()
        baseline = time.perf_counter() - mark

        mark = time.perf_counter()
        steps = 0
        for minute in range(1, 4):  # received -> accepted -> in process -> decided
            report = pipeline.advance_claims(
                session, at=at + timedelta(minutes=minute), batch_size=PIPELINE_SAMPLE * 2
            )
            steps += report.total
        elapsed = time.perf_counter() - mark
        decided = session.exec(select(Claim.status).where(col(Claim.id).in_(ids))).all()
    outcomes: dict[str, int] = {}
    for status in decided:
        outcomes[status.value] = outcomes.get(status.value, 0) + 1
    print(
        f"\n[bench] claim pipeline, {len(ids):,} new claims in a {CLAIMS:,}-claim database: "
        f"{steps:,} steps in {elapsed:.1f} s = {len(ids) / elapsed:,.0f} claims/s end to end, "
        f"{steps / elapsed:,.0f} steps/s (outcomes {outcomes}); baseline (a guarded UPDATE + "
        f"commit per claim) "
        f"{len(ids) / baseline:,.0f}/s; ratio {elapsed / baseline:.1f}x"
    )
