"""What a person downloads or lists in the portal leaves an audit event (issue #6): the batch
eligibility CSV and 271, an import's rejections and 999, a kept check's PDF (an export, apart
from the page's read) and each claim-list page served, a live redraw included. Every event names
the signed-in user and their practice, and its detail holds no patient name or member ID."""

from __future__ import annotations

from pathlib import Path

from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claim_filters import ClaimFilters
from domain.claims import ClaimStatus
from domain.eligibility_checks import EligibilityCheck
from domain.users import User as Account
from tests.ui.journeys import see, sign_in, table_rows, upload_file
from tests.ui.test_claim_upload import _one_bad_claim
from tests.ui.test_eligibility_batch import SCHEDULE
from tests.ui.test_live_refresh import RIVERSIDE, first_claim, move, only_section, polls_pass

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
FRONT_DESK = "frontdesk@riverside.example"
BILLING = "billing@riverside.example"


def events(engine: Engine, entity_type: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.entity_type == entity_type)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def account(engine: Engine, email: str) -> Account:
    with Session(engine) as session:
        return session.exec(select(Account).where(Account.email == email)).one()


def assert_by(event: AuditEvent, engine: Engine, email: str, *, action: str) -> None:
    who = account(engine, email)
    assert (event.user_id, event.practice_id, event.action, event.outcome) == (
        who.id,
        who.practice_id,
        action,
        "ok",
    )


async def test_the_batch_csv_and_271_downloads_are_exports(user: User, demo_db: Engine) -> None:
    await sign_in(user, FRONT_DESK)
    await upload_file(user, "/eligibility/batch", "schedule-upload", SCHEDULE.encode(), "s.csv")
    await see(user, marker="batch-results")
    assert events(demo_db, "eligibility_batch") == []  # shown on the page, not yet exported

    user.find(marker="download-results").click()
    await user.download.next(timeout=5)
    [export] = events(demo_db, "eligibility_batch")
    assert_by(export, demo_db, FRONT_DESK, action="export")
    with Session(demo_db) as session:
        batch_ids = set(session.exec(select(EligibilityCheck.batch_id)).all()) - {None}
    assert {export.entity_id} == batch_ids
    assert export.detail == "csv, 5 rows"
    for phi in ("PT100000101", "Nguyen", "Grace", "1968"):
        assert phi not in export.detail

    # A 270's answer goes back as a 271: another export, of that batch.
    await upload_file(
        user,
        "/eligibility/batch",
        "schedule-upload",
        (FIXTURES / "270_subscriber_and_dependent.x12").read_bytes(),
        "in.270",
    )
    await see(user, marker="download-271")
    user.find(marker="download-271").click()
    await user.download.next(timeout=5)
    first, second = events(demo_db, "eligibility_batch")
    assert_by(second, demo_db, FRONT_DESK, action="export")
    assert second.entity_id != first.entity_id and second.detail == "271, 3 rows"


async def test_import_rejections_and_999_downloads_are_exports(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    await upload_file(user, "/claims/upload", "claim-upload", _one_bad_claim(), "claims.csv")
    await see(user, marker="import-result")
    user.find(marker="download-rejections").click()
    await user.download.next(timeout=5)

    await upload_file(
        user,
        "/claims/upload",
        "claim-upload",
        (FIXTURES / "837p_x12sdk_dependent.x12").read_bytes(),
        "drop.txt",
    )
    await see(user, marker="download-999")
    user.find(marker="download-999").click()
    await user.download.next(timeout=5)

    rejections, ack = [e for e in events(demo_db, "claim_import") if e.action == "export"]
    for event in (rejections, ack):
        assert_by(event, demo_db, BILLING, action="export")
    assert rejections.entity_id != ack.entity_id
    assert rejections.detail == "rejections csv, 1 rows"  # not the account RFM-10002
    assert ack.detail == "999 acknowledgement"


async def test_a_kept_check_pdf_is_an_export_and_its_page_a_read(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, FRONT_DESK)
    await upload_file(user, "/eligibility/batch", "schedule-upload", SCHEDULE.encode(), "s.csv")
    await see(user, marker="batch-results")
    with Session(demo_db) as session:
        check_id = session.exec(select(EligibilityCheck.id)).first()

    await user.open(f"/eligibility/checks/{check_id}")
    await see(user, marker="kept-title")
    response = await user.http_client.get(f"/eligibility/checks/{check_id}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")

    read, export = events(demo_db, "eligibility_check")
    assert_by(read, demo_db, FRONT_DESK, action="read")
    assert_by(export, demo_db, FRONT_DESK, action="export")
    assert read.entity_id == export.entity_id == str(check_id)
    assert export.detail == "pdf"


async def test_each_claim_list_page_is_a_read_and_a_live_redraw_one_more(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, BILLING)
    received = first_claim(demo_db, RIVERSIDE, ClaimStatus.RECEIVED)
    patient = "Thompson"
    await user.open(ClaimFilters(member_name=patient).url())
    await see(user, marker="claims-table")
    [opened] = events(demo_db, "claim_list")
    assert_by(opened, demo_db, BILLING, action="read")
    shown = len(table_rows(user, "claims-table"))
    assert opened.entity_id == "" and opened.detail == f"{shown} rows, page 1"
    assert patient not in opened.detail  # the filter is a patient's name: never recorded

    # Polls that find no change read nothing and record nothing.
    section = only_section(user)
    await polls_pass(section)
    assert len(events(demo_db, "claim_list")) == 1

    # A status change in the practice redraws the list: it shows the names again, one more read.
    move(demo_db, received.id, ClaimStatus.ACCEPTED)
    for _ in range(50):
        if section.refreshes:
            break
        await polls_pass(section, 1)
    assert section.refreshes == 1
    assert len(events(demo_db, "claim_list")) == 2
