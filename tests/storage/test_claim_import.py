"""Bulk claim imports on SQLite and PostgreSQL: claims checked one by one and stored in batches
(one transaction each), rejections named by row or segment, the same file twice creating
nothing new, a batch that fails rolled back alone and finished by a rerun, and a file that
cannot be read saving nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.auth import actor_for
from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claim_import_service import (
    ClaimFile,
    ImportResult,
    read_import,
    recent_imports,
    run_import,
)
from domain.claim_imports import ClaimImport
from domain.claim_submission import submit_claim
from domain.claims import Claim, ClaimDiagnosis, ClaimLine, ClaimStatus, ClaimStatusEvent
from domain.members import Member
from domain.scope import Actor, NotFound
from domain.users import User
from interop.claim_file import read_claim_file
from interop.claims_csv import ClaimFileError, entries_to_csv
from interop.x12.segments import X12Error
from storage.db import unit_of_work as storage_unit_of_work
from storage.seed.demo import SHOWCASE_BY_KEY
from tests.factories import ALVAREZ, OKAFOR, make_claim_entry
from tests.x12sdk_837p import NOAH

FIXTURES = Path(__file__).parents[1] / "fixtures" / "x12"
LAKESIDE_MEYERS = "1649302100"


def _at() -> datetime:
    return datetime.now(UTC)


def _actor(engine: Engine, email: str = "billing@riverside.example") -> Actor:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.id is not None
        actor = actor_for(session, user.id, source_ip="test")
    assert actor is not None
    return actor


def _entry(number: int, **changes: object) -> ClaimEntry:
    day = _at().date() - timedelta(days=3)
    values: dict[str, object] = dict(
        rendering_npi=OKAFOR,
        lines=(
            ServiceLineEntry("99213", Decimal("145.00"), (1,), 1, ("25",), day),
            ServiceLineEntry("87880", Decimal("28.00"), (1,), 1, (), day),
        ),
        patient_control_number=f"RFM-{number}",
    )
    values.update(changes)
    return make_claim_entry(day=day, **values)


def _csv(entries: list[ClaimEntry]) -> bytes:
    return entries_to_csv(entries).encode()


UnitOfWork = Callable[[], AbstractContextManager[Session]]


def _uow(engine: Engine) -> UnitOfWork:
    return lambda: storage_unit_of_work(engine)


def _import(
    engine: Engine,
    content: bytes,
    *,
    name: str = "claims.csv",
    batch_size: int = 500,
    unit_of_work: UnitOfWork | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    at = _at()
    claim_file = read_claim_file(content, file_name=name, at=at)
    return run_import(
        unit_of_work=unit_of_work or _uow(engine),
        actor=_actor(engine),
        claim_file=claim_file,
        at=at,
        progress=progress,
        batch_size=batch_size,
    )


def _count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(model)
        for criterion in where:
            statement = statement.where(criterion)  # type: ignore[arg-type]
        return session.exec(statement).one()


def _import_claims(engine: Engine) -> int:
    return _count(engine, Claim, col(Claim.claim_import_id).is_not(None))


def test_a_csv_is_submitted_claim_by_claim_and_a_bad_claim_is_named_by_row(
    seeded_engine: Engine,
) -> None:
    entries = [_entry(n) for n in range(1, 6)]
    entries[2] = _entry(3, member_date_of_birth=SHOWCASE_BY_KEY["terminated"].date_of_birth)
    entries[3] = replace(
        _entry(4),
        lines=(
            ServiceLineEntry("99213", Decimal("0.00"), (1,)),
            ServiceLineEntry("9921", None, (1,)),
        ),
    )
    seen: list[tuple[int, int]] = []
    result = _import(
        seeded_engine, _csv(entries), batch_size=2, progress=lambda d, t: seen.append((d, t))
    )

    assert (result.total, result.accepted, result.rejected, result.finished) == (5, 3, 2, True)
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    first, second = result.rejections
    assert (first.locator, first.account) == ("row 6", "RFM-3")  # two rows per claim
    assert first.reason.startswith("member ID: No member matches")
    assert (second.locator, second.account) == ("row 8", "RFM-4")
    # Each line's problem at its own row.
    assert "row 8 charge: The charge must be more than $0.00." in second.reason
    assert "row 9 procedure code:" in second.reason and "row 9 charge:" in second.reason

    with Session(seeded_engine) as session:
        claims = session.exec(
            select(Claim).where(Claim.claim_import_id == result.import_id).order_by(Claim.id)
        ).all()
        assert [c.patient_control_number for c in claims] == ["RFM-1", "RFM-2", "RFM-5"]
        assert {c.status for c in claims} == {ClaimStatus.RECEIVED}
        assert all(len(c.claim_number) == 13 and c.transaction_id for c in claims)
        events = session.exec(
            select(ClaimStatusEvent).where(
                col(ClaimStatusEvent.claim_id).in_([c.id for c in claims])
            )
        ).all()
        assert {(e.source, e.category_code, e.status_code) for e in events} == {
            ("import", "A1", "20")
        }
        audit = session.exec(
            select(AuditEvent).where(col(AuditEvent.action).startswith("claim.import"))
        ).all()
        assert sorted(a.action for a in audit) == ["claim.import"] + ["claim.import.batch"] * 3
        assert all("PT1" not in a.detail and "1984" not in a.detail for a in audit)  # no PHI
        assert (
            session.exec(select(AuditEvent).where(AuditEvent.action == "claim.submit")).all() == []
        )


def test_a_claim_stored_by_an_import_is_the_claim_submit_claim_stores(
    seeded_engine: Engine,
) -> None:
    actor = _actor(seeded_engine)
    at = _at()
    one = _entry(1, diagnoses=("J06.9", "R05.9"))
    with Session(seeded_engine, expire_on_commit=False) as session:
        single = submit_claim(
            session, actor=actor, entry=replace(one, patient_control_number="S-1"), at=at
        )
        session.commit()
    result = _import(seeded_engine, _csv([one]))
    assert result.accepted == 1

    def shape(claim_id: int) -> tuple[object, ...]:
        with Session(seeded_engine) as session:
            claim = session.get(Claim, claim_id)
            assert claim is not None
            row = claim.model_dump(
                exclude={"id", "claim_number", "patient_control_number", "transaction_id",
                         "claim_import_id", "submitted_at", "status_changed_at"}
            )  # fmt: skip
            lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim_id)).all()
            codes = session.exec(
                select(ClaimDiagnosis.icd10_code).where(ClaimDiagnosis.claim_id == claim_id)
            ).all()
            return (
                row,
                [line.model_dump(exclude={"id", "claim_id"}) for line in lines],
                sorted(codes),
            )

    with Session(seeded_engine) as session:
        imported_id = session.exec(
            select(Claim.id).where(Claim.claim_import_id == result.import_id)
        ).one()
    assert shape(imported_id) == shape(single.claim_id)  # type: ignore[arg-type]


def test_the_same_file_again_creates_nothing_new(seeded_engine: Engine) -> None:
    content = _csv([_entry(n) for n in range(1, 4)])
    first = _import(seeded_engine, content)
    claims = _count(seeded_engine, Claim)
    again = _import(seeded_engine, content, name="renamed.csv")

    assert again.repeated and not first.repeated
    assert again.import_id == first.import_id
    assert (again.accepted, again.rejected) == (first.accepted, first.rejected) == (3, 0)
    assert _count(seeded_engine, Claim) == claims
    assert _count(seeded_engine, ClaimImport) == 1


def test_a_failed_batch_rolls_back_alone_and_a_rerun_finishes_the_file(
    seeded_engine: Engine,
) -> None:
    content = _csv([_entry(n) for n in range(1, 8)])
    batches = 0

    @contextmanager
    def failing_second_batch() -> Iterator[Session]:
        nonlocal batches
        with storage_unit_of_work(seeded_engine) as session:
            batches += 1
            if batches == 4:  # lookup, create, batch 1, then batch 2 fails at its commit

                def refuse(_session: Session) -> None:
                    raise RuntimeError("the database went away")

                event.listen(session, "before_commit", refuse)
            yield session

    with pytest.raises(RuntimeError, match="went away"):
        _import(seeded_engine, content, batch_size=3, unit_of_work=failing_second_batch)

    with Session(seeded_engine) as session:
        stopped = session.exec(select(ClaimImport)).one()
        assert (stopped.processed, stopped.accepted, stopped.finished_at) == (3, 3, None)
    assert _import_claims(seeded_engine) == 3  # batch 2's claims were rolled back

    finished = _import(seeded_engine, content, batch_size=3)
    assert finished.repeated and finished.finished
    assert (finished.total, finished.processed, finished.accepted) == (7, 7, 7)
    with Session(seeded_engine) as session:
        accounts = session.exec(
            select(Claim.patient_control_number).where(col(Claim.claim_import_id).is_not(None))
        ).all()
    assert sorted(accounts) == [f"RFM-{n}" for n in range(1, 8)]  # each once


def test_two_runs_of_one_file_at_once_store_each_claim_once(seeded_engine: Engine) -> None:
    content = _csv([_entry(n) for n in range(1, 6)])
    inner: list[ImportResult] = []

    def meanwhile(done: int, total: int) -> None:
        # Before the outer run's first batch, a second run of the same file does it all.
        if done == 0 and not inner:
            inner.append(_import(seeded_engine, content, batch_size=2))

    outer = _import(seeded_engine, content, batch_size=2, progress=meanwhile)
    assert inner[0].repeated and inner[0].accepted == 5
    assert outer.finished and outer.accepted == 5
    assert _import_claims(seeded_engine) == 5


def test_an_x12sdk_837p_is_imported_with_its_dependent_found_in_the_family(
    seeded_engine: Engine,
) -> None:
    content = (FIXTURES / "837p_x12sdk_dependent.x12").read_bytes()
    result = _import(seeded_engine, content, name="drop.837")
    assert (result.file_format, result.total, result.accepted, result.rejected) == ("837p", 3, 3, 0)
    assert result.acknowledgement is not None and "IK5*A~" in result.acknowledgement
    with Session(seeded_engine) as session:
        child = session.exec(
            select(Member)
            .join(Claim, col(Claim.member_fk) == Member.id)
            .where(Claim.patient_control_number == "RFM-D1")
        ).one()
    assert child.member_id == NOAH.member_id  # the 837 carried the subscriber's ID


def test_an_837p_claim_with_problems_is_rejected_by_segment(seeded_engine: Engine) -> None:
    text = (FIXTURES / "837p_x12sdk_subscribers.x12").read_text()
    # Another practice's NPI as the billing provider of every claim.
    text = text.replace(f"XX*{ALVAREZ}~", f"XX*{LAKESIDE_MEYERS}~")
    result = _import(seeded_engine, text.encode(), name="lakeside.837")
    assert (result.accepted, result.rejected) == (0, 3)
    assert [r.locator for r in result.rejections] == [
        f"segment {n}"
        for n, line in enumerate(text.splitlines(), start=1)
        if line.startswith("CLM*")
    ]
    assert all(
        f"NPI {LAKESIDE_MEYERS} is not a provider of your practice" in r.reason
        for r in result.rejections
    )


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda t: t[: t.index("SE*")], X12Error),  # truncated
        (lambda t: t.replace("ST*837*0101*005010X222A2", "ST*837*0101*005010X223A2"), X12Error),
        (lambda t: "member,dob\nPT1,1984-01-01\n", ClaimFileError),  # wrong CSV columns
    ],
)
def test_a_file_that_cannot_be_read_saves_nothing(
    seeded_engine: Engine, damage: Callable[[str], str], error: type[Exception]
) -> None:
    claims = _count(seeded_engine, Claim)
    text = damage((FIXTURES / "837p_x12sdk_subscribers.x12").read_text())
    with pytest.raises(error):
        _import(seeded_engine, text.encode())
    assert _count(seeded_engine, ClaimImport) == 0
    assert _count(seeded_engine, Claim) == claims


def test_imports_are_listed_and_read_within_the_practice(seeded_engine: Engine) -> None:
    result = _import(seeded_engine, _csv([_entry(1)]))
    riverside = _actor(seeded_engine)
    lakeside = _actor(seeded_engine, "billing@lakeside.example")
    with Session(seeded_engine) as session:
        assert [s.import_id for s in recent_imports(session, actor=riverside)] == [result.import_id]
        assert recent_imports(session, actor=lakeside) == []
        again = read_import(session, actor=riverside, import_id=result.import_id, at=_at())
        assert again.accepted == 1 and json.dumps([r.__dict__ for r in again.rejections]) == "[]"
        with pytest.raises(NotFound):
            read_import(session, actor=lakeside, import_id=result.import_id, at=_at())


def test_the_file_digest_is_of_its_bytes() -> None:
    assert ClaimFile.digest(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
