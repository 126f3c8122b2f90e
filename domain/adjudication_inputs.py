"""What the adjudication engine takes: the claim, the plan's terms, the member's standing, the fee
schedule and an examiner's review, as frozen values the caller builds from rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.claims import AdjustmentGroup, Claim, ClaimLine, FrequencyCode
from domain.codes import ServiceCategory
from domain.eligibility import Accumulators, CategoryBenefit, CoverageAnswer, CoveragePeriod
from domain.plans import BenefitPlan, FeeScheduleEntry, ProcedureCode
from domain.types import CENT


def require_cents(amount: Decimal, what: str) -> None:
    """Money comes in as a non-negative Decimal exact to the cent; anything else is a bug."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise TypeError(f"{what} must be a Decimal, not {amount!r}")
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValueError(f"{what} must be a non-negative amount in whole cents, not {amount}")


@dataclass(frozen=True)
class ServiceLine:
    """One CMS-1500 service line (24A-24G): what was done, how many units, for how much."""

    line_number: int
    procedure_code: str
    units: int
    charge: Decimal
    date_of_service: date
    modifiers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.units < 1:
            raise ValueError(f"line {self.line_number}: units must be at least 1")
        require_cents(self.charge, f"line {self.line_number} charge")


@dataclass(frozen=True)
class ClaimToAdjudicate:
    """A professional claim as the plan adjudicates it.

    `received_on` is the day timely filing is measured to: the day the plan received the claim
    (for a replacement, the plan's policy decides; most measure from the original's receipt)."""

    place_of_service: str
    received_on: date
    lines: tuple[ServiceLine, ...]
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL
    claim_number: str = ""

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError("a claim has at least one service line")
        numbers = [line.line_number for line in self.lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"line numbers repeat: {numbers}")

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))

    @property
    def service_date_from(self) -> date:
        return min(line.date_of_service for line in self.lines)

    @property
    def service_date_to(self) -> date:
        return max(line.date_of_service for line in self.lines)

    @classmethod
    def from_rows(
        cls, claim: Claim, lines: Sequence[ClaimLine], *, received_on: date
    ) -> ClaimToAdjudicate:
        return cls(
            place_of_service=claim.place_of_service,
            received_on=received_on,
            frequency_code=FrequencyCode(claim.frequency_code),
            claim_number=claim.claim_number,
            lines=tuple(
                ServiceLine(
                    line_number=line.line_number,
                    procedure_code=line.procedure_code,
                    units=line.units,
                    charge=line.charge_amount,
                    date_of_service=line.service_date,
                    modifiers=tuple(m for m in line.modifiers.split(",") if m),
                )
                for line in sorted(lines, key=lambda line: line.line_number)
            ),
        )


@dataclass(frozen=True)
class PlanProcedure:
    """A procedure code the plan knows: its service category and how it must be handled."""

    code: str
    service_category: ServiceCategory
    prior_auth_required: bool = False
    unlisted: bool = False  # "unlisted procedure" codes are priced by an examiner from records

    @classmethod
    def from_row(cls, row: ProcedureCode) -> PlanProcedure:
        return cls(
            code=row.code,
            service_category=ServiceCategory(row.service_category),
            prior_auth_required=row.prior_auth_required,
            unlisted=row.unlisted,
        )


@dataclass(frozen=True)
class PlanTerms:
    """The plan's rules a claim is held to (the same for every member of the plan)."""

    timely_filing_days: int
    pend_threshold: Decimal  # a claim whose total charge is above this pends for an examiner
    procedures: Mapping[str, PlanProcedure]
    plan_year_start_month: int = 1

    def __post_init__(self) -> None:
        require_cents(self.pend_threshold, "pend threshold")

    @classmethod
    def from_rows(cls, plan: BenefitPlan, procedures: Iterable[ProcedureCode]) -> PlanTerms:
        return cls(
            timely_filing_days=plan.timely_filing_days,
            pend_threshold=plan.pend_threshold,
            procedures={row.code: PlanProcedure.from_row(row) for row in procedures},
            plan_year_start_month=plan.plan_year_start_month,
        )


@dataclass(frozen=True)
class FeeScheduleRates:
    """Allowed amount per unit by (procedure code, place of service); None = any place."""

    per_unit: Mapping[tuple[str, str | None], Decimal]

    def allowed_per_unit(self, procedure_code: str, place_of_service: str) -> Decimal | None:
        """The rate for this place of service wins over the any-place rate (a facility rate is
        lower: the hospital supplies the room and staff); None when the schedule has neither."""
        specific = self.per_unit.get((procedure_code, place_of_service))
        if specific is not None:
            return specific
        return self.per_unit.get((procedure_code, None))

    @classmethod
    def from_entries(cls, entries: Iterable[FeeScheduleEntry]) -> FeeScheduleRates:
        return cls(
            {
                (entry.procedure_code, entry.place_of_service): entry.allowed_amount
                for entry in entries
            }
        )


@dataclass(frozen=True)
class MemberStanding:
    """The member on the claim in the plan year of its dates of service: the coverage period,
    deductible and out-of-pocket met (own and family), and each service category's benefit
    with the visits already used this plan year."""

    coverage: CoveragePeriod
    plan_year: int
    accumulators: Accumulators
    benefits: tuple[CategoryBenefit, ...]
    _by_category: Mapping[ServiceCategory, CategoryBenefit] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_category = {benefit.service_category: benefit for benefit in self.benefits}
        object.__setattr__(self, "_by_category", by_category)

    def benefit_for(self, category: ServiceCategory) -> CategoryBenefit | None:
        """None: the plan has no benefit for the category, so it covers none of it."""
        return self._by_category.get(category)

    @classmethod
    def from_coverage_answer(cls, answer: CoverageAnswer) -> MemberStanding:
        """The eligibility check already gathers all of this for one date of service."""
        return cls(
            coverage=answer.period,
            plan_year=answer.plan_year,
            accumulators=answer.accumulators,
            benefits=answer.benefits,
        )


@dataclass(frozen=True)
class Denial:
    """Why a line pays nothing: the group code says who bears it, the CARC why, the RARC more."""

    group: AdjustmentGroup
    carc: str
    rarc: str | None = None

    def __post_init__(self) -> None:
        # A denied line allows nothing, so nothing on it is the member's to pay: a PR group
        # would put the charge in patient responsibility and unbalance the line.
        if self.group is AdjustmentGroup.PR:
            raise ValueError("a denial is CO, OA or PI; PR amounts come from cost sharing")


@dataclass(frozen=True)
class ExaminerReview:
    """What a claims examiner decided on a pended claim, so the engine can finish it with the
    same money rules: prices for lines the schedule cannot price, line denials, and approval of
    a claim above the review threshold."""

    high_dollar_approved: bool = False
    # line number -> the allowed amount for the whole line (capped at its charge)
    allowed_by_line: Mapping[int, Decimal] = field(default_factory=dict)
    # line number -> the examiner's denial (e.g. CO-50 not medically necessary)
    line_denials: Mapping[int, Denial] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for line_number, amount in self.allowed_by_line.items():
            require_cents(amount, f"examiner's allowed amount for line {line_number}")


NO_REVIEW = ExaminerReview()
