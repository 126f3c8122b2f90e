"""`python main.py eligibility FILE.270 --as EMAIL --out FILE.271` on a small demo database:
showcase members answered in a 271 that x12sdk reads, every check kept and audited, refused
accounts told why, and nothing but counts and locations on the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import main
from api.x12_files import ActorRefused, run_270_file
from domain.audit import AuditEvent
from domain.eligibility import EligibilityInquiry
from domain.eligibility_checks import EligibilityCheck
from domain.users import User
from interop.x12 import Party, write_270
from storage.seed.demo import SHOWCASE_BY_KEY, ShowcaseMember
from tests.x12sdk_tr3 import read_with_x12sdk

REPO = Path(__file__).resolve().parents[2]
FRONT_DESK = "frontdesk@riverside.example"
RIVERSIDE = Party("Riverside Family Medicine", "XX", "1467560003")


def _code(value: Any) -> str:
    return str(getattr(value, "value", value))  # x12sdk gives code values as enums or strings


def _today() -> date:
    return date.today()  # the demo's coverages are dated relative to the day it was seeded


def _inquiry(member: ShowcaseMember, trace: str, **changes: Any) -> EligibilityInquiry:
    inquiry = EligibilityInquiry(
        date_of_service=_today(),
        date_of_birth=member.date_of_birth,
        member_id=member.member_id,
        last_name=member.last_name,
        first_name=member.first_name,
        trace_number=trace,
    )
    return replace(inquiry, **changes)


def _write_270(path: Path, inquiries: list[EligibilityInquiry]) -> Path:
    path.write_text(
        write_270(
            inquiries,
            provider=RIVERSIDE,
            sender_id="RIVERSIDEFM",
            receiver_id="PORTICO",
            control_number=77,
            at=datetime.now(UTC),
        )
    )
    return path


def _schedule(tmp_path: Path) -> Path:
    """Five appointments: active, terminated, a wrong DOB (no match), a child found by name,
    and one whose DMG cannot be read."""
    show = SHOWCASE_BY_KEY
    inquiries = [
        _inquiry(show["active_hmo"], "T-1", procedure_codes=("99213",)),
        _inquiry(show["terminated"], "T-2"),
        _inquiry(show["active_hmo"], "T-3", date_of_birth=date(1984, 3, 15)),
        _inquiry(show["dependent_child"], "T-4", member_id=None),
        _inquiry(show["not_yet_effective"], "T-5"),
    ]
    path = _write_270(tmp_path / "tomorrow.270", inquiries)
    broken = show["not_yet_effective"].date_of_birth.strftime("%Y%m%d")
    path.write_text(path.read_text().replace(f"DMG*D8*{broken}", "DMG*D8*19951308"))
    return path


def test_a_270_is_answered_with_a_271_and_every_check_is_kept(
    demo_db: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "tomorrow.271"
    summary = run_270_file(_schedule(tmp_path), email=FRONT_DESK, out=out)

    assert (summary.inquiries, summary.matched, summary.active) == (5, 3, 2)
    assert (summary.no_match, summary.errors) == (1, 1)
    assert summary.problems == (
        "transaction 0001, segment 37 (DMG): Invalid/missing date of birth",
    )

    (model,) = read_with_x12sdk(out.read_text())
    loops = model.loop_2000a[0].loop_2000b[0].loop_2000c
    assert [loop.trn_segment[0].reference_identification_1 for loop in loops] == [
        "T-1",
        "T-2",
        "T-3",
        "T-4",
        "T-5",
    ]
    statuses = [
        [
            _code(b.eb_segment.eligibility_benefit_information)
            for b in loop.loop_2100c.loop_2110c or []
        ]
        for loop in loops
    ]
    assert statuses[0][0] == "1" and statuses[1][0] == "6" and statuses[3][0] == "1"
    rejections = [
        [
            (_code(a.response_code), _code(a.reject_reason_code))
            for a in loop.loop_2100c.aaa_segment or []
        ]
        for loop in loops
    ]
    assert rejections == [[], [], [("Y", "75")], [], [("N", "58")]]
    child = loops[3].loop_2100c.nm1_segment
    assert child.identification_code == SHOWCASE_BY_KEY["dependent_child"].member_id
    procedure_lines = [
        b.eb_segment for b in loops[0].loop_2100c.loop_2110c if b.eb_segment.procedure_identifier
    ]
    assert [eb.procedure_identifier for eb in procedure_lines] == [["HC", "99213"]]

    with Session(demo_db) as session:
        checks = session.exec(
            select(EligibilityCheck).where(EligibilityCheck.batch_id == summary.batch_id)
        ).all()
        front_desk = session.exec(select(User).where(User.email == FRONT_DESK)).one()
        audited = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "eligibility_check", AuditEvent.source_ip == "cli"
            )
        ).all()
    assert sorted(check.outcome for check in checks) == ["active", "active", "inactive", "no_match"]
    assert {(check.source, check.user_id) for check in checks} == {("x12", front_desk.id)}
    own_traces = {
        trn.reference_identification_1
        for loop in loops
        for trn in loop.trn_segment
        if trn.trace_type_code == "1"
    }
    assert own_traces == {check.transaction_id for check in checks}  # 271 lines -> history
    assert len(audited) == 4
    with Session(demo_db) as session:
        (export,) = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "export", AuditEvent.entity_type == "eligibility_batch"
            )
        ).all()
    assert (export.user_id, export.entity_id) == (front_desk.id, summary.batch_id)
    assert export.detail == "271, 4 rows"  # counts, never who


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@riverside.example", "No active Portico user has the email"),
        ("clinical@riverside.example", "may not check eligibility"),
        ("examiner@plan.example", "may not check eligibility"),
        ("billing@lakeside.example", "No active Portico user has the email"),  # deactivated
    ],
)
def test_an_account_that_may_not_check_eligibility_is_refused(
    demo_db: Engine, tmp_path: Path, email: str, message: str
) -> None:
    with Session(demo_db) as session:
        user = session.exec(select(User).where(User.email == "billing@lakeside.example")).one()
        user.is_active = False
        session.add(user)
        session.commit()
    out = tmp_path / "never.271"
    with pytest.raises(ActorRefused, match=message):
        run_270_file(_schedule(tmp_path), email=email, out=out)
    assert not out.exists()
    with Session(demo_db) as session:
        assert session.exec(select(EligibilityCheck)).all() == []


def test_the_command_prints_counts_and_locations_never_phi(
    demo_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tomorrow.271"
    with pytest.raises(SystemExit) as exited:
        main.cli(["eligibility", str(_schedule(tmp_path)), "--as", FRONT_DESK, "--out", str(out)])
    printed = capsys.readouterr()

    assert exited.value.code == 0
    assert "Inquiries: 5" in printed.out
    assert "matched: 3 (active on the date of service: 2)" in printed.out
    assert "segment 37 (DMG): Invalid/missing date of birth" in printed.out
    for member in SHOWCASE_BY_KEY.values():
        for phi in (member.member_id, member.last_name, member.date_of_birth.strftime("%Y%m%d")):
            assert phi not in printed.out + printed.err
    assert "19951308" not in printed.out  # not even the broken date of birth


def test_a_file_that_is_not_a_270_exits_2_with_what_to_fix(
    demo_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _schedule(tmp_path)
    source.write_text(source.read_text().replace("ST*270*", "ST*271*"))
    with pytest.raises(SystemExit) as exited:
        main.cli(["eligibility", str(source), "--as", FRONT_DESK, "--out", str(tmp_path / "x")])
    assert exited.value.code == 2
    assert "Segment 3 (ST): ST01 is '271': this is not a 270" in capsys.readouterr().err


def test_python_main_py_eligibility_runs_end_to_end(demo_db: Engine, tmp_path: Path) -> None:
    out = tmp_path / "tomorrow.271"
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    finished = subprocess.run(
        [sys.executable, "main.py", "eligibility", str(_schedule(tmp_path)), "--as", FRONT_DESK,
         "--out", str(out)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    assert "Inquiries: 5" in finished.stdout
    assert out.read_text().startswith("ISA*00*")
