"""Test factories: domain values with sensible defaults, overridden per test (make_x(**changes))."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claims import Claim, ClaimDiagnosis, ClaimLine, ClaimStatus, FrequencyCode
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
from domain.members import Coverage, Member
from domain.plans import BenefitPlan, FeeSchedule
from domain.practices import Location, Practice, Provider
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


# --- Revenue-cycle reports: practices and claims built field by field ---
# The report fixtures set every column a figure reads (status, dates, flags, amounts) by hand,
# so each expected figure can be worked out on paper; nothing goes through the pipeline.

EXAMINER = Actor(user_id=1, practice_id=None, roles=frozenset({Role.CLAIMS_EXAMINER}))


@dataclass(frozen=True)
class ReportPractice:
    """A practice with what its claims reference: two providers, a location, one member."""

    practice_id: int
    name: str
    provider_ids: tuple[int, int]
    location_id: int
    member_fk: int
    coverage_id: int

    @property
    def actor(self) -> Actor:
        return biller(self.practice_id)


def make_report_practices(session: Session, count: int = 2) -> list[ReportPractice]:
    """`count` practices (in an empty database) whose members are on an HMO plan."""
    fees = FeeSchedule(name="Report fixture fees", effective_from=date(2020, 1, 1))
    session.add(fees)
    session.flush()
    assert fees.id is not None
    plan = BenefitPlan(
        code="RPT-HMO",
        name="Report fixture HMO",
        product="HMO",
        network="Report network",
        fee_schedule_id=fees.id,
        individual_deductible=Decimal("1000.00"),
        family_deductible=Decimal("2000.00"),
        individual_oop_max=Decimal("5000.00"),
        family_oop_max=Decimal("10000.00"),
    )
    session.add(plan)
    session.flush()
    practices = []
    for number in range(1, count + 1):
        practice = Practice(
            name=f"Report Practice {number}",
            tin=f"9000000{number:02d}",
            group_npi=f"29000000{number:02d}",
        )
        session.add(practice)
        session.flush()
        assert practice.id is not None
        location = Location(
            practice_id=practice.id,
            name=f"Report Clinic {number}",
            address_line="1 Main St",
            city="Springfield",
            state="IL",
            postal_code="62701",
        )
        session.add(location)
        session.flush()
        providers = [
            Provider(
                practice_id=practice.id,
                location_id=location.id,
                npi=f"19000{number:02d}{index:03d}",
                first_name=first,
                last_name=f"Report{number}",
                taxonomy_code="207Q00000X",
                specialty="Family Medicine",
            )
            for index, first in enumerate(("Ada", "Ben"))
        ]
        session.add_all(providers)
        member = Member(
            member_id=f"RPT{number:08d}",
            family_id=f"RPT{number:07d}",
            first_name="Pat",
            last_name=f"Member{number}",
            date_of_birth=date(1980, 1, 1),
            sex="F",
        )
        session.add(member)
        session.flush()
        assert member.id is not None and plan.id is not None
        coverage = Coverage(
            member_fk=member.id,
            plan_id=plan.id,
            group_number="GRP-RPT",
            effective_date=date(2020, 1, 1),
        )
        session.add(coverage)
        session.flush()
        assert location.id and coverage.id and providers[0].id and providers[1].id
        practices.append(
            ReportPractice(
                practice_id=practice.id,
                name=practice.name,
                provider_ids=(providers[0].id, providers[1].id),
                location_id=location.id,
                member_fk=member.id,
                coverage_id=coverage.id,
            )
        )
    return practices


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


_report_claim_numbers = itertools.count(1)


def make_report_claim(
    session: Session,
    practice: ReportPractice,
    *,
    service: date,
    charge: str = "100.00",
    procedure: str = "99213",
    provider: int = 0,
    **fields: Any,
) -> Claim:
    """A claim of `practice` for one `procedure` on `service`, submitted at noon the day after
    and received (unless `fields` say otherwise: any Claim column can be set)."""
    number = next(_report_claim_numbers)
    values: dict[str, Any] = {
        "practice_id": practice.practice_id,
        "claim_number": f"RPT{number:09d}",
        "patient_control_number": f"PCN{number}",
        "member_fk": practice.member_fk,
        "coverage_id": practice.coverage_id,
        "billing_provider_id": practice.provider_ids[0],
        "rendering_provider_id": practice.provider_ids[provider],
        "location_id": practice.location_id,
        "place_of_service": "11",
        "principal_procedure": procedure,
        "service_date_from": service,
        "service_date_to": service,
        "status": ClaimStatus.RECEIVED,
        "submitted_at": noon(service + timedelta(days=1)),
        "total_charge": Decimal(charge),
    }
    values.update(fields)
    claim = Claim(**values)
    session.add(claim)
    session.flush()
    assert claim.id is not None
    session.add(
        ClaimLine(
            claim_id=claim.id,
            line_number=1,
            procedure_code=procedure,
            charge_amount=claim.total_charge,
            diagnosis_pointers="1",
            service_date=service,
        )
    )
    session.flush()
    return claim
