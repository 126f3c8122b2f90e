"""The other practice's records the attack tests aim at: read from the test's demo database and,
for the kinds the demo seed does not write (kept eligibility checks and a batch, appeals with
attachments, claim drafts, a bulk import, saved views), made through the app's own use cases
as that practice's staff would make them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.appeals import AppealAttachment, file_appeal
from domain.claim_drafts import save_draft
from domain.claim_imports import ClaimImport
from domain.claims import Claim, ClaimStatus, Remittance
from domain.eligibility import EligibilityInquiry
from domain.eligibility_checks import EligibilityCheck
from domain.eligibility_service import check_and_keep, check_batch
from domain.members import Member
from domain.practices import Location, Practice, Provider
from domain.roles import Role
from domain.saved_views import SavedView, save_view
from domain.scope import Actor
from domain.users import User, UserRole
from storage.attachments import attachment_store
from storage.db import unit_of_work
from tests.factories import practice_claim_entry

RIVERSIDE = "Riverside Family Medicine"
LAKESIDE = "Lakeside Cardiology"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# Ids no table will reach in a test database: "missing" to compare every answer against.
MISSING_ID = 987654321


@dataclass
class Victims:
    """One practice's records and the values that would identify them on a page."""

    practice_id: int
    claims: list[int] = field(default_factory=list)
    remittances: list[int] = field(default_factory=list)
    checks: list[int] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    attachments: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    imports: list[int] = field(default_factory=list)
    views: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    plan_users: list[int] = field(default_factory=list)  # out of every practice admin's reach
    providers: list[int] = field(default_factory=list)
    locations: list[int] = field(default_factory=list)
    # Values that identify a record of this practice: claim numbers, member IDs, payment
    # numbers, amounts, names of files and views. None may show in another practice's answer.
    markers: dict[int | str, set[str]] = field(default_factory=dict)
    # Patients and member IDs with claims here and none at the attacking practice: a filter
    # by them must find exactly what a filter by a made-up value finds.
    own_patients: list[str] = field(default_factory=list)
    own_member_ids: list[str] = field(default_factory=list)
    own_claim_numbers: list[str] = field(default_factory=list)
    all_markers: set[str] = field(default_factory=set)
    # Claim amounts: proof of a leak on a not-found answer, but a page of the attacker's own
    # claims may show the same figure, so filter answers are not searched for them.
    amounts: set[str] = field(default_factory=set)
    # Every patient (last name) and member ID with claims here: members are the plan's, and in
    # the demo each also has claims at the attacking practice, so a filter by them may list
    # the attacker's own claims; it must never list one of this practice's claims.
    patients: list[str] = field(default_factory=list)
    member_ids: list[str] = field(default_factory=list)


def practice_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Practice.id).where(Practice.name == name)).one()
    assert found is not None
    return found


def actor_of(engine: Engine, email: str) -> Actor:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        roles = session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all()
    assert user.id is not None
    return Actor(user_id=user.id, practice_id=user.practice_id, roles=frozenset(roles))


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def plant_and_collect(engine: Engine, *, victim: str, attacker: str, at: datetime) -> Victims:
    """Make the records the seed lacks in `victim`'s practice, then list all of its records."""
    _plant(engine, victim, at)
    return _collect(engine, victim, attacker)


def _plant(engine: Engine, victim: str, at: datetime) -> None:
    _own_patient(engine, victim)
    admin = actor_of(engine, _email(victim, "admin"))
    billing = actor_of(engine, _email(victim, "billing"))
    victim_id = practice_id(engine, victim)
    with Session(engine) as session:
        members = session.exec(
            select(Member)
            .join(Claim, col(Claim.member_fk) == Member.id)
            .where(Claim.practice_id == victim_id)
            .distinct()
            .order_by(col(Member.id))
            .limit(12)
        ).all()
        denied = session.exec(
            select(Claim.id)
            .where(
                Claim.practice_id == victim_id,
                Claim.status == ClaimStatus.REMITTED,
                col(Claim.finalized_as).in_([ClaimStatus.DENIED, ClaimStatus.PARTIALLY_PAID]),
            )
            .order_by(col(Claim.id))
            .limit(3)
        ).all()
    inquiries = [
        EligibilityInquiry(
            date_of_service=at.date() - timedelta(days=3),
            date_of_birth=member.date_of_birth,
            member_id=member.member_id,
            last_name=member.last_name,
        )
        for member in members
    ]
    with unit_of_work(engine) as session:
        for inquiry in inquiries[:8]:
            check_and_keep(session, actor=billing, inquiry=inquiry, at=at)
        check_batch(session, actor=admin, inquiries=list(enumerate(inquiries[8:], start=2)), at=at)
    store = attachment_store()
    for number, claim_id in enumerate(denied):
        assert claim_id is not None
        with unit_of_work(engine) as session:
            file_appeal(
                session=session,
                actor=billing,
                claim_id=claim_id,
                reason="The visit notes attached show why the service was medically necessary.",
                attachments=[(f"visit notes {number} page {page}.pdf", PDF) for page in (1, 2)],
                store=store,
                at=at,
            )
    with unit_of_work(engine) as session:
        for number in range(4):
            entry = practice_claim_entry(session, billing, patient_control_number=f"DRAFT{number}")
            save_draft(session, actor=billing, entry=entry, at=at)
        if denied and denied[0] is not None:
            save_draft(
                session,
                actor=billing,
                entry=practice_claim_entry(session, billing),
                at=at,
                corrects_claim_id=denied[0],
            )
        for who, name, path in (
            (billing, "Lakeside denials to chase", "/reports/denials"),
            (billing, "Lakeside open claims", "/claims"),
            (admin, "Lakeside board pack", "/reports"),
        ):
            save_view(session=session, actor=who, name=name, path=path, query="status=denied")
        # A bulk import as the upload page leaves it (the import service itself is exercised
        # by tests/ui/test_claim_upload.py); what matters here is whose row it is.
        session.add(
            ClaimImport(
                practice_id=victim_id,
                user_id=billing.user_id,
                file_name="lakeside-week-47.csv",
                file_sha256=hashlib.sha256(b"lakeside-week-47").hexdigest(),
                file_format="csv",
                received_at=at,
                finished_at=at,
                total_claims=2,
                processed=2,
                accepted=1,
                rejected=1,
                rejections_json='[{"ordinal": 2, "locator": "row 3", "account": "LAKEACCT77",'
                ' "reason": "The member ID is not one of the plan\'s members."}]',
            )
        )


def _own_patient(engine: Engine, victim: str) -> None:
    """In the demo every member has claims at both practices; make one the victim's alone, with
    a name no other member has, so a filter by that patient must find nothing elsewhere. (The
    member's claims at other practices move to another member: plan data, as the seed writes.)"""
    victim_id = practice_id(engine, victim)
    with Session(engine) as session:
        member = session.exec(
            select(Member)
            .join(Claim, col(Claim.member_fk) == Member.id)
            .where(Claim.practice_id == victim_id)
            .order_by(col(Member.id))
        ).first()
        other = session.exec(select(Member).where(Member.id != member.id)).first()
        assert member is not None and other is not None
        for claim in session.exec(
            select(Claim).where(Claim.member_fk == member.id, Claim.practice_id != victim_id)
        ).all():
            claim.member_fk = other.id  # type: ignore[assignment]
            session.add(claim)
        member.last_name, member.first_name = "Quillfeather", "Zephyrine"
        session.add(member)
        session.commit()


def _email(practice_name: str, who: str) -> str:
    return f"{who}@{practice_name.split()[0].lower()}.example"


def _collect(engine: Engine, victim: str, attacker: str) -> Victims:
    victim_id = practice_id(engine, victim)
    attacker_id = practice_id(engine, attacker)
    found = Victims(practice_id=victim_id)
    with Session(engine) as session:

        def ids(model: type, *where: object) -> list[int]:
            rows = session.exec(
                select(model.id).where(model.practice_id == victim_id, *where)  # type: ignore[attr-defined]
            ).all()
            return sorted(row for row in rows if row is not None)

        found.remittances = ids(Remittance)
        found.checks = ids(EligibilityCheck)
        found.attachments = ids(AppealAttachment)
        found.imports = ids(ClaimImport)
        found.views = ids(SavedView)
        found.users = ids(User)
        found.plan_users = sorted(
            user_id
            for user_id in session.exec(
                select(User.id).where(col(User.practice_id).is_(None))
            ).all()
            if user_id is not None
        )
        found.providers = ids(Provider)
        found.locations = ids(Location)
        from domain.claim_drafts import ClaimDraft

        found.drafts = ids(ClaimDraft)
        found.batches = sorted(
            {
                batch
                for batch in session.exec(
                    select(EligibilityCheck.batch_id).where(
                        EligibilityCheck.practice_id == victim_id
                    )
                ).all()
                if batch
            }
        )
        claims = session.exec(
            select(Claim, Member)
            .join(Member, col(Member.id) == Claim.member_fk)
            .where(Claim.practice_id == victim_id)
            .order_by(col(Claim.id))
        ).all()
        attacker_members = set(
            session.exec(
                select(Claim.member_fk).where(Claim.practice_id == attacker_id).distinct()
            ).all()
        )
        attacker_names = {
            name.lower()
            for member in session.exec(
                select(Member).where(col(Member.id).in_(attacker_members))
            ).all()
            for name in (member.last_name, member.first_name)
        }
        for claim, member in claims:
            assert claim.id is not None
            found.claims.append(claim.id)
            values = {claim.claim_number, member.member_id}
            if claim.total_charge > 0:
                found.amounts.add(_money(claim.total_charge))
            if (
                member.id not in attacker_members
                and not {
                    member.last_name.lower(),
                    member.first_name.lower(),
                }
                & attacker_names
            ):
                values |= {f"{member.last_name}, {member.first_name}"}
                if member.last_name not in found.own_patients:
                    found.own_patients.append(member.last_name)
                if member.member_id not in found.own_member_ids:
                    found.own_member_ids.append(member.member_id)
            found.own_claim_numbers.append(claim.claim_number)
            if member.last_name not in found.patients:
                found.patients.append(member.last_name)
            if member.member_id not in found.member_ids:
                found.member_ids.append(member.member_id)
            found.markers[f"claim:{claim.id}"] = values
        for remittance in session.exec(
            select(Remittance).where(Remittance.practice_id == victim_id)
        ).all():
            found.markers[f"remittance:{remittance.id}"] = {remittance.payment_number}
        for attachment in session.exec(
            select(AppealAttachment).where(AppealAttachment.practice_id == victim_id)
        ).all():
            found.markers[f"attachment:{attachment.id}"] = {
                attachment.original_name,
                attachment.stored_name,
            }
        for view in session.exec(select(SavedView).where(SavedView.practice_id == victim_id)):
            found.markers[f"view:{view.id}"] = {view.name}
        for check in session.exec(
            select(EligibilityCheck).where(EligibilityCheck.practice_id == victim_id)
        ).all():
            found.markers[f"check:{check.id}"] = {check.transaction_id}
        found.markers["import"] = {"lakeside-week-47.csv", "LAKEACCT77"}
        for user in session.exec(select(User).where(User.practice_id == victim_id)).all():
            found.markers[f"user:{user.id}"] = {user.email, user.full_name}
        found.markers["practice"] = {victim}
    found.all_markers = set().union(*found.markers.values())
    return found


def is_practice_role(role: Role) -> bool:
    return not role.is_plan_side


def utc_now() -> datetime:
    return datetime.now(UTC)
