"""The claim counts cache: kept per scope between views, dropped by a published change that
touches the scope, and never keeping a count that began before a change."""

from __future__ import annotations

from domain.claim_counts import CLAIM_COUNTS, ScopeCounts
from domain.claims import ClaimStatus
from domain.events import ClaimsChanged, claims_changed


def test_counts_are_kept_until_a_change_is_published() -> None:
    calls: list[int] = []

    def count() -> dict[ClaimStatus, int]:
        calls.append(1)
        return {ClaimStatus.PAID: len(calls)}

    CLAIM_COUNTS.forget()
    assert CLAIM_COUNTS.get(count) == {ClaimStatus.PAID: 1}
    assert CLAIM_COUNTS.get(count) == {ClaimStatus.PAID: 1}
    claims_changed.publish(ClaimsChanged.of([1], [1]))
    assert CLAIM_COUNTS.get(count) == {ClaimStatus.PAID: 2}
    assert len(calls) == 2


def test_a_change_drops_its_practices_and_the_plan_wide_counts_only() -> None:
    cache = ScopeCounts()
    cache.get(lambda: {ClaimStatus.PAID: 1}, practice_id=1)
    cache.get(lambda: {ClaimStatus.PAID: 2}, practice_id=2)
    cache.get(lambda: {ClaimStatus.PAID: 3}, practice_id=None)
    cache.forget(ClaimsChanged.of([10], [1]))
    assert cache.get(lambda: {ClaimStatus.PAID: 11}, practice_id=1) == {ClaimStatus.PAID: 11}
    assert cache.get(lambda: {ClaimStatus.PAID: 22}, practice_id=2) == {ClaimStatus.PAID: 2}
    assert cache.get(lambda: {ClaimStatus.PAID: 33}, practice_id=None) == {ClaimStatus.PAID: 33}


def test_a_count_begun_before_a_change_is_not_kept() -> None:
    cache = ScopeCounts()

    def count_across_a_change() -> dict[ClaimStatus, int]:
        cache.forget()  # a change commits while this count runs
        return {ClaimStatus.DENIED: 5}

    assert cache.get(count_across_a_change) == {ClaimStatus.DENIED: 5}
    assert cache.get(lambda: {ClaimStatus.DENIED: 6}) == {ClaimStatus.DENIED: 6}


def test_counts_are_kept_per_database() -> None:
    cache = ScopeCounts()
    assert cache.get(lambda: {ClaimStatus.PAID: 1}, database="a") == {ClaimStatus.PAID: 1}
    assert cache.get(lambda: {ClaimStatus.PAID: 2}, database="b") == {ClaimStatus.PAID: 2}


def test_counts_expire_after_the_keep_time() -> None:
    cache = ScopeCounts(keep_seconds=0.0)
    assert cache.get(lambda: {ClaimStatus.PAID: 1}) == {ClaimStatus.PAID: 1}
    assert cache.get(lambda: {ClaimStatus.PAID: 2}) == {ClaimStatus.PAID: 2}
