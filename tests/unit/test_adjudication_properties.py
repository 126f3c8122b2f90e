"""Hypothesis properties of the adjudication engine over random claims, plans, fee schedules and
accumulators: every line balances to the cent, and no accumulator passes the plan's maximums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.adjudication import (
    Adjudication,
    LineAdjudication,
    adjudicate,
    advance,
    coinsurance_of,
)
from domain.adjudication_inputs import (
    ClaimToAdjudicate,
    Denial,
    ExaminerReview,
    FeeScheduleRates,
    MemberStanding,
    PlanProcedure,
    PlanTerms,
    ServiceLine,
)
from domain.claims import AdjustmentGroup, ClaimStatus
from domain.codes import ServiceCategory
from domain.eligibility import CategoryBenefit, CoveragePeriod, VisitAllowance, accumulators

D = Decimal
ZERO = D("0.00")
PLAN_YEAR = 2026
YEAR_START = date(PLAN_YEAR, 1, 1)
CODES = ("A0001", "A0002", "A0003", "A0004", "A0005", "A0006")
UNKNOWN = "Z9999"
PLACES = ("11", "22", "10")
# Few enough categories that the codes share them (copays per visit, visit limits, family
# deductibles all come into play), and data generation stays quick.
CATEGORIES = (
    ServiceCategory.PRIMARY_CARE,
    ServiceCategory.LAB,
    ServiceCategory.PHYSICAL_THERAPY,
    ServiceCategory.ADVANCED_IMAGING,
)
CHECKED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK = settings(CHECKED, max_examples=100)


def one_in(count: int) -> st.SearchStrategy[bool]:
    """True about once in `count` draws (integers would favour their bounds, and so True)."""
    return st.sampled_from((*(False,) * (count - 1), True))


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda amount: (D(amount) / 100).quantize(D("0.01")))


def days(low: int, high: int) -> st.SearchStrategy[date]:
    return st.integers(low, high).map(lambda offset: YEAR_START + timedelta(days=offset))


@dataclass(frozen=True)
class Scenario:
    claim: ClaimToAdjudicate
    plan: PlanTerms
    member: MemberStanding
    fees: FeeScheduleRates
    authorized_codes: frozenset[str]
    duplicate_of_accepted: bool
    review: ExaminerReview

    def run(self, member: MemberStanding | None = None) -> Adjudication:
        return adjudicate(
            self.claim,
            self.plan,
            member or self.member,
            self.fees,
            authorized_codes=self.authorized_codes,
            duplicate_of_accepted=self.duplicate_of_accepted,
            review=self.review,
        )


@st.composite
def benefits(draw: st.DrawFn) -> tuple[CategoryBenefit, ...]:
    found = []
    for category in CATEGORIES:
        if draw(one_in(20)):
            continue  # no benefit row for the category
        limit = draw(st.integers(0, 5)) if draw(one_in(3)) else None
        found.append(
            CategoryBenefit(
                service_category=category,
                covered=not draw(one_in(20)),
                copay=draw(st.just(ZERO) | cents(0, 10_000)),
                coinsurance_percent=draw(
                    st.sampled_from((0, 10, 20, 33, 50, 100)) | st.integers(0, 100)
                ),
                deductible_applies=draw(st.booleans()),
                visits=VisitAllowance(limit, draw(st.integers(0, 6)) if limit else 0),
                prior_auth_required=draw(one_in(8)),
            )
        )
    return tuple(found)


@st.composite
def met_and_limit(draw: st.DrawFn, largest: int) -> tuple[Decimal, Decimal]:
    """(limit, met): met anywhere from nothing to past the limit (carried over, or the limit
    lowered mid-year), and often exactly at it."""
    limit = draw(st.integers(0, largest))
    share = draw(st.sampled_from((0, 100)) | st.integers(0, 120))
    return (D(limit) / 100).quantize(D("0.01")), (D(limit * share // 100) / 100).quantize(D("0.01"))


@st.composite
def members(draw: st.DrawFn) -> MemberStanding:
    # Mostly covered all year, so most claims get as far as the money rules.
    if not draw(one_in(8)):
        effective, termination = draw(days(-400, -1)), None
    else:
        effective = draw(days(-400, 200))
        termination = draw(st.integers(0, 500).map(lambda n: effective + timedelta(n)))
    individual_deductible, member_deductible_met = draw(met_and_limit(500_000))
    family_deductible, family_deductible_met = draw(met_and_limit(1_000_000))
    individual_oop_max, member_oop_met = draw(met_and_limit(900_000))
    family_oop_max, family_oop_met = draw(met_and_limit(1_800_000))
    return MemberStanding(
        coverage=CoveragePeriod(effective, termination),
        plan_year=PLAN_YEAR,
        accumulators=accumulators(
            individual_deductible=individual_deductible,
            family_deductible=family_deductible,
            individual_oop_max=individual_oop_max,
            family_oop_max=family_oop_max,
            member_deductible_met=member_deductible_met,
            family_deductible_met=family_deductible_met,
            member_oop_met=member_oop_met,
            family_oop_met=family_oop_met,
        ),
        benefits=draw(benefits()),
    )


@st.composite
def fee_schedules(draw: st.DrawFn) -> FeeScheduleRates:
    rates: dict[tuple[str, str | None], Decimal] = {}
    for code in CODES:
        if not draw(one_in(10)):
            rates[(code, None)] = draw(cents(0, 50_000))
        if draw(st.booleans()):
            rates[(code, draw(st.sampled_from(PLACES)))] = draw(cents(0, 50_000))
    return FeeScheduleRates(rates)


@st.composite
def plans(draw: st.DrawFn) -> PlanTerms:
    return PlanTerms(
        timely_filing_days=draw(st.sampled_from((90, 180, 365)) | st.integers(30, 365)),
        pend_threshold=draw(cents(0, 2_000_000)) if draw(one_in(4)) else D("20000.00"),
        procedures={
            code: PlanProcedure(
                code,
                draw(st.sampled_from(CATEGORIES)),
                prior_auth_required=draw(one_in(5)),
                unlisted=draw(one_in(12)),
            )
            for code in CODES
        },
    )


@st.composite
def claims(draw: st.DrawFn) -> ClaimToAdjudicate:
    first_day = draw(st.integers(0, 350))
    count = draw(st.integers(1, 6))
    lines = tuple(
        ServiceLine(
            line_number=number,
            procedure_code=UNKNOWN if draw(one_in(15)) else draw(st.sampled_from(CODES)),
            units=draw(st.integers(1, 4)),
            charge=draw(cents(0, 300_000)),
            # a few days only, so lines share visits
            date_of_service=YEAR_START + timedelta(first_day + draw(st.integers(0, 3))),
        )
        for number in range(1, count + 1)
    )
    last = max(line.date_of_service for line in lines)
    return ClaimToAdjudicate(
        place_of_service=draw(st.sampled_from(PLACES)),
        # Mostly on time; now and then long after (the plans file in 30 to 365 days).
        received_on=last
        + timedelta(days=draw(st.integers(0, 400) if draw(one_in(6)) else st.integers(0, 29))),
        lines=lines,
    )


@st.composite
def reviews(draw: st.DrawFn, line_count: int) -> ExaminerReview:
    if draw(st.booleans()):
        return ExaminerReview()
    numbers = st.integers(1, line_count)
    return ExaminerReview(
        high_dollar_approved=draw(st.booleans()),
        allowed_by_line=draw(st.dictionaries(numbers, cents(0, 300_000), max_size=3)),
        line_denials=draw(
            st.dictionaries(
                numbers,
                st.sampled_from(
                    (Denial(AdjustmentGroup.CO, "50"), Denial(AdjustmentGroup.PI, "16", "MA130"))
                ),
                max_size=2,
            )
        ),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    claim = draw(claims())
    return Scenario(
        claim=claim,
        plan=draw(plans()),
        member=draw(members()),
        fees=draw(fee_schedules()),
        authorized_codes=frozenset(draw(st.sets(st.sampled_from(CODES)))),
        duplicate_of_accepted=draw(one_in(20)),
        review=draw(reviews(len(claim.lines))),
    )


# --- The invariants ---


def is_cents(amount: Decimal) -> bool:
    return isinstance(amount, Decimal) and amount.as_tuple().exponent == -2 and amount >= 0


def assert_line_balances(line: LineAdjudication, submitted: ServiceLine) -> None:
    amounts = (line.charge, line.allowed, line.deductible, line.coinsurance, line.copay, line.paid)
    assert all(is_cents(amount) for amount in amounts), amounts
    assert all(is_cents(adjustment.amount) for adjustment in line.adjustments)
    assert line.charge == submitted.charge
    contractual = sum(
        (a.amount for a in line.adjustments if a.group is not AdjustmentGroup.PR), ZERO
    )
    patient = sum((a.amount for a in line.adjustments if a.group is AdjustmentGroup.PR), ZERO)
    assert line.charge == line.allowed + contractual  # billed = allowed + CO/OA/PI
    assert line.allowed == line.paid + line.patient_responsibility
    assert line.patient_responsibility == patient
    assert line.patient_responsibility == line.deductible + line.coinsurance + line.copay
    assert line.allowed <= line.charge
    if line.is_denied:
        assert (line.allowed, line.paid, line.patient_responsibility) == (ZERO, ZERO, ZERO)
        assert [a.amount for a in line.adjustments] == [line.charge]


def assert_within_maximums(scenario: Scenario, result: Adjudication) -> None:
    before = scenario.member.accumulators
    delta = result.accumulator_delta
    assert delta.deductible == result.total_deductible
    assert delta.out_of_pocket == result.total_patient_responsibility
    assert delta.deductible <= before.individual_deductible.remaining
    assert delta.deductible <= before.family_deductible.remaining
    assert delta.out_of_pocket <= before.individual_out_of_pocket.remaining
    assert delta.out_of_pocket <= before.family_out_of_pocket.remaining
    for category, added in delta.visits:
        benefit = scenario.member.benefit_for(category)
        assert benefit is not None and benefit.visits.limit is not None
        assert added > 0
        assert benefit.visits.used + added <= benefit.visits.limit


@CHECKED
@given(scenarios())
def test_every_line_balances_and_no_maximum_is_passed(scenario: Scenario) -> None:
    result = scenario.run()
    event(result.status.value)
    if (
        result.accumulator_delta.out_of_pocket
        == scenario.member.accumulators.out_of_pocket_remaining
    ):
        event("out-of-pocket maximum reached")
    if result.accumulator_delta.deductible == scenario.member.accumulators.deductible_remaining:
        event("deductible met")
    assert result.total_charge == scenario.claim.total_charge
    if result.status is ClaimStatus.PENDED:
        assert result.pends and result.lines == ()
        assert (result.accumulator_delta.deductible, result.accumulator_delta.out_of_pocket) == (
            ZERO,
            ZERO,
        )
        assert result.accumulator_delta.visits == ()
        return
    assert not result.pends
    assert [line.line_number for line in result.lines] == [
        line.line_number for line in scenario.claim.lines
    ]
    for line, submitted in zip(result.lines, scenario.claim.lines, strict=True):
        assert_line_balances(line, submitted)
    assert (
        result.total_allowed
        + sum(
            (
                a.amount
                for line in result.lines
                for a in line.adjustments
                if a.group is not AdjustmentGroup.PR
            ),
            ZERO,
        )
        == result.total_charge
    )
    assert result.total_paid + result.total_patient_responsibility == result.total_allowed
    assert_within_maximums(scenario, result)
    denied = [line.is_denied for line in result.lines]
    expected = (
        ClaimStatus.DENIED
        if all(denied)
        else ClaimStatus.PARTIALLY_PAID
        if any(denied)
        else ClaimStatus.PAID
    )
    assert result.status is expected


@QUICK
@given(scenarios())
def test_the_engine_is_deterministic(scenario: Scenario) -> None:
    assert scenario.run() == scenario.run()


@QUICK
@given(scenarios(), claims())
def test_claim_after_claim_never_passes_the_maximums(
    first: Scenario, later: ClaimToAdjudicate
) -> None:
    """A member's second claim, adjudicated against the standing the first left, still keeps
    every accumulator at or under its maximum (or where it already was, if past it)."""
    member = first.member
    for submitted in (first.claim, later):
        result = adjudicate(
            submitted,
            first.plan,
            member,
            first.fees,
            authorized_codes=first.authorized_codes,
            review=ExaminerReview(high_dollar_approved=True),
        )
        member = advance(member, result.accumulator_delta)
    start, end = first.member.accumulators, member.accumulators
    for name in (
        "individual_deductible",
        "family_deductible",
        "individual_out_of_pocket",
        "family_out_of_pocket",
    ):
        limit, met_before = getattr(start, name).limit, getattr(start, name).met
        assert getattr(end, name).met <= max(limit, met_before), name
    for benefit in member.benefits:
        before = first.member.benefit_for(benefit.service_category)
        assert before is not None
        if benefit.visits.limit is not None:
            assert benefit.visits.used <= max(benefit.visits.limit, before.visits.used)


@CHECKED
@given(
    allowed=cents(0, 500_000),
    copay=cents(0, 10_000),
    percent=st.integers(0, 100),
)
def test_without_deductible_or_maximum_in_reach_the_shares_are_exact(
    allowed: Decimal, copay: Decimal, percent: int
) -> None:
    """Copay capped at allowed, then percent of the rest rounded half up: nothing else."""
    member = MemberStanding(
        coverage=CoveragePeriod(date(2025, 1, 1), None),
        plan_year=PLAN_YEAR,
        accumulators=accumulators(
            individual_deductible=ZERO,
            family_deductible=ZERO,
            individual_oop_max=D("1000000.00"),
            family_oop_max=D("1000000.00"),
            member_deductible_met=ZERO,
            family_deductible_met=ZERO,
            member_oop_met=ZERO,
            family_oop_met=ZERO,
        ),
        benefits=(
            CategoryBenefit(
                ServiceCategory.LAB, True, copay, percent, True, VisitAllowance(None, 0), False
            ),
        ),
    )
    plan = PlanTerms(180, D("1000000.00"), {"A0001": PlanProcedure("A0001", ServiceCategory.LAB)})
    submitted = ClaimToAdjudicate(
        "11", date(2026, 5, 2), (ServiceLine(1, "A0001", 1, allowed, date(2026, 5, 1)),)
    )
    fees = FeeScheduleRates({("A0001", None): allowed})
    (line,) = adjudicate(submitted, plan, member, fees).lines
    assert line.copay == min(copay, allowed)
    assert line.deductible == ZERO
    exact = (allowed - line.copay) * percent / 100
    assert abs(line.coinsurance - exact) <= D("0.005")
    assert line.coinsurance == coinsurance_of(allowed - line.copay, percent)
