"""Live pages: a tab shows a status change published by the job without a reload, and a change
in another practice does not make it re-read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.claims import Claim, ClaimStatus, ClaimStatusEvent
from domain.events import ClaimsChanged, claims_changed
from domain.practices import Practice
from storage.db import unit_of_work
from tests.ui.journeys import PATIENCE, see, sign_in, table_rows
from ui.live import LiveSection, sections_of

RIVERSIDE = "Riverside Family Medicine"


def standing(engine: Engine, status: ClaimStatus, practice_name: str | None = None) -> int:
    """Claims at `status` now (the demo is seeded up to the current time, so the counts move
    with the clock: the tests read them rather than hard-code them)."""
    with Session(engine) as session:
        statement = select(func.count()).select_from(Claim).where(Claim.status == status)
        if practice_name is not None:
            statement = statement.join(Practice, col(Practice.id) == Claim.practice_id).where(
                Practice.name == practice_name
            )
        return session.exec(statement).one()


LAKESIDE = "Lakeside Cardiology"


def first_claim(engine: Engine, practice_name: str, status: ClaimStatus) -> Claim:
    with Session(engine) as session:
        return session.exec(
            select(Claim)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(Practice.name == practice_name, Claim.status == status)
            .order_by(col(Claim.id))
        ).first()


def move(engine: Engine, claim_id: int, target: ClaimStatus) -> None:
    """What the status job does to one claim: a transition, its 277 event, one commit, and then
    the message (after the commit, as the job sends it)."""
    at = datetime.now(UTC)
    with unit_of_work(engine) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        claim.transition(target, at=at)
        session.add(claim)
        session.add(
            ClaimStatusEvent(
                claim_id=claim_id,
                status=target,
                category_code="A2",
                status_code="20",
                occurred_at=at,
                source="status-refresh",
                transaction_id="LIVE-TEST",
            )
        )
        practice_id = claim.practice_id
    claims_changed.publish(ClaimsChanged.of({claim_id}, {practice_id}))


def only_section(user: User) -> LiveSection:
    sections = sections_of(user.client)  # type: ignore[arg-type]
    assert len(sections) == 1
    return sections[0]


async def polls_pass(section: LiveSection, count: int = 2) -> None:
    """Wait (bounded) until the tab's timer has looked at the change log `count` more times:
    after that, a refresh that was going to happen has happened."""
    target = section.polls + count
    for _ in range(PATIENCE):
        if section.polls >= target:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the tab polled {section.polls} times, wanted {target}")


async def test_the_claims_list_follows_a_status_change_in_its_practice_only(
    user: User, create_user: Callable[[], User], demo_db: Engine
) -> None:
    received = first_claim(demo_db, RIVERSIDE, ClaimStatus.RECEIVED)
    lakeside_claim = first_claim(demo_db, LAKESIDE, ClaimStatus.ACCEPTED)
    received_before = standing(demo_db, ClaimStatus.RECEIVED, RIVERSIDE)
    in_process_before = standing(demo_db, ClaimStatus.IN_PROCESS, LAKESIDE)
    await sign_in(user, "billing@riverside.example")
    await user.open("/claims?status=received")
    await see(user, f"Received · {received_before}")
    assert received.claim_number in {
        row["claim_number"] for row in table_rows(user, "claims-table")
    }
    riverside_tab = only_section(user)
    lakeside = create_user()
    await sign_in(lakeside, "billing@lakeside.example")
    await lakeside.open("/claims")
    await see(lakeside, marker="claims-table")
    lakeside_tab = only_section(lakeside)

    move(demo_db, received.id, ClaimStatus.ACCEPTED)

    # No reload: the same tab drops the claim from the Received filter and recounts.
    await user.should_see(f"Received · {received_before - 1}")
    numbers = {row["claim_number"] for row in table_rows(user, "claims-table")}
    assert received.claim_number not in numbers
    assert riverside_tab.refreshes == 1
    await polls_pass(lakeside_tab)
    assert lakeside_tab.refreshes == 0, "another practice's change re-read the Lakeside list"

    move(demo_db, lakeside_claim.id, ClaimStatus.IN_PROCESS)

    await lakeside.should_see(f"In process · {in_process_before + 1}")
    assert lakeside_tab.refreshes == 1
    await polls_pass(riverside_tab)
    assert riverside_tab.refreshes == 1, "Lakeside's change re-read the Riverside list"
    assert user.client is not None
    assert "status=received" in str(user.client.request.url), "the filter stays in the URL"


async def test_the_claim_page_shows_the_new_status_and_timeline_step(
    user: User, demo_db: Engine
) -> None:
    claim = first_claim(demo_db, RIVERSIDE, ClaimStatus.PENDED)
    other = first_claim(demo_db, RIVERSIDE, ClaimStatus.ACCEPTED)
    await sign_in(user, "billing@riverside.example")
    await user.open(f"/claims/{claim.id}")
    await see(user, marker="claim-status", content="Pended")
    section = only_section(user)

    move(demo_db, other.id, ClaimStatus.IN_PROCESS)  # same practice, another claim
    await polls_pass(section)
    assert section.refreshes == 0

    move(demo_db, claim.id, ClaimStatus.IN_PROCESS)

    await user.should_see(marker="claim-status", content="In process")
    await user.should_see("LIVE-TEST", retries=PATIENCE)
    assert section.refreshes == 1


async def test_the_examiner_queue_counts_a_claim_leaving_it(user: User, demo_db: Engine) -> None:
    claim = first_claim(demo_db, LAKESIDE, ClaimStatus.PENDED)
    await sign_in(user, "examiner@plan.example")
    pended = standing(demo_db, ClaimStatus.PENDED)
    await see(user, marker="kpi-pended", content=f"{pended:,}")

    move(demo_db, claim.id, ClaimStatus.IN_PROCESS)  # plan staff follow every practice

    await user.should_see(marker="kpi-pended", content=f"{pended - 1:,}")


async def test_a_real_status_refresh_run_reaches_an_open_tab(user: User, demo_db: Engine) -> None:
    """The whole path in one process: the job (real pipeline, in a worker thread as under
    APScheduler) commits, publishes, and the open tab re-reads."""
    from nicegui import run

    from jobs.status_refresh import PaymentClock, refresh_claim_statuses

    await sign_in(user, "billing@riverside.example")
    await user.open("/claims?status=received")
    await see(user, f"Received · {standing(demo_db, ClaimStatus.RECEIVED, RIVERSIDE)}")

    summary = await run.io_bound(
        refresh_claim_statuses, engine=demo_db, payment_clock=PaymentClock()
    )

    assert summary is not None and summary.claim_ids
    await see(user, "Received · 0")
    # One redraw per publish: the run publishes after its claim batch and again after its
    # payment cycle; whether the second has landed yet when "Received · 0" shows is timing.
    assert 1 <= only_section(user).refreshes <= 2
