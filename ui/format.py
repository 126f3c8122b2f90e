"""How amounts, dates and times read on screen: $1,234.56 from Decimal, US dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain.types import money as to_money


def money(amount: Decimal | None) -> str:
    """'$1,234.56' and '-$12.00'; Decimal formatting is exact, so no float ever rounds a cent."""
    if amount is None:
        return ""
    if not isinstance(amount, Decimal):
        raise TypeError("money is formatted from Decimal only")
    cents = to_money(amount)  # the domain's rounding (half up), not format()'s half-even
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def day(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def long_day(value: date) -> str:
    return f"{value:%A}, {value:%B} {value.day}, {value.year}"


def moment(value: datetime | None) -> str:
    """A timestamp in the viewer's server-local time, e.g. '03/14/2026 2:05 PM'."""
    if value is None:
        return ""
    local = value.astimezone()
    return f"{local:%m/%d/%Y} {local.strftime('%I:%M %p').lstrip('0')}"


def count(value: int) -> str:
    return f"{value:,}"


def date_range(start: date, end: date) -> str:
    return day(start) if start == end else f"{day(start)} \N{EN DASH} {day(end)}"
