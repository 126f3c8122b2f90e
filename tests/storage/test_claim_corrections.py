"""Correcting claims: a rejected claim is fixed and resubmitted as the same claim (Rejected ->
Draft -> Received, new lines, new transaction id, its timeline continued), refused when the
entry is wrong, the claim is not rejected or not the practice's; remitted claims prefill a
replacement or void that names them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.audit import AuditEvent
from domain.claim_corrections import (
    RESUBMITTED_NOTE,
    CannotCorrect,
    Purpose,
    entry_from_claim,
    resubmit_rejected,
    start_correction,
)
from domain.claim_entry import ServiceLineEntry, entry_problems
from domain.claim_pipeline import advance_claims
from domain.claim_submission import EntryRejected, submit_claim
from domain.claims import (
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimStatus,
    ClaimStatusEvent,
    FrequencyCode,
    InvalidTransition,
)
from domain.scope import Actor, NotFound
from tests.factories import make_claim_entry, practice_biller, practice_npi


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def _claim_in(session: Session, actor: Actor, status: ClaimStatus) -> Claim:
    claim = session.exec(
        select(Claim)
        .where(Claim.practice_id == actor.practice_id, Claim.status == status)
        .order_by(col(Claim.id))
    ).first()
    assert claim is not None, f"the demo has a {status} claim"
    return claim


def test_a_rejected_claim_is_corrected_and_resubmitted_as_itself(session: Session) -> None:
    actor = practice_biller(session, "Riverside")
    rejected = _claim_in(session, actor, ClaimStatus.REJECTED)
    assert rejected.id is not None
    number, old_transaction = rejected.claim_number, rejected.transaction_id
    at = datetime.now(UTC)

    start = start_correction(
        session, actor=actor, claim_id=rejected.id, purpose=Purpose.CORRECT, at=at
    )
    assert start.claim_number == number and start.rejection_reason
    assert start.entry.frequency_code == FrequencyCode.ORIGINAL and start.entry.lines
    day = at.date() - timedelta(days=1)
    corrected = make_claim_entry(
        day=day,
        npi=practice_npi(session, actor),
        diagnoses=("J06.9", "R05.9"),
        lines=(
            ServiceLineEntry("99213", Decimal("145.00"), (1, 2), modifiers=("25",)),
            ServiceLineEntry("87880", Decimal("30.50"), (1,), service_date=day),
        ),
        patient_control_number=start.entry.patient_control_number,
        frequency_code=start.entry.frequency_code,
        original_claim_number=start.entry.original_claim_number,
    )
    assert entry_problems(corrected, today=at.date()) == []
    submission = resubmit_rejected(
        session, actor=actor, claim_id=rejected.id, entry=corrected, at=at
    )
    session.commit()

    claim = session.get(Claim, rejected.id)
    assert claim is not None
    assert submission.claim_id == claim.id and submission.claim_number == number
    assert claim.status == ClaimStatus.RECEIVED and claim.rejection_reason is None
    assert claim.transaction_id == submission.transaction_id != old_transaction
    assert claim.total_charge == Decimal("175.50") and claim.service_date_from == day
    assert claim.principal_procedure == "99213" and claim.ever_rejected
    codes = session.exec(
        select(ClaimDiagnosis.icd10_code)
        .where(ClaimDiagnosis.claim_id == claim.id)
        .order_by(col(ClaimDiagnosis.sequence))
    ).all()
    assert codes == ["J069", "R059"]
    lines = session.exec(
        select(ClaimLine).where(ClaimLine.claim_id == claim.id).order_by(col(ClaimLine.line_number))
    ).all()
    assert [(line.procedure_code, line.modifiers, line.diagnosis_pointers) for line in lines] == [
        ("99213", "25", "1,2"),
        ("87880", "", "1"),
    ]
    events = session.exec(
        select(ClaimStatusEvent)
        .where(ClaimStatusEvent.claim_id == claim.id)
        .order_by(col(ClaimStatusEvent.occurred_at), col(ClaimStatusEvent.id))
    ).all()
    last = events[-1]
    assert [e.status for e in events][-2:] == [ClaimStatus.REJECTED, ClaimStatus.RECEIVED]
    assert (last.category_code, last.status_code, last.source, last.note) == (
        "A1",
        "20",
        "portal",
        RESUBMITTED_NOTE,
    )
    assert last.transaction_id == submission.transaction_id
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "claim.resubmit")).all()
    assert [a.entity_id for a in audited] == [str(claim.id)]

    # The pipeline takes the corrected claim on like any other received claim.
    advance_claims(session, at=at + timedelta(minutes=1), batch_size=10_000)
    session.refresh(claim)
    assert claim.status != ClaimStatus.RECEIVED

    # Resubmitting again (another tab) is refused: the claim is no longer rejected.
    with pytest.raises(InvalidTransition):
        resubmit_rejected(session, actor=actor, claim_id=rejected.id, entry=corrected, at=at)


def test_a_bad_correction_changes_nothing(session: Session) -> None:
    actor = practice_biller(session, "Riverside")
    rejected = _claim_in(session, actor, ClaimStatus.REJECTED)
    assert rejected.id is not None
    entry = entry_from_claim(session, actor=actor, claim_id=rejected.id)
    lines_before = session.exec(
        select(func.count()).select_from(ClaimLine).where(ClaimLine.claim_id == rejected.id)
    ).one()
    bad = replace(entry, diagnoses=("E11",))  # a category, not billable
    with pytest.raises(EntryRejected) as refused:
        resubmit_rejected(
            session, actor=actor, claim_id=rejected.id, entry=bad, at=datetime.now(UTC)
        )
    assert "diagnoses.1" in {problem.field for problem in refused.value.problems}
    session.rollback()
    claim = session.get(Claim, rejected.id)
    assert claim is not None and claim.status == ClaimStatus.REJECTED
    assert (
        session.exec(
            select(func.count()).select_from(ClaimLine).where(ClaimLine.claim_id == rejected.id)
        ).one()
        == lines_before
    )


def test_only_the_practices_rejected_claims_are_corrected(session: Session) -> None:
    riverside = practice_biller(session, "Riverside")
    lakeside = practice_biller(session, "Lakeside")
    rejected = _claim_in(session, riverside, ClaimStatus.REJECTED)
    paid = _claim_in(session, riverside, ClaimStatus.REMITTED)
    assert rejected.id is not None and paid.id is not None
    entry = entry_from_claim(session, actor=riverside, claim_id=rejected.id)
    at = datetime.now(UTC)

    with pytest.raises(NotFound):
        entry_from_claim(session, actor=lakeside, claim_id=rejected.id)
    with pytest.raises(NotFound):
        resubmit_rejected(session, actor=lakeside, claim_id=rejected.id, entry=entry, at=at)
    with pytest.raises(NotFound):
        start_correction(
            session, actor=lakeside, claim_id=rejected.id, purpose=Purpose.CORRECT, at=at
        )
    with pytest.raises(CannotCorrect):
        start_correction(session, actor=riverside, claim_id=paid.id, purpose=Purpose.CORRECT, at=at)
    with pytest.raises(CannotCorrect):
        start_correction(
            session, actor=riverside, claim_id=rejected.id, purpose=Purpose.VOID, at=at
        )
    with pytest.raises(InvalidTransition):
        resubmit_rejected(session, actor=riverside, claim_id=paid.id, entry=entry, at=at)


def test_a_remitted_claim_prefills_a_replacement_that_submits(session: Session) -> None:
    actor = practice_biller(session, "Riverside")
    remitted = _claim_in(session, actor, ClaimStatus.REMITTED)
    assert remitted.id is not None
    at = datetime.now(UTC)
    for purpose, frequency in ((Purpose.REPLACE, "7"), (Purpose.VOID, "8")):
        start = start_correction(session, actor=actor, claim_id=remitted.id, purpose=purpose, at=at)
        assert start.entry.frequency_code.value == frequency
        assert start.entry.original_claim_number == remitted.claim_number
    start = start_correction(
        session, actor=actor, claim_id=remitted.id, purpose=Purpose.REPLACE, at=at
    )
    submission = submit_claim(session, actor=actor, entry=start.entry, at=at)
    session.commit()
    replacement = session.get(Claim, submission.claim_id)
    assert replacement is not None and replacement.original_claim_id == remitted.id
    assert replacement.frequency_code == FrequencyCode.REPLACEMENT
