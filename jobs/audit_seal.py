"""The audit-seal job: every few seconds, fold the events written since into the hash chain
(domain/audit_chain.py), a bounded batch per transaction; the CLI's `audit seal` and `audit
verify` run the same loop."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from domain.audit_chain import VerifyResult, seal, verify
from storage.db import unit_of_work

log = logging.getLogger(__name__)

SEAL_EVERY_SECONDS = 5
BATCH_SIZE = 5000
# One run stops after this many batches (a quarter of a million events) and the next run
# continues, so a backlog never holds the seal lock for long.
MAX_BATCHES = 50


def seal_audit_events(
    *, engine: Engine | None = None, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> int:
    """Seal batch after batch until none is left (or `max_batches` ran); how many were sealed.
    Each batch is its own transaction, so the lock is held for one batch at a time."""
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with unit_of_work(engine) as session:
            sealed = seal(session, limit=batch_size, at=datetime.now(UTC))
        total += sealed
        batches += 1
        if sealed < batch_size:
            break
    if total:
        log.info("audit seal: %d events sealed", total)
    return total


def seal_and_verify(*, engine: Engine | None = None) -> VerifyResult:
    """Seal everything written so far, then walk the whole chain (its own transaction)."""
    seal_audit_events(engine=engine)
    with unit_of_work(engine) as session:
        return verify(session, at=datetime.now(UTC))
