"""Plan staff's claim counts per standing, kept for a few seconds: counting every practice's
claims reads a million index entries (a third of a second), and the claim list and the
examiner's home ask for them on every view and every live refresh.

A practice's own counts are cheap (its slice of the indexes) and are never cached. This cache
is dropped whenever a claims change is published (domain.events), so an open page that
re-reads after a change sees the change; the time limit covers changes made by another
process, whose events this process does not hear.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from domain.claims import ClaimStatus
from domain.events import ClaimsChanged, claims_changed

KEEP_SECONDS = 10.0

Counts = dict[ClaimStatus, int]


class PlanWideCounts:
    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._counts: Counts | None = None
        self._database = ""
        self._counted_at = 0.0
        # Bumped by every change: a count begun before a change is not kept after it.
        self._generation = 0

    def get(self, count: Callable[[], Counts], *, database: str = "") -> Counts:
        """The kept counts of `database` (the engine's URL) if fresh, else count() kept."""
        with self._lock:
            fresh = time.monotonic() - self._counted_at < self.keep_seconds
            if self._counts is not None and fresh and database == self._database:
                return dict(self._counts)
            generation = self._generation
        counts = count()
        with self._lock:
            if generation == self._generation:
                self._counts, self._counted_at = dict(counts), time.monotonic()
                self._database = database
        return counts

    def forget(self, _change: ClaimsChanged | None = None) -> None:
        with self._lock:
            self._counts = None
            self._generation += 1


PLAN_WIDE_COUNTS = PlanWideCounts()
claims_changed.subscribe(PLAN_WIDE_COUNTS.forget)
