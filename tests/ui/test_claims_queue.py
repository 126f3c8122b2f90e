"""The examiner's pended queue as a user works it: the queue lists and filters pended claims,
and a claim's review approves, denies with a reason, or adjusts line prices."""

from __future__ import annotations

from decimal import Decimal

from nicegui import ui
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claims import Claim, ClaimLine, ClaimStatus, ClaimStatusEvent
from tests.storage.pended_claims import EXAMINER, new_pended_claim
from tests.ui.journeys import see, sign_in, table_rows

HIGH = [("99213", Decimal("12000.00"))]
UNLISTED = [("99213", Decimal("150.00")), ("99999", Decimal("800.00"))]


def _pended(engine: Engine, lines: list[tuple[str, Decimal]]) -> int:
    with Session(engine, expire_on_commit=False) as session:
        claim = new_pended_claim(session, lines=lines)
        assert claim.id is not None
        return claim.id


def _claim(engine: Engine, claim_id: int) -> Claim:
    with Session(engine) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        return claim


def _set(user: User, marker: str, value: object) -> None:
    (element,) = user.find(marker=marker).elements
    assert isinstance(element, ui.select)
    element.set_value(value)


async def test_the_queue_lists_pended_claims_with_filters_in_the_url(
    user: User, demo_db: Engine
) -> None:
    claim_id = _pended(demo_db, HIGH)
    number = _claim(demo_db, claim_id).claim_number
    await sign_in(user, EXAMINER)
    await user.open("/claims-queue")
    await see(user, marker="queue-table")
    assert number in {row["claim_number"] for row in table_rows(user, "queue-table")}

    await user.open("/claims-queue?reason=high-dollar")
    await see(user, marker="queue-table")
    rows = table_rows(user, "queue-table")
    assert [row["claim_number"] for row in rows] == [number]
    assert "review threshold" in str(rows[0]["reason"])

    await user.open("/claims-queue?reason=unlisted-code")
    await see(user, marker="queue-empty")


async def test_approve_from_the_review(user: User, demo_db: Engine) -> None:
    claim_id = _pended(demo_db, HIGH)
    await sign_in(user, EXAMINER)
    await user.open(f"/claims-queue/{claim_id}")
    await see(user, marker="pend-reason")
    user.find(marker="approve-note").type("Operative report reviewed")
    user.find(marker="approve").click()
    await see(user, marker="decision-result")
    claim = _claim(demo_db, claim_id)
    assert claim.status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID}
    await user.should_see(f"Claim {claim.claim_number} is {claim.status.label.lower()}")
    with Session(demo_db) as session:
        assert session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "claim.examiner_decision",
                AuditEvent.entity_id == str(claim_id),
            )
        ).first()


async def test_deny_needs_a_reason_then_denies(user: User, demo_db: Engine) -> None:
    claim_id = _pended(demo_db, HIGH)
    await sign_in(user, EXAMINER)
    await user.open(f"/claims-queue/{claim_id}")
    await see(user, marker="deny-carc")
    _set(user, "deny-carc", "50")
    user.find(marker="deny").click()
    await see(user, marker="decision-error")
    await user.should_see("Write the reason for the denial")
    assert _claim(demo_db, claim_id).status is ClaimStatus.PENDED

    user.find(marker="deny-note").type("Records do not support medical necessity")
    user.find(marker="deny").click()
    await see(user, marker="decision-result")
    claim = _claim(demo_db, claim_id)
    assert claim.status is ClaimStatus.DENIED and claim.denial_carc == "50"
    with Session(demo_db) as session:
        last = session.exec(
            select(ClaimStatusEvent)
            .where(ClaimStatusEvent.claim_id == claim_id)
            .order_by(col(ClaimStatusEvent.id).desc())
        ).first()
    assert last is not None and last.source == "examiner"
    assert "Records do not support medical necessity" in last.note


async def test_adjust_prices_an_unlisted_line(user: User, demo_db: Engine) -> None:
    claim_id = _pended(demo_db, UNLISTED)
    await sign_in(user, EXAMINER)
    await user.open(f"/claims-queue/{claim_id}")
    await see(user, marker="allowed-2")
    await user.should_see("Unlisted: price it")

    user.find(marker="approve").click()  # the unlisted line has no price yet
    await see(user, marker="decision-error")
    await user.should_see("is an unlisted procedure", retries=50)

    user.find(marker="allowed-2").type("12.345")
    user.find(marker="adjust").click()
    await user.should_see("is not an amount in dollars and cents", retries=50)

    user.find(marker="allowed-2").clear()
    user.find(marker="allowed-2").type("400.00")
    user.find(marker="adjust").click()
    await see(user, marker="decision-result")
    assert _claim(demo_db, claim_id).status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID}
    with Session(demo_db) as session:
        line = session.exec(
            select(ClaimLine).where(ClaimLine.claim_id == claim_id, ClaimLine.line_number == 2)
        ).one()
    assert line.allowed_amount == Decimal("400.00")


async def test_practice_staff_cannot_open_the_queue(user: User, demo_db: Engine) -> None:
    await sign_in(user, "billing@riverside.example")
    response = await user.http_client.get("/claims-queue")
    assert response.status_code == 403
