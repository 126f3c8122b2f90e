"""Claim counts per standing, kept for a few seconds per scope (one practice, or every
practice for plan staff): counting reads a practice's slice of three indexes (a tenth of a
second at a few hundred thousand claims, a third of a second for the whole plan), and the
claim list asks for them on every view and every live refresh.

A scope's counts are dropped whenever a published claims change touches it (domain.events),
so an open page that re-reads after a change sees the change; the time limit covers changes
made by another process, whose events this process does not hear.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from domain.claims import ClaimStatus
from domain.events import ClaimsChanged, claims_changed

KEEP_SECONDS = 10.0

Counts = dict[ClaimStatus, int]
# (database URL, practice id or None for every practice)
ScopeKey = tuple[str, int | None]


class ScopeCounts:
    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._kept: dict[ScopeKey, tuple[float, Counts]] = {}
        # Bumped by every change: a count begun before a change is not kept after it.
        self._generation = 0

    def get(
        self, count: Callable[[], Counts], *, database: str = "", practice_id: int | None = None
    ) -> Counts:
        """The kept counts of the scope if fresh, else count(), kept."""
        key = (database, practice_id)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and time.monotonic() - kept[0] < self.keep_seconds:
                return dict(kept[1])
            generation = self._generation
        counts = count()
        with self._lock:
            if generation == self._generation:
                self._kept[key] = (time.monotonic(), dict(counts))
        return counts

    def forget(self, change: ClaimsChanged | None = None) -> None:
        """Drop what a change touches: its practices and the plan-wide counts (all if None)."""
        with self._lock:
            self._generation += 1
            if change is None:
                self._kept.clear()
                return
            for key in list(self._kept):
                if key[1] is None or key[1] in change.practice_ids:
                    del self._kept[key]


CLAIM_COUNTS = ScopeCounts()
claims_changed.subscribe(CLAIM_COUNTS.forget)
