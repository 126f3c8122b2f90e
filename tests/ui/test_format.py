"""Money and dates as people read them: $1,234.56 from Decimal only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ui.format import date_range, day, money


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("0"), "$0.00"),
        (Decimal("0.00"), "$0.00"),
        (Decimal("5"), "$5.00"),
        (Decimal("1234.56"), "$1,234.56"),
        (Decimal("1234567.8"), "$1,234,567.80"),
        (Decimal("-12"), "-$12.00"),
        (Decimal("0.005"), "$0.01"),  # half up, as domain.types.money rounds
        (None, ""),
    ],
)
def test_money_reads_as_dollars_and_cents(amount: Decimal | None, shown: str) -> None:
    assert money(amount) == shown


def test_money_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        money(12.5)  # type: ignore[arg-type]


def test_dates_are_us_style() -> None:
    assert day(date(2026, 3, 4)) == "03/04/2026"
    assert date_range(date(2026, 3, 4), date(2026, 3, 4)) == "03/04/2026"
    assert date_range(date(2026, 3, 4), date(2026, 3, 6)) == "03/04/2026 \N{EN DASH} 03/06/2026"
