"""Submitting a claim: check the entry, resolve member and providers within the practice, and
store it as Received with a claim number and a transaction id, ready for the front-end edits.

Every way in (the form, a CSV row, an 837P claim, a replacement or void) ends here, so the
rules for what the portal takes are in one place. The caller's unit of work commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.audit import record_by
from domain.claim_entry import ClaimEntry, FieldProblem, entry_problems
from domain.claims import (
    TRANSITIONS,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimStatus,
    ClaimStatusEvent,
    FrequencyCode,
    InvalidTransition,
)
from domain.members import Member
from domain.practices import Practice, Provider
from domain.roles import Area
from domain.scope import Actor, NotAuthorized, scoped

# 277CA acknowledgement of receipt: category A1 (received, not yet accepted into
# adjudication), status 20 (accepted for processing), as the demo seed writes it.
RECEIVED_CODES = ("A1", "20")

# A replacement (7) or void (8) corrects a claim the plan has decided and paid out on (its 835
# went out): the correction's payment run reverses the original's payment.
CORRECTABLE = frozenset({ClaimStatus.REMITTED})


class EntryRejected(ValueError):
    """The entry cannot be submitted; `problems` says which fields and why."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Submission:
    """What a submitter is told at once: the claim number and the transaction id."""

    claim_id: int
    claim_number: str
    transaction_id: str
    patient_control_number: str


def new_transaction_id(at: datetime) -> str:
    """A submission's transaction id: time-ordered, unique without a database round trip."""
    return f"TRN{at:%y%m%d%H%M%S}{uuid.uuid4().hex[:12].upper()}"


def submit_claim(
    session: Session,
    *,
    actor: Actor,
    entry: ClaimEntry,
    at: datetime,
    source: str = "portal",
    transaction_id: str | None = None,
    claim_import_id: int | None = None,
    audit: bool = True,
) -> Submission:
    """Store the entry as a Received claim of the actor's practice, or raise EntryRejected.

    A bulk import passes `audit=False` and writes one audit event for its whole batch."""
    actor.require(Area.CLAIM_ENTRY)
    if actor.practice_id is None:
        raise NotAuthorized("claims are submitted by a practice")
    problems = entry_problems(entry, today=at.date())
    if problems:
        raise EntryRejected(problems)
    resolved = resolve_entry(session, actor=actor, entry=entry)
    transaction_id = transaction_id or new_transaction_id(at)
    claim = _store(
        session, actor.practice_id, entry, resolved, at, source, transaction_id, claim_import_id
    )
    assert claim.id is not None
    if audit:
        record_by(
            session,
            actor,
            action="claim.submit",
            at=at,
            entity_type="claim",
            entity_id=claim.id,
            detail=f"source={source} frequency={entry.frequency_code.value}",
        )
    return Submission(claim.id, claim.claim_number, transaction_id, claim.patient_control_number)


@dataclass(frozen=True)
class ResolvedEntry:
    """The rows an entry's identifiers point at, found within the submitter's practice."""

    member: Member
    billing_provider: Provider
    rendering_provider: Provider
    original: Claim | None


def resolve_entry(session: Session, *, actor: Actor, entry: ClaimEntry) -> ResolvedEntry:
    """Find the member (member ID + date of birth), the practice's providers by NPI and, for a
    replacement or void, the original claim; raise EntryRejected naming each miss."""
    problems: list[FieldProblem] = []
    member = session.exec(
        select(Member).where(
            Member.member_id == entry.member_id.strip().upper(),
            Member.date_of_birth == entry.member_date_of_birth,
        )
    ).first()
    if member is None:
        problems.append(MEMBER_NOT_MATCHED)
    providers = {
        provider.npi: provider
        for provider in session.exec(
            scoped(Provider, actor).where(
                col(Provider.npi).in_({entry.billing_npi.strip(), entry.rendering_npi.strip()})
            )
        ).all()
    }
    group_npi = practice_group_npi(session, actor)
    problems += provider_problems(entry, providers, group_npi)
    original = None
    if entry.frequency_code != FrequencyCode.ORIGINAL:
        number = entry.original_claim_number.strip()
        original = session.exec(scoped(Claim, actor).where(Claim.claim_number == number)).first()
        problems += correction_problems(number, original)
    if problems:
        raise EntryRejected(problems)
    assert member is not None
    return ResolvedEntry(member, *claim_providers(entry, providers, group_npi), original)


# One message for both misses, so the form cannot be used to probe member IDs.
MEMBER_NOT_MATCHED = FieldProblem(
    "member_id",
    "No member matches this member ID and date of birth. Check both against the member's ID card.",
)


def practice_group_npi(session: Session, actor: Actor) -> str:
    practice = session.get(Practice, actor.practice_id) if actor.practice_id else None
    return practice.group_npi if practice else ""


def provider_problems(
    entry: ClaimEntry, providers: Mapping[str, Provider], group_npi: str = ""
) -> list[FieldProblem]:
    """The billing and rendering NPIs that are not among the practice's providers. A claim
    billed under the practice's own group (organization) NPI, as clearinghouses usually send
    them (837P 2010AA), is billed by the practice for its rendering provider."""
    return [
        FieldProblem(name, f"NPI {npi} is not a provider of your practice in the portal.")
        for name in ("billing_npi", "rendering_npi")
        if (npi := getattr(entry, name).strip()) not in providers
        and not (name == "billing_npi" and group_npi and npi == group_npi)
    ]


def claim_providers(
    entry: ClaimEntry, providers: Mapping[str, Provider], group_npi: str = ""
) -> tuple[Provider, Provider]:
    """(billing, rendering) providers of an entry that provider_problems accepts: billed under
    the group NPI, the claim's billing provider row is its rendering provider (the practice
    itself is the payee either way)."""
    rendering = providers[entry.rendering_npi.strip()]
    billing_npi = entry.billing_npi.strip()
    if group_npi and billing_npi == group_npi and billing_npi not in providers:
        return rendering, rendering
    return providers[billing_npi], rendering


def correction_problems(number: str, original: Claim | None) -> list[FieldProblem]:
    """Why a replacement or void cannot correct the claim with that number, if it cannot."""
    if original is None:
        return [FieldProblem("original_claim_number", f"No claim {number} was found.")]
    if original.status not in CORRECTABLE:
        return [
            FieldProblem(
                "original_claim_number",
                f"Claim {number} is {original.status.label.lower()}: only a remitted claim can "
                "be replaced or voided.",
            )
        ]
    return []


def _store(
    session: Session,
    practice_id: int,
    entry: ClaimEntry,
    resolved: ResolvedEntry,
    at: datetime,
    source: str,
    transaction_id: str,
    claim_import_id: int | None,
) -> Claim:
    claim = Claim(
        **claim_values(
            practice_id=practice_id,
            entry=entry,
            resolved=resolved,
            at=at,
            transaction_id=transaction_id,
            claim_import_id=claim_import_id,
        )
    )
    session.add(claim)
    session.flush()
    assert claim.id is not None
    numbers = claim_numbers(claim.id, at, claim.patient_control_number)
    claim.claim_number = numbers["claim_number"]
    claim.patient_control_number = numbers["patient_control_number"]
    add_diagnoses_and_lines(session, claim.id, entry)
    session.add(
        received_event(
            claim.id, at, source, transaction_id, note=correction_note(entry, resolved.original)
        )
    )
    return claim


# --- The rows an intake writes, here once for submit_claim (ORM objects) and bulk imports
# (multi-row INSERTs in domain.claim_import_service), so a storing rule changes in one place.


def claim_values(
    *,
    practice_id: int,
    entry: ClaimEntry,
    resolved: ResolvedEntry,
    at: datetime,
    transaction_id: str,
    claim_import_id: int | None = None,
) -> dict[str, Any]:
    """The claim row of a checked entry, Received; its claim number is a unique placeholder
    until the id is known (claim_numbers gives the real one, in the same transaction)."""
    assert entry.service_date_from is not None and entry.service_date_to is not None
    member, billing, rendering = (
        resolved.member,
        resolved.billing_provider,
        resolved.rendering_provider,
    )
    assert member.id is not None and billing.id is not None and rendering.id is not None
    # Intake is the table's Draft -> Received step, written as a row rather than through
    # Claim.transition: check the step against the table all the same.
    if ClaimStatus.RECEIVED not in TRANSITIONS[ClaimStatus.DRAFT]:
        raise InvalidTransition(ClaimStatus.DRAFT, ClaimStatus.RECEIVED)
    return {
        "practice_id": practice_id,
        "claim_number": f"new-{uuid.uuid4().hex[:16]}",
        "patient_control_number": entry.patient_control_number.strip(),
        "member_fk": member.id,
        "billing_provider_id": billing.id,
        "rendering_provider_id": rendering.id,
        "location_id": billing.location_id,
        "place_of_service": entry.place_of_service.strip(),
        "frequency_code": entry.frequency_code,
        "original_claim_id": resolved.original.id if resolved.original else None,
        "service_date_from": entry.service_date_from,
        "service_date_to": entry.service_date_to,
        "status": ClaimStatus.RECEIVED,
        "status_changed_at": at,
        "submitted_at": at,
        "transaction_id": transaction_id,
        "total_charge": entry.total_charge,
        "principal_procedure": principal_procedure(entry),
        "claim_import_id": claim_import_id,
    }


def claim_number(claim_id: int, at: datetime) -> str:
    """The seed's form: year and day of year received, then the claim's id."""
    return f"{at:%y%j}{claim_id:08d}"


def claim_numbers(claim_id: int, at: datetime, patient_control_number: str) -> dict[str, str]:
    """The stored claim's number, and an account number of its own when the entry gave none."""
    return {
        "claim_number": claim_number(claim_id, at),
        "patient_control_number": patient_control_number or f"PCN{claim_id:09d}",
    }


def diagnosis_rows(claim_id: int, entry: ClaimEntry) -> list[dict[str, Any]]:
    """An entry's diagnoses in order (1 = principal), ICD-10-CM without the dot."""
    return [
        {
            "claim_id": claim_id,
            "sequence": sequence,
            "icd10_code": code.strip().upper().replace(".", ""),
        }
        for sequence, code in enumerate(entry.diagnoses, start=1)
    ]


def principal_procedure(entry: ClaimEntry) -> str:
    """The first line's code, as line_rows writes it (the claim keeps it for the reports)."""
    return entry.lines[0].procedure_code.strip().upper() if entry.lines else ""


def line_rows(claim_id: int, entry: ClaimEntry) -> list[dict[str, Any]]:
    """An entry's service lines; a line without its own date takes the claim's first date."""
    assert entry.service_date_from is not None
    return [
        {
            "claim_id": claim_id,
            "line_number": number,
            "procedure_code": line.procedure_code.strip().upper(),
            "modifiers": ",".join(m.strip().upper() for m in line.modifiers),
            "units": line.units,
            "charge_amount": line.charge,
            "diagnosis_pointers": ",".join(str(p) for p in line.diagnosis_pointers),
            "service_date": line.service_date or entry.service_date_from,
        }
        for number, line in enumerate(entry.lines, start=1)
    ]


def received_event_values(
    claim_id: int, at: datetime, source: str, transaction_id: str, *, note: str = ""
) -> dict[str, Any]:
    """The timeline's Received step, with the 277CA acknowledgement codes."""
    category_code, status_code = RECEIVED_CODES
    return {
        "claim_id": claim_id,
        "status": ClaimStatus.RECEIVED,
        "category_code": category_code,
        "status_code": status_code,
        "occurred_at": at,
        "source": source[:30],
        "transaction_id": transaction_id,
        "note": note,
    }


def correction_note(entry: ClaimEntry, original: Claim | None) -> str:
    """The Received event's note of a replacement or void: which claim it corrects."""
    if original is None:
        return ""
    verb = "Replaces" if entry.frequency_code == FrequencyCode.REPLACEMENT else "Voids"
    return f"{verb} claim {original.claim_number}"


def add_diagnoses_and_lines(session: Session, claim_id: int, entry: ClaimEntry) -> None:
    """Write an entry's diagnoses and service lines under a claim; a corrected claim
    (domain.claim_corrections) rewrites them the same way."""
    assert all(line.charge is not None and line.units is not None for line in entry.lines)
    session.add_all([ClaimDiagnosis(**row) for row in diagnosis_rows(claim_id, entry)])
    session.add_all([ClaimLine(**row) for row in line_rows(claim_id, entry)])


def received_event(
    claim_id: int, at: datetime, source: str, transaction_id: str, *, note: str = ""
) -> ClaimStatusEvent:
    return ClaimStatusEvent(
        **received_event_values(claim_id, at, source, transaction_id, note=note)
    )


def submitted_today(session: Session, *, actor: Actor, since: datetime) -> int:
    """How many claims the actor's practice submitted since a moment (for the entry page)."""
    statement = scoped(Claim, actor).where(col(Claim.submitted_at) >= since)
    return session.exec(select(func.count()).select_from(statement.subquery())).one()
