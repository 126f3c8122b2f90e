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
from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claim_pipeline import advance_claims
from domain.claim_submission import EntryRejected, submit_claim
from domain.claims import Claim, ClaimLine, ClaimStatus, ClaimStatusEvent, FrequencyCode
from domain.practices import Practice, Provider
from domain.roles import Role
from domain.scope import Actor, NotAuthorized
from storage.seed.demo import SHOWCASE_BY_KEY


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def _biller(session: Session, practice_name_start: str = "Riverside") -> Actor:
    practice = next(
        p for p in session.exec(select(Practice)).all() if p.name.startswith(practice_name_start)
    )
    assert practice.id is not None
    return Actor(user_id=2, practice_id=practice.id, roles=frozenset({Role.BILLING}))


def _npi(session: Session, actor: Actor) -> str:
    return (
        session.exec(select(Provider.npi).where(Provider.practice_id == actor.practice_id)).first()
        or ""
    )


def _entry(session: Session, actor: Actor, **changes: object) -> ClaimEntry:
    member = SHOWCASE_BY_KEY["active_hmo"]
    day = datetime.now(UTC).date() - timedelta(days=3)
    npi = _npi(session, actor)
    values: dict[str, object] = dict(
        member_id=member.member_id,
        member_date_of_birth=member.date_of_birth,
        billing_npi=npi,
        rendering_npi=npi,
        place_of_service="11",
        service_date_from=day,
        service_date_to=day,
        diagnoses=("J06.9",),
        lines=(ServiceLineEntry("99213", Decimal("145.00"), (1,)),),
    )
    values.update(changes)
    return ClaimEntry(**values)  # type: ignore[arg-type]


def test_a_submitted_claim_is_received_then_moved_by_the_pipeline(session: Session) -> None:
    actor = _biller(session)
    at = datetime.now(UTC)
    submission = submit_claim(session, actor=actor, entry=_entry(session, actor), at=at)
    session.commit()

    claim = session.get(Claim, submission.claim_id)
    assert claim is not None and claim.status == ClaimStatus.RECEIVED
    assert claim.claim_number == submission.claim_number and len(claim.claim_number) == 13
    assert claim.transaction_id == submission.transaction_id
    assert claim.total_charge == Decimal("145.00")
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
    actor = _biller(session)
    before = session.exec(select(func.count()).select_from(Claim)).one()
    bad = _entry(
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

    other = _biller(session, "Lakeside")
    foreign_npi = _entry(session, actor, billing_npi=_npi(session, other))
    unknown_member = _entry(session, actor, member_date_of_birth=date(1900, 1, 1))
    for entry, field in ((foreign_npi, "billing_npi"), (unknown_member, "member_id")):
        with pytest.raises(EntryRejected) as rejected:
            submit_claim(session, actor=actor, entry=entry, at=datetime.now(UTC))
        assert [p.field for p in rejected.value.problems] == [field]
    assert session.exec(select(func.count()).select_from(Claim)).one() == before


def test_a_replacement_names_a_decided_claim_of_the_same_practice(session: Session) -> None:
    actor = _biller(session)
    other = _biller(session, "Lakeside")
    theirs = session.exec(
        select(Claim).where(
            Claim.practice_id == other.practice_id, Claim.status == ClaimStatus.REMITTED
        )
    ).first()
    assert theirs is not None
    entry = _entry(
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
    entry = _entry(
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
    actor = _biller(session)
    entry = _entry(session, actor)
    for roles, practice_id in (
        ({Role.FRONT_DESK}, actor.practice_id),
        ({Role.CLAIMS_EXAMINER}, None),
    ):
        someone = Actor(user_id=1, practice_id=practice_id, roles=frozenset(roles))
        with pytest.raises(NotAuthorized):
            submit_claim(session, actor=someone, entry=entry, at=datetime.now(UTC))
