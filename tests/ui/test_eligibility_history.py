"""The practice's check history: only its own checks, filters read from the URL, every row
opening the kept check."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit

from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.auth import actor_for
from domain.eligibility import EligibilityInquiry
from domain.eligibility_service import check_batch, check_eligibility
from domain.users import User as Account
from storage.seed.demo import SHOWCASE_BY_KEY
from tests.ui.journeys import PATIENCE, see, sign_in, table_rows
from ui.pages.eligibility_history import HistoryQuery


def inquiry(key: str, *, date_of_birth: date | None = None) -> EligibilityInquiry:
    member = SHOWCASE_BY_KEY[key]
    return EligibilityInquiry(
        date_of_service=date.today(),
        date_of_birth=date_of_birth or member.date_of_birth,
        member_id=member.member_id,
    )


def run_checks(engine: Engine, email: str, inquiries: list[EligibilityInquiry]) -> str:
    """Run one check per inquiry, then the same as a batch; returns the batch id."""
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.email == email)).one()
        actor = actor_for(session, account.id)  # type: ignore[arg-type]
        assert actor is not None
        for one in inquiries:
            check_eligibility(session, actor=actor, inquiry=one, at=datetime.now(UTC))
        batch = check_batch(
            session,
            actor=actor,
            inquiries=list(enumerate(inquiries, start=2)),
            at=datetime.now(UTC),
        )
        session.commit()
        return batch.batch_id


async def test_filters_in_the_url_restore_the_view(user: User, demo_db: Engine) -> None:
    batch_id = run_checks(
        demo_db,
        "frontdesk@riverside.example",
        [
            inquiry("active_hmo"),
            inquiry("terminated"),
            inquiry("active_hmo", date_of_birth=date(1984, 3, 15)),
        ],
    )
    await sign_in(user, "billing@riverside.example")

    await user.open("/eligibility/history")
    await see(user, marker="history-table")
    assert len(table_rows(user, "history-table")) == 6

    await user.open("/eligibility/history?outcome=no_match")
    await see(user, marker="history-table")
    rows = table_rows(user, "history-table")
    assert [row["outcome"] for row in rows] == ["No match", "No match"]
    (outcome,) = user.find(marker="filter-outcome").elements
    assert outcome.value == "no_match"  # type: ignore[attr-defined]

    await user.open(f"/eligibility/history?member=PT100000201&batch={batch_id}&source=batch")
    await see(user, marker="history-table")
    (row,) = table_rows(user, "history-table")
    assert (row["member_id"], row["outcome"], row["source"]) == (
        "PT100000201",
        "Not active",
        "Schedule",
    )
    assert row["problems"] == "Coverage terminated"

    user.find(marker="filter-clear").click()
    for _ in range(PATIENCE):  # the table is redrawn after a worker thread answers
        if len(table_rows(user, "history-table")) == 6:
            break
        await asyncio.sleep(0.1)
    assert len(table_rows(user, "history-table")) == 6


async def test_a_row_opens_its_kept_check(user: User, demo_db: Engine) -> None:
    run_checks(demo_db, "frontdesk@riverside.example", [inquiry("two_coverages")])
    await sign_in(user, "frontdesk@riverside.example")
    await user.open("/eligibility/history?source=portal")
    await see(user, marker="history-table")
    (row,) = table_rows(user, "history-table")
    await user.open(str(row["href"]))
    await see(user, marker="kept-title")
    await see(user, marker="answer-member", content="Grace Nguyen")


async def test_another_practices_checks_are_not_listed(user: User, demo_db: Engine) -> None:
    run_checks(demo_db, "frontdesk@riverside.example", [inquiry("active_hmo")])
    await sign_in(user, "admin@lakeside.example")
    await user.open("/eligibility/history")
    await see(user, marker="history-empty")


def test_the_query_round_trips_and_drops_what_is_malformed() -> None:
    query = HistoryQuery.from_params(
        {
            "from": "2026-03-01",
            "to": "03/31/2026",
            "outcome": "active",
            "member": "pt1",
            "page": "2",
        }
    )
    assert query.url() == (
        "/eligibility/history?from=2026-03-01&to=2026-03-31&outcome=active&member=PT1&page=2"
    )
    assert HistoryQuery.from_params(dict(_pairs(query.url()))) == query
    junk = HistoryQuery.from_params(
        {"from": "yesterday", "outcome": "maybe", "member": "<script>", "page": "-3"}
    )
    assert junk == HistoryQuery()


def _pairs(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)
