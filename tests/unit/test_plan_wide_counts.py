"""The plan-wide counts cache: kept between views, dropped by a published change, and never
keeping a count that began before a change."""

from __future__ import annotations

from domain.claims import ClaimStatus
from domain.events import ClaimsChanged, claims_changed
from domain.plan_wide_counts import PLAN_WIDE_COUNTS, PlanWideCounts


def test_counts_are_kept_until_a_change_is_published() -> None:
    calls: list[int] = []

    def count() -> dict[ClaimStatus, int]:
        calls.append(1)
        return {ClaimStatus.PAID: len(calls)}

    PLAN_WIDE_COUNTS.forget()
    assert PLAN_WIDE_COUNTS.get(count) == {ClaimStatus.PAID: 1}
    assert PLAN_WIDE_COUNTS.get(count) == {ClaimStatus.PAID: 1}
    claims_changed.publish(ClaimsChanged.of([1], [1]))
    assert PLAN_WIDE_COUNTS.get(count) == {ClaimStatus.PAID: 2}
    assert len(calls) == 2


def test_a_count_begun_before_a_change_is_not_kept() -> None:
    cache = PlanWideCounts()

    def count_across_a_change() -> dict[ClaimStatus, int]:
        cache.forget()  # a change commits while this count runs
        return {ClaimStatus.DENIED: 5}

    assert cache.get(count_across_a_change) == {ClaimStatus.DENIED: 5}
    assert cache.get(lambda: {ClaimStatus.DENIED: 6}) == {ClaimStatus.DENIED: 6}


def test_counts_are_kept_per_database() -> None:
    cache = PlanWideCounts()
    assert cache.get(lambda: {ClaimStatus.PAID: 1}, database="a") == {ClaimStatus.PAID: 1}
    assert cache.get(lambda: {ClaimStatus.PAID: 2}, database="b") == {ClaimStatus.PAID: 2}


def test_counts_expire_after_the_keep_time() -> None:
    cache = PlanWideCounts(keep_seconds=0.0)
    assert cache.get(lambda: {ClaimStatus.PAID: 1}) == {ClaimStatus.PAID: 1}
    assert cache.get(lambda: {ClaimStatus.PAID: 2}) == {ClaimStatus.PAID: 2}
