"""Test support for the examiner and appeal tests: demo actors by email, fresh claims that pend
for a known reason, denied remitted claims, and the EOB balance every decision must keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from domain.auth import actor_for
from domain.claim_entry import ServiceLineEntry
from domain.claim_pipeline import advance_claims
from domain.claim_submission import submit_claim
from domain.claims import (
    Claim,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatus,
)
from domain.practices import Practice
from domain.scope import Actor
from domain.users import User
from tests.factories import entry_of_claim

RIVERSIDE = "Riverside Family Medicine"
LAKESIDE = "Lakeside Cardiology"
BILLERS = {RIVERSIDE: "billing@riverside.example", LAKESIDE: "billing@lakeside.example"}
EXAMINER = "examiner@plan.example"


def at(minutes: int = 1) -> datetime:
    # The demo is seeded up to now; the tests act just after.
    return datetime.now(UTC) + timedelta(minutes=minutes)


def actor(session: Session, email: str) -> Actor:
    user = session.exec(select(User).where(User.email == email)).one()
    assert user.id is not None
    found = actor_for(session, user.id)
    assert found is not None
    return found


def practice_id(session: Session, name: str = RIVERSIDE) -> int:
    found = session.exec(select(Practice.id).where(Practice.name == name)).one()
    assert found is not None
    return found


def _template(session: Session, practice: int) -> Claim:
    """A recent paid claim of the practice: its member is covered and its providers are real."""
    found = session.exec(
        select(Claim)
        .where(
            Claim.practice_id == practice,
            Claim.status == ClaimStatus.REMITTED,
            Claim.finalized_as == ClaimStatus.PAID,
            col(Claim.service_date_from) > (datetime.now(UTC).date() - timedelta(days=60)),
        )
        .order_by(col(Claim.id).desc())
    ).first()
    assert found is not None
    return found


def new_pended_claim(
    session: Session, *, lines: list[tuple[str, Decimal]], practice_name: str = RIVERSIDE
) -> Claim:
    """Submit a claim with these (code, charge) lines as the practice's biller and run the
    pipeline until the engine pends it."""
    practice = practice_id(session, practice_name)
    template = _template(session, practice)
    entry = entry_of_claim(
        session,
        template,
        service_date_to=template.service_date_from,
        lines=tuple(
            ServiceLineEntry(code, charge, (1,), 1, (), template.service_date_from)
            for code, charge in lines
        ),
    )
    biller = actor(session, BILLERS[practice_name])
    submission = submit_claim(session, actor=biller, entry=entry, at=at())
    session.commit()
    for step in range(3):
        advance_claims(session, at=at(1 + step), batch_size=100_000)
    claim = session.get(Claim, submission.claim_id, populate_existing=True)
    assert claim is not None
    assert claim.status is ClaimStatus.PENDED, claim.status
    return claim


def denied_remitted_claim(session: Session, practice_name: str = RIVERSIDE) -> Claim:
    """A remitted claim the plan denied, of a member still covered (recent dates of service)."""
    found = session.exec(
        select(Claim)
        .where(
            Claim.practice_id == practice_id(session, practice_name),
            Claim.status == ClaimStatus.REMITTED,
            Claim.finalized_as == ClaimStatus.DENIED,
        )
        .order_by(col(Claim.service_date_from).desc(), col(Claim.id).desc())
    ).first()
    assert found is not None
    return found


def assert_balanced(session: Session, claim_id: int) -> None:
    """billed = paid + every CAS adjustment, allowed = paid + patient responsibility, per line;
    the claim's totals are its lines' sums."""
    session.expire_all()
    claim = session.get(Claim, claim_id)
    assert claim is not None
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim_id)).all()
    assert lines
    for line in lines:
        adjustments = session.exec(
            select(ClaimLineAdjustment).where(ClaimLineAdjustment.claim_line_id == line.id)
        ).all()
        assert line.charge_amount == line.paid_amount + sum(
            (a.amount for a in adjustments), Decimal("0.00")
        )
        assert line.allowed_amount == line.paid_amount + line.patient_responsibility
    assert claim.paid_amount == sum((line.paid_amount for line in lines), Decimal("0.00"))
    assert claim.allowed_amount == sum((line.allowed_amount for line in lines), Decimal("0.00"))
    assert claim.total_charge == sum((line.charge_amount for line in lines), Decimal("0.00"))
