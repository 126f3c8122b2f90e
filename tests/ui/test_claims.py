"""Claims list and detail: tenant scoping, audit of every look, and EOB money as Decimal."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claims import Claim, ClaimLineAdjustment, ClaimStatus
from domain.practices import Practice
from tests.ui.journeys import (
    PATIENCE,
    response_texts,
    see,
    sign_in,
    table_rows,
    visible_texts,
)
from tests.ui.test_live_refresh import move

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


# --- Filters, sort and paging in the URL ---


def replaced_urls(user: User, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the page writes into the address bar (history.replaceState) from now on."""
    urls: list[str] = []
    monkeypatch.setattr(user.navigate.history, "replace", urls.append)
    return urls


def money_value(text: object) -> Decimal:
    return Decimal(str(text).replace("$", "").replace(",", ""))


async def test_filters_in_the_url_restore_the_view(user: User, demo_db: Engine) -> None:
    claim = claim_of(demo_db, "Riverside Family Medicine", status=ClaimStatus.PAID)
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims?status=denied&sort=billed&dir=asc&size=50&service_from=garbage")
    await see(user, marker="claims-table")
    rows = table_rows(user, "claims-table")
    assert rows and {row["status"] for row in rows} == {"denied"}
    billed = [money_value(row["total_charge"]) for row in rows]
    assert billed == sorted(billed)
    await user.should_see(marker="page-size", content="50 per page")

    await user.open(f"/claims?claim={claim.claim_number}")
    await see(user, marker="claims-table")
    assert [row["claim_number"] for row in table_rows(user, "claims-table")] == [claim.claim_number]
    (box,) = user.find(marker="filter-claim").elements
    assert box.value == claim.claim_number  # type: ignore[attr-defined]


async def test_changing_a_filter_updates_the_url_and_the_table_without_a_reload(
    user: User, demo_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = claim_of(demo_db, "Riverside Family Medicine", status=ClaimStatus.PAID)
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims")
    await see(user, marker="claims-table")
    client = user.client
    urls = replaced_urls(user, monkeypatch)

    user.find(marker="filter-claim").type(claim.claim_number).trigger("keydown.enter")
    for _ in range(PATIENCE):
        if [row["claim_number"] for row in table_rows(user, "claims-table")] == [
            claim.claim_number
        ]:
            break
        await asyncio.sleep(0.1)
    assert [row["claim_number"] for row in table_rows(user, "claims-table")] == [claim.claim_number]
    assert urls[-1] == f"/claims?claim={claim.claim_number}"
    assert user.client is client, "filtered in place, not by loading a new page"

    user.find(marker="filter-reset").click()
    await see(user, marker="filter-all")
    for _ in range(PATIENCE):
        if urls[-1] == "/claims" and len(table_rows(user, "claims-table")) == 25:
            break
        await asyncio.sleep(0.1)
    assert urls[-1] == "/claims" and len(table_rows(user, "claims-table")) == 25

    user.find(marker="filter-denied").trigger("click.prevent")
    await wait_for_url(urls, "/claims?status=denied")
    assert {row["status"] for row in table_rows(user, "claims-table")} == {"denied"}


async def wait_for_url(urls: list[str], wanted: str) -> None:
    for _ in range(PATIENCE):
        if urls and urls[-1] == wanted:
            await asyncio.sleep(0)  # let the redraw that follows the URL land
            break
        await asyncio.sleep(0.1)
    assert urls and urls[-1] == wanted


async def test_a_header_click_sorts_on_the_server_and_pages_follow(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims")
    await see(user, marker="claims-table")
    urls = replaced_urls(user, monkeypatch)

    user.find(marker="claims-table").trigger("sort", "billed")
    await wait_for_url(urls, "/claims?sort=billed")
    for _ in range(PATIENCE):
        billed = [money_value(row["total_charge"]) for row in table_rows(user, "claims-table")]
        if billed == sorted(billed, reverse=True):
            break
        await asyncio.sleep(0.1)
    assert billed == sorted(billed, reverse=True)
    largest = billed[0]

    user.find(marker="page-next").click()
    await wait_for_url(urls, "/claims?sort=billed&page=2")
    for _ in range(PATIENCE):
        second = [money_value(row["total_charge"]) for row in table_rows(user, "claims-table")]
        if second != billed:
            break
        await asyncio.sleep(0.1)
    assert second and max(second) <= largest

    user.find(marker="claims-table").trigger("sort", "billed")
    await wait_for_url(urls, "/claims?sort=billed&dir=asc")


async def test_the_empty_state_names_the_active_filters(user: User) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims?status=denied&claim=999999999&carc=197")
    await see(user, marker="claims-empty")
    await user.should_see("claim number 999999999")
    await user.should_see("denial reason CARC 197")
    await user.should_see("status Denied")


async def test_billing_staff_get_new_and_upload_buttons_examiners_do_not(
    user: User, create_user: Callable[[], User]
) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims")
    await see(user, marker="claims-table")
    (new_claim,) = user.find(marker="new-claim").elements
    (upload,) = user.find(marker="upload-claims").elements
    assert new_claim.props["href"] == "/claims/new"
    assert upload.props["href"] == "/claims/upload"

    examiner = create_user()
    await sign_in(examiner, "examiner@plan.example")
    await examiner.open("/claims")
    await see(examiner, marker="claims-table")
    await examiner.should_not_see(marker="new-claim")
    await examiner.should_not_see(marker="upload-claims")


async def test_the_live_refresh_keeps_the_filters_changed_in_place(
    user: User, demo_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    received = claim_of(demo_db, "Riverside Family Medicine", status=ClaimStatus.RECEIVED)
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims")
    await see(user, marker="claims-table")
    urls = replaced_urls(user, monkeypatch)
    user.find(marker="filter-received").trigger("click.prevent")
    await wait_for_url(urls, "/claims?status=received")
    for _ in range(PATIENCE):
        numbers = {row["claim_number"] for row in table_rows(user, "claims-table")}
        if received.claim_number in numbers:
            break
        await asyncio.sleep(0.1)
    assert received.claim_number in numbers

    move(demo_db, received.id, ClaimStatus.ACCEPTED)

    for _ in range(PATIENCE):
        rows = table_rows(user, "claims-table") if user.find(marker="claims-list").elements else []
        if received.claim_number not in {row["claim_number"] for row in rows}:
            break
        await asyncio.sleep(0.1)
    assert received.claim_number not in {row["claim_number"] for row in rows}
    assert {row["status"] for row in rows} <= {"received"}, "the refresh kept the filter"
