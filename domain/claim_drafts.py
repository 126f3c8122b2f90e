"""Claim drafts: a CMS-1500 form saved before it is complete, kept per practice; and what the
entry form asks for while the biller types (the member's name to confirm, the practice's NPIs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, Session, SQLModel, col, select

from domain.audit import record_by
from domain.claim_entry import ClaimEntry, entry_from_json, entry_to_json
from domain.claim_submission import Submission, submit_claim
from domain.claims import Claim, FrequencyCode
from domain.members import Coverage, Member
from domain.plans import BenefitPlan
from domain.practices import Provider
from domain.roles import Area
from domain.scope import Actor, NotAuthorized, get_scoped, scoped
from domain.types import UTCDateTime


class ClaimDraft(SQLModel, table=True):
    """A `ClaimEntry` as JSON (domain.claim_entry.entry_to_json), possibly incomplete.

    A draft is not a claim: it has no claim number, is never adjudicated and may not yet name a
    member the plan knows. Submitting it creates the claim and deletes the draft."""

    __table_args__ = (Index("ix_claimdraft_practice_updated", "practice_id", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id")
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # What the drafts list shows: the patient account number or member id and dates, set on save.
    summary: str = Field(default="", max_length=200)
    # A rejected claim being corrected, or the claim a replacement (7) or void (8) corrects.
    corrects_claim_id: int | None = Field(default=None, foreign_key="claim.id")
    entry_json: str = Field(sa_type=Text)


@dataclass(frozen=True)
class DraftSummary:
    """A line in the drafts list."""

    draft_id: int
    summary: str
    updated_at: datetime
    corrects_claim_id: int | None


@dataclass(frozen=True)
class LoadedDraft:
    draft_id: int
    entry: ClaimEntry
    corrects_claim_id: int | None
    updated_at: datetime


@dataclass(frozen=True)
class MemberConfirmation:
    """What the form shows to confirm it found the right person: no more than the card says."""

    display_name: str
    plan_name: str | None  # None: no coverage on file for the dates given


@dataclass(frozen=True)
class PracticeProvider:
    """A billing or rendering provider the practice may put on a claim (CMS-1500 boxes 24J, 33a)."""

    npi: str
    name: str


def draft_summary(entry: ClaimEntry) -> str:
    """The member ID and the dates of service, as far as they are typed; "New claim" if neither.

    The member ID is an identifier, not a name: the list shows what the biller typed, and reading
    the list is audited like any PHI read."""
    parts = [entry.member_id.strip().upper()]
    start, end = entry.service_date_from, entry.service_date_to
    if start and end and end != start:
        parts.append(f"{start:%m/%d/%Y}-{end:%m/%d/%Y}")
    elif start or end:
        parts.append(f"{(start or end):%m/%d/%Y}")
    if entry.frequency_code != FrequencyCode.ORIGINAL and entry.original_claim_number:
        verb = "replaces" if entry.frequency_code == FrequencyCode.REPLACEMENT else "voids"
        parts.append(f"{verb} {entry.original_claim_number.strip()}")
    summary = " · ".join(part for part in parts if part)
    return summary[:200] or "New claim"


def _practice_id(actor: Actor) -> int:
    actor.require(Area.CLAIM_ENTRY)
    if actor.practice_id is None:
        raise NotAuthorized("claims are entered by a practice")
    return actor.practice_id


def save_draft(
    session: Session,
    *,
    actor: Actor,
    entry: ClaimEntry,
    at: datetime,
    draft_id: int | None = None,
    corrects_claim_id: int | None = None,
) -> int:
    """Keep the form as it is, complete or not; returns the draft's id (new or the same)."""
    practice_id = _practice_id(actor)
    if corrects_claim_id is not None:
        get_scoped(session, Claim, corrects_claim_id, actor)  # not yours: NotFound
    if draft_id is None:
        draft = ClaimDraft(
            practice_id=practice_id,
            created_by=actor.user_id,
            created_at=at,
            updated_at=at,
            entry_json="",
        )
    else:
        draft = get_scoped(session, ClaimDraft, draft_id, actor)
    draft.entry_json = entry_to_json(entry)
    draft.summary = draft_summary(entry)
    draft.updated_at = at
    if corrects_claim_id is not None:
        draft.corrects_claim_id = corrects_claim_id
    session.add(draft)
    session.flush()
    assert draft.id is not None
    record_by(
        session,
        actor,
        action="claim_draft.save",
        at=at,
        entity_type="claim_draft",
        entity_id=draft.id,
    )
    return draft.id


def list_drafts(
    session: Session, *, actor: Actor, at: datetime, limit: int = 50
) -> list[DraftSummary]:
    """The practice's drafts, the most recently saved first."""
    _practice_id(actor)
    drafts = session.exec(
        scoped(ClaimDraft, actor)
        .order_by(col(ClaimDraft.updated_at).desc(), col(ClaimDraft.id).desc())
        .limit(limit)
    ).all()
    record_by(
        session,
        actor,
        action="read",
        at=at,
        entity_type="claim_draft_list",
        detail=f"{len(drafts)} rows",
    )
    return [
        DraftSummary(d.id, d.summary, d.updated_at, d.corrects_claim_id)  # type: ignore[arg-type]
        for d in drafts
    ]


def load_draft(session: Session, *, actor: Actor, draft_id: int, at: datetime) -> LoadedDraft:
    """One draft of the actor's practice (another practice's: NotFound)."""
    _practice_id(actor)
    draft = get_scoped(session, ClaimDraft, draft_id, actor)
    assert draft.id is not None
    record_by(session, actor, action="read", at=at, entity_type="claim_draft", entity_id=draft.id)
    return LoadedDraft(
        draft.id, entry_from_json(draft.entry_json), draft.corrects_claim_id, draft.updated_at
    )


def delete_draft(session: Session, *, actor: Actor, draft_id: int, at: datetime) -> None:
    _practice_id(actor)
    draft = get_scoped(session, ClaimDraft, draft_id, actor)
    session.delete(draft)
    record_by(
        session,
        actor,
        action="claim_draft.delete",
        at=at,
        entity_type="claim_draft",
        entity_id=draft_id,
    )


def submit_draft(
    session: Session, *, actor: Actor, draft_id: int, entry: ClaimEntry, at: datetime
) -> Submission:
    """Submit the form's entry and drop its draft in the same transaction: either the claim
    exists and the draft is gone, or (EntryRejected) nothing changed."""
    _practice_id(actor)
    draft = get_scoped(session, ClaimDraft, draft_id, actor)
    submission = submit_claim(session, actor=actor, entry=entry, at=at)
    session.delete(draft)
    return submission


def confirm_member(
    session: Session,
    *,
    actor: Actor,
    member_id: str,
    date_of_birth: date,
    at: datetime,
    date_of_service: date | None = None,
) -> MemberConfirmation | None:
    """The member with this ID and date of birth (exact identifiers only, as eligibility),
    with the plan covering them on the date of service (or today); None when nobody matches."""
    _practice_id(actor)
    member = session.exec(
        select(Member).where(
            Member.member_id == member_id.strip().upper(),
            Member.date_of_birth == date_of_birth,
        )
    ).first()
    record_by(
        session,
        actor,
        action="member_lookup",
        at=at,
        entity_type="member" if member else "",
        entity_id=member.id if member and member.id else "",
        outcome="ok" if member else "no_match",
        detail="claim entry",
    )
    if member is None:
        return None
    day = date_of_service or at.date()
    coverages = session.exec(
        select(Coverage, BenefitPlan)
        .join(BenefitPlan, col(BenefitPlan.id) == col(Coverage.plan_id))
        .where(Coverage.member_fk == member.id)
        .order_by(col(Coverage.effective_date).desc())
    ).all()
    plan_name = next(
        (plan.name for coverage, plan in coverages if coverage.is_active_on(day)),
        None,
    )
    return MemberConfirmation(member.display_name, plan_name)


def practice_providers(session: Session, *, actor: Actor) -> list[PracticeProvider]:
    """The practice's providers by last name, for the billing and rendering provider choices."""
    _practice_id(actor)
    providers = session.exec(
        scoped(Provider, actor).order_by(col(Provider.last_name), col(Provider.first_name))
    ).all()
    return [PracticeProvider(p.npi, p.display_name) for p in providers]
