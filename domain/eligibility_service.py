"""Eligibility use cases: check one member, check a batch, read the history of checks.

Every check is kept (EligibilityCheck) with the whole answer and audited: it reads PHI.
The coverage and benefit arithmetic is in domain.eligibility; this module gathers the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from domain import audit
from domain.codes import ServiceCategory
from domain.eligibility import (
    ZERO,
    CategoryBenefit,
    CoverageAnswer,
    CoveragePeriod,
    EligibilityAnswer,
    EligibilityInquiry,
    MemberSummary,
    NameOrIdRequired,
    ProcedureAnswer,
    VisitAllowance,
    accumulators,
    coverage_explanation,
    coverage_state,
    plan_year_bounds,
    plan_year_of,
    requires_prior_authorization,
)
from domain.eligibility_checks import EligibilityCheck
from domain.members import BenefitAccumulator, Coverage, Member, VisitAccumulator
from domain.plans import BenefitPlan, PlanBenefit, ProcedureCode
from domain.practices import Provider
from domain.roles import Area
from domain.scope import Actor, NotAuthorized, NotFound, get_scoped, within_scope
from domain.users import User

_ANSWER = TypeAdapter(EligibilityAnswer)


def answer_to_json(answer: EligibilityAnswer) -> str:
    return _ANSWER.dump_json(answer).decode()


def answer_from_json(text: str) -> EligibilityAnswer:
    return _ANSWER.validate_json(text)


def new_transaction_id(at: datetime) -> str:
    return f"EL{at:%y%m%d}{uuid.uuid4().hex[:12].upper()}"


@dataclass
class PlanCatalogue:
    """Plans, their benefits and the procedure codes: small tables, read once per call."""

    plans: dict[int, BenefitPlan]
    benefits: dict[int, list[PlanBenefit]]
    procedures: dict[str, ProcedureCode]
    providers: dict[int, Provider | None] = field(default_factory=dict)

    def provider(self, session: Session, provider_id: int | None) -> Provider | None:
        """PCPs repeat across a schedule; each is read once per call."""
        if provider_id is None:
            return None
        if provider_id not in self.providers:
            self.providers[provider_id] = session.get(Provider, provider_id)
        return self.providers[provider_id]

    @classmethod
    def load(cls, session: Session) -> PlanCatalogue:
        benefits: dict[int, list[PlanBenefit]] = {}
        for benefit in session.exec(select(PlanBenefit)).all():
            benefits.setdefault(benefit.plan_id, []).append(benefit)
        return cls(
            plans={plan.id: plan for plan in session.exec(select(BenefitPlan)).all()},  # type: ignore[misc]
            benefits=benefits,
            procedures={p.code: p for p in session.exec(select(ProcedureCode)).all()},
        )


def _require_eligibility(actor: Actor) -> int:
    if not actor.may_open(Area.ELIGIBILITY) or actor.practice_id is None:
        raise NotAuthorized(Area.ELIGIBILITY.value)
    return actor.practice_id


def find_member(session: Session, inquiry: EligibilityInquiry) -> Member | None:
    """Exact identifiers only: member ID + DOB, or last + first name + DOB; one match or none."""
    statement = select(Member).where(Member.date_of_birth == inquiry.date_of_birth)
    if inquiry.member_id and inquiry.member_id.strip():
        statement = statement.where(Member.member_id == inquiry.member_id.strip().upper())
    else:
        assert inquiry.last_name and inquiry.first_name
        statement = statement.where(
            func.lower(Member.last_name) == inquiry.last_name.strip().lower(),
            func.lower(Member.first_name) == inquiry.first_name.strip().lower(),
        )
    found = session.exec(statement.limit(2)).all()
    return found[0] if len(found) == 1 else None


def coverage_answer(
    session: Session,
    *,
    member: Member,
    coverage: Coverage,
    catalogue: PlanCatalogue,
    date_of_service: date,
) -> CoverageAnswer:
    plan = catalogue.plans[coverage.plan_id]
    plan_year = plan_year_of(date_of_service, start_month=plan.plan_year_start_month)
    year_start, year_end = plan_year_bounds(plan_year, start_month=plan.plan_year_start_month)

    own = session.exec(
        select(BenefitAccumulator).where(
            BenefitAccumulator.member_fk == member.id,
            BenefitAccumulator.plan_id == plan.id,
            BenefitAccumulator.plan_year == plan_year,
        )
    ).first()
    family_deductible, family_oop = session.exec(
        select(
            func.coalesce(func.sum(BenefitAccumulator.deductible_met), 0),
            func.coalesce(func.sum(BenefitAccumulator.out_of_pocket_met), 0),
        )
        .join(Member, col(Member.id) == col(BenefitAccumulator.member_fk))
        .where(
            Member.family_id == member.family_id,
            BenefitAccumulator.plan_id == plan.id,
            BenefitAccumulator.plan_year == plan_year,
        )
    ).one()
    visits_used = dict(
        session.exec(
            select(VisitAccumulator.service_category, VisitAccumulator.visits_used).where(
                VisitAccumulator.member_fk == member.id,
                VisitAccumulator.plan_id == plan.id,
                VisitAccumulator.plan_year == plan_year,
            )
        ).all()
    )
    pcp = catalogue.provider(session, coverage.pcp_provider_id)
    period = CoveragePeriod(coverage.effective_date, coverage.termination_date)
    benefits = tuple(
        CategoryBenefit(
            service_category=ServiceCategory(b.service_category),
            covered=b.covered,
            copay=b.copay,
            coinsurance_percent=b.coinsurance_percent,
            deductible_applies=b.deductible_applies,
            visits=VisitAllowance(b.visit_limit, visits_used.get(b.service_category, 0)),
            prior_auth_required=b.prior_auth_required,
        )
        for b in sorted(
            catalogue.benefits.get(coverage.plan_id, []), key=lambda b: b.service_category
        )
    )
    return CoverageAnswer(
        order=coverage.coverage_order,
        plan_code=plan.code,
        plan_name=plan.name,
        product=plan.product,
        network=plan.network,
        group_number=coverage.group_number,
        period=period,
        state=coverage_state(period, date_of_service),
        explanation=coverage_explanation(period, date_of_service),
        pcp_name=pcp.display_name if pcp else None,
        pcp_npi=pcp.npi if pcp else None,
        pcp_practice_id=pcp.practice_id if pcp else None,
        plan_year=plan_year,
        plan_year_start=year_start,
        plan_year_end=year_end,
        accumulators=accumulators(
            individual_deductible=plan.individual_deductible,
            family_deductible=plan.family_deductible,
            individual_oop_max=plan.individual_oop_max,
            family_oop_max=plan.family_oop_max,
            member_deductible_met=own.deductible_met if own else ZERO,
            member_oop_met=own.out_of_pocket_met if own else ZERO,
            family_deductible_met=_cents_or_decimal(family_deductible),
            family_oop_met=_cents_or_decimal(family_oop),
        ),
        benefits=benefits,
    )


def _cents_or_decimal(value: object) -> Decimal:
    """SUM over a Money column comes back as Decimal dollars; COALESCE's 0 as a bare int."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))  # type: ignore[call-overload]


def _procedure_answers(
    codes: Sequence[str], coverage: CoverageAnswer | None, catalogue: PlanCatalogue
) -> tuple[ProcedureAnswer, ...]:
    answers = []
    for raw in codes:
        code = raw.strip().upper()
        known = catalogue.procedures.get(code)
        category = ServiceCategory(known.service_category) if known else None
        benefit = coverage.benefit_for(category) if coverage and category else None
        answers.append(
            ProcedureAnswer(
                code=code,
                description=known.description if known else None,
                service_category=category,
                covered=bool(known and benefit and benefit.covered),
                prior_auth_required=requires_prior_authorization(
                    procedure_requires=bool(known and known.prior_auth_required),
                    category_benefit=benefit,
                ),
                visit_limit_reached=bool(benefit and benefit.visits.is_reached),
            )
        )
    return tuple(answers)


def answer_inquiry(
    session: Session,
    *,
    inquiry: EligibilityInquiry,
    at: datetime,
    catalogue: PlanCatalogue | None = None,
) -> tuple[EligibilityAnswer, Member | None]:
    """Compute the answer without recording it (the recording use cases wrap this)."""
    problems = inquiry.problems()
    if problems:
        raise NameOrIdRequired(" ".join(problems))
    catalogue = catalogue or PlanCatalogue.load(session)
    transaction_id = new_transaction_id(at)
    member = find_member(session, inquiry)
    if member is None:
        return EligibilityAnswer(transaction_id, at, inquiry, None), None
    coverages = session.exec(
        select(Coverage)
        .where(Coverage.member_fk == member.id)
        .order_by(col(Coverage.coverage_order))
    ).all()
    coverage_answers = tuple(
        coverage_answer(
            session,
            member=member,
            coverage=coverage,
            catalogue=catalogue,
            date_of_service=inquiry.date_of_service,
        )
        for coverage in coverages
    )
    answer = EligibilityAnswer(
        transaction_id=transaction_id,
        computed_at=at,
        inquiry=inquiry,
        member=MemberSummary(
            member_id=member.member_id,
            first_name=member.first_name,
            last_name=member.last_name,
            date_of_birth=member.date_of_birth,
            sex=member.sex,
            family_id=member.family_id,
            relationship=str(member.relationship),
        ),
        coverages=coverage_answers,
    )
    target = answer.primary or (coverage_answers[0] if coverage_answers else None)
    procedures = _procedure_answers(inquiry.procedure_codes, target, catalogue)
    return EligibilityAnswer(
        transaction_id, at, inquiry, answer.member, coverage_answers, procedures
    ), member


def _record(
    session: Session,
    *,
    actor: Actor,
    practice_id: int,
    answer: EligibilityAnswer,
    member: Member | None,
    source: str,
    batch_id: str | None,
) -> EligibilityCheck:
    outcome = "no_match" if not answer.matched else ("active" if answer.is_active else "inactive")
    check = EligibilityCheck(
        practice_id=practice_id,
        user_id=actor.user_id,
        checked_at=answer.computed_at,
        transaction_id=answer.transaction_id,
        source=source,
        batch_id=batch_id,
        member_fk=member.id if member else None,
        date_of_service=answer.inquiry.date_of_service,
        outcome=outcome,
        problems=",".join(answer.problems(practice_id=practice_id)),
        answer_json=answer_to_json(answer),
    )
    session.add(check)
    audit.record_by(
        session,
        actor,
        action="eligibility_check",
        at=answer.computed_at,
        entity_type="member" if member else "",
        entity_id=member.id if member and member.id else "",
        outcome="ok" if member else "no_match",
        detail=f"transaction {answer.transaction_id} via {source}",
    )
    return check


def check_eligibility(
    session: Session,
    *,
    actor: Actor,
    inquiry: EligibilityInquiry,
    at: datetime,
    source: str = "portal",
    batch_id: str | None = None,
) -> EligibilityAnswer:
    """Check one member on a date of service; the check is kept and audited."""
    return check_and_keep(
        session, actor=actor, inquiry=inquiry, at=at, source=source, batch_id=batch_id
    ).answer


class KeptCheck(NamedTuple):
    """A check's answer and the id it is kept under (for its printable page and its PDF)."""

    check_id: int
    answer: EligibilityAnswer


def check_and_keep(
    session: Session,
    *,
    actor: Actor,
    inquiry: EligibilityInquiry,
    at: datetime,
    source: str = "portal",
    batch_id: str | None = None,
) -> KeptCheck:
    """check_eligibility, also giving the kept check's id."""
    practice_id = _require_eligibility(actor)
    answer, member = answer_inquiry(session, inquiry=inquiry, at=at)
    check = _record(
        session,
        actor=actor,
        practice_id=practice_id,
        answer=answer,
        member=member,
        source=source,
        batch_id=batch_id,
    )
    session.flush()
    assert check.id is not None
    return KeptCheck(check.id, answer)


@dataclass(frozen=True)
class BatchItem:
    """One appointment of a batch: its line (CSV row or 270 loop) and its answer or error."""

    line: int
    inquiry: EligibilityInquiry | None
    answer: EligibilityAnswer | None
    error: str | None = None


@dataclass
class BatchOutcome:
    batch_id: str
    items: list[BatchItem] = field(default_factory=list)


def check_batch(
    session: Session,
    *,
    actor: Actor,
    inquiries: Sequence[tuple[int, EligibilityInquiry]],
    at: datetime,
    source: str = "batch",
    on_progress: Callable[[int, int], None] | None = None,
) -> BatchOutcome:
    """Check every appointment of a schedule in one unit of work (the plan catalogue is read
    once); an inquiry that cannot run is reported on its line and the others still run."""
    practice_id = _require_eligibility(actor)
    catalogue = PlanCatalogue.load(session)
    outcome = BatchOutcome(batch_id=f"B{new_transaction_id(at)[2:]}")
    # The kept checks are written together at the end: flushing each before the next answer's
    # first query would cost a round trip per appointment.
    total = len(inquiries)
    with session.no_autoflush:
        for done, (line, inquiry) in enumerate(inquiries, start=1):
            try:
                answer, member = answer_inquiry(
                    session, inquiry=inquiry, at=at, catalogue=catalogue
                )
            except NameOrIdRequired as problem:
                outcome.items.append(BatchItem(line, inquiry, None, str(problem)))
            else:
                _record(
                    session,
                    actor=actor,
                    practice_id=practice_id,
                    answer=answer,
                    member=member,
                    source=source,
                    batch_id=outcome.batch_id,
                )
                outcome.items.append(BatchItem(line, inquiry, answer))
            if on_progress is not None and (done % 50 == 0 or done == total):
                on_progress(done, total)
    session.flush()
    return outcome


def export_batch(
    session: Session, *, actor: Actor, batch_id: str, file_kind: str, rows: int, at: datetime
) -> None:
    """A batch's results leave the portal as a file (member names and IDs): audited as an
    export before the file is handed over. The batch must be one of the caller's practice's
    (its kept checks say so); another practice's batch is not found, like a missing one."""
    _require_eligibility(actor)
    kept = session.exec(
        within_scope(
            select(func.count())
            .select_from(EligibilityCheck)
            .where(EligibilityCheck.batch_id == batch_id),
            EligibilityCheck,
            actor,
        )
    ).one()
    if not kept:
        raise NotFound(f"eligibility batch {batch_id}")
    audit.record_by(
        session,
        actor,
        action="export",
        at=at,
        entity_type="eligibility_batch",
        entity_id=batch_id,
        detail=f"{file_kind}, {rows} rows",  # counts only: the file itself is PHI
    )


# --- History ---


@dataclass(frozen=True)
class HistoryFilters:
    checked_from: date | None = None
    checked_to: date | None = None
    outcome: str | None = None  # active, inactive, no_match
    source: str | None = None  # portal, batch, x12
    member_id: str | None = None
    batch_id: str | None = None


@dataclass(frozen=True)
class HistoryRow:
    check_id: int
    checked_at: datetime
    checked_by: str
    source: str
    member_id: str | None
    member_name: str | None
    date_of_service: date
    outcome: str
    problems: str
    transaction_id: str


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    total: int
    page: int
    page_size: int


def check_history(
    session: Session,
    *,
    actor: Actor,
    filters: HistoryFilters,
    at: datetime,
    page: int = 1,
    page_size: int = 25,
) -> HistoryPage:
    """The practice's checks, newest first, filtered and paged in SQL."""
    _require_eligibility(actor)
    page_size = max(1, min(page_size, 100))
    page = max(1, page)
    conditions: list[ColumnElement[bool]] = []
    if filters.checked_from:
        conditions.append(col(EligibilityCheck.checked_at) >= _start_of(filters.checked_from))
    if filters.checked_to:
        conditions.append(
            col(EligibilityCheck.checked_at) < _start_of(filters.checked_to, plus_days=1)
        )
    if filters.outcome:
        conditions.append(col(EligibilityCheck.outcome) == filters.outcome)
    if filters.source:
        conditions.append(col(EligibilityCheck.source) == filters.source)
    if filters.batch_id:
        conditions.append(col(EligibilityCheck.batch_id) == filters.batch_id)
    if filters.member_id:
        conditions.append(col(Member.member_id) == filters.member_id.strip().upper())
    member_join = col(Member.id) == col(EligibilityCheck.member_fk)
    total = session.exec(
        within_scope(
            select(func.count())
            .select_from(EligibilityCheck)
            .outerjoin(Member, member_join)
            .where(*conditions),
            EligibilityCheck,
            actor,
        )
    ).one()
    rows = session.exec(
        within_scope(
            select(EligibilityCheck, Member, User.full_name)
            .outerjoin(Member, member_join)
            .join(User, col(User.id) == col(EligibilityCheck.user_id))
            .where(*conditions),
            EligibilityCheck,
            actor,
        )
        .order_by(col(EligibilityCheck.checked_at).desc(), col(EligibilityCheck.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    audit.record_by(
        session,
        actor,
        action="read",
        at=at,
        entity_type="eligibility_history",
        detail=f"{len(rows)} rows",
    )
    return HistoryPage(
        rows=[
            HistoryRow(
                check_id=check.id,  # type: ignore[arg-type]
                checked_at=check.checked_at,
                checked_by=full_name,
                source=check.source,
                member_id=member.member_id if member else None,
                member_name=member.display_name if member else None,
                date_of_service=check.date_of_service,
                outcome=check.outcome,
                problems=check.problems,
                transaction_id=check.transaction_id,
            )
            for check, member, full_name in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )


def _start_of(day: date, *, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=plus_days)


@dataclass(frozen=True)
class StoredCheck:
    check_id: int
    checked_at: datetime
    checked_by: str
    source: str
    answer: EligibilityAnswer


def get_check(
    session: Session, *, actor: Actor, check_id: int, at: datetime, action: str = "read"
) -> StoredCheck:
    """One kept check, within the practice (another practice's check is not found). Audited
    as `action`: "read" for its page, "export" for its PDF (the same answer, leaving)."""
    _require_eligibility(actor)
    check = get_scoped(session, EligibilityCheck, check_id, actor)
    user = session.get(User, check.user_id)
    audit.record_by(
        session,
        actor,
        action=action,
        at=at,
        entity_type="eligibility_check",
        entity_id=check_id,
        detail="pdf" if action == "export" else "",
    )
    if user is None:  # pragma: no cover - foreign key guarantees it
        raise NotFound(f"EligibilityCheck {check_id}")
    return StoredCheck(
        check_id=check_id,
        checked_at=check.checked_at,
        checked_by=user.full_name,
        source=check.source,
        answer=answer_from_json(check.answer_json),
    )
