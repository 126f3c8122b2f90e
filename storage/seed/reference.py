"""Plan-side reference data every seed shares: procedure codes, fee schedules, benefit plans.

Fee schedules carry facility rates by place of service; plans carry what they pay per service
category (copay, coinsurance, deductible, visit limit, prior authorization).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.codes import PROCEDURES, ServiceCategory
from storage.seed.loader import Row, RowBatch, new_batch

C = ServiceCategory

# Places of service where a professional is paid the (lower) facility rate: the hospital
# supplies the room, staff and equipment (CMS's site-of-service differential).
FACILITY_POS = ("19", "22")
FACILITY_RATE = Decimal("0.80")
FACILITY_PRICED = frozenset(
    {C.PRIMARY_CARE, C.SPECIALIST, C.CARDIAC_TESTING, C.PROCEDURE, C.IMAGING}
)

# Allowed amount as a share of the typical charge, by category (commercial schedule).
COMMERCIAL_RATE: dict[ServiceCategory, Decimal] = {
    C.PREVENTIVE: Decimal("0.78"),
    C.PRIMARY_CARE: Decimal("0.72"),
    C.SPECIALIST: Decimal("0.70"),
    C.URGENT_CARE: Decimal("0.74"),
    C.EMERGENCY: Decimal("0.66"),
    C.LAB: Decimal("0.55"),
    C.IMAGING: Decimal("0.60"),
    C.ADVANCED_IMAGING: Decimal("0.50"),
    C.PHYSICAL_THERAPY: Decimal("0.70"),
    C.MENTAL_HEALTH: Decimal("0.75"),
    C.CARDIAC_TESTING: Decimal("0.60"),
    C.PROCEDURE: Decimal("0.62"),
}
HMO_DISCOUNT = Decimal("0.92")  # the HMO network's schedule pays a little less than commercial


@dataclass(frozen=True)
class BenefitTerms:
    """One category of one plan, in the integer cents the claim model computes with."""

    covered: bool
    copay_cents: int
    coinsurance_percent: int
    deductible_applies: bool
    visit_limit: int | None
    prior_auth_required: bool


@dataclass(frozen=True)
class PlanSpec:
    plan_pk: int
    code: str
    name: str
    product: str
    network: str
    fee_schedule_pk: int
    individual_deductible: Decimal
    family_deductible: Decimal
    individual_oop_max: Decimal
    family_oop_max: Decimal
    timely_filing_days: int
    # category -> (copay, coinsurance %, deductible applies, visit limit, prior auth required)
    benefits: dict[ServiceCategory, tuple[str, int, bool, int | None, bool]]

    @property
    def deductible_cents(self) -> int:
        return cents(self.individual_deductible)

    @property
    def oop_max_cents(self) -> int:
        return cents(self.individual_oop_max)


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def _benefits(
    office: tuple[str, str, str, str],
    share: int,
    *,
    deductible_for_office: bool,
    pt_limit: int,
) -> dict[ServiceCategory, tuple[str, int, bool, int | None, bool]]:
    """A plan's table from its office copays (primary, specialist, urgent, emergency) and its
    coinsurance. Preventive care is free (ACA section 2713). Mental health has no visit limit:
    parity law (MHPAEA) forbids limits stricter than medical care's."""
    primary, specialist, urgent, emergency = office
    ded = deductible_for_office
    share_office = share if deductible_for_office else 0
    return {
        C.PREVENTIVE: ("0", 0, False, None, False),
        C.PRIMARY_CARE: (primary, share_office, ded, None, False),
        C.SPECIALIST: (specialist, share_office, ded, None, False),
        C.URGENT_CARE: (urgent, share_office, ded, None, False),
        C.EMERGENCY: (emergency, share, True, None, False),
        C.LAB: ("0", share, True, None, False),
        C.IMAGING: ("0", share, True, None, False),
        # Every advanced-imaging code needs authorization, so the plan flags the category;
        # cardiac testing is mixed (an ECG needs none, an echo does): its codes carry the flag.
        C.ADVANCED_IMAGING: ("0", share, True, None, True),
        C.PHYSICAL_THERAPY: (primary, share_office, ded, pt_limit, False),
        C.MENTAL_HEALTH: (primary, share_office, ded, None, False),
        C.CARDIAC_TESTING: ("0", share, True, None, False),
        C.PROCEDURE: ("0", share, True, None, False),
    }


COMMERCIAL_SCHEDULE_PK = 1
HMO_SCHEDULE_PK = 2

HMO_PLAN_PK, PPO_PLAN_PK, EPO_PLAN_PK, HDHP_PLAN_PK = 1, 2, 3, 4

PLANS: tuple[PlanSpec, ...] = (
    PlanSpec(
        plan_pk=HMO_PLAN_PK,
        code="PH-HMO-SILVER",
        name="Portico Health HMO Silver",
        product="HMO",
        network="Portico Select",
        fee_schedule_pk=HMO_SCHEDULE_PK,
        individual_deductible=Decimal("500.00"),
        family_deductible=Decimal("1000.00"),
        individual_oop_max=Decimal("4500.00"),
        family_oop_max=Decimal("9000.00"),
        timely_filing_days=90,
        benefits=_benefits(("20", "40", "50", "250"), 20, deductible_for_office=False, pt_limit=20),
    ),
    PlanSpec(
        plan_pk=PPO_PLAN_PK,
        code="PH-PPO-GOLD",
        name="Portico Health PPO Gold",
        product="PPO",
        network="Portico Choice",
        fee_schedule_pk=COMMERCIAL_SCHEDULE_PK,
        individual_deductible=Decimal("1500.00"),
        family_deductible=Decimal("3000.00"),
        individual_oop_max=Decimal("6000.00"),
        family_oop_max=Decimal("12000.00"),
        timely_filing_days=180,
        benefits=_benefits(("25", "50", "75", "300"), 20, deductible_for_office=False, pt_limit=30),
    ),
    PlanSpec(
        plan_pk=EPO_PLAN_PK,
        code="PH-EPO-STANDARD",
        name="Portico Health EPO Standard",
        product="EPO",
        network="Portico Select",
        fee_schedule_pk=COMMERCIAL_SCHEDULE_PK,
        individual_deductible=Decimal("1000.00"),
        family_deductible=Decimal("2000.00"),
        individual_oop_max=Decimal("5500.00"),
        family_oop_max=Decimal("11000.00"),
        timely_filing_days=180,
        benefits=_benefits(("30", "60", "75", "300"), 20, deductible_for_office=False, pt_limit=25),
    ),
    PlanSpec(
        plan_pk=HDHP_PLAN_PK,
        code="PH-HSA-3300",
        name="Portico Health HSA 3300 (high deductible)",
        product="PPO",
        network="Portico Choice",
        fee_schedule_pk=COMMERCIAL_SCHEDULE_PK,
        individual_deductible=Decimal("3300.00"),
        family_deductible=Decimal("6600.00"),
        individual_oop_max=Decimal("7000.00"),
        family_oop_max=Decimal("14000.00"),
        timely_filing_days=180,
        # An HSA-qualified plan may not pay office visits before the deductible (IRS 223(c)).
        benefits=_benefits(("0", "0", "0", "0"), 10, deductible_for_office=True, pt_limit=20),
    ),
)
PLANS_BY_PK: dict[int, PlanSpec] = {plan.plan_pk: plan for plan in PLANS}


@dataclass
class Reference:
    """The reference rows plus the lookups the claim model prices and adjudicates with."""

    rows: RowBatch
    # (fee schedule pk, procedure code, place of service or None) -> allowed cents per unit
    fees: dict[tuple[int, str, str | None], int] = field(default_factory=dict)
    # (plan pk, category value) -> terms
    benefits: dict[tuple[int, str], BenefitTerms] = field(default_factory=dict)


def _rate(amount: Decimal, factor: Decimal) -> Decimal:
    return (amount * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build_reference(*, effective_from: date) -> Reference:
    """Procedure codes, two fee schedules and the four plans; ids are fixed small integers."""
    rows = new_batch()
    reference = Reference(rows=rows)
    for procedure in PROCEDURES:
        rows["procedurecode"].append(
            {
                "code": procedure.code,
                "description": procedure.description,
                "service_category": procedure.category.value,
                "prior_auth_required": procedure.prior_auth_required,
                "unlisted": procedure.code == "99999",
            }
        )
    schedules = (
        (COMMERCIAL_SCHEDULE_PK, "Portico Commercial", Decimal("1")),
        (HMO_SCHEDULE_PK, "Portico Select HMO", HMO_DISCOUNT),
    )
    entry_pk = 0
    for schedule_pk, label, discount in schedules:
        rows["feeschedule"].append(
            {
                "id": schedule_pk,
                "name": f"{label} {effective_from.year}",
                "effective_from": effective_from,
            }
        )
        for procedure in PROCEDURES:
            if procedure.code == "99999":
                continue  # an unlisted code has no price: an examiner prices it by hand
            allowed = _rate(
                procedure.typical_charge, COMMERCIAL_RATE[procedure.category] * discount
            )
            rates: list[tuple[str | None, Decimal]] = [(None, allowed)]
            if procedure.category in FACILITY_PRICED:
                facility = _rate(allowed, FACILITY_RATE)
                rates += [(pos, facility) for pos in FACILITY_POS]
            for pos, amount in rates:
                entry_pk += 1
                rows["feescheduleentry"].append(
                    {
                        "id": entry_pk,
                        "fee_schedule_id": schedule_pk,
                        "procedure_code": procedure.code,
                        "place_of_service": pos,
                        "allowed_amount": cents(amount),
                    }
                )
                reference.fees[(schedule_pk, procedure.code, pos)] = cents(amount)
    benefit_pk = 0
    for plan in PLANS:
        rows["benefitplan"].append(_plan_row(plan))
        for category in ServiceCategory:
            copay, share, deductible_applies, visit_limit, prior_auth = plan.benefits[category]
            benefit_pk += 1
            row: Row = {
                "id": benefit_pk,
                "plan_id": plan.plan_pk,
                "service_category": category.value,
                "covered": True,
                "copay": cents(Decimal(copay)),
                "coinsurance_percent": share,
                "deductible_applies": deductible_applies,
                "visit_limit": visit_limit,
                "prior_auth_required": prior_auth,
            }
            rows["planbenefit"].append(row)
            reference.benefits[(plan.plan_pk, category.value)] = BenefitTerms(
                covered=True,
                copay_cents=row["copay"],
                coinsurance_percent=share,
                deductible_applies=deductible_applies,
                visit_limit=visit_limit,
                prior_auth_required=prior_auth,
            )
    return reference


def _plan_row(plan: PlanSpec) -> Row:
    return {
        "id": plan.plan_pk,
        "code": plan.code,
        "name": plan.name,
        "product": plan.product,
        "network": plan.network,
        "fee_schedule_id": plan.fee_schedule_pk,
        "plan_year_start_month": 1,
        "individual_deductible": cents(plan.individual_deductible),
        "family_deductible": cents(plan.family_deductible),
        "individual_oop_max": cents(plan.individual_oop_max),
        "family_oop_max": cents(plan.family_oop_max),
        "timely_filing_days": plan.timely_filing_days,
        "pend_threshold": cents(Decimal("10000.00")),
    }
