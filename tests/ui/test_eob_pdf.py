"""The EOB PDF: downloads for the claim's own practice with its number, line amounts,
adjustments with their reasons and totals; another practice's claim is a plain 404."""

from __future__ import annotations

import re
import zlib
from decimal import Decimal

from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claims import Claim, ClaimLine, ClaimLineAdjustment, ClaimStatus
from domain.codes import CARC
from domain.practices import Practice
from tests.ui.journeys import sign_in
from ui.format import money

RIVERSIDE = "Riverside Family Medicine"


def pdf_text(content: bytes) -> str:
    """The text the pages draw: fpdf2 deflates each content stream; core-font strings are
    cp1252 in parentheses, with ( ) and \\ escaped."""
    shown: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        for match in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", data):
            shown.append(re.sub(rb"\\(.)", rb"\1", match).decode("cp1252"))
    return "\n".join(shown)


def remitted_claim_with_adjustments(engine: Engine) -> tuple[Claim, list[ClaimLine]]:
    with Session(engine) as session:
        claim = session.exec(
            select(Claim)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .join(ClaimLine, col(ClaimLine.claim_id) == Claim.id)
            .join(ClaimLineAdjustment, col(ClaimLineAdjustment.claim_line_id) == ClaimLine.id)
            .where(
                Practice.name == RIVERSIDE,
                Claim.status == ClaimStatus.REMITTED,
                Claim.paid_amount > 0,
            )
            .order_by(col(Claim.id))
        ).first()
        assert claim is not None, "the demo has remitted claims with adjustments"
        lines = list(
            session.exec(
                select(ClaimLine)
                .where(ClaimLine.claim_id == claim.id)
                .order_by(col(ClaimLine.line_number))
            ).all()
        )
        return claim, lines


async def test_the_eob_pdf_has_the_claim_its_lines_and_totals(user: User, demo_db: Engine) -> None:
    claim, lines = remitted_claim_with_adjustments(demo_db)
    await sign_in(user, "billing@riverside.example")

    response = await user.http_client.get(f"/claims/{claim.id}/eob.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert claim.claim_number in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert claim.claim_number in text
    for line in lines:
        assert money(line.charge_amount) in text
        assert money(line.allowed_amount) in text
        assert money(line.paid_amount) in text
    total_billed = sum((line.charge_amount for line in lines), Decimal("0.00"))
    total_paid = sum((line.paid_amount for line in lines), Decimal("0.00"))
    patient = sum((line.patient_responsibility for line in lines), Decimal("0.00"))
    assert total_billed == claim.total_charge and total_paid == claim.paid_amount
    totals = text[text.index("Total") :]
    for amount in (total_billed, total_paid, patient):
        assert money(amount) in totals
    with Session(demo_db) as session:
        adjustment = session.exec(
            select(ClaimLineAdjustment).where(
                col(ClaimLineAdjustment.claim_line_id).in_([line.id for line in lines])
            )
        ).first()
        assert adjustment is not None
        audited = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "claim.eob_pdf", AuditEvent.entity_id == str(claim.id)
            )
        ).all()
    assert f"{adjustment.group_code.value}-{adjustment.carc}" in text
    assert CARC[adjustment.carc][:30] in text
    assert "Generated" in text
    assert [event.outcome for event in audited] == ["ok"]


async def test_another_practices_eob_is_not_found(user: User, demo_db: Engine) -> None:
    claim, _ = remitted_claim_with_adjustments(demo_db)
    await sign_in(user, "billing@lakeside.example")

    theirs = await user.http_client.get(f"/claims/{claim.id}/eob.pdf")
    missing = await user.http_client.get("/claims/987654321/eob.pdf")
    garbage = await user.http_client.get("/claims/abc/eob.pdf")

    assert theirs.status_code == missing.status_code == garbage.status_code == 404
    assert theirs.text == missing.text == garbage.text == "Claim not found"
    assert not theirs.content.startswith(b"%PDF")


async def test_the_eob_needs_a_session_and_a_claims_role(user: User, demo_db: Engine) -> None:
    claim, _ = remitted_claim_with_adjustments(demo_db)
    signed_out = await user.http_client.get(f"/claims/{claim.id}/eob.pdf")
    assert signed_out.status_code == 303
    await sign_in(user, "frontdesk@riverside.example")
    refused = await user.http_client.get(f"/claims/{claim.id}/eob.pdf")
    assert refused.status_code == 403
    assert not refused.content.startswith(b"%PDF")


async def test_an_examiner_may_download_any_practices_eob(user: User, demo_db: Engine) -> None:
    claim, _ = remitted_claim_with_adjustments(demo_db)
    await sign_in(user, "examiner@plan.example")
    response = await user.http_client.get(f"/claims/{claim.id}/eob.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
