"""`python main.py audit verify` as an operator runs it: exit 0 and the count on an intact
chain, exit 1 naming the changed event after someone edited the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from domain.audit import record
from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade_to_head

ROOT = Path(__file__).resolve().parent.parent


def _run(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"}
    env["PORTICO_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_audit_verify_reports_an_intact_chain_and_names_a_changed_event(tmp_path: Path) -> None:
    database = tmp_path / "audit.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    with unit_of_work(engine) as session:
        for i in range(3):
            record(session, action="read", at=datetime.now(UTC), entity_type="claim", entity_id=i)

    intact = _run(database, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("Audit chain intact: 3 events\n")
    assert "Chain head: seq 3, sha256 " in intact.stdout

    with engine.begin() as connection:  # a DBA drops the trigger and edits an event
        connection.exec_driver_sql("DROP TRIGGER auditevent_no_update")
        connection.exec_driver_sql("UPDATE auditevent SET entity_id = '99' WHERE seq = 2")
        changed_id = connection.exec_driver_sql("SELECT id FROM auditevent WHERE seq = 2").scalar()
    engine.dispose()

    broken = _run(database, "audit", "verify")
    assert broken.returncode == 1
    assert f"event id {changed_id} (seq 2) was changed" in broken.stderr
    assert broken.stdout == ""


def test_audit_seal_says_how_many_it_sealed(tmp_path: Path) -> None:
    database = tmp_path / "audit.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    with unit_of_work(engine) as session:
        record(session, action="sign_in", at=datetime.now(UTC))
    engine.dispose()
    sealed = _run(database, "audit", "seal")
    assert sealed.returncode == 0, sealed.stderr
    assert sealed.stdout == "Sealed 1 audit events into the chain.\n"


def test_audit_verify_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:  # a database from before any migration
        connection.exec_driver_sql("CREATE TABLE unrelated (id INTEGER)")
    engine.dispose()
    refused = _run(database, "audit", "verify")
    assert refused.returncode == 2
    assert "Run `python main.py migrate` first." in refused.stderr
