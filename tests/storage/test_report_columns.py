"""The claim's report columns (ever rejected, ever pended, contractual adjustment, remitted on,
principal procedure) say what its history says, whoever wrote them: the seed, the pipeline, a
correction, or migration 0007's backfill from the status events, CO-45 adjustments,
remittances and first lines."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.claim_pipeline import advance_claims, run_payment_cycle
from domain.claims import Claim

BACKFILL: str = importlib.import_module(
    "storage.migrations.versions.0007_report_columns_and_saved_views"
).BACKFILL


def _columns(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with Session(engine) as session:
        return {
            claim.id: (
                claim.ever_rejected,
                claim.ever_pended,
                claim.contractual_amount,
                claim.remitted_on,
                claim.principal_procedure,
            )
            for claim in session.exec(select(Claim)).all()
            if claim.id is not None
        }


def _as_history_says(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with engine.begin() as connection:
        connection.execute(text(BACKFILL))
    return _columns(engine)


def _assert_agree(written: dict[int, tuple[Any, ...]], derived: dict[int, tuple[Any, ...]]) -> None:
    differing = {claim_id for claim_id in written if written[claim_id] != derived[claim_id]}
    assert not differing, {
        claim_id: (written[claim_id], derived[claim_id]) for claim_id in sorted(differing)[:5]
    }
    # Every column takes both kinds of value, so the comparison could have failed.
    for index in range(4):
        assert len({bool(values[index]) for values in written.values()}) == 2
    assert all(values[4] for values in written.values())


def test_the_seed_writes_what_the_history_says(seeded_engine: Engine) -> None:
    written = _columns(seeded_engine)
    _assert_agree(written, _as_history_says(seeded_engine))


def test_the_pipeline_writes_what_the_history_says(seeded_engine: Engine) -> None:
    at = datetime.now(UTC) + timedelta(minutes=1)
    with Session(seeded_engine, expire_on_commit=False) as session:
        while advance_claims(session, at=at).total:
            at += timedelta(minutes=1)
        run_payment_cycle(session, at=at)
        session.commit()
    written = _columns(seeded_engine)
    _assert_agree(written, _as_history_says(seeded_engine))
