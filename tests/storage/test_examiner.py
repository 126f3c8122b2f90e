"""The examiner's pended queue and decisions on SQLite and PostgreSQL: approve, adjust and deny
finish a pended claim with a balanced EOB, signed and audited as the examiner's; only a claims
examiner decides, and a claim no longer pended cannot be decided twice."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claims import Claim, ClaimStatus, ClaimStatusEvent
from domain.examiner import (
    DecisionRefused,
    PendKind,
    QueueFilters,
    adjust_claim,
    approve_claim,
    deny_claim,
    pended_claims,
    review_claim,
)
from domain.scope import NotAuthorized
from tests.storage.pended_claims import (
    EXAMINER,
    LAKESIDE,
    actor,
    assert_balanced,
    at,
    new_pended_claim,
    practice_id,
)

HIGH = [("99213", Decimal("12000.00"))]  # above the demo plans' $10,000 review threshold
UNLISTED = [("99213", Decimal("150.00")), ("99999", Decimal("800.00"))]


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def _events(session: Session, claim_id: int) -> list[ClaimStatusEvent]:
    return list(
        session.exec(
            select(ClaimStatusEvent)
            .where(ClaimStatusEvent.claim_id == claim_id)
            .order_by(col(ClaimStatusEvent.id))
        ).all()
    )


def _decisions(session: Session, claim_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "claim.examiner_decision",
                AuditEvent.entity_id == str(claim_id),
            )
        ).all()
    )


def test_the_queue_lists_pended_claims_oldest_first_and_filters_by_reason(
    session: Session,
) -> None:
    high = new_pended_claim(session, lines=HIGH)
    unlisted = new_pended_claim(session, lines=UNLISTED)
    examiner = actor(session, EXAMINER)

    everything = pended_claims(session=session, actor=examiner, filters=QueueFilters(), at=at(9))
    assert (
        everything.total
        == session.exec(select(col(Claim.id)).where(Claim.status == ClaimStatus.PENDED))
        .all()
        .__len__()
    )
    since = [row.pended_since for row in everything.rows]
    assert since == sorted(since)
    assert {p.name for p in everything.practices} >= {"Riverside Family Medicine"}

    by_kind = {
        kind: {
            row.claim_id
            for row in pended_claims(
                session=session, actor=examiner, filters=QueueFilters(kind=kind), at=at(9)
            ).rows
        }
        for kind in PendKind
    }
    assert high.id in by_kind[PendKind.HIGH_DOLLAR]
    assert unlisted.id in by_kind[PendKind.UNLISTED_CODE]
    assert high.id not in by_kind[PendKind.OTHER] | by_kind[PendKind.UNLISTED_CODE]

    lakeside = pended_claims(
        session=session,
        actor=examiner,
        filters=QueueFilters(practice_id=practice_id(session, LAKESIDE)),
        at=at(9),
    )
    assert {row.practice_name for row in lakeside.rows} <= {LAKESIDE}
    assert high.id not in {row.claim_id for row in lakeside.rows}


def test_approve_finishes_a_high_dollar_claim_with_a_balanced_eob(session: Session) -> None:
    claim = new_pended_claim(session, lines=HIGH)
    assert claim.id is not None
    examiner = actor(session, EXAMINER)
    review = review_claim(session=session, actor=examiner, claim_id=claim.id, at=at(5))
    assert review is not None and review.pended
    assert PendKind.HIGH_DOLLAR in review.kinds
    assert review.pricing[1].schedule_allowed is not None

    outcome = approve_claim(
        session=session, actor=examiner, claim_id=claim.id, note="Records reviewed", at=at(5)
    )
    session.commit()

    assert outcome.status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID}
    assert_balanced(session, claim.id)
    last = _events(session, claim.id)[-1]
    assert last.source == "examiner" and last.status is outcome.status
    assert "Records reviewed" in last.note
    assert len(_decisions(session, claim.id)) == 1

    with pytest.raises(DecisionRefused, match="no longer pended"):
        approve_claim(session=session, actor=examiner, claim_id=claim.id, at=at(6))


def test_an_unlisted_line_needs_a_price_then_adjust_settles_it(session: Session) -> None:
    claim = new_pended_claim(session, lines=UNLISTED)
    assert claim.id is not None
    examiner = actor(session, EXAMINER)

    with pytest.raises(DecisionRefused, match="unlisted"):
        approve_claim(session=session, actor=examiner, claim_id=claim.id, at=at(5))
    session.rollback()
    with pytest.raises(DecisionRefused, match="more than the billed"):
        adjust_claim(
            session=session,
            actor=examiner,
            claim_id=claim.id,
            allowed_by_line={2: Decimal("900.00")},
            at=at(5),
        )
    session.rollback()
    session.expire_all()
    assert session.get(Claim, claim.id).status is ClaimStatus.PENDED  # type: ignore[union-attr]

    outcome = adjust_claim(
        session=session,
        actor=examiner,
        claim_id=claim.id,
        allowed_by_line={2: Decimal("400.00")},
        note="Priced from the operative report",
        at=at(5),
    )
    session.commit()
    assert outcome.status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID}
    assert_balanced(session, claim.id)
    session.expire_all()
    line_allowed = {
        line.line_number: line.allowed_amount
        for line in review_claim(  # type: ignore[union-attr]
            session=session, actor=examiner, claim_id=claim.id, at=at(6)
        ).detail.lines
    }
    assert line_allowed[2] == Decimal("400.00")


def test_adjust_can_deny_one_line_with_a_carc(session: Session) -> None:
    claim = new_pended_claim(session, lines=UNLISTED)
    assert claim.id is not None
    examiner = actor(session, EXAMINER)
    outcome = adjust_claim(
        session=session,
        actor=examiner,
        claim_id=claim.id,
        allowed_by_line={},
        denial_by_line={2: "50"},
        at=at(5),
    )
    session.commit()
    assert outcome.status is ClaimStatus.PARTIALLY_PAID
    assert_balanced(session, claim.id)


def test_deny_needs_a_carc_and_a_reason_and_balances(session: Session) -> None:
    claim = new_pended_claim(session, lines=HIGH)
    assert claim.id is not None
    examiner = actor(session, EXAMINER)
    with pytest.raises(DecisionRefused, match="reason"):
        deny_claim(
            session=session, actor=examiner, claim_id=claim.id, carc="50", note=" ", at=at(5)
        )
    with pytest.raises(DecisionRefused, match="CARC"):
        deny_claim(session=session, actor=examiner, claim_id=claim.id, carc="2", note="x", at=at(5))

    outcome = deny_claim(
        session=session,
        actor=examiner,
        claim_id=claim.id,
        carc="50",
        note="Not medically necessary per records",
        at=at(5),
    )
    session.commit()
    assert outcome.status is ClaimStatus.DENIED and outcome.paid_amount == 0
    assert_balanced(session, claim.id)
    events = _events(session, claim.id)
    assert events[-1].source == "examiner"
    assert "CARC 50: Not medically necessary per records" in events[-1].note
    assert [e.status for e in events].count(ClaimStatus.DENIED) == 1
    denial = session.get(Claim, claim.id)
    assert denial is not None and denial.denial_carc == "50"


def test_only_a_claims_examiner_decides(session: Session) -> None:
    claim = new_pended_claim(session, lines=HIGH)
    assert claim.id is not None
    biller = actor(session, "billing@riverside.example")
    with pytest.raises(NotAuthorized):
        approve_claim(session=session, actor=biller, claim_id=claim.id, at=at(5))
    with pytest.raises(NotAuthorized):
        deny_claim(session=session, actor=biller, claim_id=claim.id, carc="50", note="x", at=at(5))
    with pytest.raises(NotAuthorized):
        pended_claims(session=session, actor=biller, filters=QueueFilters(), at=at(5))
    session.rollback()
    session.expire_all()
    assert session.get(Claim, claim.id).status is ClaimStatus.PENDED  # type: ignore[union-attr]
