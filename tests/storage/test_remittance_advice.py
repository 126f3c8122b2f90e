"""Remittances read from the database (SQLite and PostgreSQL): every demo remittance renders an
835 that balances and that pyx12 accepts, reversals from voids and replacements included, and
a practice reads only its own remittances."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claim_pipeline import advance_claims, run_payment_cycle
from domain.claim_submission import submit_claim
from domain.claims import (
    Claim,
    ClaimStatus,
    FrequencyCode,
    Remittance,
)
from domain.practices import Practice
from domain.remittance_advice import (
    DENIED,
    EXPORT_ACTION,
    REVERSAL,
    balance_problems,
    list_remittances,
    read_remittance,
    remittance_advice,
    remittances_since,
)
from domain.roles import Role
from domain.scope import Actor, NotAuthorized, NotFound
from interop.x12.remittance_835 import render_835
from tests.factories import biller, correction_entry
from tests.x12_validation import pyx12_errors

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EVER = date(2000, 1, 1)


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def _practices(session: Session) -> dict[str, int]:
    return {p.name.split()[0]: p.id for p in session.exec(select(Practice)).all() if p.id}


def _examiner() -> Actor:
    return Actor(user_id=9, practice_id=None, roles=frozenset({Role.CLAIMS_EXAMINER}))


def test_every_demo_remittance_renders_a_balanced_835_that_pyx12_accepts(
    session: Session,
) -> None:
    advices = remittances_since(session=session, since=EVER, at=AT)
    recorded = session.exec(select(Remittance)).all()
    assert len(advices) == len(recorded) > 10
    statuses = {claim.status_code for advice in advices for claim in advice.claims}
    assert DENIED in statuses and "1" in statuses  # denied, paid and partially paid claims
    for advice in advices:
        assert balance_problems(advice) == [], advice.payment_number
        assert advice.payment_amount == advice.total_paid
        claim_count = session.exec(
            select(Claim.id).where(Claim.remittance_id == advice.remittance_id)
        ).all()
        assert len(advice.claims) == len(claim_count)
    # One pyx12 run over every interchange (loading its maps is the slow part); an error
    # names the ISA it is in, so a failure is still traceable.
    texts = [render_835(advice, at=AT) for advice in advices]
    assert pyx12_errors("".join(texts)) == []
    assert pyx12_errors(texts[0]) == []


def _recent_paid_claim(session: Session, practice_id: int, skip: int = 0) -> Claim:
    claims = session.exec(
        select(Claim)
        .where(
            Claim.practice_id == practice_id,
            Claim.status == ClaimStatus.REMITTED,
            Claim.finalized_as == ClaimStatus.PAID,
            col(Claim.paid_amount) > 0,
            col(Claim.service_date_from) > (datetime.now(UTC).date() - timedelta(days=60)),
        )
        .order_by(col(Claim.id).desc())
    ).all()
    assert len(claims) > skip
    return claims[skip]


def _correct(session: Session, original: Claim, frequency: FrequencyCode, minutes: int) -> int:
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    entry = correction_entry(session, original, frequency)
    submitted = submit_claim(session, actor=biller(original.practice_id), entry=entry, at=at)
    session.commit()
    for step in range(3):
        advance_claims(session, at=at + timedelta(seconds=step + 1), batch_size=100_000)
    return submitted.claim_id


def test_a_void_alone_is_a_negative_remittance_sent_as_a_notification(session: Session) -> None:
    practice_id = _practices(session)["Riverside"]
    # Settle what the seed left in flight, so the next payment run carries the void alone.
    for step in range(4):
        advance_claims(session, at=datetime.now(UTC) + timedelta(seconds=step), batch_size=100_000)
    run_payment_cycle(session, at=datetime.now(UTC) + timedelta(seconds=5))
    original = _recent_paid_claim(session, practice_id)
    _correct(session, original, FrequencyCode.VOID, minutes=2)
    [remittance_id] = run_payment_cycle(session, at=datetime.now(UTC) + timedelta(minutes=5))

    advice = remittance_advice(
        session=session, actor=biller(practice_id), remittance_id=remittance_id, at=AT
    )
    [reversal] = advice.claims
    assert reversal.status_code == REVERSAL and reversal.claim_number == original.claim_number
    assert reversal.paid == -original.paid_amount == advice.total_paid
    assert balance_problems(advice) == []
    assert advice.payment_amount == 0 and advice.is_notification
    text = render_835(advice, at=AT)
    assert "BPR*H*0*C*NON" in text and "PLB*" in text
    assert pyx12_errors(text) == []


def test_a_replacement_reverses_the_original_in_the_payment_of_its_correction(
    session: Session,
) -> None:
    practice_id = _practices(session)["Lakeside"]
    original = _recent_paid_claim(session, practice_id)
    replacement_id = _correct(session, original, FrequencyCode.REPLACEMENT, minutes=1)
    remittance_ids = run_payment_cycle(session, at=datetime.now(UTC) + timedelta(minutes=5))
    replacement = session.get(Claim, replacement_id)
    assert replacement is not None and replacement.remittance_id in remittance_ids

    advice = remittance_advice(
        session=session,
        actor=biller(practice_id),
        remittance_id=replacement.remittance_id,
        at=AT,
    )
    by_number = {(c.claim_number, c.status_code): c for c in advice.claims}
    reversal = by_number[(original.claim_number, REVERSAL)]
    assert reversal.charge == -original.total_charge
    assert reversal.patient_responsibility == -original.patient_responsibility
    corrected = by_number[(replacement.claim_number, "1")]
    assert corrected.frequency_code == "7"
    assert balance_problems(advice) == []
    assert pyx12_errors(render_835(advice, at=AT)) == []
    detail = read_remittance(
        session=session,
        actor=biller(practice_id),
        remittance_id=replacement.remittance_id,
        at=AT,
    )
    assert {(c.claim_number, c.outcome) for c in detail.claims} >= {
        (original.claim_number, "Reversal"),
        (
            replacement.claim_number,
            replacement.finalized_as.label if replacement.finalized_as else "",
        ),
    }


def test_a_practice_reads_only_its_own_remittances(session: Session) -> None:
    practices = _practices(session)
    riverside, lakeside = biller(practices["Riverside"]), biller(practices["Lakeside"])
    mine = list_remittances(session=session, actor=riverside, at=AT)
    theirs = list_remittances(session=session, actor=lakeside, at=AT)
    assert mine and theirs
    riverside_practice = session.get(Practice, practices["Riverside"])
    assert riverside_practice is not None
    assert {row.practice_name for row in mine} == {riverside_practice.name}
    assert not {row.remittance_id for row in mine} & {row.remittance_id for row in theirs}
    dates = [(row.payment_date, row.remittance_id) for row in mine]
    assert dates == sorted(dates, reverse=True)  # newest first
    counted = session.exec(
        select(Claim.id).where(Claim.remittance_id == mine[0].remittance_id)
    ).all()
    assert mine[0].claim_count == len(counted)

    everyone = list_remittances(session=session, actor=_examiner(), at=AT)
    assert len(everyone) == len(mine) + len(theirs)

    other = theirs[0].remittance_id
    missing = max(row.remittance_id for row in everyone) + 1000
    for wanted in (other, missing):
        with pytest.raises(NotFound):
            remittance_advice(session=session, actor=riverside, remittance_id=wanted, at=AT)
        with pytest.raises(NotFound):
            read_remittance(session=session, actor=riverside, remittance_id=wanted, at=AT)
    session.commit()
    refused = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == EXPORT_ACTION, AuditEvent.outcome == "not_found"
        )
    ).all()
    assert {event.entity_id for event in refused} == {str(other), str(missing)}


def test_each_export_is_audited_without_phi(session: Session) -> None:
    practice_id = _practices(session)["Riverside"]
    [row, *_] = list_remittances(session=session, actor=biller(practice_id), at=AT)
    advice = remittance_advice(
        session=session, actor=biller(practice_id), remittance_id=row.remittance_id, at=AT
    )
    session.commit()
    [event] = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == EXPORT_ACTION, AuditEvent.entity_id == str(row.remittance_id)
        )
    ).all()
    assert event.practice_id == practice_id and event.entity_type == "remittance"
    for claim in advice.claims:
        for phi in (claim.patient_last_name, claim.member_id, claim.patient_control_number):
            assert phi not in event.detail


def test_front_desk_staff_cannot_read_remittances(session: Session) -> None:
    practice_id = _practices(session)["Riverside"]
    front_desk = Actor(user_id=3, practice_id=practice_id, roles=frozenset({Role.FRONT_DESK}))
    with pytest.raises(NotAuthorized):
        list_remittances(session=session, actor=front_desk, at=AT)
