"""The seeds' one notion of time: the 18 months of service dates before an anchor date."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CLAIM_MONTHS = 18


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (clamped to that month's last day)."""
    year, month_zero = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_zero + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def last_of_month(day: date) -> date:
    return first_of_next_month(day) - timedelta(days=1)


@dataclass(frozen=True)
class SeedWindow:
    """Claims have service dates in [start, as_of); nothing happens at or after `cutoff`."""

    as_of: date
    start: date

    @property
    def last_service_date(self) -> date:
        return self.as_of - timedelta(days=1)

    @property
    def cutoff(self) -> datetime:
        return datetime(self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.as_of - self.start).days

    @property
    def plan_year(self) -> int:
        """The plan year `as_of` falls in (every seeded plan's year starts in January)."""
        return self.as_of.year


def window_for(as_of: date) -> SeedWindow:
    return SeedWindow(as_of=as_of, start=months_before(as_of, CLAIM_MONTHS))
