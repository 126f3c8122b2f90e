"""The claims examiner's work: the pended queue across practices, one claim's review, and the
decisions (approve, adjust, deny) that finish a pended claim through the adjudication engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, not_
from sqlmodel import Session, col, select

from domain import audit
from domain.adjudication_inputs import Denial, ExaminerReview, require_cents
from domain.claim_pipeline import ExaminerDecisionIncomplete, deny_pended, finish_pended
from domain.claim_queries import ClaimDetail, read_claim
from domain.claims import AdjustmentGroup, Claim, ClaimLine, ClaimStatus, ClaimStatusEvent
from domain.codes import CARC
from domain.members import Coverage
from domain.plans import BenefitPlan, FeeScheduleEntry, ProcedureCode
from domain.practices import Practice
from domain.roles import Area
from domain.scope import Actor, get_scoped, within_scope

QUEUE_PAGE_SIZE = 25
EXAMINER = "examiner"  # ClaimStatusEvent.source of an examiner's decision
MAX_NOTE_LENGTH = 400
# CARCs 1-3 are cost sharing (group PR): the engine puts them on allowed lines itself, and a
# denial cannot be the member's to pay (adjudication_inputs.Denial).
COST_SHARING_CARCS = frozenset({"1", "2", "3"})
DENIAL_CARCS = {code: text for code, text in CARC.items() if code not in COST_SHARING_CARCS}


class PendKind(StrEnum):
    """Why a claim waits, as the queue filters it (URL value)."""

    HIGH_DOLLAR = "high-dollar"
    UNLISTED_CODE = "unlisted-code"
    NO_FEE = "no-fee"
    APPEAL = "appeal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PEND_KIND_LABELS[self]


PEND_KIND_LABELS = {
    PendKind.HIGH_DOLLAR: "High dollar",
    PendKind.UNLISTED_CODE: "Unlisted code",
    PendKind.NO_FEE: "No fee on file",
    PendKind.APPEAL: "Appeal reprocess",
    PendKind.OTHER: "Other review",
}

# The pend note's wording, as domain.adjudication._pends and domain.appeals write it: the note
# is the only place a pend's reason is kept, so the queue's filter reads it (one LIKE each).
_NOTE_PATTERNS: dict[PendKind, str] = {
    PendKind.HIGH_DOLLAR: "%review threshold%",
    PendKind.UNLISTED_CODE: "%unlisted procedure%",
    PendKind.NO_FEE: "%fee schedule has no amount%",
    PendKind.APPEAL: "Appeal overturned%",
}


def pend_kinds(note: str) -> list[PendKind]:
    """Every kind a note names (a claim may pend for two reasons); [OTHER] when none: the same
    test as the queue's SQL filter, in Python."""
    lowered = note.lower()
    found = []
    for kind, pattern in _NOTE_PATTERNS.items():
        words = pattern.strip("%").lower()
        anywhere = pattern.startswith("%")
        if (words in lowered) if anywhere else lowered.startswith(words):
            found.append(kind)
    return found or [PendKind.OTHER]


def _latest_pend_note() -> ColumnElement[str]:
    """The note of the claim's latest Pended event (a correlated subquery on its claim_id index)."""
    return (
        select(ClaimStatusEvent.note)
        .where(
            col(ClaimStatusEvent.claim_id) == col(Claim.id),
            col(ClaimStatusEvent.status) == ClaimStatus.PENDED,
        )
        .order_by(col(ClaimStatusEvent.id).desc())
        .limit(1)
        .correlate(Claim)
        .scalar_subquery()
    )


def _kind_criterion(kind: PendKind, note: ColumnElement[str]) -> ColumnElement[bool]:
    if kind is PendKind.OTHER:
        return and_(*(not_(func.coalesce(note, "").like(p)) for p in _NOTE_PATTERNS.values()))
    return func.coalesce(note, "").like(_NOTE_PATTERNS[kind])


@dataclass(frozen=True)
class QueueFilters:
    practice_id: int | None = None
    kind: PendKind | None = None
    page: int = 1


@dataclass(frozen=True)
class PendedRow:
    claim_id: int
    claim_number: str
    practice_name: str
    service_date_from: date
    total_charge: Decimal
    pended_since: datetime
    age_days: int
    pend_note: str
    kinds: list[PendKind]


@dataclass(frozen=True)
class PracticeOption:
    practice_id: int
    name: str
    pended: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[PendedRow]
    total: int
    page: int
    page_size: int
    practices: list[PracticeOption]

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def pended_claims(
    *, session: Session, actor: Actor, filters: QueueFilters, at: datetime
) -> QueuePage:
    """Pended claims of every practice, oldest first (they age against prompt-pay rules), one
    page at a time; ix_claim_status_changed serves the order."""
    actor.require(Area.CLAIMS_QUEUE)
    note = _latest_pend_note()
    criteria: list[ColumnElement[bool]] = [col(Claim.status) == ClaimStatus.PENDED]
    if filters.practice_id is not None:
        criteria.append(col(Claim.practice_id) == filters.practice_id)
    if filters.kind is not None:
        criteria.append(_kind_criterion(filters.kind, note))
    total = session.exec(
        within_scope(select(func.count()).select_from(Claim).where(*criteria), Claim, actor)
    ).one()
    page = max(1, min(filters.page, max(1, -(-total // QUEUE_PAGE_SIZE))))
    found = session.exec(
        within_scope(
            select(Claim, col(Practice.name), note)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(*criteria)
            .order_by(col(Claim.status_changed_at), col(Claim.id))
            .offset((page - 1) * QUEUE_PAGE_SIZE)
            .limit(QUEUE_PAGE_SIZE),
            Claim,
            actor,
        )
    ).all()
    # The queue names claims (and the practices' notes): each page served is an audited read,
    # counts only in the detail (a practice filter says nothing about a patient, but stays out).
    audit.record_by(
        session,
        actor,
        action="read",
        at=at,
        entity_type="pended_claims",
        detail=f"{len(found)} rows, page {page}",
    )
    practices = session.exec(
        within_scope(
            select(col(Practice.id), col(Practice.name), func.count(col(Claim.id)))
            .select_from(Practice)
            .join(
                Claim,
                and_(
                    col(Claim.practice_id) == Practice.id,
                    col(Claim.status) == ClaimStatus.PENDED,
                ),
            )
            .group_by(col(Practice.id), col(Practice.name))
            .order_by(col(Practice.name)),
            Claim,
            actor,
        )
    ).all()
    return QueuePage(
        rows=[
            PendedRow(
                claim_id=claim.id or 0,
                claim_number=claim.claim_number,
                practice_name=practice_name,
                service_date_from=claim.service_date_from,
                total_charge=claim.total_charge,
                pended_since=claim.status_changed_at,
                age_days=max(0, (at - claim.status_changed_at).days),
                pend_note=pend_note or "",
                kinds=pend_kinds(pend_note or ""),
            )
            for claim, practice_name, pend_note in found
        ],
        total=total,
        page=page,
        page_size=QUEUE_PAGE_SIZE,
        practices=[PracticeOption(pid or 0, name, n) for pid, name, n in practices],
    )


@dataclass(frozen=True)
class LinePricing:
    """What the examiner prices a line against: the fee schedule's amount for its units at the
    claim's place of service (None: no amount on file), and whether the code is unlisted."""

    line_number: int
    schedule_allowed: Decimal | None
    unlisted: bool


@dataclass(frozen=True)
class ClaimReview:
    detail: ClaimDetail
    pend_note: str
    kinds: list[PendKind]
    pend_threshold: Decimal | None
    pricing: dict[int, LinePricing]
    pended: bool

    @property
    def needs_pricing(self) -> list[int]:
        return [
            number
            for number, price in self.pricing.items()
            if price.unlisted or price.schedule_allowed is None
        ]


def review_claim(
    *, session: Session, actor: Actor, claim_id: int, at: datetime
) -> ClaimReview | None:
    """One claim as the examiner decides it; None when there is no such claim. The read is
    audited by read_claim."""
    actor.require(Area.CLAIMS_QUEUE)
    detail = read_claim(session=session, actor=actor, claim_id=claim_id, at=at)
    if detail is None:
        return None
    claim = session.get(Claim, claim_id)
    assert claim is not None
    note = session.exec(
        select(ClaimStatusEvent.note)
        .where(
            ClaimStatusEvent.claim_id == claim_id,
            ClaimStatusEvent.status == ClaimStatus.PENDED,
        )
        .order_by(col(ClaimStatusEvent.id).desc())
        .limit(1)
    ).first()
    plan = _plan_of(session, claim)
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim_id)).all()
    codes = {line.procedure_code for line in lines}
    unlisted = set(
        session.exec(
            select(ProcedureCode.code).where(
                col(ProcedureCode.code).in_(codes), col(ProcedureCode.unlisted).is_(True)
            )
        ).all()
    )
    rates: dict[tuple[str, str | None], Decimal] = {}
    if plan is not None:
        for entry in session.exec(
            select(FeeScheduleEntry).where(
                FeeScheduleEntry.fee_schedule_id == plan.fee_schedule_id,
                col(FeeScheduleEntry.procedure_code).in_(codes),
            )
        ).all():
            rates[(entry.procedure_code, entry.place_of_service)] = entry.allowed_amount
    pricing = {}
    for line in lines:
        # The place-of-service rate wins over the any-place rate, as in FeeScheduleRates.
        rate = rates.get((line.procedure_code, claim.place_of_service))
        if rate is None:
            rate = rates.get((line.procedure_code, None))
        pricing[line.line_number] = LinePricing(
            line_number=line.line_number,
            schedule_allowed=None
            if rate is None or line.procedure_code in unlisted
            else min(rate * line.units, line.charge_amount),
            unlisted=line.procedure_code in unlisted,
        )
    return ClaimReview(
        detail=detail,
        pend_note=note or "",
        kinds=pend_kinds(note or ""),
        pend_threshold=plan.pend_threshold if plan else None,
        pricing=dict(sorted(pricing.items())),
        pended=claim.status is ClaimStatus.PENDED,
    )


def _plan_of(session: Session, claim: Claim) -> BenefitPlan | None:
    coverage = session.get(Coverage, claim.coverage_id) if claim.coverage_id else None
    if coverage is None:
        coverage = session.exec(
            select(Coverage)
            .where(Coverage.member_fk == claim.member_fk)
            .order_by(col(Coverage.coverage_order), col(Coverage.effective_date))
        ).first()
    return session.get(BenefitPlan, coverage.plan_id) if coverage else None


# --- Decisions ---


class DecisionRefused(ValueError):
    """The decision cannot be recorded as given; the message says what to change."""


class Decision(StrEnum):
    APPROVE = "approve"
    ADJUST = "adjust"
    DENY = "deny"


@dataclass(frozen=True)
class DecisionOutcome:
    """Ids and the result, for the page's message and the ClaimsChanged the caller publishes
    after the commit."""

    claim_id: int
    practice_id: int
    claim_number: str
    status: ClaimStatus
    paid_amount: Decimal


def approve_claim(
    *, session: Session, actor: Actor, claim_id: int, note: str = "", at: datetime
) -> DecisionOutcome:
    """Approve as the engine prices it: the examiner clears the high-dollar review; a line
    the schedule cannot price still needs Adjust."""
    return _decide(
        session,
        actor,
        claim_id,
        Decision.APPROVE,
        ExaminerReview(high_dollar_approved=True),
        note,
        at,
    )


def adjust_claim(
    *,
    session: Session,
    actor: Actor,
    claim_id: int,
    allowed_by_line: dict[int, Decimal],
    denial_by_line: dict[int, str] | None = None,
    note: str = "",
    at: datetime,
) -> DecisionOutcome:
    """Price lines by hand (allowed for the whole line, at most its charge) and deny others with
    a CARC (group CO); lines given neither are priced by the fee schedule."""
    actor.require(Area.CLAIMS_QUEUE)
    claim = _pended_claim(session, actor, claim_id)
    charges = {
        line.line_number: line.charge_amount
        for line in session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim.id)).all()
    }
    denial_by_line = denial_by_line or {}
    problems: list[str] = []
    for number, amount in allowed_by_line.items():
        if number not in charges:
            problems.append(f"Line {number} is not on this claim.")
            continue
        try:
            require_cents(amount, f"Line {number}")
        except (TypeError, ValueError):
            problems.append(f"Line {number}: enter the allowed amount in dollars and cents.")
            continue
        if amount > charges[number]:
            problems.append(
                f"Line {number}: the allowed amount ${amount:,} is more than the billed "
                f"${charges[number]:,}."
            )
    for number, carc in denial_by_line.items():
        if number not in charges:
            problems.append(f"Line {number} is not on this claim.")
        elif carc not in DENIAL_CARCS:
            problems.append(f"Line {number}: choose a denial reason (CARC) from the list.")
        elif number in allowed_by_line:
            problems.append(f"Line {number}: either price the line or deny it, not both.")
    if not allowed_by_line and not denial_by_line:
        problems.append("Enter an allowed amount or a denial for at least one line.")
    if problems:
        raise DecisionRefused(" ".join(problems))
    review = ExaminerReview(
        high_dollar_approved=True,
        allowed_by_line=dict(allowed_by_line),
        line_denials={
            number: Denial(group=AdjustmentGroup.CO, carc=carc)
            for number, carc in denial_by_line.items()
        },
    )
    return _decide(session, actor, claim_id, Decision.ADJUST, review, note, at)


def deny_claim(
    *, session: Session, actor: Actor, claim_id: int, carc: str, note: str, at: datetime
) -> DecisionOutcome:
    """Deny every line with the examiner's CARC (group CO) and a reason the practice reads on
    its timeline."""
    actor.require(Area.CLAIMS_QUEUE)
    if carc not in DENIAL_CARCS:
        raise DecisionRefused("Choose a denial reason (CARC) from the list.")
    note = note.strip()
    if not note:
        raise DecisionRefused("Write the reason for the denial: the practice reads it.")
    if len(note) > MAX_NOTE_LENGTH:
        raise DecisionRefused(f"Keep the reason to {MAX_NOTE_LENGTH} characters.")
    claim = _pended_claim(session, actor, claim_id)
    assert claim.id is not None
    status = deny_pended(session, claim_id=claim.id, carc=carc, rarc=None, note="", at=at)
    return _record(session, actor, claim, Decision.DENY, status, f"CARC {carc}: {note}", at)


def _decide(
    session: Session,
    actor: Actor,
    claim_id: int,
    decision: Decision,
    review: ExaminerReview,
    note: str,
    at: datetime,
) -> DecisionOutcome:
    actor.require(Area.CLAIMS_QUEUE)
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise DecisionRefused(f"Keep the note to {MAX_NOTE_LENGTH} characters.")
    claim = _pended_claim(session, actor, claim_id)
    assert claim.id is not None
    try:
        status = finish_pended(session, claim_id=claim.id, review=review, at=at)
    except ExaminerDecisionIncomplete as incomplete:
        # Raised out of the unit of work, so the engine's partial writes roll back.
        raise DecisionRefused(
            f"The claim still cannot be decided: {incomplete} Price those lines with Adjust."
        ) from incomplete
    return _record(session, actor, claim, decision, status, note, at)


def _pended_claim(session: Session, actor: Actor, claim_id: int) -> Claim:
    claim = get_scoped(session, Claim, claim_id, actor)
    if claim.status is not ClaimStatus.PENDED:
        raise DecisionRefused(
            f"Claim {claim.claim_number} is no longer pended (it is "
            f"{claim.status.label.lower()}): someone has decided it already."
        )
    return claim


def _record(
    session: Session,
    actor: Actor,
    claim: Claim,
    decision: Decision,
    status: ClaimStatus,
    note: str,
    at: datetime,
) -> DecisionOutcome:
    """Sign the engine's decision event as the examiner's, and audit (ids and codes only)."""
    assert claim.id is not None
    session.flush()
    event = session.exec(
        select(ClaimStatusEvent)
        .where(
            ClaimStatusEvent.claim_id == claim.id,
            ClaimStatusEvent.status == status,
            ClaimStatusEvent.occurred_at == at,
        )
        .order_by(col(ClaimStatusEvent.id).desc())
    ).first()
    words = {
        Decision.APPROVE: "Approved by the claims examiner",
        Decision.ADJUST: "Adjusted by the claims examiner",
        Decision.DENY: "Denied by the claims examiner",
    }[decision]
    if event is not None:
        event.source = EXAMINER
        event.note = ". ".join(part for part in (words, note, event.note) if part)[:500]
    audit.record_by(
        session,
        actor,
        action="claim.examiner_decision",
        at=at,
        practice_id=claim.practice_id,
        entity_type="claim",
        entity_id=claim.id,
        detail=f"decision={decision.value} status={status.value}",
    )
    session.refresh(claim)
    return DecisionOutcome(
        claim_id=claim.id,
        practice_id=claim.practice_id,
        claim_number=claim.claim_number,
        status=status,
        paid_amount=claim.paid_amount,
    )
