"""`python main.py export-835 --since DATE --out DIR` on a small demo database: one 835 per
remittance paid since the date, named by payment number, each accepted by pyx12 and audited,
and nothing but counts and file names on the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import main
from api.remittance_files import export_835_since
from domain.audit import AuditEvent
from domain.claims import Remittance
from domain.members import Member
from domain.remittance_advice import EXPORT_ACTION
from interop.x12.segments import read_interchange
from tests.x12_validation import pyx12_errors

REPO = Path(__file__).resolve().parents[2]


def _remittances(engine: Engine, since: date) -> list[Remittance]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Remittance)
                .where(col(Remittance.payment_date) >= since)
                .order_by(col(Remittance.payment_date), col(Remittance.id))
            ).all()
        )


def _a_middle_date(engine: Engine) -> date:
    """A payment date with remittances before and after it, so `since` really filters."""
    dates = sorted({remittance.payment_date for remittance in _remittances(engine, date.min)})
    assert len(dates) > 4
    return dates[len(dates) // 2]


def test_one_valid_835_per_remittance_since_the_date(demo_db: Engine, tmp_path: Path) -> None:
    since = _a_middle_date(demo_db)
    expected = _remittances(demo_db, since)
    assert 0 < len(expected) < len(_remittances(demo_db, date.min))

    written = export_835_since(since, tmp_path / "out")

    assert [path.name for path in written] == [f"{r.payment_number}.835" for r in expected]
    texts = [path.read_text(encoding="ascii") for path in written]
    for text, remittance in zip(texts, expected, strict=True):
        transaction = read_interchange(text).transactions[0]
        trn = next(segment for segment in transaction.segments if segment.id == "TRN")
        assert trn.get(2) == remittance.payment_number
        bpr = next(segment for segment in transaction.segments if segment.id == "BPR")
        assert Decimal(bpr.get(2)) == remittance.total_paid  # the demo has no reversals
    # Two practices' payees among the files: the plan's export is of every practice.
    assert len({read_interchange(text).receiver_id for text in texts}) == 2
    assert pyx12_errors("".join(texts)) == []

    with Session(demo_db) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == EXPORT_ACTION)).all()
    assert sorted(int(event.entity_id) for event in events) == sorted(r.id or 0 for r in expected)
    assert {event.user_id for event in events} == {None}


def test_the_command_prints_file_names_and_counts_never_phi(
    demo_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    since = _a_middle_date(demo_db)
    out = tmp_path / "835s"
    with pytest.raises(SystemExit) as exited:
        main.cli(["export-835", "--since", since.isoformat(), "--out", str(out)])
    printed = capsys.readouterr()

    assert exited.value.code == 0
    count = len(_remittances(demo_db, since))
    assert f"Wrote {count} 835 file(s) for remittances paid since {since}" in printed.out
    assert len(list(out.glob("*.835"))) == count
    with Session(demo_db) as session:
        members = session.exec(select(Member)).all()
    for member in members:
        assert member.member_id not in printed.out
        assert member.last_name not in printed.out


def test_a_date_that_is_not_a_date_exits_2(
    demo_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main.cli(["export-835", "--since", "03/01/2026", "--out", str(tmp_path / "out")])
    assert exited.value.code == 2
    assert "give it as YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_python_main_py_export_835_runs_end_to_end(demo_db: Engine, tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    finished = subprocess.run(
        [sys.executable, "main.py", "export-835", "--since", "2000-01-01", "--out", str(tmp_path)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    files = sorted(tmp_path.glob("*.835"))
    assert len(files) == len(_remittances(demo_db, date.min))
    assert files[0].read_text().startswith("ISA*00*")
