"""Run a domain use case in its own unit of work, off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nicegui import run

from storage.db import unit_of_work

T = TypeVar("T")


def _in_unit_of_work(use_case: Callable[..., T], arguments: dict[str, Any]) -> T:
    with unit_of_work() as session:
        return use_case(session=session, **arguments)


async def call(use_case: Callable[..., T], **arguments: Any) -> T:
    """`await call(search_claims, actor=actor, status=...)`: one transaction, in a worker thread,
    so a slow query never blocks other users' pages."""
    result = await run.io_bound(_in_unit_of_work, use_case, arguments)
    return result  # type: ignore[return-value]  # None only while the app shuts down
