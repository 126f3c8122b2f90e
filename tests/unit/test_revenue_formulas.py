"""The revenue-cycle formulas without a database: a rate as a ratio, days in A/R, the aging
buckets at their boundaries, and the filters every report applies (default range, as-of day,
drill-down keys dropped)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.claim_filters import AgeBucket, ClaimFilters, Cohort, Direction, Owed, SortKey
from domain.claims import ClaimStatus
from domain.revenue_cycle import (
    DAYS_IN_AR_WINDOW,
    DEFAULT_RANGE_DAYS,
    DaysInAr,
    DenialGroup,
    Ratio,
    applied_filters,
)

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("numerator", "denominator", "value"),
    [
        ("0", "0", None),
        ("5", "0", None),
        ("0", "7", Decimal(0)),
        ("1", "8", Decimal("0.125")),
        ("8", "8", Decimal(1)),
        ("300.00", "1220.00", Decimal("300.00") / Decimal("1220.00")),
    ],
)
def test_a_ratio_is_none_rather_than_a_division_by_zero(
    numerator: str, denominator: str, value: Decimal | None
) -> None:
    assert Ratio(Decimal(numerator), Decimal(denominator)).value == value


def test_a_denial_group_rates_both_by_count_and_by_dollars() -> None:
    group = DenialGroup(
        key="197",
        label="197 · Precertification/authorization absent",
        denied=3,
        denied_billed=Decimal("450.00"),
        adjudicated=12,
        adjudicated_billed=Decimal("1800.00"),
        denied_claims=ClaimFilters(),
        adjudicated_claims=ClaimFilters(),
    )
    assert group.rate.value == Decimal("0.25")
    assert group.dollar_rate.value == Decimal("0.25")
    empty = DenialGroup("x", "x", 0, Decimal(0), 0, Decimal(0), ClaimFilters(), ClaimFilters())
    assert empty.rate.value is None and empty.dollar_rate.value is None


def _days_in_ar(receivables: str, charges: str) -> DaysInAr:
    return DaysInAr(
        as_of=TODAY,
        receivables=Decimal(receivables),
        charges=Decimal(charges),
        window_days=DAYS_IN_AR_WINDOW,
        definition="",
        formula="",
        benchmark="",
    )


def test_days_in_ar_is_receivables_over_average_daily_charges() -> None:
    # $90,000 of charges in 90 days is $1,000 a day; $38,500 owed is 38.5 days of it.
    kpi = _days_in_ar("38500.00", "90000.00")
    assert kpi.average_daily_charges == Decimal(1000)
    assert kpi.value == Decimal("38.5")
    assert _days_in_ar("800.00", "1620.00").value == Decimal("800.00") / Decimal(18)


def test_days_in_ar_without_charges_is_none() -> None:
    assert _days_in_ar("120.00", "0.00").value is None
    assert _days_in_ar("0.00", "0.00").value is None


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (0, AgeBucket.CURRENT),
        (30, AgeBucket.CURRENT),
        (31, AgeBucket.DAYS_31_60),
        (60, AgeBucket.DAYS_31_60),
        (61, AgeBucket.DAYS_61_90),
        (90, AgeBucket.DAYS_61_90),
        (91, AgeBucket.DAYS_91_120),
        (120, AgeBucket.DAYS_91_120),
        (121, AgeBucket.OVER_120),
        (5000, AgeBucket.OVER_120),
    ],
)
def test_aging_buckets_hold_their_boundaries(age: int, bucket: AgeBucket) -> None:
    assert AgeBucket.of_age(age) is bucket


def test_a_negative_age_has_no_bucket() -> None:
    with pytest.raises(ValueError, match="no bucket"):
        AgeBucket.of_age(-1)


def test_the_default_range_is_the_last_year_to_today_and_as_of_today() -> None:
    applied = applied_filters(ClaimFilters(), TODAY)
    assert applied.service_to == TODAY
    assert applied.service_from == date(2025, 11, 27)
    assert (applied.service_to - applied.service_from).days + 1 == DEFAULT_RANGE_DAYS
    assert applied.as_of == TODAY


@pytest.mark.parametrize(
    ("service_from", "service_to", "expected"),
    [
        # From alone runs to today; to alone gets a full window ending on it.
        (date(2026, 3, 1), None, (date(2026, 3, 1), TODAY)),
        (None, date(2026, 3, 31), (date(2025, 4, 1), date(2026, 3, 31))),
        # Reversed ends are put in order.
        (date(2026, 6, 30), date(2026, 4, 1), (date(2026, 4, 1), date(2026, 6, 30))),
        # A start after today alone runs back to today.
        (date(2027, 1, 15), None, (TODAY, date(2027, 1, 15))),
        (date(2026, 5, 5), date(2026, 5, 5), (date(2026, 5, 5), date(2026, 5, 5))),
    ],
)
def test_one_end_of_the_range_fills_the_other(
    service_from: date | None, service_to: date | None, expected: tuple[date, date]
) -> None:
    applied = applied_filters(ClaimFilters(service_from=service_from, service_to=service_to), TODAY)
    assert (applied.service_from, applied.service_to) == expected


def test_a_given_as_of_day_is_kept() -> None:
    assert applied_filters(ClaimFilters(as_of=date(2026, 6, 30)), TODAY).as_of == date(2026, 6, 30)


def test_drill_down_keys_and_paging_are_dropped_and_report_filters_kept() -> None:
    filters = ClaimFilters(
        status=ClaimStatus.DENIED,
        practice_id=3,
        provider_ids=(4, 9),
        provider_npi="1538204102",
        member_id="PT100000101",
        claim_number="CLM1",
        carc="197",
        location_ids=(2,),
        products=("HMO", "PPO"),
        submitted_from=date(2026, 1, 1),
        procedure="99213",
        place_of_service="11",
        cohort=Cohort.DENIED,
        owed=Owed.PLAN,
        age=AgeBucket.DAYS_31_60,
        sort=SortKey.BILLED,
        direction=Direction.ASCENDING,
        page=7,
        page_size=100,
    )
    applied = applied_filters(filters, TODAY)
    assert (applied.cohort, applied.owed, applied.age) == (None, None, None)
    assert (applied.procedure, applied.place_of_service) == (None, None)
    assert (applied.sort, applied.direction, applied.page, applied.page_size) == (
        SortKey.SERVICE_DATE,
        Direction.DESCENDING,
        1,
        ClaimFilters().page_size,
    )
    assert applied.status is ClaimStatus.DENIED
    assert applied.practice_id == 3
    assert applied.provider_ids == (4, 9)
    assert applied.provider_npi == "1538204102"
    assert applied.member_id == "PT100000101"
    assert applied.claim_number == "CLM1"
    assert applied.carc == "197"
    assert applied.location_ids == (2,)
    assert applied.products == ("HMO", "PPO")
    assert applied.submitted_from == date(2026, 1, 1)


def test_applying_twice_changes_nothing() -> None:
    once = applied_filters(ClaimFilters(service_from=date(2026, 2, 1), carc="16"), TODAY)
    assert applied_filters(once, date(2030, 1, 1)) == once
