"""Remittances pages: the practice's payments newest first, one payment's claims, its 835
download, and another practice's remittance answered exactly like a missing one."""

from __future__ import annotations

from decimal import Decimal

from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claims import Claim, Remittance
from domain.practices import Practice
from domain.remittance_advice import EXPORT_ACTION
from interop.x12.segments import read_interchange
from tests.ui.journeys import response_texts, see, sign_in, table_rows
from tests.x12_validation import pyx12_errors
from ui.format import money

RIVERSIDE = "Riverside Family Medicine"


def remittances_of(engine: Engine, practice_name: str) -> list[Remittance]:
    """Newest first, as the page lists them."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Remittance)
                .join(Practice, col(Practice.id) == Remittance.practice_id)
                .where(Practice.name == practice_name)
                .order_by(col(Remittance.payment_date).desc(), col(Remittance.id).desc())
            ).all()
        )


async def test_the_list_shows_the_practices_payments_newest_first(
    user: User, demo_db: Engine
) -> None:
    mine = remittances_of(demo_db, RIVERSIDE)
    await sign_in(user, "billing@riverside.example")
    await user.open("/remittances")
    await see(user, marker="remittances-table")

    rows = table_rows(user, "remittances-table")
    assert [row["payment_number"] for row in rows] == [r.payment_number for r in mine]
    newest = mine[0]
    with Session(demo_db) as session:
        claims = session.exec(select(Claim.id).where(Claim.remittance_id == newest.id)).all()
    assert rows[0]["total"] == money(newest.total_paid)
    assert rows[0]["claims"] == str(len(claims))
    assert rows[0]["method"] == "EFT (ACH)"
    assert rows[0]["href"] == f"/remittances/{newest.id}"
    assert rows[0]["download_href"] == f"/remittances/{newest.id}/835"
    theirs = {r.payment_number for r in remittances_of(demo_db, "Lakeside Cardiology")}
    assert theirs and not theirs & {row["payment_number"] for row in rows}


async def test_a_remittance_lists_the_claims_it_pays(user: User, demo_db: Engine) -> None:
    remittance = remittances_of(demo_db, RIVERSIDE)[0]
    with Session(demo_db) as session:
        claims = session.exec(
            select(Claim).where(Claim.remittance_id == remittance.id).order_by(col(Claim.id))
        ).all()
    await sign_in(user, "billing@riverside.example")
    await user.open(f"/remittances/{remittance.id}")
    await see(user, marker="remittance-title", content=remittance.payment_number)
    await user.should_see(marker="remittance-payment", content=money(remittance.total_paid))

    rows = table_rows(user, "remittance-claims-table")
    assert [row["claim_number"] for row in rows] == [claim.claim_number for claim in claims]
    first, claim = rows[0], claims[0]
    assert first["href"] == f"/claims/{claim.id}"
    assert first["account"] == claim.patient_control_number
    assert first["billed"] == money(claim.total_charge)
    assert first["paid"] == money(claim.paid_amount)
    assert first["patient_resp"] == money(claim.patient_responsibility)
    assert sum(Decimal(claim.paid_amount) for claim in claims) == remittance.total_paid


async def test_the_835_downloads_valid_and_is_audited(user: User, demo_db: Engine) -> None:
    remittance = remittances_of(demo_db, RIVERSIDE)[0]
    await sign_in(user, "billing@riverside.example")
    response = await user.http_client.get(f"/remittances/{remittance.id}/835")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert f'filename="{remittance.payment_number}.835"' in response.headers["content-disposition"]
    transaction = read_interchange(response.text).transactions[0]
    trn = next(segment for segment in transaction.segments if segment.id == "TRN")
    assert trn.get(2) == remittance.payment_number
    assert pyx12_errors(response.text) == []
    with Session(demo_db) as session:
        exports = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == EXPORT_ACTION, AuditEvent.entity_id == str(remittance.id)
            )
        ).all()
    assert [event.outcome for event in exports] == ["ok"]


async def test_another_practices_remittance_looks_exactly_like_a_missing_one(
    user: User, demo_db: Engine
) -> None:
    riverside = remittances_of(demo_db, RIVERSIDE)[0]
    await sign_in(user, "billing@lakeside.example")

    pages = [
        await user.http_client.get(f"/remittances/{wanted}")
        for wanted in (riverside.id, 987654321, "not-a-number")
    ]
    assert [page.status_code for page in pages] == [404, 404, 404]
    assert "Remittance not found" in response_texts(pages[0])
    assert response_texts(pages[0]) == response_texts(pages[1]) == response_texts(pages[2])
    assert riverside.payment_number not in pages[0].text

    files = [
        await user.http_client.get(f"/remittances/{wanted}/835")
        for wanted in (riverside.id, 987654321, "x")
    ]
    assert [file.status_code for file in files] == [404, 404, 404]
    assert files[0].text == files[1].text == files[2].text == "Remittance not found"


async def test_front_desk_staff_are_not_shown_remittances(user: User) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    page = await user.http_client.get("/remittances")
    download = await user.http_client.get("/remittances/1/835")
    assert page.status_code == download.status_code == 403
