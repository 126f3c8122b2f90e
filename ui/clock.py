"""The UI's one reading of the clock; domain rules get the time from here as arguments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today where the portal runs (the server's local zone, as the practices around it)."""
    return datetime.now().astimezone().date()


def start_of_today() -> datetime:
    local_midnight = datetime.combine(today(), time.min).astimezone()
    return local_midnight.astimezone(UTC)
