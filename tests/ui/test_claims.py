"""Claims list and detail: tenant scoping, audit of every look, and EOB money as Decimal."""

from __future__ import annotations

import re

from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claims import Claim, ClaimLineAdjustment, ClaimStatus
from domain.practices import Practice
from tests.ui.journeys import response_texts, see, sign_in, table_rows, visible_texts

MONEY = re.compile(r"^-?\$\d{1,3}(,\d{3})*\.\d{2}$")


def claim_of(engine: Engine, practice_name: str, **where: object) -> Claim:
    with Session(engine) as session:
        statement = (
            select(Claim)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(Practice.name == practice_name)
        )
        for column, value in where.items():
            statement = statement.where(getattr(Claim, column) == value)
        return session.exec(statement.order_by(col(Claim.id))).first()


async def test_another_practices_claim_looks_exactly_like_a_missing_one(
    user: User, demo_db: Engine
) -> None:
    riverside_claim = claim_of(demo_db, "Riverside Family Medicine")
    await sign_in(user, "billing@lakeside.example")

    theirs = await user.http_client.get(f"/claims/{riverside_claim.id}")
    missing = await user.http_client.get("/claims/987654321")
    garbage = await user.http_client.get("/claims/not-a-number")

    assert theirs.status_code == missing.status_code == garbage.status_code == 404
    assert "Claim not found" in response_texts(theirs)
    assert response_texts(theirs) == response_texts(missing) == response_texts(garbage)
    assert riverside_claim.claim_number not in theirs.text
    with Session(demo_db) as session:
        misses = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "claim", AuditEvent.outcome == "not_found"
            )
        ).all()
    assert str(riverside_claim.id) in {event.entity_id for event in misses}


async def test_reading_a_claim_shows_its_eob_and_is_audited(user: User, demo_db: Engine) -> None:
    claim = claim_of(demo_db, "Riverside Family Medicine", status=ClaimStatus.PAID)
    await sign_in(user, "billing@riverside.example")
    await user.open(f"/claims/{claim.id}")
    await see(user, marker="claim-title", content=claim.claim_number)
    await user.should_see(marker="claim-billed", content=f"${claim.total_charge:,.2f}")
    await user.should_see(marker="claim-paid", content=f"${claim.paid_amount:,.2f}")

    lines = table_rows(user, "lines-table")
    assert lines and all(MONEY.match(str(line["paid"])) for line in lines)
    with Session(demo_db) as session:
        has_adjustments = session.exec(select(ClaimLineAdjustment).limit(1)).first() is not None
        reads = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "read",
                AuditEvent.entity_type == "claim",
                AuditEvent.entity_id == str(claim.id),
                AuditEvent.outcome == "ok",
            )
        ).all()
    assert len(reads) == 1
    if has_adjustments:
        adjustments = table_rows(user, "adjustments-table")
        assert all(re.match(r"^(CO|PR|OA|PI)-\w+$", str(row["code"])) for row in adjustments)
        assert all(row["reason"] for row in adjustments)


async def test_the_list_shows_only_the_practices_own_claims(user: User, demo_db: Engine) -> None:
    riverside_claim = claim_of(demo_db, "Riverside Family Medicine")
    await sign_in(user, "billing@lakeside.example")
    await user.open("/claims")
    await see(user, marker="claims-table")
    numbers = {row["claim_number"] for row in table_rows(user, "claims-table")}
    assert numbers and riverside_claim.claim_number not in numbers
    assert riverside_claim.claim_number not in " ".join(visible_texts(user))


async def test_the_status_filter_lives_in_the_url(user: User) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims?status=denied")
    await see(user, marker="status-filter")
    rows = table_rows(user, "claims-table") if user.find(marker="claims-list").elements else []
    assert rows, "the demo has denied claims"
    assert {row["status"] for row in rows} == {"denied"}


def claim_count(engine: Engine, practice_name: str | None = None) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(Claim)
        if practice_name:
            statement = statement.join(Practice, col(Practice.id) == Claim.practice_id).where(
                Practice.name == practice_name
            )
        return session.exec(statement).one()


async def test_a_practice_counts_only_its_own_claims(user: User, demo_db: Engine) -> None:
    lakeside = claim_count(demo_db, "Lakeside Cardiology")
    assert 0 < lakeside < claim_count(demo_db)
    await sign_in(user, "billing@lakeside.example")
    await user.open("/claims")
    await see(user, f"All · {lakeside:,}")


async def test_a_claims_examiner_sees_every_practice(user: User, demo_db: Engine) -> None:
    await sign_in(user, "examiner@plan.example")
    await user.open("/claims")
    await see(user, f"All · {claim_count(demo_db):,}")
    rows = table_rows(user, "claims-table")
    assert rows and all(row["practice_name"] for row in rows)
