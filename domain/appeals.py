"""Appeals of adjudicated claims, their attachments, and the examiner's decision."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Text, case, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from domain import audit
from domain.claim_pipeline import STATUS_CODES
from domain.claim_submission import claim_number, new_transaction_id, received_event
from domain.claims import (
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimStatus,
    ClaimStatusEvent,
    FrequencyCode,
)
from domain.practices import Practice
from domain.roles import Area
from domain.scope import Actor, NotAuthorized, NotFound, get_scoped, within_scope
from domain.types import UTCDateTime, str_enum
from domain.uploads import KINDS_BY_TYPE, AttachmentRefused, check_attachments
from domain.users import User


class AppealStatus(StrEnum):
    OPEN = "open"
    OVERTURNED = "overturned"  # decided for the practice: the claim is reprocessed
    UPHELD = "upheld"  # the original decision stands

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Appeal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    reason: str = Field(sa_type=Text, description="The practice's argument, up to 4,000 chars")
    status: AppealStatus = Field(default=AppealStatus.OPEN, sa_type=str_enum(AppealStatus))
    filed_by: int = Field(foreign_key="user.id")
    filed_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=1000)


class AppealAttachment(SQLModel, table=True):
    """A file sent with an appeal. The bytes live in the attachment store under `stored_name`
    (generated, never the uploaded name), outside any path the web server serves."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True, ondelete="CASCADE")
    original_name: str = Field(max_length=200, description="Cleaned, for display only")
    stored_name: str = Field(max_length=80, unique=True)
    content_type: str = Field(max_length=50, description="From the bytes, not the upload")
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)


# --- Use cases ---
#
# Which claims may be appealed: a claim the plan decided and paid out on (Remitted: its 835
# went out, which is how the practice learns of the decision) whose outcome was Denied or
# Partially paid. A claim still in the pipeline has nothing to appeal yet; a Paid claim was
# allowed in full, and a price dispute goes through a replacement (frequency 7). One appeal per
# claim: a second look after an upheld decision is external review, outside the portal.

APPEALABLE_OUTCOMES = frozenset({ClaimStatus.DENIED, ClaimStatus.PARTIALLY_PAID})
MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 4000
MAX_DECISION_NOTE_LENGTH = 1000
APPEALS_PAGE_SIZE = 25
APPEAL_SOURCE = "appeal"
REPROCESS_NOTE = "Appeal overturned: reprocess"


class AppealRefused(ValueError):
    """The appeal (or its decision) cannot be recorded as given; the message says why."""


class AttachmentSink(Protocol):
    """Where attachment bytes go (storage.attachments.AttachmentStore): domain rules decide
    what is stored, the store decides where."""

    def save(self, data: bytes, extension: str) -> str: ...

    def discard(self, stored_name: str) -> None: ...


def appeal_refusal(claim: Claim, *, has_appeal: bool) -> str | None:
    """Why this claim cannot be appealed now, or None if it can."""
    if has_appeal:
        return f"Claim {claim.claim_number} has already been appealed."
    if claim.status is not ClaimStatus.REMITTED or claim.finalized_as not in APPEALABLE_OUTCOMES:
        return (
            f"Claim {claim.claim_number} cannot be appealed: only a denied or partially paid "
            "claim that has been remitted can be."
        )
    return None


def may_appeal(*, session: Session, actor: Actor, claim_id: int) -> bool:
    """Whether the page should offer the Appeal action for this claim."""
    if not actor.may_open(Area.CLAIM_ENTRY) or actor.practice_id is None:
        return False
    try:
        claim = get_scoped(session, Claim, claim_id, actor)
    except NotFound:
        return False
    return appeal_refusal(claim, has_appeal=_has_appeal(session, claim_id)) is None


def _has_appeal(session: Session, claim_id: int) -> bool:
    return (
        session.exec(select(Appeal.id).where(Appeal.claim_id == claim_id).limit(1)).first()
        is not None
    )


@dataclass(frozen=True)
class FiledAppeal:
    appeal_id: int
    claim_id: int
    practice_id: int
    attachments: int


def file_appeal(
    *,
    session: Session,
    actor: Actor,
    claim_id: int,
    reason: str,
    attachments: Sequence[tuple[str, bytes]],
    store: AttachmentSink,
    at: datetime,
) -> FiledAppeal:
    """A practice appeals its claim with a reason and up to five PDF/PNG/JPEG files. Every
    check runs before anything is written; if storing a file fails, the files already stored
    are removed and the transaction rolls back, so nothing is half-saved."""
    actor.require(Area.CLAIM_ENTRY)
    if actor.practice_id is None:
        raise NotAuthorized("appeals are filed by a practice")
    reason = reason.strip()
    claim = get_scoped(session, Claim, claim_id, actor)
    assert claim.id is not None
    # Take the claim's row for this transaction (a no-op UPDATE), so two filings for the same
    # claim run one after the other and the second sees the first's appeal.
    session.execute(
        update(Claim)
        .where(col(Claim.id) == claim.id)
        .values(status_changed_at=col(Claim.status_changed_at))
        .execution_options(synchronize_session=False)
    )
    refusal = appeal_refusal(claim, has_appeal=_has_appeal(session, claim.id))
    if refusal:
        raise AppealRefused(refusal)
    if len(reason) < MIN_REASON_LENGTH:
        raise AppealRefused(
            "Say why the decision should change (at least a sentence), e.g. which records "
            "show the service was needed."
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise AppealRefused(
            f"The reason is {len(reason):,} characters; keep it to {MAX_REASON_LENGTH:,} and "
            "attach the rest as documents."
        )
    try:
        checked = check_attachments(list(attachments))
    except AttachmentRefused as refused:
        raise AppealRefused(str(refused)) from refused
    appeal = Appeal(
        practice_id=claim.practice_id,
        claim_id=claim.id,
        reason=reason,
        filed_by=actor.user_id,
        filed_at=at,
    )
    session.add(appeal)
    session.flush()
    assert appeal.id is not None
    stored: list[str] = []
    try:
        for item in checked:
            stored_name = store.save(item.data, item.kind.extension)
            stored.append(stored_name)
            session.add(
                AppealAttachment(
                    practice_id=claim.practice_id,
                    appeal_id=appeal.id,
                    original_name=item.display_name[:200],
                    stored_name=stored_name,
                    content_type=item.kind.content_type,
                    size_bytes=item.size_bytes,
                    sha256=hashlib.sha256(item.data).hexdigest(),
                    uploaded_at=at,
                )
            )
        session.flush()
    except BaseException:
        for stored_name in stored:
            store.discard(stored_name)
        raise
    audit.record_by(
        session,
        actor,
        action="appeal.file",
        at=at,
        entity_type="appeal",
        entity_id=appeal.id,
        detail=f"claim={claim.id} attachments={len(checked)}",
    )
    return FiledAppeal(appeal.id, claim.id, claim.practice_id, len(checked))


@dataclass(frozen=True)
class AttachmentView:
    attachment_id: int
    name: str
    content_type: str
    size_bytes: int


@dataclass(frozen=True)
class AppealView:
    appeal_id: int
    claim_id: int
    claim_number: str
    practice_name: str
    status: AppealStatus
    reason: str
    filed_at: datetime
    filed_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str
    attachments: list[AttachmentView]
    replacement_claim_id: int | None = None
    replacement_claim_number: str | None = None


@dataclass(frozen=True)
class AppealList:
    appeals: list[AppealView]
    total: int
    open_count: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def list_appeals(
    *, session: Session, actor: Actor, at: datetime, page: int = 1, open_only: bool = False
) -> AppealList:
    """A practice: its own appeals, newest first. A claims examiner: every practice's, the open
    ones first and the oldest of those first (they wait on the plan). Each appeal shown (its
    reason may carry clinical detail) is audited."""
    actor.require(Area.CLAIMS)
    examiner = actor.may_open(Area.CLAIMS_QUEUE)
    criteria = [col(Appeal.status) == AppealStatus.OPEN] if open_only else []
    base = within_scope(select(func.count()).select_from(Appeal).where(*criteria), Appeal, actor)
    total = session.exec(base).one()
    open_count = session.exec(
        within_scope(
            select(func.count()).select_from(Appeal).where(Appeal.status == AppealStatus.OPEN),
            Appeal,
            actor,
        )
    ).one()
    page = max(1, min(page, max(1, -(-total // APPEALS_PAGE_SIZE))))
    is_open = case((col(Appeal.status) == AppealStatus.OPEN, 0), else_=1)
    order = (
        [is_open, col(Appeal.filed_at), col(Appeal.id)]
        if examiner
        else [col(Appeal.filed_at).desc(), col(Appeal.id).desc()]
    )
    appeals = session.exec(
        within_scope(select(Appeal).where(*criteria), Appeal, actor)
        .order_by(*order)
        .offset((page - 1) * APPEALS_PAGE_SIZE)
        .limit(APPEALS_PAGE_SIZE)
    ).all()
    views = _views(session, list(appeals))
    for view in views:
        _audit_read(session, actor, view, at)
    return AppealList(views, total, open_count, page, APPEALS_PAGE_SIZE)


def appeals_of_claim(
    *, session: Session, actor: Actor, claim_id: int, at: datetime
) -> list[AppealView]:
    """The claim's appeals as its page shows them (scoped: another practice's claim has none)."""
    actor.require(Area.CLAIMS)
    appeals = session.exec(
        within_scope(select(Appeal).where(Appeal.claim_id == claim_id), Appeal, actor).order_by(
            col(Appeal.id)
        )
    ).all()
    views = _views(session, list(appeals))
    for view in views:
        _audit_read(session, actor, view, at)
    return views


def _audit_read(session: Session, actor: Actor, view: AppealView, at: datetime) -> None:
    audit.record_by(
        session,
        actor,
        action="read",
        at=at,
        practice_id=session.get(Appeal, view.appeal_id).practice_id,  # type: ignore[union-attr]
        entity_type="appeal",
        entity_id=view.appeal_id,
    )


def _views(session: Session, appeals: list[Appeal]) -> list[AppealView]:
    if not appeals:
        return []
    appeal_ids = [appeal.id for appeal in appeals]
    claims = {
        claim.id: claim
        for claim in session.exec(
            select(Claim).where(col(Claim.id).in_({appeal.claim_id for appeal in appeals}))
        ).all()
    }
    practices = {
        practice.id: practice.name
        for practice in session.exec(
            select(Practice).where(col(Practice.id).in_({a.practice_id for a in appeals}))
        ).all()
    }
    user_ids = {a.filed_by for a in appeals} | {a.decided_by for a in appeals if a.decided_by}
    users = {
        user.id: user.full_name
        for user in session.exec(select(User).where(col(User.id).in_(user_ids))).all()
    }
    attachments: dict[int, list[AttachmentView]] = {}
    for row in session.exec(
        select(AppealAttachment)
        .where(col(AppealAttachment.appeal_id).in_(appeal_ids))
        .order_by(col(AppealAttachment.id))
    ).all():
        attachments.setdefault(row.appeal_id, []).append(
            AttachmentView(row.id or 0, row.original_name, row.content_type, row.size_bytes)
        )
    # The plan's reprocessing of an overturned appeal: the replacement naming the claim.
    replacements = {
        claim.original_claim_id: claim
        for claim in session.exec(
            select(Claim).where(
                col(Claim.original_claim_id).in_(list(claims)),
                Claim.frequency_code == FrequencyCode.REPLACEMENT,
            )
        ).all()
    }
    views = []
    for appeal in appeals:
        claim = claims[appeal.claim_id]
        replacement = (
            replacements.get(appeal.claim_id) if appeal.status is AppealStatus.OVERTURNED else None
        )
        views.append(
            AppealView(
                appeal_id=appeal.id or 0,
                claim_id=appeal.claim_id,
                claim_number=claim.claim_number,
                practice_name=practices.get(appeal.practice_id, ""),
                status=appeal.status,
                reason=appeal.reason,
                filed_at=appeal.filed_at,
                filed_by=users.get(appeal.filed_by, ""),
                decided_at=appeal.decided_at,
                decided_by=users.get(appeal.decided_by) if appeal.decided_by else None,
                decision_note=appeal.decision_note,
                attachments=attachments.get(appeal.id or 0, []),
                replacement_claim_id=replacement.id if replacement else None,
                replacement_claim_number=replacement.claim_number if replacement else None,
            )
        )
    return views


@dataclass(frozen=True)
class AttachmentFile:
    """What the download route serves: the stored name to read and the headers to send."""

    stored_name: str
    content_type: str
    download_name: str


def attachment_for_download(
    *, session: Session, actor: Actor, attachment_id: int, at: datetime
) -> AttachmentFile:
    """An attachment within the caller's scope (another practice's: NotFound), audited as an
    export: the file leaves the portal."""
    actor.require(Area.CLAIMS)
    attachment = get_scoped(session, AppealAttachment, attachment_id, actor)
    audit.record_by(
        session,
        actor,
        action="export",
        at=at,
        practice_id=attachment.practice_id,
        entity_type="appeal_attachment",
        entity_id=attachment_id,
    )
    kind = KINDS_BY_TYPE.get(attachment.content_type)
    stem = attachment.original_name.rpartition(".")[0] or attachment.original_name
    download_name = f"{stem}.{kind.extension}" if kind else attachment.original_name
    return AttachmentFile(attachment.stored_name, attachment.content_type, download_name)


@dataclass(frozen=True)
class AppealDecided:
    appeal_id: int
    claim_id: int
    practice_id: int
    status: AppealStatus
    replacement_claim_id: int | None


def decide_appeal(
    *,
    session: Session,
    actor: Actor,
    appeal_id: int,
    decision: AppealStatus,
    note: str,
    at: datetime,
) -> AppealDecided:
    """The examiner's decision. Upheld: recorded, the claim stands. Overturned: recorded, and
    the plan reprocesses the claim as a plan-initiated replacement (frequency 7, same lines)
    put straight into the pended queue; the examiner finishes it there (finish_pended), and the
    pipeline then voids the original and the next payment run reverses its payment, so the
    money moves only through the engine's balanced EOB and the 835's reversal."""
    actor.require(Area.CLAIMS_QUEUE)
    if decision not in (AppealStatus.OVERTURNED, AppealStatus.UPHELD):
        raise AppealRefused("Decide the appeal as overturned or upheld.")
    note = note.strip()
    if not note:
        raise AppealRefused("Write the reason for the decision: the practice reads it.")
    if len(note) > MAX_DECISION_NOTE_LENGTH:
        raise AppealRefused(f"Keep the note to {MAX_DECISION_NOTE_LENGTH:,} characters.")
    appeal = get_scoped(session, Appeal, appeal_id, actor)
    # Guarded like a claim step: a second examiner deciding at the same moment matches nothing.
    taken = cast(
        CursorResult[Any],
        session.execute(
            update(Appeal)
            .where(col(Appeal.id) == appeal_id, col(Appeal.status) == AppealStatus.OPEN)
            .values(status=decision, decided_by=actor.user_id, decided_at=at, decision_note=note)
            .execution_options(synchronize_session=False)
        ),
    )
    if taken.rowcount != 1:
        raise AppealRefused("This appeal has already been decided.")
    session.refresh(appeal)
    replacement_id = None
    if decision is AppealStatus.OVERTURNED:
        original = session.get(Claim, appeal.claim_id)
        assert original is not None
        if original.status is not ClaimStatus.REMITTED:
            raise AppealRefused(
                f"Claim {original.claim_number} was {original.status.label.lower()} since the "
                "appeal was filed (a replacement or void), so it cannot be reprocessed; uphold "
                "the appeal with a note instead."
            )
        replacement_id = _reprocess(session, original, appeal_id, at)
    audit.record_by(
        session,
        actor,
        action="appeal.decide",
        at=at,
        practice_id=appeal.practice_id,
        entity_type="appeal",
        entity_id=appeal_id,
        detail=f"decision={decision.value} replacement={replacement_id or ''}",
    )
    return AppealDecided(appeal_id, appeal.claim_id, appeal.practice_id, decision, replacement_id)


def _reprocess(session: Session, original: Claim, appeal_id: int, at: datetime) -> int:
    """The replacement the plan creates for an overturned appeal: the original's header,
    diagnoses and lines, Received -> Accepted -> Pended at once (the edits passed on the
    original). Its received date is the original's, since timely filing counts to when the
    plan first received the services, not to the appeal."""
    replacement = Claim(
        practice_id=original.practice_id,
        claim_number=f"new-{uuid.uuid4().hex[:16]}",
        patient_control_number=original.patient_control_number,
        member_fk=original.member_fk,
        coverage_id=original.coverage_id,
        billing_provider_id=original.billing_provider_id,
        rendering_provider_id=original.rendering_provider_id,
        location_id=original.location_id,
        place_of_service=original.place_of_service,
        principal_procedure=original.principal_procedure,
        frequency_code=FrequencyCode.REPLACEMENT,
        original_claim_id=original.id,
        service_date_from=original.service_date_from,
        service_date_to=original.service_date_to,
        status_changed_at=at,
        total_charge=original.total_charge,
        transaction_id=new_transaction_id(at),
    )
    replacement.transition(ClaimStatus.RECEIVED, at=at)
    replacement.submitted_at = original.submitted_at or at
    session.add(replacement)
    session.flush()
    assert replacement.id is not None and replacement.transaction_id is not None
    replacement.claim_number = claim_number(replacement.id, at)
    for diagnosis in session.exec(
        select(ClaimDiagnosis).where(ClaimDiagnosis.claim_id == original.id)
    ).all():
        session.add(
            ClaimDiagnosis(
                claim_id=replacement.id,
                sequence=diagnosis.sequence,
                icd10_code=diagnosis.icd10_code,
            )
        )
    for line in session.exec(select(ClaimLine).where(ClaimLine.claim_id == original.id)).all():
        session.add(
            ClaimLine(
                claim_id=replacement.id,
                line_number=line.line_number,
                procedure_code=line.procedure_code,
                modifiers=line.modifiers,
                units=line.units,
                charge_amount=line.charge_amount,
                diagnosis_pointers=line.diagnosis_pointers,
                service_date=line.service_date,
            )
        )
    session.add(
        received_event(
            replacement.id,
            at,
            APPEAL_SOURCE,
            replacement.transaction_id,
            note=f"Replaces claim {original.claim_number} (appeal {appeal_id} overturned)",
        )
    )
    for status in (ClaimStatus.ACCEPTED, ClaimStatus.PENDED):
        replacement.transition(status, at=at)
        category_code, status_code = STATUS_CODES[status]
        session.add(
            ClaimStatusEvent(
                claim_id=replacement.id,
                status=status,
                category_code=category_code,
                status_code=status_code,
                occurred_at=at,
                source=APPEAL_SOURCE,
                transaction_id=replacement.transaction_id,
                note=REPROCESS_NOTE if status is ClaimStatus.PENDED else "",
            )
        )
    session.flush()
    return replacement.id
