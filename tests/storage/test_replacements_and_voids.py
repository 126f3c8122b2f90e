"""Replacements (frequency 7) and voids (8) through the pipeline: the original is voided once
its correction is decided, its accumulator share is backed out, and the next payment run
reverses its payment; an examiner finishes pended claims with the engine's rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.adjudication_inputs import ExaminerReview
from domain.claim_pipeline import (
    advance_claims,
    deny_pended,
    finish_pended,
    run_payment_cycle,
)
from domain.claim_submission import submit_claim
from domain.claims import (
    Claim,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatus,
    FrequencyCode,
    Remittance,
)
from domain.members import BenefitAccumulator
from domain.remittance_advice import balance_problems, remittance_advice
from interop.x12.remittance_835 import render_835
from tests.factories import biller, correction_entry, practice_claim_entry
from tests.x12_validation import pyx12_errors


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def _at(minutes: int = 1) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def _paid_remitted_claim(session: Session) -> Claim:
    """A recent remitted claim that paid something, with its member's deductible moving."""
    claims = session.exec(
        select(Claim)
        .where(
            Claim.status == ClaimStatus.REMITTED,
            Claim.finalized_as == ClaimStatus.PAID,
            col(Claim.paid_amount) > 0,
            col(Claim.service_date_from) > (datetime.now(UTC).date() - timedelta(days=60)),
        )
        .order_by(col(Claim.id).desc())
    ).all()
    assert claims
    return claims[0]


def _accumulator(session: Session, member_fk: int) -> Decimal:
    rows = session.exec(
        select(BenefitAccumulator).where(BenefitAccumulator.member_fk == member_fk)
    ).all()
    session.expire_all()
    return sum((row.out_of_pocket_met for row in rows), Decimal("0.00"))


def _run_to_decision(session: Session, claim_id: int, minutes: int = 1) -> Claim:
    for step in range(3):
        advance_claims(session, at=_at(minutes + step), batch_size=100_000)
    claim = session.get(Claim, claim_id, populate_existing=True)
    assert claim is not None
    return claim


def test_a_void_reverses_the_original_and_its_payment(session: Session) -> None:
    original = _paid_remitted_claim(session)
    assert original.id is not None
    paid = original.paid_amount
    run_payment_cycle(session, at=_at())  # settle whatever the seed left finalized
    entry = correction_entry(session, original, FrequencyCode.VOID)
    void = submit_claim(session, actor=biller(original.practice_id), entry=entry, at=_at())
    session.commit()

    void_claim = _run_to_decision(session, void.claim_id)
    session.refresh(original)
    assert void_claim.status is ClaimStatus.VOIDED
    assert original.status is ClaimStatus.VOIDED

    remittance_ids = run_payment_cycle(session, at=_at(10))
    session.refresh(original)
    assert original.reversed_in_remittance_id in remittance_ids
    remittance = session.get(Remittance, original.reversed_in_remittance_id)
    assert remittance is not None
    paid_in_it = session.exec(
        select(Claim.paid_amount).where(Claim.remittance_id == remittance.id)
    ).all()
    assert remittance.total_paid == sum(paid_in_it, Decimal("0.00")) - paid
    assert run_payment_cycle(session, at=_at(11)) == []


def test_a_replacement_is_adjudicated_and_voids_its_original(session: Session) -> None:
    original = _paid_remitted_claim(session)
    assert original.id is not None
    before = _accumulator(session, original.member_fk)
    entry = correction_entry(session, original, FrequencyCode.REPLACEMENT)
    replacement = submit_claim(session, actor=biller(original.practice_id), entry=entry, at=_at())
    session.commit()

    claim = _run_to_decision(session, replacement.claim_id)
    session.refresh(original)
    assert claim.status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID}, claim.status
    assert original.status is ClaimStatus.VOIDED
    # The same services again: the member's out-of-pocket ends where it was, not doubled.
    assert _accumulator(session, original.member_fk) == before

    run_payment_cycle(session, at=_at(10))
    session.refresh(original)
    session.refresh(claim)
    assert original.reversed_in_remittance_id == claim.remittance_id is not None


def test_an_examiner_finishes_or_denies_pended_claims(session: Session) -> None:
    pended = session.exec(
        select(Claim.id).where(
            Claim.status == ClaimStatus.PENDED,
            Claim.frequency_code == FrequencyCode.ORIGINAL,
        )
    ).all()
    assert len(pended) >= 2
    first, second = pended[0], pended[1]
    assert first is not None and second is not None

    status = deny_pended(
        session, claim_id=first, carc="50", rarc=None, note="Not medically necessary", at=_at()
    )
    session.commit()
    assert status is ClaimStatus.DENIED
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == first)).all()
    for line in lines:
        adjustments = session.exec(
            select(ClaimLineAdjustment).where(ClaimLineAdjustment.claim_line_id == line.id)
        ).all()
        assert line.paid_amount == 0
        assert sum(a.amount for a in adjustments) == line.charge_amount

    claim = session.get(Claim, second)
    assert claim is not None
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == second)).all()
    review = ExaminerReview(
        high_dollar_approved=True,
        allowed_by_line={line.line_number: line.charge_amount / 2 for line in lines},
    )
    try:
        status = finish_pended(session, claim_id=second, review=review, at=_at())
    except ValueError as not_settled:  # e.g. a plan-year split no review can settle
        pytest.skip(f"demo pended claim cannot be settled: {not_settled}")
    session.commit()
    assert status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED}


def test_a_forwarded_balance_is_recovered_from_the_next_payment(session: Session) -> None:
    original = _paid_remitted_claim(session)
    actor = biller(original.practice_id)
    # Settle every open claim first, so the next payment run holds the reversal alone.
    _run_to_decision(session, original.id or 0)
    run_payment_cycle(session, at=_at(4))
    void = submit_claim(
        session,
        actor=actor,
        entry=correction_entry(session, original, FrequencyCode.VOID),
        at=_at(5),
    )
    session.commit()
    _run_to_decision(session, void.claim_id, minutes=5)
    run_payment_cycle(session, at=_at(10))
    session.refresh(original)
    negative = session.get(Remittance, original.reversed_in_remittance_id)
    assert negative is not None
    assert negative.total_paid == -original.paid_amount < 0
    assert negative.recovered_amount == 0

    # The practice's next paid claim: its payment gives back what was forwarded.
    fresh = submit_claim(
        session, actor=actor, entry=practice_claim_entry(session, actor), at=_at(11)
    )
    session.commit()
    claim = _run_to_decision(session, fresh.claim_id, minutes=11)
    assert claim.paid_amount > 0, claim.status
    run_payment_cycle(session, at=_at(20))
    session.refresh(claim)
    later = session.get(Remittance, claim.remittance_id)
    assert later is not None
    assert later.recovered_amount == min(original.paid_amount, later.total_paid)
    assert later.recovered_reference == negative.payment_number

    # Its 835 carries the other side of the forwarded balance and still balances.
    assert later.id is not None
    advice = remittance_advice(session=session, actor=actor, remittance_id=later.id, at=_at(21))
    assert [(plb.reason, plb.amount) for plb in advice.provider_adjustments] == [
        ("FB", later.recovered_amount)
    ]
    assert balance_problems(advice) == []
    assert advice.payment_amount == later.total_paid - later.recovered_amount
    assert pyx12_errors(render_835(advice, at=_at(21))) == []


def test_a_second_replacement_of_the_same_claim_pends_instead_of_paying_twice(
    session: Session,
) -> None:
    original = _paid_remitted_claim(session)
    actor = biller(original.practice_id)
    entry = correction_entry(session, original, FrequencyCode.REPLACEMENT)
    first = submit_claim(session, actor=actor, entry=entry, at=_at())
    second = submit_claim(session, actor=actor, entry=entry, at=_at())
    session.commit()
    _run_to_decision(session, first.claim_id)
    _run_to_decision(session, second.claim_id, minutes=5)
    statuses = {
        session.get(Claim, claim_id, populate_existing=True).status  # type: ignore[union-attr]
        for claim_id in (first.claim_id, second.claim_id)
    }
    assert ClaimStatus.PENDED in statuses
    assert statuses - {ClaimStatus.PENDED} <= {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID}
