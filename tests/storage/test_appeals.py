"""Appeals on SQLite and PostgreSQL: a practice files one on its denied claim with checked
attachments (all or nothing), an examiner decides it, and an overturned appeal reprocesses the
claim as a replacement whose payment run reverses the original's payment to the cent."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.appeals import (
    Appeal,
    AppealAttachment,
    AppealRefused,
    AppealStatus,
    appeals_of_claim,
    attachment_for_download,
    decide_appeal,
    file_appeal,
    list_appeals,
    may_appeal,
)
from domain.audit import AuditEvent
from domain.claim_pipeline import run_payment_cycle
from domain.claims import Claim, ClaimStatus, ClaimStatusEvent, FrequencyCode, Remittance
from domain.examiner import PendKind, QueueFilters, approve_claim, pended_claims
from domain.scope import NotAuthorized, NotFound
from storage.attachments import AttachmentStore
from tests.storage.pended_claims import (
    EXAMINER,
    LAKESIDE,
    RIVERSIDE,
    actor,
    assert_balanced,
    at,
    denied_remitted_claim,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BINARY = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 8  # a Windows program
REASON = "The visit was medically necessary; the attached notes document the findings."


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return AttachmentStore(tmp_path / "attachments")


def _stored_files(store: AttachmentStore) -> list[Path]:
    return list(store.root.glob("*")) if store.root.exists() else []


def _appeal_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Appeal)).one()


def _file(session: Session, store: AttachmentStore, claim: Claim, **changes: object) -> int:
    assert claim.id is not None
    arguments: dict[str, object] = {
        "actor": actor(session, "billing@riverside.example"),
        "claim_id": claim.id,
        "reason": REASON,
        "attachments": [("C:\\scans\\visit notes.pdf", PDF)],
        "store": store,
        "at": at(2),
    }
    arguments.update(changes)
    filed = file_appeal(session=session, **arguments)  # type: ignore[arg-type]
    session.commit()
    return filed.appeal_id


def test_a_practice_files_an_appeal_with_a_pdf(session: Session, store: AttachmentStore) -> None:
    claim = denied_remitted_claim(session)
    assert claim.id is not None
    biller = actor(session, "billing@riverside.example")
    assert may_appeal(session=session, actor=biller, claim_id=claim.id)

    appeal_id = _file(session, store, claim)

    appeal = session.get(Appeal, appeal_id)
    assert appeal is not None and appeal.status is AppealStatus.OPEN
    (attachment,) = session.exec(
        select(AppealAttachment).where(AppealAttachment.appeal_id == appeal_id)
    ).all()
    assert attachment.original_name == "visit notes.pdf"  # the folder is gone
    assert attachment.content_type == "application/pdf" and attachment.size_bytes == len(PDF)
    assert attachment.stored_name.endswith(".pdf") and "visit" not in attachment.stored_name
    assert store.read(attachment.stored_name) == PDF
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "appeal.file")).first()
    # One appeal per claim.
    assert not may_appeal(session=session, actor=biller, claim_id=claim.id)
    with pytest.raises(AppealRefused, match="already been appealed"):
        _file(session, store, claim)
    session.rollback()
    (view,) = appeals_of_claim(session=session, actor=biller, claim_id=claim.id, at=at(3))
    assert view.attachments[0].name == "visit notes.pdf"


def test_a_renamed_binary_refuses_the_whole_appeal(
    session: Session, store: AttachmentStore
) -> None:
    claim = denied_remitted_claim(session)
    with pytest.raises(AppealRefused, match=r"setup\.pdf.*not .*PDF"):
        _file(
            session,
            store,
            claim,
            attachments=[("notes.pdf", PDF), ("setup.pdf", BINARY)],
        )
    session.rollback()
    assert _appeal_count(session) == 0
    assert session.exec(select(func.count()).select_from(AppealAttachment)).one() == 0
    assert _stored_files(store) == []


def test_who_may_file_and_what_may_be_appealed(session: Session, store: AttachmentStore) -> None:
    claim = denied_remitted_claim(session)
    with pytest.raises(NotAuthorized):
        _file(session, store, claim, actor=actor(session, EXAMINER))
    session.rollback()
    with pytest.raises(NotFound):
        _file(session, store, claim, actor=actor(session, "billing@lakeside.example"))
    session.rollback()
    paid = session.exec(
        select(Claim).where(
            Claim.practice_id == claim.practice_id, Claim.status == ClaimStatus.PAID
        )
    ).first()
    assert paid is not None
    with pytest.raises(AppealRefused, match="cannot be appealed"):
        _file(session, store, paid)
    session.rollback()
    with pytest.raises(AppealRefused, match="why"):
        _file(session, store, claim, reason="unfair")
    session.rollback()
    assert _appeal_count(session) == 0 and _stored_files(store) == []


def test_lists_are_scoped_and_attachments_download_within_scope(
    session: Session, store: AttachmentStore
) -> None:
    riverside_claim = denied_remitted_claim(session, RIVERSIDE)
    lakeside_claim = denied_remitted_claim(session, LAKESIDE)
    _file(session, store, riverside_claim)
    _file(
        session,
        store,
        lakeside_claim,
        actor=actor(session, "billing@lakeside.example"),
        attachments=[],
    )
    riverside = actor(session, "billing@riverside.example")
    lakeside = actor(session, "billing@lakeside.example")
    examiner = actor(session, EXAMINER)

    mine = list_appeals(session=session, actor=riverside, at=at(3))
    assert [a.claim_id for a in mine.appeals] == [riverside_claim.id]
    everyone = list_appeals(session=session, actor=examiner, at=at(3))
    assert {a.claim_id for a in everyone.appeals} == {riverside_claim.id, lakeside_claim.id}

    attachment_id = mine.appeals[0].attachments[0].attachment_id
    found = attachment_for_download(
        session=session, actor=examiner, attachment_id=attachment_id, at=at(3)
    )
    assert found.content_type == "application/pdf" and found.download_name.endswith(".pdf")
    with pytest.raises(NotFound):
        attachment_for_download(
            session=session, actor=lakeside, attachment_id=attachment_id, at=at(3)
        )


def test_only_an_examiner_decides_and_upheld_just_records(
    session: Session, store: AttachmentStore
) -> None:
    claim = denied_remitted_claim(session)
    appeal_id = _file(session, store, claim)
    with pytest.raises(NotAuthorized):
        decide_appeal(
            session=session,
            actor=actor(session, "billing@riverside.example"),
            appeal_id=appeal_id,
            decision=AppealStatus.OVERTURNED,
            note="Mine",
            at=at(3),
        )
    session.rollback()
    examiner = actor(session, EXAMINER)
    with pytest.raises(AppealRefused, match="reason"):
        decide_appeal(
            session=session,
            actor=examiner,
            appeal_id=appeal_id,
            decision=AppealStatus.UPHELD,
            note="",
            at=at(3),
        )
    session.rollback()
    claims_before = session.exec(select(func.count()).select_from(Claim)).one()
    decided = decide_appeal(
        session=session,
        actor=examiner,
        appeal_id=appeal_id,
        decision=AppealStatus.UPHELD,
        note="Records do not support the level of service.",
        at=at(3),
    )
    session.commit()
    assert decided.replacement_claim_id is None
    appeal = session.get(Appeal, appeal_id)
    assert appeal is not None and appeal.status is AppealStatus.UPHELD
    assert appeal.decided_by == examiner.user_id and appeal.decision_note.startswith("Records")
    assert session.exec(select(func.count()).select_from(Claim)).one() == claims_before
    with pytest.raises(AppealRefused, match="already been decided"):
        decide_appeal(
            session=session,
            actor=examiner,
            appeal_id=appeal_id,
            decision=AppealStatus.OVERTURNED,
            note="Changed my mind",
            at=at(4),
        )


def test_an_overturned_appeal_reprocesses_the_claim_and_money_balances(
    session: Session, store: AttachmentStore
) -> None:
    original = denied_remitted_claim(session)
    assert original.id is not None
    original_paid = original.paid_amount
    run_payment_cycle(session, at=at(1))  # settle whatever the seed left finalized
    appeal_id = _file(session, store, original)
    examiner = actor(session, EXAMINER)

    decided = decide_appeal(
        session=session,
        actor=examiner,
        appeal_id=appeal_id,
        decision=AppealStatus.OVERTURNED,
        note="Documentation supports the service.",
        at=at(3),
    )
    session.commit()
    replacement_id = decided.replacement_claim_id
    assert replacement_id is not None
    replacement = session.get(Claim, replacement_id)
    assert replacement is not None
    assert replacement.status is ClaimStatus.PENDED
    assert replacement.frequency_code is FrequencyCode.REPLACEMENT
    assert replacement.original_claim_id == original.id
    assert replacement.total_charge == original.total_charge
    steps = session.exec(
        select(ClaimStatusEvent.status, ClaimStatusEvent.source, ClaimStatusEvent.note)
        .where(ClaimStatusEvent.claim_id == replacement_id)
        .order_by(col(ClaimStatusEvent.id))
    ).all()
    assert [s for s, _, _ in steps] == [
        ClaimStatus.RECEIVED,
        ClaimStatus.ACCEPTED,
        ClaimStatus.PENDED,
    ]
    assert {source for _, source, _ in steps} == {"appeal"}
    assert steps[-1][2] == "Appeal overturned: reprocess"
    queue = pended_claims(
        session=session, actor=examiner, filters=QueueFilters(kind=PendKind.APPEAL), at=at(4)
    )
    assert replacement_id in {row.claim_id for row in queue.rows}
    (view,) = appeals_of_claim(session=session, actor=examiner, claim_id=original.id, at=at(4))
    assert view.replacement_claim_id == replacement_id

    outcome = approve_claim(session=session, actor=examiner, claim_id=replacement_id, at=at(5))
    session.commit()
    assert outcome.status in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED}
    assert_balanced(session, replacement_id)
    session.expire_all()
    assert session.get(Claim, original.id).status is ClaimStatus.VOIDED  # type: ignore[union-attr]

    (remittance_id,) = run_payment_cycle(session, at=at(10))
    remittance = session.get(Remittance, remittance_id)
    paid = session.get(Claim, replacement_id)
    assert remittance is not None and paid is not None
    assert paid.remittance_id == remittance_id
    reversed_original = session.get(Claim, original.id)
    assert reversed_original is not None
    assert reversed_original.reversed_in_remittance_id == remittance_id
    others = session.exec(
        select(Claim.paid_amount).where(
            Claim.remittance_id == remittance_id, col(Claim.id) != replacement_id
        )
    ).all()
    assert remittance.total_paid == paid.paid_amount - original_paid + sum(others, Decimal("0.00"))
