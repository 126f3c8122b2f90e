"""Column types that keep money exact and time in UTC on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, DateTime, func, type_coerce
from sqlalchemy import Enum as SAEnum
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """A dollar amount with exactly two places; floats are refused so none sneaks in."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; use Decimal or a string")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def utcnow() -> datetime:
    """The one clock read for persistence timestamps (rules take time as an argument)."""
    return datetime.now(UTC)


class Money(TypeDecorator[Decimal]):
    """Stored as integer cents: exact, fast to SUM, identical on both databases."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        amount = Decimal(value) if not isinstance(value, Decimal) else value
        if isinstance(value, float):
            raise TypeError("money must not be a float")
        cents = amount * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"amount {amount} has fractions of a cent")
        return int(cents)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite hands back naive values, so UTC is re-attached."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[StrEnum]) -> SAEnum:
    """Enums stored as their plain string values (VARCHAR, no native PG type), so adding a
    status is a code change, not a schema migration, and raw SQL reads 'paid' not 'PAID'."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=30,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def money_sum(expression: Any) -> ColumnElement[Decimal]:
    """SUM of a money expression, read back as Decimal dollars (the column stores cents), 0 when
    there are no rows."""
    return type_coerce(func.coalesce(func.sum(type_coerce(expression, Money())), 0), Money())
