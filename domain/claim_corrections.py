"""Correcting claims from the entry form: a claim turned back into an entry, and a rejected
claim corrected and resubmitted as the same claim (its number stays, the timeline goes on).

A rejection (277CA category A3/A7) means the plan never took the claim into adjudication, so the
practice fixes the same claim; a claim the plan decided and remitted is corrected by a new claim
instead, a replacement (CLM05-3 = 7) or a void (8) naming it (domain.claim_submission).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlmodel import Session, col, select

from domain.audit import record_by
from domain.claim_drafts import ClaimDraft
from domain.claim_entry import ClaimEntry, ServiceLineEntry, entry_problems
from domain.claim_queries import diagnosis_codes, format_icd10, service_lines
from domain.claim_submission import (
    CORRECTABLE,
    EntryRejected,
    Submission,
    add_diagnoses_and_lines,
    new_transaction_id,
    principal_procedure,
    received_event,
    resolve_entry,
)
from domain.claims import (
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatus,
    FrequencyCode,
    InvalidTransition,
)
from domain.members import Member
from domain.practices import Provider
from domain.roles import Area
from domain.scope import Actor, NotAuthorized, NotFound, get_scoped, scoped

RESUBMITTED_NOTE = "Corrected and resubmitted"


class Purpose(StrEnum):
    """Why the form starts from an existing claim."""

    CORRECT = "correct"  # a rejected claim, fixed and resubmitted as itself
    REPLACE = "replace"  # a new claim, frequency 7, replacing a remitted one
    VOID = "void"  # a new claim, frequency 8, voiding a remitted one

    @property
    def frequency_code(self) -> FrequencyCode:
        return {
            Purpose.CORRECT: FrequencyCode.ORIGINAL,
            Purpose.REPLACE: FrequencyCode.REPLACEMENT,
            Purpose.VOID: FrequencyCode.VOID,
        }[self]


class CannotCorrect(ValueError):
    """The claim exists but is not in a state this purpose applies to; the message says why."""


@dataclass(frozen=True)
class CorrectionStart:
    """What the form is prefilled with, and what it tells the biller about the claim."""

    claim_id: int
    claim_number: str
    status: ClaimStatus
    rejection_reason: str | None
    entry: ClaimEntry


def entry_from_claim(
    session: Session,
    *,
    actor: Actor,
    claim_id: int,
    frequency_code: FrequencyCode = FrequencyCode.ORIGINAL,
) -> ClaimEntry:
    """A claim of the actor's practice as an entry. For a replacement or void the entry names
    the claim as the original (REF*F8); for a correction it keeps the claim's own frequency."""
    actor.require(Area.CLAIM_ENTRY)
    claim = get_scoped(session, Claim, claim_id, actor)
    return _entry_of(session, claim, frequency_code)


def _entry_of(session: Session, claim: Claim, frequency_code: FrequencyCode) -> ClaimEntry:
    member = session.get(Member, claim.member_fk)
    billing = session.get(Provider, claim.billing_provider_id)
    rendering = session.get(Provider, claim.rendering_provider_id)
    assert member is not None and billing is not None and rendering is not None
    assert claim.id is not None
    diagnoses = diagnosis_codes(session, claim.id)
    lines = service_lines(session, claim.id)
    if frequency_code == FrequencyCode.ORIGINAL:
        # Correcting the claim itself: a rejected replacement stays a replacement of its original.
        frequency_code = claim.frequency_code
        original = session.get(Claim, claim.original_claim_id) if claim.original_claim_id else None
        original_number = original.claim_number if original else ""
    else:
        original_number = claim.claim_number
    return ClaimEntry(
        member_id=member.member_id,
        member_date_of_birth=member.date_of_birth,
        billing_npi=billing.npi,
        rendering_npi=rendering.npi,
        place_of_service=claim.place_of_service,
        service_date_from=claim.service_date_from,
        service_date_to=claim.service_date_to,
        diagnoses=tuple(format_icd10(code) for code in diagnoses),
        lines=tuple(
            ServiceLineEntry(
                procedure_code=line.procedure_code,
                charge=line.charge_amount,
                diagnosis_pointers=tuple(
                    int(p) for p in line.diagnosis_pointers.split(",") if p.strip()
                ),
                units=line.units,
                modifiers=tuple(m for m in line.modifiers.split(",") if m),
                service_date=line.service_date,
            )
            for line in lines
        ),
        patient_control_number=claim.patient_control_number,
        frequency_code=frequency_code,
        original_claim_number=original_number,
    )


def start_correction(
    session: Session, *, actor: Actor, claim_id: int, purpose: Purpose, at: datetime
) -> CorrectionStart:
    """The claim to correct, replace or void, prefilled as an entry; audited as a PHI read.

    NotFound when it is not the practice's; CannotCorrect when its status does not allow it."""
    actor.require(Area.CLAIM_ENTRY)
    claim = get_scoped(session, Claim, claim_id, actor)
    assert claim.id is not None
    if purpose == Purpose.CORRECT and claim.status != ClaimStatus.REJECTED:
        raise CannotCorrect(
            f"Claim {claim.claim_number} is {claim.status.label.lower()}: only a rejected claim "
            "is corrected and resubmitted."
        )
    if purpose != Purpose.CORRECT and claim.status not in CORRECTABLE:
        raise CannotCorrect(
            f"Claim {claim.claim_number} is {claim.status.label.lower()}: only a remitted claim "
            "can be replaced or voided."
        )
    record_by(
        session,
        actor,
        action="read",
        at=at,
        entity_type="claim",
        entity_id=claim.id,
        detail=f"claim entry: {purpose.value}",
    )
    return CorrectionStart(
        claim.id,
        claim.claim_number,
        claim.status,
        claim.rejection_reason,
        _entry_of(session, claim, purpose.frequency_code),
    )


def resubmit_rejected(
    session: Session,
    *,
    actor: Actor,
    claim_id: int,
    entry: ClaimEntry,
    at: datetime,
    draft_id: int | None = None,
) -> Submission:
    """Put the corrected entry on the same rejected claim and send it again: Rejected -> Draft
    -> Received through the transition table, a new transaction id, the pipeline takes it on.

    EntryRejected (nothing changed) when the entry has problems; NotFound when the claim is not
    the practice's; InvalidTransition when it is no longer rejected (resubmitted in another tab).
    A draft the correction was saved as goes in the same transaction."""
    actor.require(Area.CLAIM_ENTRY)
    if actor.practice_id is None:
        raise NotAuthorized("claims are submitted by a practice")
    # Row lock on PostgreSQL: two tabs resubmitting the same claim take turns, and the second
    # finds it Received (InvalidTransition) instead of writing its lines over the first's.
    claim = session.exec(scoped(Claim, actor).where(Claim.id == claim_id).with_for_update()).first()
    if claim is None:
        raise NotFound(f"Claim {claim_id}")
    assert claim.id is not None
    if claim.status != ClaimStatus.REJECTED:
        raise InvalidTransition(claim.status, ClaimStatus.DRAFT)
    draft = get_scoped(session, ClaimDraft, draft_id, actor) if draft_id is not None else None
    problems = entry_problems(entry, today=at.date())
    if problems:
        raise EntryRejected(problems)
    resolved = resolve_entry(session, actor=actor, entry=entry)
    member, billing, rendering = (
        resolved.member,
        resolved.billing_provider,
        resolved.rendering_provider,
    )
    assert member.id is not None and billing.id is not None and rendering.id is not None
    assert entry.service_date_from is not None and entry.service_date_to is not None

    claim.transition(ClaimStatus.DRAFT, at=at)
    claim.member_fk = member.id
    claim.coverage_id = None  # the pipeline finds the coverage on the (possibly new) dates
    claim.billing_provider_id = billing.id
    claim.rendering_provider_id = rendering.id
    claim.location_id = billing.location_id
    claim.place_of_service = entry.place_of_service.strip()
    claim.frequency_code = entry.frequency_code
    claim.original_claim_id = resolved.original.id if resolved.original else None
    claim.service_date_from = entry.service_date_from
    claim.service_date_to = entry.service_date_to
    if entry.patient_control_number.strip():
        claim.patient_control_number = entry.patient_control_number.strip()
    claim.total_charge = entry.total_charge
    claim.principal_procedure = principal_procedure(entry)
    claim.rejection_reason = None
    transaction_id = new_transaction_id(at)
    claim.transaction_id = transaction_id
    claim.submitted_at = at
    claim.transition(ClaimStatus.RECEIVED, at=at)
    session.add(claim)

    line_ids = select(ClaimLine.id).where(ClaimLine.claim_id == claim.id)
    session.exec(
        delete(ClaimLineAdjustment).where(col(ClaimLineAdjustment.claim_line_id).in_(line_ids))
    )
    session.exec(delete(ClaimLine).where(col(ClaimLine.claim_id) == claim.id))
    session.exec(delete(ClaimDiagnosis).where(col(ClaimDiagnosis.claim_id) == claim.id))
    session.flush()
    add_diagnoses_and_lines(session, claim.id, entry)
    session.add(received_event(claim.id, at, "portal", transaction_id, note=RESUBMITTED_NOTE))
    if draft is not None:
        session.delete(draft)
    record_by(
        session,
        actor,
        action="claim.resubmit",
        at=at,
        entity_type="claim",
        entity_id=claim.id,
        detail=f"frequency={entry.frequency_code.value}",
    )
    session.flush()
    return Submission(claim.id, claim.claim_number, transaction_id, claim.patient_control_number)
