"""Claim list and claim detail as a practice (or a claims examiner) may see them.

Every query starts from the caller's scope, so a claim of another practice is reported exactly
like one that does not exist, and every look at a claim (PHI) leaves an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from domain import audit
from domain.claims import (
    FINALIZED,
    AdjustmentGroup,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatus,
    ClaimStatusEvent,
    FrequencyCode,
    Remittance,
)
from domain.codes import CARC, PLACES_OF_SERVICE, PROCEDURES_BY_CODE, RARC, STATUS_CATEGORY
from domain.members import Coverage, Member
from domain.plans import BenefitPlan
from domain.practices import Location, Practice, Provider
from domain.roles import Area
from domain.scope import Actor, NotFound, get_scoped, within_scope

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def standing() -> ColumnElement[ClaimStatus]:
    """Where a claim stands for the practice: once an 835 has carried it (status remitted), the
    outcome it was finalized with (paid, partially paid, denied); before that, its status."""
    return case(
        (col(Claim.status) == ClaimStatus.REMITTED, col(Claim.finalized_as)),
        else_=col(Claim.status),
    )


def stands_at(value: ClaimStatus) -> ColumnElement[bool]:
    """The filter for one standing, written so the (practice_id, status) index can serve it."""
    if value in FINALIZED:
        return or_(
            col(Claim.status) == value,
            and_(col(Claim.status) == ClaimStatus.REMITTED, col(Claim.finalized_as) == value),
        )
    return col(Claim.status) == value


def standing_of(claim: Claim) -> ClaimStatus:
    if claim.status == ClaimStatus.REMITTED and claim.finalized_as is not None:
        return claim.finalized_as
    return claim.status


def claim_counts_by_standing(*, session: Session, actor: Actor) -> dict[ClaimStatus, int]:
    """Claims per standing: a partition, so the counts add up to all of the caller's claims."""
    actor.require(Area.CLAIMS)
    where = standing()
    counts: dict[ClaimStatus, int] = {}
    for value, number in session.exec(
        within_scope(select(where, func.count()).group_by(where), Claim, actor)
    ).all():
        key = value or ClaimStatus.REMITTED  # remitted without a recorded outcome
        counts[key] = counts.get(key, 0) + number
    return counts


@dataclass(frozen=True)
class ClaimRow:
    claim_id: int
    claim_number: str
    member_name: str
    service_date: date
    provider_name: str
    status: ClaimStatus
    standing: ClaimStatus
    total_charge: Decimal
    paid_amount: Decimal
    practice_name: str

    @property
    def remitted(self) -> bool:
        return self.status == ClaimStatus.REMITTED


@dataclass(frozen=True)
class ClaimPage:
    rows: list[ClaimRow]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def search_claims(
    *,
    session: Session,
    actor: Actor,
    status: ClaimStatus | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ClaimPage:
    """One page of the caller's claims, newest date of service first, optionally only those
    standing at `status` (a denied claim stays denied after its 835)."""
    actor.require(Area.CLAIMS)
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)

    count = within_scope(select(func.count()).select_from(Claim), Claim, actor)
    if status is not None:
        count = count.where(stands_at(status))
    total = session.exec(count).one()

    # The page's ids first, from the claim table alone (an index walk), then the joins for just
    # those ids: sorting the joined rows of a whole plan would cost a second at 300k claims.
    page_query = within_scope(select(Claim.id), Claim, actor)
    if status is not None:
        page_query = page_query.where(stands_at(status))
    page_ids = list(
        session.exec(
            page_query.order_by(col(Claim.service_date_from).desc(), col(Claim.id).desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
    )
    rendering = aliased(Provider)
    joined = session.exec(
        within_scope(
            select(Claim, Member, rendering, Practice)
            .join(Member, col(Member.id) == Claim.member_fk)
            .join(rendering, col(rendering.id) == Claim.rendering_provider_id)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(col(Claim.id).in_(page_ids)),
            Claim,
            actor,
        )
    ).all()
    position = {claim_id: index for index, claim_id in enumerate(page_ids)}
    rows = [
        ClaimRow(
            claim_id=claim.id or 0,
            claim_number=claim.claim_number,
            member_name=member.display_name,
            service_date=claim.service_date_from,
            provider_name=provider.display_name,
            status=claim.status,
            standing=standing_of(claim),
            total_charge=claim.total_charge,
            paid_amount=claim.paid_amount,
            practice_name=practice.name,
        )
        for claim, member, provider, practice in sorted(
            joined, key=lambda row: position[row[0].id or 0]
        )
    ]
    return ClaimPage(rows=rows, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class Adjustment:
    group_code: AdjustmentGroup
    carc: str
    carc_description: str
    rarc: str | None
    rarc_description: str | None
    amount: Decimal


@dataclass(frozen=True)
class LineDetail:
    line_number: int
    service_date: date
    procedure_code: str
    procedure_description: str
    modifiers: str
    units: int
    diagnosis_pointers: str
    charge_amount: Decimal
    allowed_amount: Decimal
    deductible_amount: Decimal
    coinsurance_amount: Decimal
    copay_amount: Decimal
    paid_amount: Decimal
    adjustments: list[Adjustment]


@dataclass(frozen=True)
class TimelineStep:
    status: ClaimStatus
    category_code: str
    category_description: str
    status_code: str
    occurred_at: datetime
    source: str
    transaction_id: str
    note: str


@dataclass(frozen=True)
class ClaimDetail:
    claim_id: int
    claim_number: str
    patient_control_number: str
    practice_name: str
    status: ClaimStatus
    standing: ClaimStatus
    status_changed_at: datetime
    frequency_code: FrequencyCode
    member_name: str
    member_id: str
    member_date_of_birth: date
    plan_name: str | None
    group_number: str | None
    billing_provider: str
    billing_npi: str
    rendering_provider: str
    rendering_npi: str
    location_name: str | None
    place_of_service: str
    place_of_service_description: str
    service_date_from: date
    service_date_to: date
    submitted_at: datetime | None
    finalized_at: datetime | None
    transaction_id: str | None
    total_charge: Decimal
    allowed_amount: Decimal
    paid_amount: Decimal
    patient_responsibility: Decimal
    patient_paid_amount: Decimal
    denial_carc: str | None
    denial_description: str | None
    rejection_reason: str | None
    payment_number: str | None
    payment_date: date | None
    diagnoses: list[str]
    lines: list[LineDetail]
    timeline: list[TimelineStep]

    @property
    def contractual_adjustment(self) -> Decimal:
        # billed = allowed + contractual adjustment (CO), for a claim that has been adjudicated
        return self.total_charge - self.allowed_amount if self.allowed_amount else Decimal("0.00")

    @property
    def patient_balance(self) -> Decimal:
        return self.patient_responsibility - self.patient_paid_amount


def format_icd10(code: str) -> str:
    """ICD-10-CM is stored without its dot (as X12 carries it); people read it with one."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def read_claim(
    *, session: Session, actor: Actor, claim_id: int, at: datetime
) -> ClaimDetail | None:
    """The claim with its lines, EOB adjustments and timeline, or None if the caller has no such
    claim. Both outcomes are audited: a read is a look at PHI, a miss may be someone probing ids."""
    actor.require(Area.CLAIMS)
    try:
        claim = get_scoped(session, Claim, claim_id, actor)
    except NotFound:
        audit.record_by(
            session,
            actor,
            action="read",
            at=at,
            entity_type="claim",
            entity_id=claim_id,
            outcome="not_found",
        )
        return None
    assert claim.id is not None
    audit.record_by(
        session,
        actor,
        action="read",
        at=at,
        practice_id=claim.practice_id,  # an examiner's read is filed under the claim's practice
        entity_type="claim",
        entity_id=claim.id,
    )
    return _detail(session, claim)


def _detail(session: Session, claim: Claim) -> ClaimDetail:
    assert claim.id is not None
    member = session.get(Member, claim.member_fk)
    practice = session.get(Practice, claim.practice_id)
    billing = session.get(Provider, claim.billing_provider_id)
    rendering = session.get(Provider, claim.rendering_provider_id)
    assert member and practice and billing and rendering, "claim references are enforced by FKs"
    location = session.get(Location, claim.location_id) if claim.location_id else None
    coverage = session.get(Coverage, claim.coverage_id) if claim.coverage_id else None
    plan = session.get(BenefitPlan, coverage.plan_id) if coverage else None
    remittance = session.get(Remittance, claim.remittance_id) if claim.remittance_id else None

    diagnoses = session.exec(
        select(ClaimDiagnosis.icd10_code)
        .where(ClaimDiagnosis.claim_id == claim.id)
        .order_by(col(ClaimDiagnosis.sequence))
    ).all()
    lines = session.exec(
        select(ClaimLine).where(ClaimLine.claim_id == claim.id).order_by(col(ClaimLine.line_number))
    ).all()
    line_ids = [line.id for line in lines]
    adjustments_by_line: dict[int, list[Adjustment]] = {}
    if line_ids:
        for adjustment in session.exec(
            select(ClaimLineAdjustment)
            .where(col(ClaimLineAdjustment.claim_line_id).in_(line_ids))
            .order_by(col(ClaimLineAdjustment.id))
        ).all():
            adjustments_by_line.setdefault(adjustment.claim_line_id, []).append(
                Adjustment(
                    group_code=adjustment.group_code,
                    carc=adjustment.carc,
                    carc_description=CARC.get(adjustment.carc, "Other adjustment"),
                    rarc=adjustment.rarc,
                    rarc_description=RARC.get(adjustment.rarc) if adjustment.rarc else None,
                    amount=adjustment.amount,
                )
            )
    events = session.exec(
        select(ClaimStatusEvent)
        .where(ClaimStatusEvent.claim_id == claim.id)
        .order_by(col(ClaimStatusEvent.occurred_at), col(ClaimStatusEvent.id))
    ).all()

    return ClaimDetail(
        claim_id=claim.id,
        claim_number=claim.claim_number,
        patient_control_number=claim.patient_control_number,
        practice_name=practice.name,
        status=claim.status,
        standing=standing_of(claim),
        status_changed_at=claim.status_changed_at,
        frequency_code=claim.frequency_code,
        member_name=member.display_name,
        member_id=member.member_id,
        member_date_of_birth=member.date_of_birth,
        plan_name=plan.name if plan else None,
        group_number=coverage.group_number if coverage else None,
        billing_provider=billing.display_name,
        billing_npi=billing.npi,
        rendering_provider=rendering.display_name,
        rendering_npi=rendering.npi,
        location_name=location.name if location else None,
        place_of_service=claim.place_of_service,
        place_of_service_description=PLACES_OF_SERVICE.get(claim.place_of_service, ""),
        service_date_from=claim.service_date_from,
        service_date_to=claim.service_date_to,
        submitted_at=claim.submitted_at,
        finalized_at=claim.finalized_at,
        transaction_id=claim.transaction_id,
        total_charge=claim.total_charge,
        allowed_amount=claim.allowed_amount,
        paid_amount=claim.paid_amount,
        patient_responsibility=claim.patient_responsibility,
        patient_paid_amount=claim.patient_paid_amount,
        denial_carc=claim.denial_carc,
        denial_description=CARC.get(claim.denial_carc) if claim.denial_carc else None,
        rejection_reason=claim.rejection_reason,
        payment_number=remittance.payment_number if remittance else None,
        payment_date=remittance.payment_date if remittance else None,
        diagnoses=[format_icd10(code) for code in diagnoses],
        lines=[
            LineDetail(
                line_number=line.line_number,
                service_date=line.service_date,
                procedure_code=line.procedure_code,
                procedure_description=(
                    info.description
                    if (info := PROCEDURES_BY_CODE.get(line.procedure_code))
                    else ""
                ),
                modifiers=line.modifiers,
                units=line.units,
                diagnosis_pointers=line.diagnosis_pointers,
                charge_amount=line.charge_amount,
                allowed_amount=line.allowed_amount,
                deductible_amount=line.deductible_amount,
                coinsurance_amount=line.coinsurance_amount,
                copay_amount=line.copay_amount,
                paid_amount=line.paid_amount,
                adjustments=adjustments_by_line.get(line.id or 0, []),
            )
            for line in lines
        ],
        timeline=[
            TimelineStep(
                status=event.status,
                category_code=event.category_code,
                category_description=STATUS_CATEGORY.get(event.category_code, ""),
                status_code=event.status_code,
                occurred_at=event.occurred_at,
                source=event.source,
                transaction_id=event.transaction_id,
                note=event.note,
            )
            for event in events
        ],
    )
