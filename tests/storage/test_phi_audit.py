"""PHI leaving the portal or listed on a page is audited (issue #6): batch eligibility files,
claim import rejections and 999s, a kept check's PDF, and each page of the claim, remittance and
pended-claim lists. Each event names the actor, practice, action and record, and its detail
holds counts only: never a patient's name, member ID or account number, nor a list's filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.auth import actor_for
from domain.claim_filters import ClaimFilters
from domain.claim_import_service import export_import, run_import
from domain.claim_queries import list_claims
from domain.claims import Claim
from domain.eligibility import EligibilityInquiry
from domain.eligibility_checks import EligibilityCheck
from domain.eligibility_service import check_batch, export_batch, get_check
from domain.examiner import QueueFilters, pended_claims
from domain.members import Member
from domain.practices import Practice
from domain.remittance_advice import list_remittances
from domain.scope import Actor, NotAuthorized, NotFound
from domain.users import User
from interop.claim_file import read_claim_file
from interop.claims_csv import entries_to_csv
from storage.db import unit_of_work
from storage.seed.demo import SHOWCASE_BY_KEY
from tests.factories import OKAFOR, make_claim_entry

AT = datetime.now(UTC) + timedelta(minutes=1)  # the demo is seeded up to now
IP = "203.0.113.9"


@pytest.fixture
def session(seeded_engine: Engine):  # type: ignore[no-untyped-def]
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def actor(session: Session, email: str) -> Actor:
    user = session.exec(select(User).where(User.email == email)).one()
    assert user.id is not None
    found = actor_for(session, user.id, source_ip=IP)
    assert found is not None
    return found


def practice_id(session: Session, name: str) -> int:
    found = session.exec(select(Practice.id).where(Practice.name == name)).one()
    assert found is not None
    return found


def events(session: Session, entity_type: str) -> list[AuditEvent]:
    session.flush()
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type)
            .order_by(col(AuditEvent.id))
        ).all()
    )


def assert_by(event: AuditEvent, who: Actor, *, action: str, entity_id: str = "") -> None:
    assert (event.user_id, event.practice_id, event.source_ip) == (
        who.user_id,
        who.practice_id,
        IP,
    )
    assert (event.action, event.entity_id, event.outcome) == (action, entity_id, "ok")
    assert event.occurred_at is not None


def inquiry(key: str) -> EligibilityInquiry:
    member = SHOWCASE_BY_KEY[key]
    return EligibilityInquiry(
        date_of_service=date.today(),
        date_of_birth=member.date_of_birth,
        member_id=member.member_id,
    )


def no_phi(detail: str, *members: object) -> None:
    for member in members:
        for value in (member.member_id, member.last_name, member.first_name):  # type: ignore[attr-defined]
            assert value.lower() not in detail.lower(), detail


def test_a_batch_file_is_an_export_of_its_batch_and_another_practice_cannot_claim_it(
    session: Session,
) -> None:
    frontdesk = actor(session, "frontdesk@riverside.example")
    outcome = check_batch(
        session,
        actor=frontdesk,
        inquiries=[(2, inquiry("active_hmo")), (3, inquiry("terminated"))],
        at=AT,
    )
    export_batch(
        session, actor=frontdesk, batch_id=outcome.batch_id, file_kind="csv", rows=2, at=AT
    )
    export_batch(
        session, actor=frontdesk, batch_id=outcome.batch_id, file_kind="271", rows=2, at=AT
    )
    csv, x12 = events(session, "eligibility_batch")
    assert_by(csv, frontdesk, action="export", entity_id=outcome.batch_id)
    assert (csv.detail, x12.detail) == ("csv, 2 rows", "271, 2 rows")
    no_phi(csv.detail, SHOWCASE_BY_KEY["active_hmo"], SHOWCASE_BY_KEY["terminated"])

    # Lakeside cannot file an export of Riverside's batch: it is not found, and nothing is kept.
    with pytest.raises(NotFound):
        export_batch(
            session,
            actor=actor(session, "billing@lakeside.example"),
            batch_id=outcome.batch_id,
            file_kind="csv",
            rows=2,
            at=AT,
        )
    with pytest.raises(NotAuthorized):  # clinical staff do not open eligibility
        export_batch(
            session,
            actor=actor(session, "clinical@riverside.example"),
            batch_id=outcome.batch_id,
            file_kind="csv",
            rows=2,
            at=AT,
        )
    assert len(events(session, "eligibility_batch")) == 2


def test_a_kept_check_pdf_is_an_export_apart_from_the_page_read(session: Session) -> None:
    frontdesk = actor(session, "frontdesk@riverside.example")
    outcome = check_batch(session, actor=frontdesk, inquiries=[(2, inquiry("active_hmo"))], at=AT)
    kept = session.exec(
        select(EligibilityCheck).where(EligibilityCheck.batch_id == outcome.batch_id)
    ).one()
    assert kept.id is not None
    get_check(session, actor=frontdesk, check_id=kept.id, at=AT)
    get_check(session, actor=frontdesk, check_id=kept.id, at=AT, action="export")
    read, pdf = events(session, "eligibility_check")
    assert_by(read, frontdesk, action="read", entity_id=str(kept.id))
    assert_by(pdf, frontdesk, action="export", entity_id=str(kept.id))
    assert pdf.detail == "pdf"


def test_import_rejections_and_999_are_exports_of_the_import(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        billing = actor(session, "billing@riverside.example")
        lakeside = actor(session, "billing@lakeside.example")
    day = AT.date() - timedelta(days=3)
    good = make_claim_entry(day=day, rendering_npi=OKAFOR, patient_control_number="RFM-PHI-1")
    # No member has this date of birth with this member ID: rejected, named by its account.
    bad = replace(
        good,
        patient_control_number="RFM-PHI-2",
        member_date_of_birth=SHOWCASE_BY_KEY["terminated"].date_of_birth,
    )
    claim_file = read_claim_file(
        entries_to_csv([good, bad]).encode(), file_name="claims.csv", at=AT
    )
    result = run_import(
        unit_of_work=lambda: unit_of_work(seeded_engine),
        actor=billing,
        claim_file=claim_file,
        at=AT,
    )
    assert result.rejected == 1

    with unit_of_work(seeded_engine) as session:
        exported = export_import(
            session, actor=billing, import_id=result.import_id, file_kind="rejections", at=AT
        )
        assert [r.account for r in exported.rejections] == ["RFM-PHI-2"]
        export_import(session, actor=billing, import_id=result.import_id, file_kind="999", at=AT)
    with unit_of_work(seeded_engine) as session, pytest.raises(NotFound):
        export_import(session, actor=lakeside, import_id=result.import_id, file_kind="999", at=AT)
    with Session(seeded_engine) as session:
        found = [e for e in events(session, "claim_import") if e.action == "export"]
        member = session.exec(
            select(Member).where(Member.member_id == good.member_id.upper())
        ).first()
    rejections, ack = found
    assert_by(rejections, billing, action="export", entity_id=str(result.import_id))
    assert_by(ack, billing, action="export", entity_id=str(result.import_id))
    assert (rejections.detail, ack.detail) == ("rejections csv, 1 rows", "999 acknowledgement")
    assert "RFM-PHI" not in rejections.detail
    if member is not None:
        no_phi(rejections.detail, member)


def test_each_claim_list_page_is_a_read_without_its_filters(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    riverside = practice_id(session, "Riverside Family Medicine")
    member = session.exec(
        select(Member)
        .join(Claim, col(Claim.member_fk) == col(Member.id))
        .where(Claim.practice_id == riverside)
    ).first()
    assert member is not None
    listing = list_claims(session=session, actor=billing, filters=ClaimFilters(page_size=10), at=AT)
    named = list_claims(
        session=session,
        actor=billing,
        filters=ClaimFilters(member_name=member.last_name, member_id=member.member_id),
        at=AT,
    )
    first, second = events(session, "claim_list")
    assert_by(first, billing, action="read")
    assert first.practice_id == riverside
    assert first.detail == f"{len(listing.page.rows)} rows, page 1"
    assert second.detail == f"{len(named.page.rows)} rows, page 1"
    no_phi(second.detail, member)


def test_each_remittance_list_is_a_read(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    rows = list_remittances(session=session, actor=billing, at=AT)
    [event] = events(session, "remittance_list")
    assert_by(event, billing, action="read")
    assert event.detail == f"{len(rows)} rows, page 1"
    with pytest.raises(NotAuthorized):  # refused before anything is read or recorded
        list_remittances(session=session, actor=actor(session, "clinical@riverside.example"), at=AT)
    assert len(events(session, "remittance_list")) == 1


def test_each_pended_claims_page_is_a_read_by_the_examiner(session: Session) -> None:
    examiner = actor(session, "examiner@plan.example")
    riverside = practice_id(session, "Riverside Family Medicine")
    page = pended_claims(
        session=session, actor=examiner, filters=QueueFilters(practice_id=riverside), at=AT
    )
    [event] = events(session, "pended_claims")
    assert_by(event, examiner, action="read")
    assert event.practice_id is None  # plan staff belong to no practice
    assert event.detail == f"{len(page.rows)} rows, page {page.page}"
