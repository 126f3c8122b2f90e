"""Test factories: domain values with sensible defaults, overridden per test (make_x(**changes))."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claims import Claim, ClaimDiagnosis, ClaimLine, FrequencyCode
from domain.codes import ServiceCategory
from domain.eligibility import (
    CategoryBenefit,
    CoverageAnswer,
    CoveragePeriod,
    EligibilityAnswer,
    EligibilityInquiry,
    MemberSummary,
    ProcedureAnswer,
    VisitAllowance,
    accumulators,
    coverage_explanation,
    coverage_state,
)
from domain.members import Member
from domain.practices import Practice, Provider
from domain.roles import Role
from domain.scope import Actor

DATE_OF_SERVICE = date(2026, 6, 15)
COMPUTED_AT = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)


def make_inquiry(**changes: Any) -> EligibilityInquiry:
    values: dict[str, Any] = {
        "date_of_service": DATE_OF_SERVICE,
        "date_of_birth": date(1984, 3, 14),
        "member_id": "PT100000101",
        "last_name": "Thompson",
        "first_name": "Avery",
        "trace_number": "TRACE0001",
    }
    values.update(changes)
    return EligibilityInquiry(**values)


def make_member(**changes: Any) -> MemberSummary:
    values: dict[str, Any] = {
        "member_id": "PT100000101",
        "first_name": "Avery",
        "last_name": "Thompson",
        "date_of_birth": date(1984, 3, 14),
        "sex": "F",
        "family_id": "PT1000001",
        "relationship": "subscriber",
    }
    values.update(changes)
    return MemberSummary(**values)


def make_benefit(category: ServiceCategory, **changes: Any) -> CategoryBenefit:
    values: dict[str, Any] = {
        "service_category": category,
        "covered": True,
        "copay": Decimal("20.00"),
        "coinsurance_percent": 20,
        "deductible_applies": False,
        "visits": VisitAllowance(None, 0),
        "prior_auth_required": False,
    }
    values.update(changes)
    return CategoryBenefit(**values)


def make_coverage(
    *,
    date_of_service: date = DATE_OF_SERVICE,
    effective: date = date(2021, 1, 1),
    terminated: date | None = None,
    benefits: tuple[CategoryBenefit, ...] | None = None,
    **changes: Any,
) -> CoverageAnswer:
    """An HMO coverage; state and explanation follow from the dates and the date of service."""
    period = CoveragePeriod(effective, terminated)
    values: dict[str, Any] = {
        "order": 1,
        "plan_code": "HMO-SILVER",
        "plan_name": "Portico Health HMO Silver",
        "product": "HMO",
        "network": "Portico Select",
        "group_number": "GRP10001",
        "period": period,
        "state": coverage_state(period, date_of_service),
        "explanation": coverage_explanation(period, date_of_service),
        "pcp_name": "Maria Alvarez, MD",
        "pcp_npi": "1234567893",
        "pcp_practice_id": 1,
        "plan_year": date_of_service.year,
        "plan_year_start": date(date_of_service.year, 1, 1),
        "plan_year_end": date(date_of_service.year, 12, 31),
        "accumulators": accumulators(
            individual_deductible=Decimal("1500.00"),
            family_deductible=Decimal("3000.00"),
            individual_oop_max=Decimal("6000.00"),
            family_oop_max=Decimal("12000.00"),
            member_deductible_met=Decimal("250.00"),
            member_oop_met=Decimal("400.00"),
            family_deductible_met=Decimal("900.00"),
            family_oop_met=Decimal("1100.00"),
        ),
        "benefits": benefits
        if benefits is not None
        else (
            make_benefit(ServiceCategory.PRIMARY_CARE),
            make_benefit(ServiceCategory.SPECIALIST, copay=Decimal("45.00")),
            make_benefit(
                ServiceCategory.PHYSICAL_THERAPY,
                copay=Decimal("30.00"),
                visits=VisitAllowance(20, 15),
                deductible_applies=True,
            ),
            make_benefit(
                ServiceCategory.ADVANCED_IMAGING,
                copay=Decimal("0.00"),
                coinsurance_percent=30,
                deductible_applies=True,
                prior_auth_required=True,
            ),
            make_benefit(ServiceCategory.CARDIAC_TESTING, covered=False),
        ),
    }
    values.update(changes)
    return CoverageAnswer(**values)


def make_procedure(code: str = "99213", **changes: Any) -> ProcedureAnswer:
    values: dict[str, Any] = {
        "code": code,
        "description": "Established patient visit, low complexity",
        "service_category": ServiceCategory.PRIMARY_CARE,
        "covered": True,
        "prior_auth_required": False,
        "visit_limit_reached": False,
    }
    values.update(changes)
    return ProcedureAnswer(**values)


def make_answer(
    inquiry: EligibilityInquiry | None = None, *, matched: bool = True, **changes: Any
) -> EligibilityAnswer:
    """An answer for `inquiry`: by default the member found with one active HMO coverage."""
    inquiry = inquiry or make_inquiry()
    values: dict[str, Any] = {
        "transaction_id": "EL260615ABCDEF123456",
        "computed_at": COMPUTED_AT,
        "inquiry": inquiry,
        "member": make_member() if matched else None,
        "coverages": (make_coverage(date_of_service=inquiry.date_of_service),) if matched else (),
        "procedures": (),
    }
    values.update(changes)
    return EligibilityAnswer(**values)


def with_inquiry(answer: EligibilityAnswer, inquiry: EligibilityInquiry) -> EligibilityAnswer:
    return replace(answer, inquiry=inquiry)


# --- Claims ---

ALVAREZ, OKAFOR = "1538204102", "1538204284"  # Riverside's providers in the demo


def make_claim_entry(*, day: date | None = None, npi: str = ALVAREZ, **changes: Any) -> ClaimEntry:
    """A complete CMS-1500 entry for the demo's active HMO member (Avery Thompson): one office
    visit on `day` (default three days ago: no future date, well inside timely filing), billed
    and rendered by `npi`."""
    day = day or datetime.now(UTC).date() - timedelta(days=3)
    values: dict[str, Any] = {
        "member_id": "PT100000101",
        "member_date_of_birth": date(1984, 3, 14),
        "billing_npi": npi,
        "rendering_npi": npi,
        "place_of_service": "11",
        "service_date_from": day,
        "service_date_to": day,
        "diagnoses": ("J06.9",),
        "lines": (ServiceLineEntry("99213", Decimal("145.00"), (1,)),),
    }
    values.update(changes)
    return ClaimEntry(**values)


def entry_of_claim(session: Session, claim: Claim, **changes: Any) -> ClaimEntry:
    """A stored claim typed in again (for a replacement, a void or a claim like it)."""
    member = session.get(Member, claim.member_fk)
    billing = session.get(Provider, claim.billing_provider_id)
    rendering = session.get(Provider, claim.rendering_provider_id)
    assert member and billing and rendering
    diagnoses = session.exec(
        select(ClaimDiagnosis.icd10_code)
        .where(ClaimDiagnosis.claim_id == claim.id)
        .order_by(col(ClaimDiagnosis.sequence))
    ).all()
    lines = session.exec(
        select(ClaimLine).where(ClaimLine.claim_id == claim.id).order_by(col(ClaimLine.line_number))
    ).all()
    entry = ClaimEntry(
        member_id=member.member_id,
        member_date_of_birth=member.date_of_birth,
        billing_npi=billing.npi,
        rendering_npi=rendering.npi,
        place_of_service=claim.place_of_service,
        service_date_from=claim.service_date_from,
        service_date_to=claim.service_date_to,
        diagnoses=tuple(diagnoses),
        lines=tuple(
            ServiceLineEntry(
                line.procedure_code,
                line.charge_amount,
                tuple(int(p) for p in line.diagnosis_pointers.split(",")),
                line.units,
                tuple(m for m in line.modifiers.split(",") if m),
                line.service_date,
            )
            for line in lines
        ),
    )
    return replace(entry, **changes)


def practice_claim_entry(session: Session, actor: Actor, **changes: Any) -> ClaimEntry:
    """make_claim_entry billed and rendered by a provider of the actor's practice."""
    return make_claim_entry(npi=practice_npi(session, actor), **changes)


def correction_entry(session: Session, original: Claim, frequency: FrequencyCode) -> ClaimEntry:
    """A replacement (7) or void (8) of a stored claim, as a biller would type it."""
    return entry_of_claim(
        session, original, frequency_code=frequency, original_claim_number=original.claim_number
    )


def biller(practice_id: int, role: Role = Role.BILLING) -> Actor:
    """A practice user with one role (no user row behind it: enough for the use cases)."""
    return Actor(user_id=2, practice_id=practice_id, roles=frozenset({role}))


def practice_biller(session: Session, name: str = "Riverside", role: Role = Role.BILLING) -> Actor:
    """`biller` of the demo practice whose name starts with `name`."""
    practice = session.exec(
        select(Practice).where(col(Practice.name).startswith(name)).order_by(col(Practice.id))
    ).first()
    assert practice is not None and practice.id is not None
    return biller(practice.id, role)


def practice_npi(session: Session, actor: Actor) -> str:
    """An NPI of one of the actor's practice's providers."""
    npi = session.exec(
        select(Provider.npi)
        .where(Provider.practice_id == actor.practice_id)
        .order_by(col(Provider.id))
    ).first()
    assert npi is not None
    return npi
