"""The status-refresh job: move claims along the payer pipeline in batches, then tell pages."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.claims import Claim
from domain.events import ClaimsChanged, claims_changed
from storage.db import unit_of_work
from storage.settings import Settings, get_settings

log = logging.getLogger(__name__)


# The pipeline is imported lazily through these two seams: the job module must import (and its
# tests run) whether or not domain/claim_pipeline.py is there, and tests replace them.
def advance_claims(session: Session, *, at: datetime, batch_size: int) -> Any:
    from domain.claim_pipeline import advance_claims as advance

    return advance(session, at=at, batch_size=batch_size)


def run_payment_cycle(session: Session, *, at: datetime) -> list[int]:
    from domain.claim_pipeline import run_payment_cycle as pay

    return pay(session, at=at)


@dataclass
class RefreshSummary:
    """What one run did, in counts and ids (never PHI): for the log line and the tests."""

    claim_ids: set[int] = field(default_factory=set)
    practice_ids: set[int] = field(default_factory=set)
    batches: int = 0
    failed: int = 0  # claims whose step raised: rolled back alone, tried again next run
    payment_cycle_ran: bool = False
    remitted: int = 0
    seconds: float = 0.0

    def message(self) -> ClaimsChanged:
        return ClaimsChanged.of(self.claim_ids, self.practice_ids)


class PaymentClock:
    """When the last payment run happened in this process. In memory on purpose: a new leader
    simply runs one at its first refresh, which is harmless because a payment run only picks up
    finalized claims that no remittance holds yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last_run_at: datetime | None = None

    def due(self, at: datetime, every: timedelta) -> bool:
        with self._lock:
            return self.last_run_at is None or at - self.last_run_at >= every

    def ran(self, at: datetime) -> None:
        with self._lock:
            self.last_run_at = at


PAYMENT_CLOCK = PaymentClock()


def refresh_claim_statuses(
    *,
    engine: Engine | None = None,
    at: datetime | None = None,
    settings: Settings | None = None,
    payment_clock: PaymentClock = PAYMENT_CLOCK,
) -> RefreshSummary:
    """One run: advance claims a batch per transaction until a batch comes back short (nothing
    left) or the per-run cap is reached, and run the payment cycle when it is due. Each batch
    publishes its ClaimsChanged as soon as it has committed (never before, so no page re-reads
    data that could roll back): with a backlog, open pages hear about the first claims while
    the run works through the rest.

    Idempotent: the pipeline moves a claim only when its current status and `at` allow it, so a
    repeated or overlapping run finds nothing more to do. The scheduler's arguments are empty:
    no PHI rides in the job store."""
    settings = settings or get_settings()
    at = at or datetime.now(UTC)
    started = time.perf_counter()
    summary = RefreshSummary()
    for _ in range(settings.status_refresh_max_batches):
        with unit_of_work(engine) as session:
            report = advance_claims(session, at=at, batch_size=settings.status_refresh_batch_size)
        changed = set(report.claim_ids)
        summary.batches += 1
        summary.failed += len(getattr(report, "failed", ()))
        # A claim moved again by a later batch means the backlog is drained and the pipeline is
        # now stepping this run's claims a second time: stop, so a claim takes one step per run
        # (at most one batch of claims takes two when the backlog ends exactly on a batch).
        repeated = bool(changed & summary.claim_ids)
        summary.claim_ids |= changed
        summary.practice_ids |= set(report.practice_ids)
        if changed:
            claims_changed.publish(ClaimsChanged.of(changed, report.practice_ids))
        if repeated or len(changed) < settings.status_refresh_batch_size:
            break
    if payment_clock.due(at, timedelta(seconds=settings.payment_cycle_seconds)):
        with unit_of_work(engine) as session:
            remittance_ids = run_payment_cycle(session, at=at)
            remitted = _claims_in(session, remittance_ids)
        payment_clock.ran(at)
        summary.payment_cycle_ran = True
        summary.remitted = len(remitted)
        summary.claim_ids |= {claim_id for claim_id, _ in remitted}
        summary.practice_ids |= {practice_id for _, practice_id in remitted}
        if remitted:
            claims_changed.publish(
                ClaimsChanged.of(
                    {claim_id for claim_id, _ in remitted},
                    {practice_id for _, practice_id in remitted},
                )
            )
    summary.seconds = time.perf_counter() - started
    # Counts only: claim ids are not PHI, but a log line has no use for them.
    log.info(
        "status refresh: %d claims changed in %d batches (%d failed), %d remitted, %.2f s",
        len(summary.claim_ids),
        summary.batches,
        summary.failed,
        summary.remitted,
        summary.seconds,
    )
    return summary


def _claims_in(session: Session, remittance_ids: list[int]) -> list[tuple[int, int]]:
    """(claim id, practice id) of the claims the new remittances hold: the payment run moved
    them to Remitted, and their pages should show it."""
    if not remittance_ids:
        return []
    rows = session.exec(
        select(Claim.id, Claim.practice_id).where(col(Claim.remittance_id).in_(remittance_ids))
    ).all()
    return [(claim_id, practice_id) for claim_id, practice_id in rows if claim_id is not None]
