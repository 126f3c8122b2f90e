"""Test factories: domain values with sensible defaults, overridden per test (make_x(**changes))."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

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
