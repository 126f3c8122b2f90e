"""Money in and out of the Money column type: exact cents, floats and fractions refused."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.types import Money, UTCDateTime, money

MONEY = Money()
UTC_TYPE = UTCDateTime()


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_round_trip_exactly(cents: int) -> None:
    amount = Decimal(cents) / 100
    stored = MONEY.process_bind_param(amount, None)
    assert stored == cents
    assert MONEY.process_result_value(stored, None) == amount


def test_fractions_of_a_cent_and_floats_are_refused() -> None:
    with pytest.raises(ValueError, match="fractions of a cent"):
        MONEY.process_bind_param(Decimal("1.005"), None)
    with pytest.raises(TypeError):
        MONEY.process_bind_param(1.5, None)
    with pytest.raises(TypeError):
        money(0.1)  # type: ignore[arg-type]


def test_money_rounds_half_up_to_cents() -> None:
    assert money("2.345") == Decimal("2.35")
    assert money(3) == Decimal("3.00")


def test_naive_datetimes_are_refused_and_others_become_utc() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTC_TYPE.process_bind_param(datetime(2026, 1, 1), None)
    eastern = timezone(timedelta(hours=-5))
    stored = UTC_TYPE.process_bind_param(datetime(2026, 1, 1, 7, tzinfo=eastern), None)
    assert stored == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert UTC_TYPE.process_result_value(datetime(2026, 1, 1, 12), None).tzinfo is UTC
