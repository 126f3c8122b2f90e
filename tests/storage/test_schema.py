"""The migrated schema on SQLite and PostgreSQL: matches the models, keeps money exact and time
in UTC, enforces keys, and the SQLite pragmas the app relies on are on."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

import domain.models  # noqa: F401  (registers the tables)
from domain.plans import BenefitPlan, FeeSchedule
from domain.practices import Location, Practice
from domain.types import utcnow
from storage.db import make_engine


def test_migrations_produce_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_money_is_exact_through_storage_and_sums(session: Session) -> None:
    schedule = FeeSchedule(name="Commercial 2026", effective_from=date(2026, 1, 1))
    session.add(schedule)
    session.flush()
    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("1234567.89"), Decimal("-0.01")]
    for index, amount in enumerate(amounts):
        session.add(
            BenefitPlan(
                code=f"P{index}",
                name="Plan",
                product="PPO",
                network="Open",
                fee_schedule_id=schedule.id,
                individual_deductible=amount,
                family_deductible=amount,
                individual_oop_max=amount,
                family_oop_max=amount,
            )
        )
    session.commit()
    session.expire_all()
    stored = session.exec(select(BenefitPlan.individual_deductible)).all()
    assert sorted(stored) == sorted(amounts)
    total = session.exec(select(func.sum(BenefitPlan.individual_deductible))).one()
    # 0.1 + 0.2 in floats is 0.30000000000000004; in cents it is exact.
    assert Decimal(total) / (100 if isinstance(total, int) else 1) == sum(amounts)


def test_timestamps_come_back_timezone_aware_utc(session: Session) -> None:
    eastern = timezone(timedelta(hours=-5))
    practice = Practice(
        name="Clock Practice",
        tin="123456789",
        group_npi="1234567893",
        created_at=datetime(2026, 5, 1, 9, 30, tzinfo=eastern),
    )
    session.add(practice)
    session.commit()
    session.expire_all()
    loaded = session.get(Practice, practice.id)
    assert loaded is not None
    assert loaded.created_at == datetime(2026, 5, 1, 14, 30, tzinfo=UTC)
    assert loaded.created_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session: Session) -> None:
    session.add(
        Practice(name="Naive", tin="987654321", group_npi="1234567893", created_at=datetime.now())
    )
    with pytest.raises(Exception, match="naive"):
        session.commit()


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(
        Location(
            practice_id=999_999,
            name="Nowhere",
            address_line="1 Main St",
            city="Springfield",
            state="IL",
            postal_code="62701",
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()


def test_unique_tin(session: Session) -> None:
    session.add(Practice(name="A", tin="111111111", group_npi="1234567893", created_at=utcnow()))
    session.commit()
    session.add(Practice(name="B", tin="111111111", group_npi="1245319599", created_at=utcnow()))
    with pytest.raises(IntegrityError):
        session.commit()


def test_sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
