"""The claims adjudication engine: pure functions from a claim, the plan, the member's standing
and the fee schedule to per-line EOB amounts with CARC/RARC adjustments and accumulator deltas.

Rule order for each line (the first that applies decides; a denied line pays nothing and its
whole charge is one adjustment):

1. coverage on the line's date of service: not yet effective CO-26, terminated CO-27;
2. timely filing: received more than the plan's filing days after the date of service, CO-29;
3. exact duplicate of a claim already accepted, OA-18;
4. a code the plan does not know, CO-96 (N130); a category the plan does not cover, CO-204 (N130);
5. prior authorization required (domain.eligibility.requires_prior_authorization) and absent,
   CO-197;
6. visit limit for the plan year reached, CO-119 (N640);
7. an examiner's denial of the line, when an examiner reviewed the claim.

Then the claim pends for an examiner, and no amount is decided, if a line still payable has an
unlisted code or no fee schedule amount, or the total charge is above the pend threshold (or
the lines fall in two plan years). Otherwise each payable line, in line order, is priced:
allowed = min(charge, fee per unit x units) (CO-45 for the rest); the visit's copay (PR-3);
the deductible (PR-1) within the remaining individual and family deductible; coinsurance (PR-2)
on what is left, rounded to the cent half up; then the out-of-pocket maximum caps the member's
share, taking back coinsurance first, then deductible, then copay. Accumulators advance line by
line, so a second line sees what the first consumed.

A visit is a date of service: it bears one copay (on its first payable line whose category has
one), and counts once against a category's visit limit however many lines it has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.adjudication_inputs import (
    NO_REVIEW,
    ClaimToAdjudicate,
    Denial,
    ExaminerReview,
    FeeScheduleRates,
    MemberStanding,
    PlanProcedure,
    PlanTerms,
    ServiceLine,
)
from domain.claims import AdjustmentGroup, ClaimStatus, FrequencyCode
from domain.codes import ServiceCategory
from domain.eligibility import (
    Accumulators,
    CategoryBenefit,
    CoverageState,
    MetAndRemaining,
    VisitAllowance,
    coverage_state,
    plan_year_of,
    requires_prior_authorization,
)
from domain.types import money

ZERO = Decimal("0.00")
CO, PR, OA = AdjustmentGroup.CO, AdjustmentGroup.PR, AdjustmentGroup.OA

# The denials the engine itself decides, by rule (group, CARC, RARC).
BEFORE_COVERAGE = Denial(CO, "26")  # expenses incurred prior to coverage
AFTER_COVERAGE = Denial(CO, "27")  # expenses incurred after coverage terminated
FILED_LATE = Denial(CO, "29")  # the time limit for filing has expired
# OA, not CO: the duplicate is not a contractual reduction; the first claim carries the money.
DUPLICATE = Denial(OA, "18")
# 96 must travel with a remark code; N130 points the practice at the benefit documents.
UNKNOWN_CODE = Denial(CO, "96", "N130")  # the plan has no such procedure on its list
NOT_A_BENEFIT = Denial(CO, "204", "N130")  # this member's plan excludes the category
NO_AUTHORIZATION = Denial(CO, "197")  # precertification/authorization absent
# 119 = benefit maximum for this time period; N640 = over the number allowed in the period.
VISIT_LIMIT = Denial(CO, "119", "N640")

DEDUCTIBLE_CARC, COINSURANCE_CARC, COPAY_CARC = "1", "2", "3"
OVER_FEE_SCHEDULE_CARC = "45"  # charge exceeds fee schedule / maximum allowable

PEND_NOTE_LENGTH = 500  # ClaimStatusEvent.note


# --- What the engine gives back ---


@dataclass(frozen=True)
class Adjustment:
    """One CAS adjustment on a line: group code, CARC, optional RARC and amount."""

    group: AdjustmentGroup
    carc: str
    amount: Decimal
    rarc: str | None = None


@dataclass(frozen=True)
class LineAdjudication:
    """One line of the EOB. billed = allowed + CO/OA/PI adjustments; allowed = paid + patient
    responsibility; patient responsibility = the PR adjustments."""

    line_number: int
    procedure_code: str
    charge: Decimal
    allowed: Decimal
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    paid: Decimal
    adjustments: tuple[Adjustment, ...]
    denial: Denial | None = None

    @property
    def patient_responsibility(self) -> Decimal:
        return self.deductible + self.coinsurance + self.copay

    @property
    def is_denied(self) -> bool:
        return self.denial is not None


class PendReason(StrEnum):
    UNLISTED_CODE = "unlisted_code"
    NO_FEE_ON_FILE = "no_fee_on_file"
    OVER_THRESHOLD = "over_threshold"
    PLAN_YEAR_SPLIT = "plan_year_split"


@dataclass(frozen=True)
class Pend:
    """Why a claim waits for an examiner, in words the examiner's queue can show."""

    reason: PendReason
    note: str
    line_number: int | None = None


@dataclass(frozen=True)
class AccumulatorDelta:
    """What the claim adds to the member's accumulators for the plan year; the caller adds it
    to the member's BenefitAccumulator and VisitAccumulator rows in the claim's transaction
    (family figures are sums over the family's rows, so they follow)."""

    plan_year: int
    deductible: Decimal = ZERO
    out_of_pocket: Decimal = ZERO
    visits: tuple[tuple[ServiceCategory, int], ...] = ()  # categories with a visit limit

    def visits_for(self, category: ServiceCategory) -> int:
        return dict(self.visits).get(category, 0)


@dataclass(frozen=True)
class Adjudication:
    """The outcome: PAID, PARTIALLY_PAID, DENIED, or PENDED (no lines, no deltas) with pends."""

    status: ClaimStatus
    total_charge: Decimal
    lines: tuple[LineAdjudication, ...]
    accumulator_delta: AccumulatorDelta
    pends: tuple[Pend, ...] = ()

    @property
    def total_allowed(self) -> Decimal:
        return sum((line.allowed for line in self.lines), ZERO)

    @property
    def total_deductible(self) -> Decimal:
        return sum((line.deductible for line in self.lines), ZERO)

    @property
    def total_coinsurance(self) -> Decimal:
        return sum((line.coinsurance for line in self.lines), ZERO)

    @property
    def total_copay(self) -> Decimal:
        return sum((line.copay for line in self.lines), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def total_patient_responsibility(self) -> Decimal:
        return sum((line.patient_responsibility for line in self.lines), ZERO)

    @property
    def denial_carc(self) -> str | None:
        """For a claim denied in whole, the first line's CARC (Claim.denial_carc)."""
        if self.status is not ClaimStatus.DENIED:
            return None
        first = self.lines[0].denial
        return first.carc if first else None

    @property
    def pend_note(self) -> str:
        return " ".join(pend.note for pend in self.pends)[:PEND_NOTE_LENGTH]


# --- The engine ---


def adjudicate(
    claim: ClaimToAdjudicate,
    plan: PlanTerms,
    member: MemberStanding,
    fee_schedule: FeeScheduleRates,
    *,
    authorized_codes: frozenset[str] = frozenset(),
    duplicate_of_accepted: bool = False,
    review: ExaminerReview = NO_REVIEW,
) -> Adjudication:
    """Adjudicate one claim. `member` is the member's standing in the plan year of the claim's
    first date of service; `authorized_codes` are the procedure codes with an approved prior
    authorization covering the dates of service; `review` is an examiner's decision on a claim
    the engine pended. Deterministic: the same values in give the same values out."""
    if claim.frequency_code is FrequencyCode.VOID:
        raise ValueError("a void (frequency 8) is not adjudicated: reverse the original instead")
    if plan_year_of(claim.service_date_from, start_month=plan.plan_year_start_month) != (
        member.plan_year
    ):
        raise ValueError("the member's standing is for another plan year than the claim's")
    empty = AccumulatorDelta(plan_year=member.plan_year)

    split = _plan_year_split(claim, plan)
    if split is not None:
        return Adjudication(ClaimStatus.PENDED, claim.total_charge, (), empty, (split,))

    visits = _VisitLedger()
    denials: dict[int, Denial] = {}
    for line in claim.lines:
        denial = _line_denial(
            line,
            claim=claim,
            plan=plan,
            member=member,
            authorized_codes=authorized_codes,
            duplicate_of_accepted=duplicate_of_accepted,
            review=review,
            visits=visits,
        )
        if denial is not None:
            denials[line.line_number] = denial
    payable = [line for line in claim.lines if line.line_number not in denials]

    pends = _pends(claim, payable, plan, fee_schedule, review)
    if pends:
        return Adjudication(ClaimStatus.PENDED, claim.total_charge, (), empty, pends)

    lines = _priced_claim(claim, denials, plan, member, fee_schedule, review)
    delta = AccumulatorDelta(
        plan_year=member.plan_year,
        deductible=sum((line.deductible for line in lines), ZERO),
        out_of_pocket=sum((line.patient_responsibility for line in lines), ZERO),
        visits=visits.new_visits(),
    )
    return Adjudication(_decision(lines), claim.total_charge, lines, delta)


def spend(
    accumulators: Accumulators, *, deductible: Decimal, out_of_pocket: Decimal
) -> Accumulators:
    """The accumulators after the member pays: the member's and the family's advance together
    (the family's met is the sum over its members, this one included)."""

    def plus(figure: MetAndRemaining, amount: Decimal) -> MetAndRemaining:
        return MetAndRemaining(figure.limit, figure.met + amount)

    return Accumulators(
        individual_deductible=plus(accumulators.individual_deductible, deductible),
        family_deductible=plus(accumulators.family_deductible, deductible),
        individual_out_of_pocket=plus(accumulators.individual_out_of_pocket, out_of_pocket),
        family_out_of_pocket=plus(accumulators.family_out_of_pocket, out_of_pocket),
    )


def advance(member: MemberStanding, delta: AccumulatorDelta) -> MemberStanding:
    """The member's standing once a claim's delta is applied: what the next claim of the same
    member must be adjudicated against (a batch job feeds claims through this in order)."""
    if delta.plan_year != member.plan_year:
        raise ValueError("the delta is for another plan year")
    visits = dict(delta.visits)
    return replace(
        member,
        accumulators=spend(
            member.accumulators, deductible=delta.deductible, out_of_pocket=delta.out_of_pocket
        ),
        benefits=tuple(
            replace(
                benefit,
                visits=VisitAllowance(
                    benefit.visits.limit,
                    benefit.visits.used + visits.get(benefit.service_category, 0),
                ),
            )
            for benefit in member.benefits
        ),
    )


# --- Line rules ---


class _VisitLedger:
    """Visits this claim adds, counted once per date of service and category with a limit: a
    physical-therapy session billed as 97110 x3 plus 97140 is one visit, not two (or four)."""

    def __init__(self) -> None:
        self._counted: set[tuple[date, ServiceCategory]] = set()
        self._added: Counter[ServiceCategory] = Counter()

    def _allowance(self, benefit: CategoryBenefit) -> VisitAllowance:
        used = benefit.visits.used + self._added[benefit.service_category]
        return VisitAllowance(benefit.visits.limit, used)

    def limit_reached(self, day: date, benefit: CategoryBenefit) -> bool:
        """A further line of a visit already counted is part of that visit, so it is allowed."""
        if (day, benefit.service_category) in self._counted:
            return False
        return self._allowance(benefit).is_reached

    def count(self, day: date, benefit: CategoryBenefit) -> None:
        key = (day, benefit.service_category)
        if benefit.visits.limit is None or key in self._counted:
            return
        self._counted.add(key)
        self._added[benefit.service_category] += 1

    def new_visits(self) -> tuple[tuple[ServiceCategory, int], ...]:
        return tuple(sorted(self._added.items()))


def _line_denial(
    line: ServiceLine,
    *,
    claim: ClaimToAdjudicate,
    plan: PlanTerms,
    member: MemberStanding,
    authorized_codes: frozenset[str],
    duplicate_of_accepted: bool,
    review: ExaminerReview,
    visits: _VisitLedger,
) -> Denial | None:
    """The first rule that denies the line, in the module's order; None if it is payable (and
    then its visit is counted)."""
    state = coverage_state(member.coverage, line.date_of_service)
    if state is CoverageState.NOT_YET_EFFECTIVE:
        return BEFORE_COVERAGE
    if state is CoverageState.TERMINATED:
        return AFTER_COVERAGE
    if filed_late(
        line.date_of_service, received_on=claim.received_on, days=plan.timely_filing_days
    ):
        return FILED_LATE
    if duplicate_of_accepted:
        return DUPLICATE
    procedure: PlanProcedure | None = plan.procedures.get(line.procedure_code)
    if procedure is None:
        return UNKNOWN_CODE
    benefit = member.benefit_for(procedure.service_category)
    if benefit is None or not benefit.covered:
        return NOT_A_BENEFIT
    needs_authorization = requires_prior_authorization(
        procedure_requires=procedure.prior_auth_required, category_benefit=benefit
    )
    if needs_authorization and line.procedure_code not in authorized_codes:
        return NO_AUTHORIZATION
    if visits.limit_reached(line.date_of_service, benefit):
        return VISIT_LIMIT
    examiner_denial = review.line_denials.get(line.line_number)
    if examiner_denial is not None:
        return examiner_denial
    visits.count(line.date_of_service, benefit)
    return None


def filed_late(date_of_service: date, *, received_on: date, days: int) -> bool:
    """Timely if received within `days` after the date of service: the last day still counts."""
    return (received_on - date_of_service).days > days


def _plan_year_split(claim: ClaimToAdjudicate, plan: PlanTerms) -> Pend | None:
    years = sorted(
        {
            plan_year_of(line.date_of_service, start_month=plan.plan_year_start_month)
            for line in claim.lines
        }
    )
    if len(years) == 1:
        return None
    named = " and ".join(str(year) for year in years)
    return Pend(
        PendReason.PLAN_YEAR_SPLIT,
        f"Lines fall in plan years {named}; each year has its own accumulators, so the claim "
        "must be split by plan year.",
    )


def _pends(
    claim: ClaimToAdjudicate,
    payable: list[ServiceLine],
    plan: PlanTerms,
    fee_schedule: FeeScheduleRates,
    review: ExaminerReview,
) -> tuple[Pend, ...]:
    """Reasons an examiner must look before anything is paid. A claim with nothing payable is
    not pended: its denials stand on facts an examiner would not change."""
    pends: list[Pend] = []
    for line in payable:
        if line.line_number in review.allowed_by_line:
            continue  # the examiner has priced it
        code = line.procedure_code
        if plan.procedures[code].unlisted:
            pends.append(
                Pend(
                    PendReason.UNLISTED_CODE,
                    f"Line {line.line_number}: {code} is an unlisted procedure; an examiner "
                    "prices it from the records.",
                    line.line_number,
                )
            )
        elif fee_schedule.allowed_per_unit(code, claim.place_of_service) is None:
            pends.append(
                Pend(
                    PendReason.NO_FEE_ON_FILE,
                    f"Line {line.line_number}: the fee schedule has no amount for {code} at "
                    f"place of service {claim.place_of_service}.",
                    line.line_number,
                )
            )
    if payable and claim.total_charge > plan.pend_threshold and not review.high_dollar_approved:
        pends.append(
            Pend(
                PendReason.OVER_THRESHOLD,
                f"Total charge ${claim.total_charge:,} is above the ${plan.pend_threshold:,} "
                "review threshold.",
            )
        )
    return tuple(pends)


def _priced_claim(
    claim: ClaimToAdjudicate,
    denials: dict[int, Denial],
    plan: PlanTerms,
    member: MemberStanding,
    fee_schedule: FeeScheduleRates,
    review: ExaminerReview,
) -> tuple[LineAdjudication, ...]:
    """Every line in line order, the accumulators advancing after each payable one."""
    accumulators = member.accumulators
    copay_taken_on: set[date] = set()
    results: list[LineAdjudication] = []
    for line in claim.lines:
        denial = denials.get(line.line_number)
        if denial is not None:
            results.append(_denied_line(line, denial))
            continue
        benefit = member.benefit_for(plan.procedures[line.procedure_code].service_category)
        assert benefit is not None  # a line without a benefit was denied CO-204
        allowed = _allowed_amount(line, claim.place_of_service, fee_schedule, review)
        assert allowed is not None  # a line without a price pended the claim
        # One copay per visit: the first payable line of the day whose category has one bears
        # it, capped at that line's allowed; the visit's other lines bear none.
        copay = ZERO
        if benefit.copay > ZERO and line.date_of_service not in copay_taken_on:
            copay_taken_on.add(line.date_of_service)
            copay = min(benefit.copay, allowed)
        result = _priced_line(line, allowed, copay, benefit, accumulators)
        accumulators = spend(
            accumulators,
            deductible=result.deductible,
            out_of_pocket=result.patient_responsibility,
        )
        results.append(result)
    return tuple(results)


def _allowed_amount(
    line: ServiceLine,
    place_of_service: str,
    fee_schedule: FeeScheduleRates,
    review: ExaminerReview,
) -> Decimal | None:
    """min(charge, rate x units): a provider is paid the lower of its charge and the contract."""
    priced = review.allowed_by_line.get(line.line_number)
    if priced is None:
        per_unit = fee_schedule.allowed_per_unit(line.procedure_code, place_of_service)
        if per_unit is None:
            return None
        priced = per_unit * line.units
    return money(min(line.charge, priced))


def _priced_line(
    line: ServiceLine,
    allowed: Decimal,
    copay: Decimal,
    benefit: CategoryBenefit,
    accumulators: Accumulators,
) -> LineAdjudication:
    """Copay first, then the deductible on what the copay leaves, then coinsurance on the rest
    (the common commercial order); then the out-of-pocket cap."""
    deductible = ZERO
    if benefit.deductible_applies:
        # Embedded family deductible: the smaller of the member's and the family's remaining.
        deductible = min(allowed - copay, accumulators.deductible_remaining)
    coinsurance = coinsurance_of(allowed - copay - deductible, benefit.coinsurance_percent)
    copay, deductible, coinsurance = cap_at_out_of_pocket(
        copay=copay,
        deductible=deductible,
        coinsurance=coinsurance,
        remaining=accumulators.out_of_pocket_remaining,
    )
    charge = money(line.charge)
    adjustments = [
        Adjustment(group, carc, amount)
        for group, carc, amount in (
            (CO, OVER_FEE_SCHEDULE_CARC, charge - allowed),
            (PR, DEDUCTIBLE_CARC, deductible),
            (PR, COINSURANCE_CARC, coinsurance),
            (PR, COPAY_CARC, copay),
        )
        if amount > ZERO
    ]
    return LineAdjudication(
        line_number=line.line_number,
        procedure_code=line.procedure_code,
        charge=charge,
        allowed=allowed,
        deductible=deductible,
        coinsurance=coinsurance,
        copay=copay,
        paid=allowed - deductible - coinsurance - copay,
        adjustments=tuple(adjustments),
    )


def coinsurance_of(amount: Decimal, percent: int) -> Decimal:
    """The member's percentage of what remains, to the cent, half up."""
    return money(amount * percent / 100)


def cap_at_out_of_pocket(
    *, copay: Decimal, deductible: Decimal, coinsurance: Decimal, remaining: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """The member never pays past the out-of-pocket maximum (ACA: the plan pays 100% after it).

    The excess comes off in the reverse of the order the shares were applied: coinsurance
    first, then the deductible, then the copay. The member reached the maximum part-way through
    the line, so what lies past it is what was applied last; and the copay, applied first, is
    what the front desk collected at the visit, which is then never refunded."""
    excess = max(ZERO, copay + deductible + coinsurance - remaining)
    coinsurance_cut = min(excess, coinsurance)
    excess -= coinsurance_cut
    deductible_cut = min(excess, deductible)
    excess -= deductible_cut
    return copay - excess, deductible - deductible_cut, coinsurance - coinsurance_cut


def _denied_line(line: ServiceLine, denial: Denial) -> LineAdjudication:
    """A denied line allows nothing: its whole charge is one adjustment with the denial's codes."""
    charge = money(line.charge)
    return LineAdjudication(
        line_number=line.line_number,
        procedure_code=line.procedure_code,
        charge=charge,
        allowed=ZERO,
        deductible=ZERO,
        coinsurance=ZERO,
        copay=ZERO,
        paid=ZERO,
        adjustments=(Adjustment(denial.group, denial.carc, charge, denial.rarc),),
        denial=denial,
    )


def _decision(lines: tuple[LineAdjudication, ...]) -> ClaimStatus:
    denied = sum(1 for line in lines if line.is_denied)
    if denied == len(lines):
        return ClaimStatus.DENIED
    if denied:
        return ClaimStatus.PARTIALLY_PAID
    return ClaimStatus.PAID
