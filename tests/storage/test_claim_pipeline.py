"""The claim pipeline over the small demo: claims walk one step a call to a decision, the EOB
balances, accumulators move by the engine's deltas, and payment runs remit each claim once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

import domain.claim_pipeline as pipeline
from domain.adjudication import Adjudication
from domain.claim_pipeline import advance_claims, run_payment_cycle
from domain.claims import (
    FINALIZED,
    AdjustmentGroup,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatus,
    ClaimStatusEvent,
    Remittance,
)
from domain.members import BenefitAccumulator, VisitAccumulator
from storage.seed.claims import REMITTED_DENIED, REMITTED_PAID, STATUS_CODES

S = ClaimStatus
OPEN = (S.RECEIVED, S.ACCEPTED, S.IN_PROCESS)
NEXT: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.RECEIVED: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset({S.IN_PROCESS}),
    S.IN_PROCESS: frozenset({S.PENDED, *FINALIZED}),
}


def _statuses(session: Session) -> dict[int, ClaimStatus]:
    return {
        claim_id: ClaimStatus(status)
        for claim_id, status in session.exec(select(Claim.id, Claim.status)).all()
        if claim_id is not None
    }


def _event_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ClaimStatusEvent)).one()


def _at() -> datetime:
    # The demo is seeded up to now; the pipeline runs just after.
    return datetime.now(UTC) + timedelta(minutes=1)


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def test_open_claims_move_one_step_per_call_until_decided(session: Session) -> None:
    at = _at()
    before = _statuses(session)
    assert {status for status in before.values() if status in OPEN} == set(OPEN)
    events = _event_count(session)

    report = advance_claims(session, at=at)
    after = _statuses(session)
    moved = {claim_id for claim_id in before if before[claim_id] != after[claim_id]}
    assert moved == {claim_id for claim_id, status in before.items() if status in OPEN}
    assert all(after[claim_id] in NEXT[before[claim_id]] for claim_id in moved)
    assert sorted(report.claim_ids) == sorted(moved) and not report.failed
    assert report.moved == Counter(after[claim_id] for claim_id in moved)
    assert _event_count(session) == events + len(moved)  # one status event per step

    new_events = session.exec(
        select(ClaimStatusEvent).where(col(ClaimStatusEvent.id) > events)
    ).all()
    for event in new_events:
        assert event.source == "status-refresh" and event.transaction_id
        assert event.occurred_at == at
        if event.status in STATUS_CODES:  # the seed's codes, so demo and live agree
            assert (event.category_code, event.status_code) == STATUS_CODES[event.status]

    for _ in range(3):
        advance_claims(session, at=at)
    final = _statuses(session)
    assert not any(status in OPEN for status in final.values())
    events = _event_count(session)
    again = advance_claims(session, at=at + timedelta(minutes=1))
    assert again.total == 0 and _event_count(session) == events and _statuses(session) == final


def test_a_claim_with_an_invalid_diagnosis_is_rejected_with_the_fix(session: Session) -> None:
    claim = session.exec(select(Claim).where(Claim.status == S.RECEIVED)).first()
    assert claim is not None
    principal = session.exec(
        select(ClaimDiagnosis).where(
            ClaimDiagnosis.claim_id == claim.id, ClaimDiagnosis.sequence == 1
        )
    ).one()
    principal.icd10_code = "E11"  # a category: only its subcodes are billable
    session.add(principal)
    session.commit()

    advance_claims(session, at=_at())
    session.refresh(claim)
    assert claim.status is S.REJECTED
    assert (
        claim.rejection_reason
        and "E11 is a category, not a billable code" in claim.rejection_reason
    )
    event = session.exec(
        select(ClaimStatusEvent)
        .where(ClaimStatusEvent.claim_id == claim.id)
        .order_by(col(ClaimStatusEvent.id).desc())
    ).first()
    assert event is not None
    assert (event.category_code, event.status_code) == ("A7", "254")
    assert event.note == claim.rejection_reason


def test_adjudicated_lines_balance_and_accumulators_move_by_the_engines_deltas(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: dict[str, Adjudication] = {}
    engine = pipeline.adjudicate

    def recording(claim, *args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = engine(claim, *args, **kwargs)
        outcomes[claim.claim_number] = outcome
        return outcome

    monkeypatch.setattr(pipeline, "adjudicate", recording)
    benefit_before = _benefit_totals(session)
    visits_before = _visit_totals(session)

    advance_claims(session, at=_at())

    decided = session.exec(select(Claim).where(col(Claim.claim_number).in_(list(outcomes)))).all()
    assert decided and all(claim.status in FINALIZED for claim in decided)
    expected_benefit: Counter[tuple[int, int]] = Counter()
    expected_visits: Counter[tuple[int, int, str]] = Counter()
    for claim in decided:
        outcome = outcomes[claim.claim_number]
        assert claim.status is outcome.status
        assert claim.paid_amount == outcome.total_paid
        assert claim.allowed_amount == outcome.total_allowed
        assert claim.patient_responsibility == outcome.total_patient_responsibility
        assert claim.initially_denied is (outcome.status is S.DENIED)
        assert claim.denial_carc == outcome.denial_carc
        delta = outcome.accumulator_delta
        expected_benefit[(claim.member_fk, delta.plan_year)] += int(delta.deductible * 100)
        expected_benefit[(claim.member_fk, -delta.plan_year)] += int(delta.out_of_pocket * 100)
        for category, visits in delta.visits:
            expected_visits[(claim.member_fk, delta.plan_year, category.value)] += visits
        for line in session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim.id)).all():
            adjustments = session.exec(
                select(ClaimLineAdjustment).where(ClaimLineAdjustment.claim_line_id == line.id)
            ).all()
            patient = sum(
                (a.amount for a in adjustments if a.group_code is AdjustmentGroup.PR), Decimal(0)
            )
            other = sum(
                (a.amount for a in adjustments if a.group_code is not AdjustmentGroup.PR),
                Decimal(0),
            )
            assert line.charge_amount == line.allowed_amount + other
            assert line.allowed_amount == line.paid_amount + patient
            assert patient == line.patient_responsibility

    benefit_moves = _benefit_totals(session)
    benefit_moves.subtract(benefit_before)
    visit_moves = _visit_totals(session)
    visit_moves.subtract(visits_before)
    assert +benefit_moves == +expected_benefit
    assert +visit_moves == +expected_visits


def _benefit_totals(session: Session) -> Counter[tuple[int, int]]:
    """Deductible met by (member, year); out-of-pocket met by (member, -year), in cents."""
    totals: Counter[tuple[int, int]] = Counter()
    for row in session.exec(select(BenefitAccumulator)).all():
        totals[(row.member_fk, row.plan_year)] += int(row.deductible_met * 100)
        totals[(row.member_fk, -row.plan_year)] += int(row.out_of_pocket_met * 100)
    return totals


def _visit_totals(session: Session) -> Counter[tuple[int, int, str]]:
    totals: Counter[tuple[int, int, str]] = Counter()
    for row in session.exec(select(VisitAccumulator)).all():
        totals[(row.member_fk, row.plan_year, str(row.service_category))] += row.visits_used
    return totals


def test_a_pended_claim_stays_pended(session: Session) -> None:
    claim = session.exec(select(Claim).where(Claim.status == S.IN_PROCESS)).first()
    assert claim is not None
    line = session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim.id)).first()
    assert line is not None
    line.charge_amount = Decimal("25000.00")  # above the plan's review threshold
    session.add(line)
    session.commit()
    already_pended = {i for i, s in _statuses(session).items() if s is S.PENDED}

    at = _at()
    advance_claims(session, at=at)
    session.refresh(claim)
    assert claim.status is S.PENDED
    note = session.exec(
        select(ClaimStatusEvent.note).where(
            ClaimStatusEvent.claim_id == claim.id, ClaimStatusEvent.status == S.PENDED
        )
    ).one()
    assert "review threshold" in note

    events = _event_count(session)
    for minutes in (1, 2, 3):
        advance_claims(session, at=at + timedelta(minutes=minutes))
    statuses = _statuses(session)
    assert all(statuses[i] is S.PENDED for i in {*already_pended, claim.id})
    pended_events = session.exec(
        select(func.count())
        .select_from(ClaimStatusEvent)
        .where(
            col(ClaimStatusEvent.id) > events,
            col(ClaimStatusEvent.claim_id).in_([*already_pended, claim.id]),
        )
    ).one()
    assert pended_events == 0


def test_a_payment_run_remits_each_practice_once(session: Session) -> None:
    at = _at()
    for _ in range(3):
        advance_claims(session, at=at)
    unpaid = session.exec(
        select(Claim).where(col(Claim.status).in_(FINALIZED), col(Claim.remittance_id).is_(None))
    ).all()
    assert unpaid
    paid_by_practice: Counter[int] = Counter()
    for claim in unpaid:
        paid_by_practice[claim.practice_id] += int(claim.paid_amount * 100)

    remittance_ids = run_payment_cycle(session, at=at)

    remittances = session.exec(
        select(Remittance).where(col(Remittance.id).in_(remittance_ids))
    ).all()
    assert sorted(r.practice_id for r in remittances) == sorted(paid_by_practice)
    for remittance in remittances:
        assert int(remittance.total_paid * 100) == paid_by_practice[remittance.practice_id]
        assert remittance.payment_method == "ACH" and remittance.payment_date == at.date()
    for claim in unpaid:
        session.refresh(claim)
        assert claim.status is S.REMITTED and claim.remittance_id in remittance_ids
        event = session.exec(
            select(ClaimStatusEvent).where(
                ClaimStatusEvent.claim_id == claim.id, ClaimStatusEvent.status == S.REMITTED
            )
        ).one()
        expected = REMITTED_DENIED if claim.finalized_as is S.DENIED else REMITTED_PAID
        assert (event.category_code, event.status_code) == expected

    assert run_payment_cycle(session, at=at) == []
    assert run_payment_cycle(session, at=at + timedelta(days=7)) == []


def test_a_claim_another_worker_moved_is_left_alone(session: Session) -> None:
    claim = session.exec(select(Claim).where(Claim.status == S.ACCEPTED)).first()
    assert claim is not None and claim.id is not None
    # This worker selected the claim as Accepted, but another moved it on before the UPDATE.
    assert pipeline._take(session, claim.id, S.RECEIVED, _at()) is None
    session.rollback()
    assert pipeline._take(session, claim.id, S.ACCEPTED, _at()) is not None
    session.rollback()
