"""`python main.py import FILE --as EMAIL` on a small demo database: a clearinghouse's 837P (one
x12sdk wrote) imported with a 999 pyx12 accepts, a summary in counts and locations (no PHI), the
same file again creating nothing, and bad files and accounts refused with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

import main
from api.claim_files import ActorRefused, run_import_file
from domain.audit import AuditEvent
from domain.claims import Claim
from storage.seed.demo import SHOWCASE_BY_KEY
from tests.x12_validation import pyx12_errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
BILLING = "billing@riverside.example"


def _drop(tmp_path: Path, *, break_one: bool = False) -> Path:
    text = (FIXTURES / "837p_x12sdk_subscribers.x12").read_text()
    if break_one:  # the second claim's member: a date of birth that does not match
        text = text.replace("DMG*D8*19791123", "DMG*D8*19791124")
    path = tmp_path / "clearinghouse.837"
    path.write_text(text)
    return path


def _imported(engine: Engine) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(Claim)
        return session.exec(statement.where(col(Claim.claim_import_id).is_not(None))).one()


def test_the_command_imports_an_837p_prints_counts_and_writes_the_999(
    demo_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _drop(tmp_path, break_one=True)
    with pytest.raises(SystemExit) as exited:
        main.cli(["import", str(source), "--as", BILLING])
    printed = capsys.readouterr()

    assert exited.value.code == 0, printed.err
    assert "Received: 3\nAccepted: 2\nRejected: 1\n" in printed.out
    clm = next(
        n
        for n, line in enumerate(source.read_text().splitlines(), 1)
        if line.startswith("CLM*RFM-X2")
    )
    assert f"  segment {clm}: member ID: No member matches" in printed.out
    ack = source.with_name("clearinghouse.837.999")
    assert f"Wrote the 999 acknowledgement to {ack}." in printed.out
    assert pyx12_errors(ack.read_text()) == []
    for member in SHOWCASE_BY_KEY.values():
        for phi in (member.member_id, member.last_name.upper(), f"{member.date_of_birth:%Y%m%d}"):
            assert phi not in printed.out + printed.err
    assert _imported(demo_db) == 2
    with Session(demo_db) as session:
        exports = session.exec(
            select(AuditEvent.detail).where(
                AuditEvent.action == "export", AuditEvent.entity_type == "claim_import"
            )
        ).all()
    assert exports == ["999 acknowledgement"]  # the 999 left the portal: audited

    with pytest.raises(SystemExit) as again:
        main.cli(["import", str(source), "--as", BILLING, "--ack", str(tmp_path / "x.999")])
    assert again.value.code == 0
    assert "was imported before" in capsys.readouterr().out
    assert _imported(demo_db) == 2


def test_a_csv_is_imported_the_same_way(demo_db: Engine, tmp_path: Path) -> None:
    from interop.claims_csv import template

    source = tmp_path / "claims.csv"
    source.write_text(template())
    report = run_import_file(source, BILLING)
    assert (report.result.total, report.result.accepted) == (1, 1)
    assert report.acknowledgement_path is None


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@riverside.example", "No active Portico user"),
        ("frontdesk@riverside.example", "may not submit claims"),
        ("examiner@plan.example", "may not submit claims"),
    ],
)
def test_an_account_that_may_not_submit_is_refused(
    demo_db: Engine, tmp_path: Path, email: str, message: str
) -> None:
    with pytest.raises(ActorRefused, match=message):
        run_import_file(_drop(tmp_path), email)
    assert _imported(demo_db) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda t: t[: len(t) // 2], "was not imported (nothing was saved)"),
        (lambda t: "patient,amount\nA,1\n", "missing patient_control_number"),
    ],
)
def test_an_unreadable_file_exits_2_with_what_to_fix(
    demo_db: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content,  # type: ignore[no-untyped-def]
    message: str,
) -> None:
    source = _drop(tmp_path)
    source.write_text(content(source.read_text()))
    with pytest.raises(SystemExit) as exited:
        main.cli(["import", str(source), "--as", BILLING])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert _imported(demo_db) == 0
