"""Submitting a claim: it is stored Received with a claim number and transaction id, the
pipeline takes it from there, and bad or foreign identifiers are refused by field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from domain.audit import AuditEvent
from domain.claim_entry import ServiceLineEntry
from domain.claim_pipeline import advance_claims
from domain.claim_submission import EntryRejected, submit_claim
from domain.claims import Claim, ClaimLine, ClaimStatus, ClaimStatusEvent, FrequencyCode
from domain.practices import Practice
from domain.roles import Role
from domain.scope import Actor, NotAuthorized
from tests.factories import practice_biller, practice_claim_entry, practice_npi


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def test_a_submitted_claim_is_received_then_moved_by_the_pipeline(session: Session) -> None:
    actor = practice_biller(session)
    at = datetime.now(UTC)
    submission = submit_claim(
        session, actor=actor, entry=practice_claim_entry(session, actor), at=at
    )
    session.commit()

    claim = session.get(Claim, submission.claim_id)
    assert claim is not None and claim.status == ClaimStatus.RECEIVED
    assert claim.claim_number == submission.claim_number and len(claim.claim_number) == 13
    assert claim.transaction_id == submission.transaction_id
    assert claim.total_charge == Decimal("145.00")
    first_line = session.exec(
        select(ClaimLine).where(ClaimLine.claim_id == claim.id, ClaimLine.line_number == 1)
    ).one()
    assert claim.principal_procedure == first_line.procedure_code != ""
    event = session.exec(
        select(ClaimStatusEvent).where(ClaimStatusEvent.claim_id == claim.id)
    ).one()
    assert (event.category_code, event.status_code, event.source) == ("A1", "20", "portal")
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "claim.submit")).all()
    assert [a.entity_id for a in audit] == [str(claim.id)]

    for _ in range(3):
        advance_claims(session, at=at + timedelta(minutes=1), batch_size=10_000)
    session.refresh(claim)
    assert claim.status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED}


def test_field_problems_and_unknown_identifiers_are_named(session: Session) -> None:
    actor = practice_biller(session)
    before = session.exec(select(func.count()).select_from(Claim)).one()
    bad = practice_claim_entry(
        session,
        actor,
        diagnoses=("J06",),
        lines=(ServiceLineEntry("9921", Decimal("-1"), (2,)),),
    )
    with pytest.raises(EntryRejected) as rejected:
        submit_claim(session, actor=actor, entry=bad, at=datetime.now(UTC))
    fields = {problem.field for problem in rejected.value.problems}
    assert {
        "diagnoses.1",
        "lines.1.procedure_code",
        "lines.1.charge",
        "lines.1.diagnosis_pointers",
    } <= fields

    other = practice_biller(session, "Lakeside")
    foreign_npi = practice_claim_entry(session, actor, billing_npi=practice_npi(session, other))
    unknown_member = practice_claim_entry(session, actor, member_date_of_birth=date(1900, 1, 1))
    for entry, field in ((foreign_npi, "billing_npi"), (unknown_member, "member_id")):
        with pytest.raises(EntryRejected) as rejected:
            submit_claim(session, actor=actor, entry=entry, at=datetime.now(UTC))
        assert [p.field for p in rejected.value.problems] == [field]
    assert session.exec(select(func.count()).select_from(Claim)).one() == before


def test_a_replacement_names_a_decided_claim_of_the_same_practice(session: Session) -> None:
    actor = practice_biller(session)
    other = practice_biller(session, "Lakeside")
    theirs = session.exec(
        select(Claim).where(
            Claim.practice_id == other.practice_id, Claim.status == ClaimStatus.REMITTED
        )
    ).first()
    assert theirs is not None
    entry = practice_claim_entry(
        session,
        actor,
        frequency_code=FrequencyCode.REPLACEMENT,
        original_claim_number=theirs.claim_number,
    )
    with pytest.raises(EntryRejected) as rejected:
        submit_claim(session, actor=actor, entry=entry, at=datetime.now(UTC))
    assert rejected.value.problems[0].message == f"No claim {theirs.claim_number} was found."

    ours = session.exec(
        select(Claim).where(
            Claim.practice_id == actor.practice_id, Claim.status == ClaimStatus.REMITTED
        )
    ).first()
    assert ours is not None
    entry = practice_claim_entry(
        session,
        actor,
        frequency_code=FrequencyCode.REPLACEMENT,
        original_claim_number=ours.claim_number,
    )
    submission = submit_claim(session, actor=actor, entry=entry, at=datetime.now(UTC))
    claim = session.get(Claim, submission.claim_id)
    assert claim is not None and claim.original_claim_id == ours.id
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim.id)).all()
    assert [line.procedure_code for line in lines] == ["99213"]


def test_plan_staff_and_front_desk_cannot_submit(session: Session) -> None:
    actor = practice_biller(session)
    entry = practice_claim_entry(session, actor)
    for roles, practice_id in (
        ({Role.FRONT_DESK}, actor.practice_id),
        ({Role.CLAIMS_EXAMINER}, None),
    ):
        someone = Actor(user_id=1, practice_id=practice_id, roles=frozenset(roles))
        with pytest.raises(NotAuthorized):
            submit_claim(session, actor=someone, entry=entry, at=datetime.now(UTC))


def test_a_claim_billed_under_the_group_npi_is_billed_for_its_rendering_provider(
    session: Session,
) -> None:
    actor = practice_biller(session)
    other = practice_biller(session, "Lakeside")
    ours = session.get(Practice, actor.practice_id)
    theirs = session.get(Practice, other.practice_id)
    assert ours is not None and theirs is not None
    entry = practice_claim_entry(session, actor, billing_npi=ours.group_npi)
    submission = submit_claim(session, actor=actor, entry=entry, at=datetime.now(UTC))
    claim = session.get(Claim, submission.claim_id)
    assert claim is not None
    assert claim.billing_provider_id == claim.rendering_provider_id

    foreign_group = practice_claim_entry(session, actor, billing_npi=theirs.group_npi)
    with pytest.raises(EntryRejected) as rejected:
        submit_claim(session, actor=actor, entry=foreign_group, at=datetime.now(UTC))
    assert [p.field for p in rejected.value.problems] == ["billing_npi"]
