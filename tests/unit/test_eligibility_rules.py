"""Coverage and benefit rules at their edges: effective and termination dates, plan-year
rollover, family versus individual accumulators, a visit limit exactly reached."""

from datetime import date
from decimal import Decimal

import pytest

from domain.codes import ServiceCategory
from domain.eligibility import (
    CategoryBenefit,
    CoveragePeriod,
    CoverageState,
    VisitAllowance,
    accumulators,
    coverage_explanation,
    coverage_state,
    plan_year_bounds,
    plan_year_of,
    requires_prior_authorization,
)

D = Decimal
TERMINATED_MARCH = CoveragePeriod(date(2025, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (date(2024, 12, 31), CoverageState.NOT_YET_EFFECTIVE),  # the day before it starts
        (date(2025, 1, 1), CoverageState.ACTIVE),  # the effective date itself
        (date(2026, 3, 31), CoverageState.ACTIVE),  # the termination date is still covered
        (date(2026, 4, 1), CoverageState.TERMINATED),  # the day after
    ],
)
def test_coverage_dates_are_inclusive(day: date, state: CoverageState) -> None:
    assert coverage_state(TERMINATED_MARCH, day) is state


def test_open_ended_coverage_never_terminates() -> None:
    assert coverage_state(CoveragePeriod(date(2020, 1, 1), None), date(2099, 1, 1)) is (
        CoverageState.ACTIVE
    )


def test_explanations_name_the_dates() -> None:
    assert coverage_explanation(TERMINATED_MARCH, date(2026, 4, 1)) == "Terminated on 03/31/2026"
    assert "starts 01/01/2025" in coverage_explanation(TERMINATED_MARCH, date(2024, 6, 1))
    assert coverage_explanation(TERMINATED_MARCH, date(2025, 6, 1)).startswith("Active")


@pytest.mark.parametrize(
    ("day", "start_month", "plan_year"),
    [
        (date(2026, 1, 1), 1, 2026),
        (date(2026, 12, 31), 1, 2026),
        (date(2026, 6, 30), 7, 2025),  # last day of a July plan year
        (date(2026, 7, 1), 7, 2026),  # rollover day
    ],
)
def test_plan_year_rollover(day: date, start_month: int, plan_year: int) -> None:
    assert plan_year_of(day, start_month=start_month) == plan_year
    start, end = plan_year_bounds(plan_year, start_month=start_month)
    assert start <= day <= end


def test_july_plan_year_bounds() -> None:
    assert plan_year_bounds(2025, start_month=7) == (date(2025, 7, 1), date(2026, 6, 30))


def make(member_ded: str, family_ded: str, member_oop: str = "0", family_oop: str = "0"):  # type: ignore[no-untyped-def]
    return accumulators(
        individual_deductible=D("1500.00"),
        family_deductible=D("3000.00"),
        individual_oop_max=D("5000.00"),
        family_oop_max=D("10000.00"),
        member_deductible_met=D(member_ded),
        member_oop_met=D(member_oop),
        family_deductible_met=D(family_ded),
        family_oop_met=D(family_oop),
    )


def test_individual_remaining() -> None:
    acc = make("400.00", "900.00")
    assert acc.individual_deductible.remaining == D("1100.00")
    assert acc.family_deductible.remaining == D("2100.00")
    assert acc.deductible_remaining == D("1100.00")


def test_family_deductible_met_meets_every_member() -> None:
    # This member paid only 200, but the family reached 3000: nothing more is due from anyone.
    acc = make("200.00", "3000.00")
    assert acc.individual_deductible.remaining == D("1300.00")
    assert acc.deductible_remaining == D("0.00")


def test_overpaid_accumulators_never_go_negative() -> None:
    acc = make("1600.00", "3100.00", "5000.00", "12000.00")
    assert acc.individual_deductible.remaining == D("0.00")
    assert acc.individual_deductible.is_met
    assert acc.out_of_pocket_remaining == D("0.00")


@pytest.mark.parametrize(
    ("limit", "used", "remaining", "reached"),
    [
        (20, 19, 1, False),
        (20, 20, 0, True),  # exactly reached: the next visit is not covered
        (20, 23, 0, True),
        (None, 50, None, False),
    ],
)
def test_visit_limits(limit: int | None, used: int, remaining: int | None, reached: bool) -> None:
    allowance = VisitAllowance(limit=limit, used=used)
    assert allowance.remaining == remaining
    assert allowance.is_reached is reached


def benefit(prior_auth: bool) -> CategoryBenefit:
    return CategoryBenefit(
        service_category=ServiceCategory.ADVANCED_IMAGING,
        covered=True,
        copay=D("0.00"),
        coinsurance_percent=20,
        deductible_applies=True,
        visits=VisitAllowance(limit=None, used=0),
        prior_auth_required=prior_auth,
    )


@pytest.mark.parametrize(
    ("code_requires", "category_requires", "expected"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_prior_auth_rule(code_requires: bool, category_requires: bool, expected: bool) -> None:
    assert (
        requires_prior_authorization(
            procedure_requires=code_requires, category_benefit=benefit(category_requires)
        )
        is expected
    )
    if not code_requires:
        assert not requires_prior_authorization(procedure_requires=False, category_benefit=None)
