"""The plan-side claim pipeline: front-end edits, adjudication and payment runs, one step a call."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.adjudication import (
    OVER_FEE_SCHEDULE_CARC,
    AccumulatorDelta,
    Adjudication,
    adjudicate,
)
from domain.adjudication_inputs import (
    NO_REVIEW,
    ClaimToAdjudicate,
    Denial,
    ExaminerReview,
    FeeScheduleRates,
    MemberStanding,
    PlanTerms,
)
from domain.claims import (
    FINALIZED,
    AdjustmentGroup,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatus,
    ClaimStatusEvent,
    FrequencyCode,
    Remittance,
)
from domain.codes import CARC
from domain.eligibility import CoveragePeriod, plan_year_of
from domain.eligibility_service import PlanCatalogue, coverage_answer
from domain.front_end_edits import (
    DuplicateOf,
    LineFacts,
    ProviderOnClaim,
    SubmittedClaim,
    front_end_edit,
)
from domain.members import BenefitAccumulator, Coverage, Member, VisitAccumulator
from domain.plans import BenefitPlan, FeeScheduleEntry
from domain.practices import Provider

logger = logging.getLogger(__name__)

SOURCE = "status-refresh"

# 277 STC01 category (code list 507) and status (508) codes per step, the same the demo seed
# writes so demo and live timelines read alike: 20 = accepted for processing; 3 = adjudicated
# and awaiting the payment cycle; 1 = for more detail see the remittance advice; 65 = paid.
STATUS_CODES: dict[ClaimStatus, tuple[str, str]] = {
    ClaimStatus.ACCEPTED: ("A2", "20"),
    ClaimStatus.IN_PROCESS: ("P1", "20"),
    ClaimStatus.PENDED: ("P2", "20"),  # pending payer review, for an examiner
    ClaimStatus.PAID: ("F1", "3"),
    ClaimStatus.PARTIALLY_PAID: ("F1", "3"),
    ClaimStatus.DENIED: ("F2", "1"),
}
REMITTED_PAID = ("F1", "65")
REMITTED_DENIED = ("F2", "1")
# F3 = finalized/revised: the adjudication was changed (the original of a replacement or void);
# F0 = finalized, no further action: a void request that has reversed its original.
REVISED = ("F3", "3")
VOID_PROCESSED = ("F0", "3")

# Accepted into adjudication (A2) or further along: what a new claim can duplicate.
_ACCEPTED_OR_LATER = frozenset(
    {
        ClaimStatus.ACCEPTED,
        ClaimStatus.IN_PROCESS,
        ClaimStatus.PENDED,
        ClaimStatus.REMITTED,
        *FINALIZED,
    }
)
_PROCESSED = frozenset({*FINALIZED, ClaimStatus.REMITTED})


@dataclass(frozen=True)
class ClaimChange:
    """A claim that moved: ids only, so a change event carries no PHI."""

    claim_id: int
    practice_id: int
    status: ClaimStatus


@dataclass
class PipelineReport:
    moved: Counter[ClaimStatus] = field(default_factory=Counter)  # by the status reached
    changes: list[ClaimChange] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # claim ids whose step raised

    @property
    def claim_ids(self) -> list[int]:
        return [change.claim_id for change in self.changes]

    @property
    def practice_ids(self) -> set[int]:
        return {change.practice_id for change in self.changes}

    @property
    def total(self) -> int:
        return len(self.changes)


class _Catalogue:
    """Plans, procedure codes and fee schedules, read once per call (small tables)."""

    def __init__(self, session: Session) -> None:
        self.plans = PlanCatalogue.load(session)
        self._terms: dict[int, PlanTerms] = {}
        self._fees: dict[int, FeeScheduleRates] = {}

    def plan(self, plan_id: int) -> BenefitPlan:
        return self.plans.plans[plan_id]

    def terms(self, plan_id: int) -> PlanTerms:
        if plan_id not in self._terms:
            procedures = self.plans.procedures.values()
            self._terms[plan_id] = PlanTerms.from_rows(self.plan(plan_id), procedures)
        return self._terms[plan_id]

    def fees(self, session: Session, fee_schedule_id: int) -> FeeScheduleRates:
        if fee_schedule_id not in self._fees:
            entries = session.exec(
                select(FeeScheduleEntry).where(FeeScheduleEntry.fee_schedule_id == fee_schedule_id)
            ).all()
            self._fees[fee_schedule_id] = FeeScheduleRates.from_entries(entries)
        return self._fees[fee_schedule_id]


_Step = Callable[[Session, Claim, datetime, _Catalogue], ClaimStatus]


def advance_claims(session: Session, *, at: datetime, batch_size: int = 500) -> PipelineReport:
    """Move up to batch_size claims one step each: Received -> Accepted/Rejected, Accepted ->
    In process, In process -> Paid/Partially paid/Denied or Pended. Pended claims wait for an
    examiner. Safe to re-run and to run in two processes at once.

    Each claim's step is its own unit of work, committed on its own: a batch never holds the
    database's write lock (SQLite) or a row lock (PostgreSQL) for longer than one claim, and a
    claim whose step fails is rolled back alone and reported, not retried in a loop. The session
    should be the job's own: anything pending in it is committed with the first claim.

    Steps run downstream first (In process, then Accepted, then Received), each on the ids it
    selected before this call moved anything into its status, so a claim moves at most once."""
    report = PipelineReport()
    catalogue = _Catalogue(session)
    steps: tuple[tuple[ClaimStatus, _Step], ...] = (
        (ClaimStatus.IN_PROCESS, _adjudicate),
        (ClaimStatus.ACCEPTED, _start_processing),
        (ClaimStatus.RECEIVED, _edit),
    )
    budget = batch_size
    for expected, step in steps:
        if budget <= 0:
            break
        claim_ids = _candidates(session, expected, limit=budget)
        budget -= len(claim_ids)
        for claim_id in claim_ids:
            _run_step(session, report, claim_id, expected, step, at, catalogue)
    return report


def _candidates(session: Session, status: ClaimStatus, *, limit: int) -> list[int]:
    """Oldest first (ix_claim_status_changed serves it). The read is ended at once, so on
    SQLite each claim's transaction starts with its guarding UPDATE (a write, which waits on
    busy_timeout) rather than with a stale read snapshot that could not be upgraded."""
    claim_ids = [
        claim_id
        for claim_id in session.exec(
            select(Claim.id)
            .where(Claim.status == status)
            .order_by(col(Claim.status_changed_at), col(Claim.id))
            .limit(limit)
        ).all()
        if claim_id is not None
    ]
    session.commit()
    return claim_ids


def _run_step(
    session: Session,
    report: PipelineReport,
    claim_id: int,
    expected: ClaimStatus,
    step: _Step,
    at: datetime,
    catalogue: _Catalogue,
) -> None:
    try:
        claim = _take(session, claim_id, expected, at)
        if claim is None:
            session.rollback()
            return
        reached = step(session, claim, at, catalogue)
        session.commit()
    except Exception:
        session.rollback()
        logger.exception("claim %s: the %s step failed", claim_id, expected.value)
        report.failed.append(claim_id)
        return
    report.moved[reached] += 1
    report.changes.append(ClaimChange(claim_id, claim.practice_id, reached))


def _take(session: Session, claim_id: int, expected: ClaimStatus, at: datetime) -> Claim | None:
    """Claim the row for this transaction, or None if another worker already moved it.

    A conditional UPDATE ... WHERE id = :id AND status = :expected works the same on both
    databases: on PostgreSQL it row-locks the claim, and a second worker's UPDATE waits for the
    first to commit, re-reads the row (READ COMMITTED) and matches nothing; on SQLite the
    UPDATE takes the database write lock, so the second worker runs only after the first has
    committed, and then matches nothing. FOR UPDATE SKIP LOCKED would spare PostgreSQL the wait
    but does not exist in SQLite; a claim's step is short, so the wait is too."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Claim)
            .where(col(Claim.id) == claim_id, col(Claim.status) == expected)
            .values(status_changed_at=at)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        return None
    return session.get(Claim, claim_id, populate_existing=True)


# --- Steps ---


def _edit(session: Session, claim: Claim, at: datetime, catalogue: _Catalogue) -> ClaimStatus:
    """Received -> Accepted (A2/20) or Rejected (A7 or A3 with the edit's status code)."""
    rejection = front_end_edit(_submitted_claim(session, claim, at, catalogue))
    # One 277CA per practice per day answers all of that day's claims (as the seed writes).
    acknowledgement_id = f"277CA{at:%y%m%d}{claim.practice_id:03d}"
    if rejection is None:
        claim.transition(ClaimStatus.ACCEPTED, at=at)
        _event(
            session,
            claim,
            ClaimStatus.ACCEPTED,
            STATUS_CODES[ClaimStatus.ACCEPTED],
            at,
            transaction_id=acknowledgement_id,
        )
        return ClaimStatus.ACCEPTED
    claim.transition(ClaimStatus.REJECTED, at=at)
    claim.rejection_reason = rejection.reason
    codes = (rejection.category_code, rejection.status_code)
    _event(
        session,
        claim,
        ClaimStatus.REJECTED,
        codes,
        at,
        transaction_id=acknowledgement_id,
        note=rejection.reason,
    )
    return ClaimStatus.REJECTED


def _start_processing(
    session: Session, claim: Claim, at: datetime, catalogue: _Catalogue
) -> ClaimStatus:
    """Accepted -> In process (P1/20)."""
    claim.transition(ClaimStatus.IN_PROCESS, at=at)
    _event(session, claim, ClaimStatus.IN_PROCESS, STATUS_CODES[ClaimStatus.IN_PROCESS], at)
    return ClaimStatus.IN_PROCESS


def _adjudicate(
    session: Session,
    claim: Claim,
    at: datetime,
    catalogue: _Catalogue,
    review: ExaminerReview = NO_REVIEW,
) -> ClaimStatus:
    """In process (or Pended, with an examiner's review) -> Paid / Partially paid / Denied with
    the EOB written, or Pended (P2/20). A void request reverses its original instead."""
    lines = _lines(session, claim)
    member = session.get(Member, claim.member_fk)
    coverage = _coverage_for(session, claim)
    if claim.frequency_code == FrequencyCode.VOID:
        return _void(session, claim, at, catalogue)
    if member is None or coverage is None:
        return _pend(session, claim, at, "No coverage on file for the member on these dates.")
    plan = catalogue.plan(coverage.plan_id)
    original = _original_of(session, claim)
    if claim.frequency_code == FrequencyCode.REPLACEMENT and original is None:
        # Another correction got there first: paying this one too would pay the service twice.
        return _pend(
            session,
            claim,
            at,
            "The claim this replaces is no longer remitted (already replaced or voided): an "
            "examiner decides.",
        )
    if original is not None:
        # The replacement is judged against accumulators without the original's share.
        _reverse_accumulators(session, original, catalogue)
    standing = _standing(session, member, coverage, claim.service_date_from, at, catalogue)
    if standing is None:
        return _pend(session, claim, at, "The member's coverage could not be read.")
    outcome = adjudicate(
        ClaimToAdjudicate.from_rows(claim, lines, received_on=_received_on(claim, at)),
        catalogue.terms(coverage.plan_id),
        standing,
        catalogue.fees(session, plan.fee_schedule_id),
        # No prior-authorization records exist yet: a line that needs one is denied CO-197.
        authorized_codes=frozenset(),
        # Exact duplicates were rejected by the front-end edits before adjudication.
        duplicate_of_accepted=False,
        review=review,
    )
    if outcome.status is ClaimStatus.PENDED:
        if original is not None:
            # The original keeps its share until its replacement is decided.
            _restore_accumulators(session, original, catalogue)
        if claim.status is ClaimStatus.PENDED:
            raise ExaminerDecisionIncomplete(outcome.pend_note)
        return _pend(session, claim, at, outcome.pend_note)
    _write_eob(session, claim, lines, outcome, at)
    assert coverage.id is not None and claim.member_fk is not None
    _add_to_accumulators(session, claim.member_fk, coverage.plan_id, outcome.accumulator_delta)
    if original is not None:
        _supersede(session, original, claim, at)
    return outcome.status


class ExaminerDecisionIncomplete(ValueError):
    """The examiner's review still leaves the claim pended (e.g. an unpriced line)."""


def finish_pended(
    session: Session, *, claim_id: int, review: ExaminerReview, at: datetime
) -> ClaimStatus:
    """Finish a Pended claim with an examiner's review through the same engine and EOB rules
    as the job; raises ExaminerDecisionIncomplete if the review does not settle it. The caller
    checks the examiner's role, audits, and commits."""
    claim = _take(session, claim_id, ClaimStatus.PENDED, at)
    if claim is None:
        raise ValueError("the claim is no longer pended")
    return _adjudicate(session, claim, at, _Catalogue(session), review)


def deny_pended(
    session: Session, *, claim_id: int, carc: str, rarc: str | None, note: str, at: datetime
) -> ClaimStatus:
    """Deny every line of a Pended claim with the examiner's CARC (group CO): the engine's
    review with a denial per line, so amounts balance as for any denial."""
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == claim_id)).all()
    denial = Denial(group=AdjustmentGroup.CO, carc=carc, rarc=rarc)
    review = ExaminerReview(
        high_dollar_approved=True,
        line_denials={line.line_number: denial for line in lines},
    )
    status = finish_pended(session, claim_id=claim_id, review=review, at=at)
    claim = session.get(Claim, claim_id)
    assert claim is not None
    if note:
        _event(session, claim, status, STATUS_CODES[status], at, note=note, source="examiner")
    return status


# --- Replacements (frequency 7) and voids (8) ---


def _original_of(session: Session, claim: Claim) -> Claim | None:
    """The remitted claim a replacement corrects (None for an original claim)."""
    if claim.frequency_code != FrequencyCode.REPLACEMENT or claim.original_claim_id is None:
        return None
    original = session.get(Claim, claim.original_claim_id)
    return original if original is not None and original.status is ClaimStatus.REMITTED else None


def _void(session: Session, claim: Claim, at: datetime, catalogue: _Catalogue) -> ClaimStatus:
    """A void request reverses its remitted original (the next payment run takes the money
    back) and ends Voided itself; one naming no remitted claim pends for an examiner."""
    original = None
    if claim.original_claim_id is not None:
        original = session.get(Claim, claim.original_claim_id)
    if original is None or original.status is not ClaimStatus.REMITTED:
        return _pend(session, claim, at, "Void (frequency 8) of a claim that is not remitted.")
    _reverse_accumulators(session, original, catalogue)
    _supersede(session, original, claim, at)
    claim.transition(ClaimStatus.VOIDED, at=at)
    _event(
        session,
        claim,
        ClaimStatus.VOIDED,
        VOID_PROCESSED,
        at,
        note=f"Voided claim {original.claim_number}; the next remittance reverses its payment.",
    )
    return ClaimStatus.VOIDED


def _supersede(session: Session, original: Claim, by: Claim, at: datetime) -> None:
    """Remitted -> Voided: the original's payment is taken back by the next payment run."""
    original.transition(ClaimStatus.VOIDED, at=at)
    verb = "Replaced" if by.frequency_code == FrequencyCode.REPLACEMENT else "Voided"
    _event(
        session,
        original,
        ClaimStatus.VOIDED,
        REVISED,
        at,
        note=f"{verb} by claim {by.claim_number}",
    )


def _original_delta(
    session: Session, original: Claim, catalogue: _Catalogue
) -> tuple[int, AccumulatorDelta] | None:
    """What the original added to its member's accumulators: its patient responsibility and
    one visit per date of service in each visit-limited category it was allowed for."""
    coverage = _coverage_for(session, original)
    if coverage is None:
        return None
    plan = catalogue.plan(coverage.plan_id)
    lines = _lines(session, original)
    deductible = sum((line.deductible_amount for line in lines), Decimal("0.00"))
    out_of_pocket = sum((line.patient_responsibility for line in lines), Decimal("0.00"))
    plan_year = plan_year_of(original.service_date_from, start_month=plan.plan_year_start_month)
    limited = set(
        session.exec(
            select(VisitAccumulator.service_category).where(
                VisitAccumulator.member_fk == original.member_fk,
                VisitAccumulator.plan_id == coverage.plan_id,
                VisitAccumulator.plan_year == plan_year,
            )
        ).all()
    )
    visits: Counter[Any] = Counter()
    for _day, category in {
        (line.service_date, catalogue.plans.procedures[line.procedure_code].service_category)
        for line in lines
        if line.allowed_amount > 0 and line.procedure_code in catalogue.plans.procedures
    }:
        if category in limited:
            visits[category] += 1
    delta = AccumulatorDelta(
        plan_year=plan_year,
        deductible=deductible,
        out_of_pocket=out_of_pocket,
        visits=tuple(visits.items()),
    )
    return coverage.plan_id, delta


def _reverse_accumulators(session: Session, original: Claim, catalogue: _Catalogue) -> None:
    found = _original_delta(session, original, catalogue)
    if found is not None:
        plan_id, delta = found
        _add_to_accumulators(session, original.member_fk, plan_id, _negated(delta))


def _restore_accumulators(session: Session, original: Claim, catalogue: _Catalogue) -> None:
    found = _original_delta(session, original, catalogue)
    if found is not None:
        plan_id, delta = found
        _add_to_accumulators(session, original.member_fk, plan_id, delta)


def _negated(delta: AccumulatorDelta) -> AccumulatorDelta:
    return AccumulatorDelta(
        plan_year=delta.plan_year,
        deductible=-delta.deductible,
        out_of_pocket=-delta.out_of_pocket,
        visits=tuple((category, -count) for category, count in delta.visits),
    )


def _pend(session: Session, claim: Claim, at: datetime, note: str) -> ClaimStatus:
    claim.transition(ClaimStatus.PENDED, at=at)
    _event(session, claim, ClaimStatus.PENDED, STATUS_CODES[ClaimStatus.PENDED], at, note=note)
    return ClaimStatus.PENDED


def _write_eob(
    session: Session, claim: Claim, lines: Sequence[ClaimLine], outcome: Adjudication, at: datetime
) -> None:
    """Line amounts, their CAS adjustments and the claim's totals, as the engine decided."""
    by_number = {line.line_number: line for line in lines}
    line_ids = [line.id for line in lines]
    session.execute(
        delete(ClaimLineAdjustment).where(col(ClaimLineAdjustment.claim_line_id).in_(line_ids))
    )
    for result in outcome.lines:
        row = by_number[result.line_number]
        row.allowed_amount = result.allowed
        row.deductible_amount = result.deductible
        row.coinsurance_amount = result.coinsurance
        row.copay_amount = result.copay
        row.paid_amount = result.paid
        assert row.id is not None
        for adjustment in result.adjustments:
            session.add(
                ClaimLineAdjustment(
                    claim_line_id=row.id,
                    group_code=adjustment.group,
                    carc=adjustment.carc,
                    rarc=adjustment.rarc,
                    amount=adjustment.amount,
                )
            )
    claim.allowed_amount = outcome.total_allowed
    claim.contractual_amount = sum(
        (
            adjustment.amount
            for result in outcome.lines
            for adjustment in result.adjustments
            if adjustment.group == AdjustmentGroup.CO and adjustment.carc == OVER_FEE_SCHEDULE_CARC
        ),
        Decimal("0.00"),
    )
    claim.paid_amount = outcome.total_paid
    claim.patient_responsibility = outcome.total_patient_responsibility
    # The first-pass figures (denial rate, first-pass resolution) come from the first decision
    # only: a claim finalized before (then reopened by an examiner) keeps its first verdict.
    first_decision = claim.finalized_at is None
    claim.transition(outcome.status, at=at)
    if first_decision:
        claim.initially_denied = outcome.status is ClaimStatus.DENIED
        claim.denial_carc = outcome.denial_carc
    note = ""
    if outcome.denial_carc is not None:
        note = f"CARC {outcome.denial_carc}: {CARC.get(outcome.denial_carc, '')}"
    _event(session, claim, outcome.status, STATUS_CODES[outcome.status], at, note=note)


def _add_to_accumulators(
    session: Session, member_fk: int, plan_id: int, delta: AccumulatorDelta
) -> None:
    """Add the claim's delta in SQL (x = x + d), so two workers adjudicating claims of the same
    member never overwrite each other's additions; the row is created on first use."""
    if delta.deductible or delta.out_of_pocket:
        _increment(
            session,
            BenefitAccumulator,
            keys=(
                col(BenefitAccumulator.member_fk) == member_fk,
                col(BenefitAccumulator.plan_id) == plan_id,
                col(BenefitAccumulator.plan_year) == delta.plan_year,
            ),
            increments={
                "deductible_met": col(BenefitAccumulator.deductible_met) + delta.deductible,
                "out_of_pocket_met": col(BenefitAccumulator.out_of_pocket_met)
                + delta.out_of_pocket,
            },
            new_row=lambda: BenefitAccumulator(
                member_fk=member_fk,
                plan_id=plan_id,
                plan_year=delta.plan_year,
                deductible_met=delta.deductible,
                out_of_pocket_met=delta.out_of_pocket,
            ),
        )
    for category, visits in delta.visits:
        if not visits:
            continue
        _increment(
            session,
            VisitAccumulator,
            keys=(
                col(VisitAccumulator.member_fk) == member_fk,
                col(VisitAccumulator.plan_id) == plan_id,
                col(VisitAccumulator.plan_year) == delta.plan_year,
                col(VisitAccumulator.service_category) == category,
            ),
            increments={"visits_used": col(VisitAccumulator.visits_used) + visits},
            new_row=lambda category=category, visits=visits: VisitAccumulator(  # type: ignore[misc]
                member_fk=member_fk,
                plan_id=plan_id,
                plan_year=delta.plan_year,
                service_category=category,
                visits_used=visits,
            ),
        )


def _increment(
    session: Session,
    model: type[BenefitAccumulator] | type[VisitAccumulator],
    *,
    keys: tuple[Any, ...],
    increments: dict[str, Any],
    new_row: Callable[[], BenefitAccumulator | VisitAccumulator],
) -> None:
    statement = update(model).where(*keys).values(**increments)
    statement = statement.execution_options(synchronize_session=False)
    if cast(CursorResult[Any], session.execute(statement)).rowcount:
        return
    try:
        # A savepoint: if another worker created the row first, only this insert is undone.
        with session.begin_nested():
            session.add(new_row())
    except IntegrityError:
        session.execute(statement)


# --- Payment run ---


def run_payment_cycle(session: Session, *, at: datetime) -> list[int]:
    """Pay every finalized claim not yet remitted and take back the payment of every remitted
    claim since replaced or voided: one Remittance (an 835 with one EFT) per practice. Paid
    claims move to Remitted (F1/65 paid, F2/1 denied); a reversal is a voided claim whose
    `reversed_in_remittance_id` names the remittance (its CLP02 = 22 there). Returns the new
    remittances' ids; a second run finds nothing to pay and creates none.

    Each practice's remittance is one unit of work, committed on its own; claims are taken with
    the same guarded UPDATE as advance_claims, so a concurrent run cannot pay a claim twice."""
    pending = session.exec(
        select(Claim.practice_id, Claim.id)
        .where(col(Claim.status).in_(FINALIZED), col(Claim.remittance_id).is_(None))
        .order_by(col(Claim.practice_id), col(Claim.id))
    ).all()
    reversals = session.exec(
        select(Claim.practice_id, Claim.id)
        .where(
            Claim.status == ClaimStatus.VOIDED,
            col(Claim.remittance_id).is_not(None),
            col(Claim.reversed_in_remittance_id).is_(None),
        )
        .order_by(col(Claim.practice_id), col(Claim.id))
    ).all()
    session.commit()
    by_practice: dict[int, tuple[list[int], list[int]]] = {}
    for index, rows in enumerate((pending, reversals)):
        for practice_id, claim_id in rows:
            if claim_id is not None:
                by_practice.setdefault(practice_id, ([], []))[index].append(claim_id)
    remittance_ids = []
    for practice_id, (claim_ids, reversed_ids) in sorted(by_practice.items()):
        remittance_id = _remit(session, practice_id, claim_ids, reversed_ids, at)
        if remittance_id is not None:
            remittance_ids.append(remittance_id)
    return remittance_ids


def _remit(
    session: Session, practice_id: int, claim_ids: list[int], reversed_ids: list[int], at: datetime
) -> int | None:
    try:
        remittance = Remittance(
            practice_id=practice_id,
            payment_number=_payment_number(session, practice_id, at),
            payment_method="ACH",
            payment_date=at.date(),
            total_paid=Decimal("0.00"),
            created_at=at,
        )
        session.add(remittance)
        session.flush()
        assert remittance.id is not None
        total = Decimal("0.00")
        taken = 0
        for claim_id in claim_ids:
            claim = _take_for_payment(
                session,
                claim_id,
                (col(Claim.status).in_(FINALIZED), col(Claim.remittance_id).is_(None)),
                {"remittance_id": remittance.id},
            )
            if claim is None:
                continue  # another run paid it
            codes = REMITTED_DENIED if claim.status is ClaimStatus.DENIED else REMITTED_PAID
            claim.transition(ClaimStatus.REMITTED, at=at)
            claim.remitted_on = remittance.payment_date
            # The 835's EFT trace number (TRN02) is the transaction that carried the payment.
            _event(
                session,
                claim,
                ClaimStatus.REMITTED,
                codes,
                at,
                transaction_id=remittance.payment_number,
            )
            total += claim.paid_amount
            taken += 1
        for claim_id in reversed_ids:
            claim = _take_for_payment(
                session,
                claim_id,
                (
                    col(Claim.status) == ClaimStatus.VOIDED,
                    col(Claim.reversed_in_remittance_id).is_(None),
                ),
                {"reversed_in_remittance_id": remittance.id},
            )
            if claim is None:
                continue
            total -= claim.paid_amount
            taken += 1
        if not taken:
            session.rollback()
            return None
        remittance.total_paid = total
        _recover_forwarded_balance(session, remittance)
        session.commit()
    except Exception:
        session.rollback()
        logger.exception("practice %s: the payment run failed", practice_id)
        return None
    return remittance.id


def _recover_forwarded_balance(session: Session, remittance: Remittance) -> None:
    """Take back, from a positive payment, what earlier payments of the practice forwarded as a
    negative balance (their reversals outweighed their payments) and no payment has recovered
    yet: as much as this payment covers, the rest stays forwarded to the next one."""
    if remittance.total_paid <= 0:
        return
    # Only the (few) payments that forwarded a balance are read; what has been recovered
    # is one SUM, not every remittance the practice ever had.
    forwarding = session.exec(
        select(Remittance)
        .where(
            Remittance.practice_id == remittance.practice_id,
            col(Remittance.id) != remittance.id,
            col(Remittance.total_paid) < 0,
        )
        .order_by(col(Remittance.id))
    ).all()
    if not forwarding:
        return
    forwarded = -sum((r.total_paid for r in forwarding), Decimal("0.00"))
    recovered = session.exec(
        select(func.coalesce(func.sum(Remittance.recovered_amount), 0)).where(
            Remittance.practice_id == remittance.practice_id,
            col(Remittance.id) != remittance.id,
        )
    ).one()
    recovered = recovered if isinstance(recovered, Decimal) else Decimal(recovered) / 100
    outstanding = forwarded - recovered
    if outstanding <= 0:
        return
    remittance.recovered_amount = min(outstanding, remittance.total_paid)
    # The oldest forwarding payment not yet wholly recovered names the balance being taken.
    running = recovered
    for candidate in forwarding:
        running += candidate.total_paid
        if running < 0:
            remittance.recovered_reference = candidate.payment_number
            break


def _take_for_payment(
    session: Session, claim_id: int, conditions: tuple[Any, ...], values: dict[str, Any]
) -> Claim | None:
    """Set the claim's remittance if it still meets the conditions (the guarded UPDATE)."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Claim)
            .where(col(Claim.id) == claim_id, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        return None
    return session.get(Claim, claim_id, populate_existing=True)


def _payment_number(session: Session, practice_id: int, at: datetime) -> str:
    """EFT + date + practice + run of the day: unique, and never the seed's 16-character form
    (EFT + date + 7-digit id), since this one is 15 characters."""
    prefix = f"EFT{at:%y%m%d}{practice_id:04d}"
    runs = session.exec(
        select(func.count())
        .select_from(Remittance)
        .where(col(Remittance.payment_number).startswith(prefix))
    ).one()
    return f"{prefix}{runs + 1:02d}"


# --- Reading what a step needs ---


def _event(
    session: Session,
    claim: Claim,
    status: ClaimStatus,
    codes: tuple[str, str],
    at: datetime,
    *,
    transaction_id: str | None = None,
    note: str = "",
    source: str = SOURCE,
) -> None:
    assert claim.id is not None
    if transaction_id is None:
        # A 277 answering a status request names the claim and its step (as the seed does).
        sequence = session.exec(
            select(func.count())
            .select_from(ClaimStatusEvent)
            .where(ClaimStatusEvent.claim_id == claim.id)
        ).one()
        transaction_id = f"277R{claim.id:09d}{sequence:02d}"
    category_code, status_code = codes
    session.add(
        ClaimStatusEvent(
            claim_id=claim.id,
            status=status,
            category_code=category_code,
            status_code=status_code,
            occurred_at=at,
            source=source,
            transaction_id=transaction_id,
            note=note[:500],
        )
    )


def _lines(session: Session, claim: Claim) -> Sequence[ClaimLine]:
    return session.exec(
        select(ClaimLine).where(ClaimLine.claim_id == claim.id).order_by(col(ClaimLine.line_number))
    ).all()


def _received_on(claim: Claim, at: datetime) -> date:
    """Timely filing counts to the day the plan received the claim."""
    return (claim.submitted_at or at).date()


def _coverage_for(session: Session, claim: Claim) -> Coverage | None:
    """The coverage the claim was billed to, else the member's lowest-order coverage active on
    the first date of service, else their first coverage (so the edit can say why)."""
    if claim.coverage_id is not None:
        chosen = session.get(Coverage, claim.coverage_id)
        if chosen is not None:
            return chosen
    coverages = session.exec(
        select(Coverage)
        .where(Coverage.member_fk == claim.member_fk)
        .order_by(col(Coverage.coverage_order), col(Coverage.effective_date))
    ).all()
    active = [c for c in coverages if c.is_active_on(claim.service_date_from)]
    if active:
        return active[0]
    return coverages[0] if coverages else None


def _standing(
    session: Session,
    member: Member,
    coverage: Coverage,
    date_of_service: date,
    at: datetime,
    catalogue: _Catalogue,
) -> MemberStanding | None:
    """The member's accumulators and benefits under the claim's coverage, computed exactly as
    the eligibility check computes them (the same function), for that coverage only."""
    if coverage.plan_id not in catalogue.plans.plans:
        return None
    answer = coverage_answer(
        session,
        member=member,
        coverage=coverage,
        catalogue=catalogue.plans,
        date_of_service=date_of_service,
    )
    return MemberStanding.from_coverage_answer(answer)


def _submitted_claim(
    session: Session, claim: Claim, at: datetime, catalogue: _Catalogue
) -> SubmittedClaim:
    member = session.get(Member, claim.member_fk)
    coverages = session.exec(select(Coverage).where(Coverage.member_fk == claim.member_fk)).all()
    coverage = _coverage_for(session, claim)
    diagnoses = session.exec(
        select(ClaimDiagnosis.icd10_code)
        .where(ClaimDiagnosis.claim_id == claim.id)
        .order_by(col(ClaimDiagnosis.sequence))
    ).all()
    lines = _lines(session, claim)
    return SubmittedClaim(
        member_found=member is not None,
        coverages=tuple(CoveragePeriod(c.effective_date, c.termination_date) for c in coverages),
        billing_provider=_provider_on_claim(session, claim, claim.billing_provider_id),
        rendering_provider=_provider_on_claim(session, claim, claim.rendering_provider_id),
        diagnoses=tuple(diagnoses),
        lines=tuple(
            LineFacts(line.line_number, line.service_date, _pointers(line.diagnosis_pointers))
            for line in lines
        ),
        received_on=_received_on(claim, at),
        timely_filing_days=(
            catalogue.plan(coverage.plan_id).timely_filing_days if coverage else None
        ),
        duplicate_of=_duplicate_of(session, claim, lines),
    )


def _pointers(text: str) -> tuple[int, ...]:
    """'1,2' -> (1, 2); anything not a number becomes 0, which no diagnosis answers to."""
    return tuple(int(part) if part.strip().isdigit() else 0 for part in text.split(",") if part)


def _provider_on_claim(session: Session, claim: Claim, provider_id: int) -> ProviderOnClaim:
    provider = session.get(Provider, provider_id)
    if provider is None:
        return ProviderOnClaim(npi=str(provider_id), in_practice=False, in_network=False)
    return ProviderOnClaim(
        npi=provider.npi,
        in_practice=provider.practice_id == claim.practice_id,
        in_network=provider.in_network,
    )


def _line_signature(lines: Sequence[ClaimLine]) -> list[tuple[Any, ...]]:
    return sorted(
        (line.service_date, line.procedure_code, line.modifiers, line.units, line.charge_amount)
        for line in lines
    )


def _duplicate_of(session: Session, claim: Claim, lines: Sequence[ClaimLine]) -> DuplicateOf | None:
    """An accepted claim from the same practice for the same member, rendering provider and
    dates, with the same lines (codes, modifiers, units, charges). A replacement (frequency 7)
    repeats its original on purpose, so only original claims are checked."""
    if claim.frequency_code != FrequencyCode.ORIGINAL:
        return None
    others = session.exec(
        select(Claim).where(
            Claim.practice_id == claim.practice_id,
            Claim.member_fk == claim.member_fk,
            Claim.rendering_provider_id == claim.rendering_provider_id,
            Claim.service_date_from == claim.service_date_from,
            Claim.service_date_to == claim.service_date_to,
            col(Claim.id) != claim.id,
            col(Claim.status).in_(_ACCEPTED_OR_LATER),
        )
    ).all()
    signature = _line_signature(lines)
    for other in others:
        if _line_signature(_lines(session, other)) == signature:
            return DuplicateOf(other.claim_number, processed=other.status in _PROCESSED)
    return None
