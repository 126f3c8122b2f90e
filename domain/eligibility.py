"""Eligibility and benefit rules: coverage on a date of service, the plan year, accumulators met
and remaining, visit limits, and whether a procedure needs prior authorization.

Pure functions over values; the same rules serve the eligibility check and claims adjudication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.codes import ServiceCategory

ZERO = Decimal("0.00")


class CoverageState(StrEnum):
    ACTIVE = "active"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    TERMINATED = "terminated"


@dataclass(frozen=True)
class CoveragePeriod:
    effective_date: date
    termination_date: date | None  # the last covered day; None = open-ended


def coverage_state(period: CoveragePeriod, date_of_service: date) -> CoverageState:
    """Both ends are inclusive: covered on the effective date and on the termination date."""
    if date_of_service < period.effective_date:
        return CoverageState.NOT_YET_EFFECTIVE
    if period.termination_date is not None and date_of_service > period.termination_date:
        return CoverageState.TERMINATED
    return CoverageState.ACTIVE


def coverage_explanation(period: CoveragePeriod, date_of_service: date) -> str:
    """Why a coverage is or is not active on the date, in the words a front desk needs."""
    state = coverage_state(period, date_of_service)
    if state is CoverageState.NOT_YET_EFFECTIVE:
        return f"Not yet effective: coverage starts {period.effective_date:%m/%d/%Y}"
    if state is CoverageState.TERMINATED:
        assert period.termination_date is not None
        return f"Terminated on {period.termination_date:%m/%d/%Y}"
    if period.termination_date is None:
        return f"Active since {period.effective_date:%m/%d/%Y}"
    return f"Active {period.effective_date:%m/%d/%Y} through {period.termination_date:%m/%d/%Y}"


def plan_year_of(day: date, *, start_month: int) -> int:
    """A plan year is named by the calendar year it starts in (July plan: 2026-07..2027-06)."""
    return day.year if day.month >= start_month else day.year - 1


def plan_year_bounds(plan_year: int, *, start_month: int) -> tuple[date, date]:
    start = date(plan_year, start_month, 1)
    end = date(plan_year + 1, start_month, 1) - timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class MetAndRemaining:
    limit: Decimal
    met: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.limit - self.met)

    @property
    def is_met(self) -> bool:
        return self.remaining == ZERO


@dataclass(frozen=True)
class Accumulators:
    """Deductible and out-of-pocket for one member and their family in one plan year."""

    individual_deductible: MetAndRemaining
    family_deductible: MetAndRemaining
    individual_out_of_pocket: MetAndRemaining
    family_out_of_pocket: MetAndRemaining

    @property
    def deductible_remaining(self) -> Decimal:
        """Embedded family deductible: once the family's is met, every member's is met."""
        return min(self.individual_deductible.remaining, self.family_deductible.remaining)

    @property
    def out_of_pocket_remaining(self) -> Decimal:
        return min(self.individual_out_of_pocket.remaining, self.family_out_of_pocket.remaining)


def accumulators(
    *,
    individual_deductible: Decimal,
    family_deductible: Decimal,
    individual_oop_max: Decimal,
    family_oop_max: Decimal,
    member_deductible_met: Decimal,
    member_oop_met: Decimal,
    family_deductible_met: Decimal,
    family_oop_met: Decimal,
) -> Accumulators:
    """Family figures are the sums over every member of the family (the member included)."""
    return Accumulators(
        individual_deductible=MetAndRemaining(individual_deductible, member_deductible_met),
        family_deductible=MetAndRemaining(family_deductible, family_deductible_met),
        individual_out_of_pocket=MetAndRemaining(individual_oop_max, member_oop_met),
        family_out_of_pocket=MetAndRemaining(family_oop_max, family_oop_met),
    )


@dataclass(frozen=True)
class VisitAllowance:
    limit: int | None  # None = no limit
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def is_reached(self) -> bool:
        """Reached when every allowed visit is used: the next one is not covered."""
        return self.limit is not None and self.used >= self.limit


@dataclass(frozen=True)
class CategoryBenefit:
    service_category: ServiceCategory
    covered: bool
    copay: Decimal
    coinsurance_percent: int
    deductible_applies: bool
    visits: VisitAllowance
    prior_auth_required: bool


def requires_prior_authorization(
    *, procedure_requires: bool, category_benefit: CategoryBenefit | None
) -> bool:
    """The single prior-auth rule: the code is on the plan's list, or its whole service
    category needs authorization under this plan. Adjudication (CARC 197) uses it too."""
    if procedure_requires:
        return True
    return category_benefit is not None and category_benefit.prior_auth_required


# --- The inquiry and the answer: what a check takes and gives, in the portal and in X12 ---


class NameOrIdRequired(ValueError):
    """No partial-identifier fishing: a member ID or a full name, and always the DOB."""


@dataclass(frozen=True)
class EligibilityInquiry:
    date_of_service: date
    date_of_birth: date
    member_id: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    procedure_codes: tuple[str, ...] = ()
    place_of_service: str | None = None
    trace_number: str | None = None  # 270 TRN02, echoed in the 271

    def problems(self) -> list[str]:
        """What to fix before the inquiry can run (empty when it can)."""
        found: list[str] = []
        has_id = bool(self.member_id and self.member_id.strip())
        has_name = bool(
            self.last_name
            and self.last_name.strip()
            and self.first_name
            and self.first_name.strip()
        )
        if not has_id and not has_name:
            found.append("Enter the member ID, or the member's last and first name.")
        for code in self.procedure_codes:
            if not (len(code) == 5 and code.isalnum()):
                found.append(f"'{code}' is not a procedure code (5 characters, e.g. 99213).")
        return found


@dataclass(frozen=True)
class MemberSummary:
    member_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str
    family_id: str
    relationship: str


@dataclass(frozen=True)
class CoverageAnswer:
    order: int  # 1 primary, 2 secondary
    plan_code: str
    plan_name: str
    product: str
    network: str
    group_number: str
    period: CoveragePeriod
    state: CoverageState
    explanation: str
    pcp_name: str | None
    pcp_npi: str | None
    pcp_practice_id: int | None
    plan_year: int
    plan_year_start: date
    plan_year_end: date
    accumulators: Accumulators
    benefits: tuple[CategoryBenefit, ...]

    @property
    def is_active(self) -> bool:
        return self.state is CoverageState.ACTIVE

    def benefit_for(self, category: ServiceCategory) -> CategoryBenefit | None:
        return next((b for b in self.benefits if b.service_category == category), None)


@dataclass(frozen=True)
class ProcedureAnswer:
    code: str
    description: str | None  # None: the plan does not know this code
    service_category: ServiceCategory | None
    covered: bool
    prior_auth_required: bool
    visit_limit_reached: bool


class Problem(StrEnum):
    """What a batch lists first, worst first."""

    NO_MATCH = "no_match"
    NOT_ACTIVE = "not_active"
    TERMINATED = "terminated"
    PCP_MISMATCH = "pcp_mismatch"
    VISIT_LIMIT_REACHED = "visit_limit_reached"
    PRIOR_AUTH_NEEDED = "prior_auth_needed"
    NOT_COVERED = "not_covered"

    @property
    def label(self) -> str:
        return PROBLEM_LABELS[self]


PROBLEM_LABELS = {
    Problem.NO_MATCH: "No match",
    Problem.NOT_ACTIVE: "Not active on the date of service",
    Problem.TERMINATED: "Coverage terminated",
    Problem.PCP_MISMATCH: "PCP is at another practice",
    Problem.VISIT_LIMIT_REACHED: "Visit limit reached",
    Problem.PRIOR_AUTH_NEEDED: "Prior authorization needed",
    Problem.NOT_COVERED: "Service not covered",
}


@dataclass(frozen=True)
class EligibilityAnswer:
    transaction_id: str
    computed_at: datetime
    inquiry: EligibilityInquiry
    member: MemberSummary | None  # None: no match (and nothing else is said)
    coverages: tuple[CoverageAnswer, ...] = ()  # primary first
    procedures: tuple[ProcedureAnswer, ...] = ()

    @property
    def matched(self) -> bool:
        return self.member is not None

    @property
    def primary(self) -> CoverageAnswer | None:
        """The lowest-order coverage active on the date of service."""
        active = [c for c in self.coverages if c.is_active]
        return min(active, key=lambda c: c.order) if active else None

    @property
    def is_active(self) -> bool:
        return self.primary is not None

    def problems(self, *, practice_id: int | None = None) -> list[Problem]:
        """The reasons this appointment needs attention before the visit, worst first."""
        if self.member is None:
            return [Problem.NO_MATCH]
        found: list[Problem] = []
        primary = self.primary
        if primary is None:
            states = {c.state for c in self.coverages}
            found.append(
                Problem.TERMINATED if CoverageState.TERMINATED in states else Problem.NOT_ACTIVE
            )
        elif (
            practice_id is not None
            and primary.pcp_practice_id is not None
            and primary.pcp_practice_id != practice_id
            and primary.product in {"HMO", "POS"}
        ):
            found.append(Problem.PCP_MISMATCH)
        if any(p.visit_limit_reached for p in self.procedures):
            found.append(Problem.VISIT_LIMIT_REACHED)
        if any(p.prior_auth_required for p in self.procedures):
            found.append(Problem.PRIOR_AUTH_NEEDED)
        if any(not p.covered for p in self.procedures):
            found.append(Problem.NOT_COVERED)
        return found
