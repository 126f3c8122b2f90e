"""Claim list and claim detail as a practice (or a claims examiner) may see them.

Every query starts from the caller's scope, so a claim of another practice is reported exactly
like one that does not exist, and every look at a claim (PHI) leaves an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from domain import audit
from domain.claim_cohorts import in_bucket, in_cohort, owed_amount, owed_criterion
from domain.claim_counts import CLAIM_COUNTS
from domain.claim_filters import ClaimFilters, Direction, SortKey
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
from domain.codes import CARC, PLACES_OF_SERVICE, PROCEDURES_BY_CODE, RARC, STATUS_CATEGORY
from domain.members import Coverage, Member
from domain.plans import BenefitPlan
from domain.practices import Location, Practice, Provider
from domain.roles import Area
from domain.scope import Actor, NotFound, scoped, within_scope
from domain.types import money_sum, utcnow

MAX_PAGE_SIZE = 100


def standing() -> ColumnElement[ClaimStatus]:
    """Where a claim stands for the practice: once an 835 has carried it (status remitted), the
    outcome it was finalized with (paid, partially paid, denied); before that, its status."""
    return case(
        (col(Claim.status) == ClaimStatus.REMITTED, col(Claim.finalized_as)),
        else_=col(Claim.status),
    )


def stands_at(value: ClaimStatus) -> ColumnElement[bool]:
    """The filter for one standing, written so the (practice_id, status) index can serve it."""
    if value in FINALIZED:
        return or_(
            col(Claim.status) == value,
            and_(col(Claim.status) == ClaimStatus.REMITTED, col(Claim.finalized_as) == value),
        )
    return col(Claim.status) == value


def standing_of(claim: Claim) -> ClaimStatus:
    if claim.status == ClaimStatus.REMITTED and claim.finalized_as is not None:
        return claim.finalized_as
    return claim.status


def claim_counts_by_standing(*, session: Session, actor: Actor) -> dict[ClaimStatus, int]:
    """Claims per standing: a partition, so the counts add up to all of the caller's claims.

    Counted from three index-only reads rather than one GROUP BY over the standing (which
    must visit every claim row: a fifth of a second at a 100k-claim practice, on every view):
    per status from (practice_id, status); per outcome from (practice_id, finalized_as); and
    the outcomes of the few claims not yet remitted. A remitted claim's outcome is then the
    outcome count less those not remitted, which is arithmetic, not an assumption about which
    statuses carry an outcome."""
    actor.require(Area.CLAIMS)
    by_status = _counted(
        session.exec(
            within_scope(
                select(col(Claim.status), func.count()).group_by(col(Claim.status)), Claim, actor
            )
        ).all()
    )
    by_outcome = _counted(
        session.exec(
            within_scope(
                select(col(Claim.finalized_as), func.count())
                .where(col(Claim.finalized_as).is_not(None))
                .group_by(col(Claim.finalized_as)),
                Claim,
                actor,
            )
        ).all()
    )
    not_remitted = [status for status in by_status if status != ClaimStatus.REMITTED]
    outcome_not_remitted: dict[ClaimStatus, int] = {}
    if not_remitted and by_outcome:
        # Grouped by an expression, and with no test on finalized_as: either would lure the
        # planner onto the outcome index, which holds every remitted claim too.
        outcome_or_blank = func.coalesce(col(Claim.finalized_as), "", type_=String())
        outcome_not_remitted = {
            ClaimStatus(value): number
            for value, number in session.exec(
                within_scope(
                    select(outcome_or_blank, func.count())
                    .where(col(Claim.status).in_(not_remitted))
                    .group_by(outcome_or_blank),
                    Claim,
                    actor,
                )
            ).all()
            if value
        }
    counts = {status: number for status, number in by_status.items() if number}
    remitted = counts.pop(ClaimStatus.REMITTED, 0)
    for outcome, number in by_outcome.items():
        remitted_with_outcome = number - outcome_not_remitted.get(outcome, 0)
        if remitted_with_outcome:
            counts[outcome] = counts.get(outcome, 0) + remitted_with_outcome
            remitted -= remitted_with_outcome
    if remitted:  # remitted without a recorded outcome
        counts[ClaimStatus.REMITTED] = remitted
    return counts


def _counted(pairs: Sequence[tuple[ClaimStatus | None, int]]) -> dict[ClaimStatus, int]:
    return {status: number for status, number in pairs if status is not None}


@dataclass(frozen=True)
class ClaimRow:
    claim_id: int
    claim_number: str
    member_name: str
    member_id: str
    service_date: date
    submitted_at: datetime | None
    provider_name: str
    status: ClaimStatus
    standing: ClaimStatus
    total_charge: Decimal
    paid_amount: Decimal
    practice_name: str

    @property
    def remitted(self) -> bool:
        return self.status == ClaimStatus.REMITTED


@dataclass(frozen=True)
class ClaimPage:
    """One page of a list. `total` is exact unless `total_capped`: then there are at least
    that many claims, and counting them all would cost more than the page itself."""

    rows: list[ClaimRow]
    total: int
    page: int
    page_size: int
    total_capped: bool = False
    has_next: bool = False

    @property
    def page_count(self) -> int | None:
        """None while the total is only a lower bound."""
        return None if self.total_capped else max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ClaimListing:
    """What the claims page shows: the standing counts (the status chips) and one page."""

    counts: dict[ClaimStatus, int]
    page: ClaimPage


# A count past this stops and reads "10,000+": an exact count walks every matching index entry,
# which at a large practice costs more than the page it labels.
COUNT_CAP = 10_000
# How many case variants of a name's first letters become index ranges (2**3 at most).
_CASE_FOLDED_LETTERS = 3


def list_claims(
    *, session: Session, actor: Actor, filters: ClaimFilters, at: datetime
) -> ClaimListing:
    """The claims page in one transaction: the counts per standing, and the page of claims
    (whose total the counts already give when nothing but a status narrows the list).

    The page names patients, so each page served is an audited read (a live redraw too: it
    shows them again). The detail is counts only: the filters may hold a patient's name."""
    counts = CLAIM_COUNTS.get(
        lambda: claim_counts_by_standing(session=session, actor=actor),
        database=str(session.get_bind().engine.url),
        practice_id=None if actor.is_plan_staff else actor.practice_id,
    )
    known_total = None
    if filters.only_status:
        known_total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    page = search_claims(session=session, actor=actor, filters=filters, known_total=known_total)
    audit.record_by(
        session,
        actor,
        action="read",
        at=at,
        entity_type="claim_list",
        detail=f"{len(page.rows)} rows, page {page.page}",
    )
    return ClaimListing(counts=counts, page=page)


def search_claims(
    *,
    session: Session,
    actor: Actor,
    filters: ClaimFilters | None = None,
    known_total: int | None = None,
    count_cap: int = COUNT_CAP,
) -> ClaimPage:
    """One page of the caller's claims that match `filters`, in their order.

    Every filter and sort is written so an index can serve it (claim_filters.SortKey and the
    indexes on claim): the page's ids come from the claim table alone, an index walk in the
    sort order under the practice, and only those ids are then joined for names."""
    actor.require(Area.CLAIMS)
    filters = filters or ClaimFilters()
    criteria = claim_criteria(filters)
    page_size = min(max(1, filters.page_size), MAX_PAGE_SIZE)

    if known_total is not None:
        total, capped = known_total, False
    else:
        total, capped = _capped_count(session, actor, criteria, count_cap)
    page = max(1, filters.page)
    if not capped:
        page = min(page, max(1, -(-total // page_size)))  # past the end: the last page

    page_query = within_scope(select(Claim.id), Claim, actor).where(*criteria)
    page_ids = [
        claim_id
        for claim_id in session.exec(
            page_query.order_by(*_order(filters))
            .offset((page - 1) * page_size)
            .limit(page_size + 1)  # one more, to know whether a next page exists
        ).all()
        if claim_id is not None
    ]
    has_next = len(page_ids) > page_size
    page_ids = page_ids[:page_size]
    rows = _rows(session, actor, page_ids)
    return ClaimPage(
        rows=rows,
        total=total,
        page=page,
        page_size=page_size,
        total_capped=capped,
        has_next=has_next,
    )


def claim_criteria(filters: ClaimFilters) -> list[ColumnElement[bool]]:
    """The WHERE terms for `filters` (scope is added separately, by within_scope)."""
    criteria: list[ColumnElement[bool]] = []
    if filters.status is not None:
        criteria.append(stands_at(filters.status))
    # The date of service is the claim's first (CLM's DTP*472 from-date): the indexed column.
    if filters.service_from is not None:
        criteria.append(col(Claim.service_date_from) >= filters.service_from)
    if filters.service_to is not None:
        criteria.append(col(Claim.service_date_from) <= filters.service_to)
    # Submission dates are UTC calendar days, as stored and as the list shows them.
    if filters.submitted_from is not None:
        criteria.append(col(Claim.submitted_at) >= _utc_midnight(filters.submitted_from))
    if filters.submitted_to is not None:
        next_day = filters.submitted_to + timedelta(days=1)
        criteria.append(col(Claim.submitted_at) < _utc_midnight(next_day))
    # The selective filters name their claims through a subquery on another index, so the
    # outer query still walks (practice_id, sort column) and only tests membership: SQLite's
    # planner, without statistics, would otherwise walk the practice's whole index and sort.
    candidate = aliased(Claim, name="candidate")
    if filters.practice_id is not None:
        criteria.append(col(Claim.practice_id) == filters.practice_id)
    if filters.provider_ids:
        criteria.append(
            _among(candidate, col(candidate.rendering_provider_id).in_(filters.provider_ids))
        )
    if filters.provider_npi is not None:
        by_npi = select(Provider.id).where(Provider.npi == filters.provider_npi)
        criteria.append(
            _among(candidate, col(candidate.rendering_provider_id) == by_npi.scalar_subquery())
        )
    if filters.member_id is not None:
        by_id = select(Member.id).where(Member.member_id == filters.member_id)
        criteria.append(_among(candidate, col(candidate.member_fk) == by_id.scalar_subquery()))
    if filters.member_name is not None:
        by_name = select(Member.id).where(_member_name_matches(filters.member_name))
        criteria.append(_among(candidate, col(candidate.member_fk).in_(by_name)))
    if filters.claim_number is not None:
        number = _prefix_of(col(candidate.claim_number), filters.claim_number, fold_case=False)
        criteria.append(_among(candidate, number))
    if filters.carc is not None:
        criteria.append(_among(candidate, col(candidate.denial_carc) == filters.carc))
    criteria.extend(_report_criteria(filters))
    return criteria


@dataclass(frozen=True)
class ClaimTotals:
    """What a filtered list adds up to: how many claims, their billed charges, and, when the
    filters name an owing party, the balance those claims owed it on the as-of day."""

    count: int
    billed: Decimal
    owed: Decimal | None = None


def claim_totals(*, session: Session, actor: Actor, filters: ClaimFilters) -> ClaimTotals:
    """The totals a drill-down shows above its list (one aggregate, no rows read)."""
    actor.require(Area.CLAIMS)
    columns: list[Any] = [func.count(), money_sum(Claim.total_charge)]
    if filters.owed is not None:
        as_of = filters.as_of or utcnow().date()
        columns.append(money_sum(owed_amount(filters.owed, as_of)))
    row = session.exec(
        within_scope(select(*columns), Claim, actor).where(*claim_criteria(filters))
    ).one()
    return ClaimTotals(
        count=row[0], billed=row[1], owed=row[2] if filters.owed is not None else None
    )


def _report_criteria(filters: ClaimFilters) -> list[ColumnElement[bool]]:
    """The terms the reports' filters and drill-downs add (claim_cohorts has their meaning)."""
    criteria: list[ColumnElement[bool]] = []
    if filters.location_ids:
        criteria.append(col(Claim.location_id).in_(filters.location_ids))
    if filters.products:
        covered = (
            select(Coverage.id)
            .join(BenefitPlan, col(BenefitPlan.id) == col(Coverage.plan_id))
            .where(col(BenefitPlan.product).in_(filters.products))
        )
        criteria.append(col(Claim.coverage_id).in_(covered))
    if filters.procedure is not None:
        criteria.append(col(Claim.principal_procedure) == filters.procedure)
    if filters.place_of_service is not None:
        criteria.append(col(Claim.place_of_service) == filters.place_of_service)
    if filters.cohort is not None:
        criteria.append(in_cohort(filters.cohort))
    as_of = filters.as_of or utcnow().date()
    if filters.owed is not None:
        criteria.append(owed_criterion(filters.owed, as_of, filters.age))
    elif filters.age is not None:
        criteria.append(in_bucket(filters.age, as_of))
    return criteria


def _among(candidate: Any, criterion: ColumnElement[bool]) -> ColumnElement[bool]:
    return col(Claim.id).in_(select(candidate.id).where(criterion))


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _order(filters: ClaimFilters) -> list[ColumnElement[Any]]:
    descending = filters.direction == Direction.DESCENDING

    def way(column: Any) -> ColumnElement[Any]:
        return column.desc() if descending else column.asc()

    if filters.sort == SortKey.CLAIM_NUMBER:
        return [way(col(Claim.claim_number))]  # unique: no tie to break
    column = {
        SortKey.SERVICE_DATE: col(Claim.service_date_from),
        SortKey.SUBMITTED: col(Claim.submitted_at),
        SortKey.BILLED: col(Claim.total_charge),
    }[filters.sort]
    # The id breaks ties so a page boundary never shows a claim twice or skips one.
    return [way(column), way(col(Claim.id))]


def _member_name_matches(text: str) -> ColumnElement[bool]:
    """ "thom" is a last-name prefix; "Thompson, Av" a last name and a first-name prefix. Names
    are matched without regard to case, yet through the (last_name, first_name) index."""
    last, _, first = (part.strip() for part in text.partition(","))
    if "," in text and first:
        return and_(
            _prefix_of(col(Member.last_name), last, fold_case=True, whole=True),
            func.lower(col(Member.first_name)).startswith(first.lower(), autoescape=True),
        )
    return _prefix_of(col(Member.last_name), last, fold_case=True)


def _prefix_of(
    column: Any, prefix: str, *, fold_case: bool, whole: bool = False
) -> ColumnElement[bool]:
    """Values of `column` that start with `prefix` (or, `whole`, equal it), as index ranges.

    LIKE cannot use a B-tree on SQLite (it folds case) nor on PostgreSQL under a non-C
    collation, but `column >= 'Tho' AND column < 'Thp'` can on both. Without regard to case,
    each case variant of the first letters is its own range (at most eight), and the exact
    test on the lower-cased value keeps only true matches."""
    lowered = prefix.lower()
    if fold_case:
        head = lowered[:_CASE_FOLDED_LETTERS]
        variants = {""}
        for character in head:
            variants = {v + c for v in variants for c in {character, character.upper()}}
        exact = (
            func.lower(column) == lowered
            if whole
            else func.lower(column).startswith(lowered, autoescape=True)
        )
    else:
        variants = {prefix}
        exact = column == prefix if whole else column.startswith(prefix, autoescape=True)
    ranges = [and_(column >= v, column < v[:-1] + chr(ord(v[-1]) + 1)) for v in sorted(variants)]
    return and_(or_(*ranges), exact)


def _capped_count(
    session: Session, actor: Actor, criteria: list[ColumnElement[bool]], cap: int
) -> tuple[int, bool]:
    matching = within_scope(select(Claim.id), Claim, actor).where(*criteria).limit(cap + 1)
    number = session.exec(select(func.count()).select_from(matching.subquery())).one()
    return (cap, True) if number > cap else (number, False)


def _rows(session: Session, actor: Actor, page_ids: list[int]) -> list[ClaimRow]:
    if not page_ids:
        return []
    rendering = aliased(Provider)
    joined = session.exec(
        within_scope(
            select(Claim, Member, rendering, Practice)
            .join(Member, col(Member.id) == Claim.member_fk)
            .join(rendering, col(rendering.id) == Claim.rendering_provider_id)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(col(Claim.id).in_(page_ids)),
            Claim,
            actor,
        )
    ).all()
    position = {claim_id: index for index, claim_id in enumerate(page_ids)}
    return [
        ClaimRow(
            claim_id=claim.id or 0,
            claim_number=claim.claim_number,
            member_name=member.display_name,
            member_id=member.member_id,
            service_date=claim.service_date_from,
            submitted_at=claim.submitted_at,
            provider_name=provider.display_name,
            status=claim.status,
            standing=standing_of(claim),
            total_charge=claim.total_charge,
            paid_amount=claim.paid_amount,
            practice_name=practice.name,
        )
        for claim, member, provider, practice in sorted(
            joined, key=lambda row: position[row[0].id or 0]
        )
    ]


@dataclass(frozen=True)
class Adjustment:
    group_code: AdjustmentGroup
    carc: str
    carc_description: str
    rarc: str | None
    rarc_description: str | None
    amount: Decimal


@dataclass(frozen=True)
class LineDetail:
    line_number: int
    service_date: date
    procedure_code: str
    procedure_description: str
    modifiers: str
    units: int
    diagnosis_pointers: str
    charge_amount: Decimal
    allowed_amount: Decimal
    deductible_amount: Decimal
    coinsurance_amount: Decimal
    copay_amount: Decimal
    paid_amount: Decimal
    adjustments: list[Adjustment]


@dataclass(frozen=True)
class TimelineStep:
    status: ClaimStatus
    category_code: str
    category_description: str
    status_code: str
    occurred_at: datetime
    source: str
    transaction_id: str
    note: str


@dataclass(frozen=True)
class ClaimDetail:
    claim_id: int
    claim_number: str
    patient_control_number: str
    practice_name: str
    status: ClaimStatus
    standing: ClaimStatus
    status_changed_at: datetime
    frequency_code: FrequencyCode
    member_name: str
    member_id: str
    member_date_of_birth: date
    plan_name: str | None
    group_number: str | None
    billing_provider: str
    billing_npi: str
    rendering_provider: str
    rendering_npi: str
    location_name: str | None
    place_of_service: str
    place_of_service_description: str
    service_date_from: date
    service_date_to: date
    submitted_at: datetime | None
    finalized_at: datetime | None
    transaction_id: str | None
    total_charge: Decimal
    allowed_amount: Decimal
    paid_amount: Decimal
    patient_responsibility: Decimal
    patient_paid_amount: Decimal
    denial_carc: str | None
    denial_description: str | None
    rejection_reason: str | None
    payment_number: str | None
    payment_date: date | None
    diagnoses: list[str]
    lines: list[LineDetail]
    timeline: list[TimelineStep]

    @property
    def contractual_adjustment(self) -> Decimal:
        # billed = allowed + contractual adjustment (CO), for a claim that has been adjudicated
        return self.total_charge - self.allowed_amount if self.allowed_amount else Decimal("0.00")

    @property
    def patient_balance(self) -> Decimal:
        return self.patient_responsibility - self.patient_paid_amount


def format_icd10(code: str) -> str:
    """ICD-10-CM is stored without its dot (as X12 carries it); people read it with one."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def read_claim(
    *, session: Session, actor: Actor, claim_id: int, at: datetime
) -> ClaimDetail | None:
    """The claim with its lines, EOB adjustments and timeline, or None if the caller has no such
    claim. Both outcomes are audited: a read is a look at PHI, a miss may be someone probing ids."""
    claim = _claim_looked_at(session, actor, claim_id, action="read", at=at)
    return _detail(session, claim) if claim is not None else None


def _claim_looked_at(
    session: Session, actor: Actor, claim_id: int, *, action: str, at: datetime
) -> Claim | None:
    """The claim within the caller's scope, or None; the look is audited either way."""
    actor.require(Area.CLAIMS)
    try:
        return audit.get_scoped_audited(
            session, Claim, claim_id, actor, action=action, entity_type="claim", at=at
        )
    except NotFound:
        return None


@dataclass(frozen=True)
class ClaimEob:
    """What an explanation of benefits prints: the claim, and who it is from and about."""

    claim: ClaimDetail
    practice_tin: str
    practice_npi: str
    practice_phone: str
    practice_address: list[str]
    member_address: list[str]


EOB_EXPORT = "claim.eob_pdf"


def read_claim_eob(
    *, session: Session, actor: Actor, claim_id: int, at: datetime
) -> ClaimEob | None:
    """The claim as an EOB, or None when the caller has no such claim. The export is a PHI read
    of its own kind (it leaves the portal as a file), audited as such, hits and misses alike."""
    claim = _claim_looked_at(session, actor, claim_id, action=EOB_EXPORT, at=at)
    if claim is None:
        return None
    practice = session.get(Practice, claim.practice_id)
    member = session.get(Member, claim.member_fk)
    assert practice and member, "claim references are enforced by FKs"
    location = session.get(Location, claim.location_id) if claim.location_id else None
    if location is None:
        location = session.exec(
            select(Location).where(Location.practice_id == practice.id).order_by(col(Location.id))
        ).first()
    return ClaimEob(
        claim=_detail(session, claim),
        practice_tin=practice.tin,
        practice_npi=practice.group_npi,
        practice_phone=practice.phone,
        practice_address=_address(
            location.address_line if location else "",
            location.city if location else "",
            location.state if location else "",
            location.postal_code if location else "",
        ),
        member_address=_address(member.address_line, member.city, member.state, member.postal_code),
    )


def _address(line: str, city: str, state: str, postal_code: str) -> list[str]:
    last = ", ".join(part for part in (city, f"{state} {postal_code}".strip()) if part)
    return [part for part in (line, last) if part]


def diagnosis_codes(session: Session, claim_id: int) -> list[str]:
    """A claim's ICD-10-CM codes as stored (no dot), principal first."""
    return list(
        session.exec(
            select(ClaimDiagnosis.icd10_code)
            .where(ClaimDiagnosis.claim_id == claim_id)
            .order_by(col(ClaimDiagnosis.sequence))
        ).all()
    )


def service_lines(session: Session, claim_id: int) -> list[ClaimLine]:
    """A claim's service lines in line-number order."""
    return list(
        session.exec(
            select(ClaimLine)
            .where(ClaimLine.claim_id == claim_id)
            .order_by(col(ClaimLine.line_number))
        ).all()
    )


def _detail(session: Session, claim: Claim) -> ClaimDetail:
    assert claim.id is not None
    member = session.get(Member, claim.member_fk)
    practice = session.get(Practice, claim.practice_id)
    billing = session.get(Provider, claim.billing_provider_id)
    rendering = session.get(Provider, claim.rendering_provider_id)
    assert member and practice and billing and rendering, "claim references are enforced by FKs"
    location = session.get(Location, claim.location_id) if claim.location_id else None
    coverage = session.get(Coverage, claim.coverage_id) if claim.coverage_id else None
    plan = session.get(BenefitPlan, coverage.plan_id) if coverage else None
    remittance = session.get(Remittance, claim.remittance_id) if claim.remittance_id else None

    diagnoses = diagnosis_codes(session, claim.id)
    lines = service_lines(session, claim.id)
    line_ids = [line.id for line in lines]
    adjustments_by_line: dict[int, list[Adjustment]] = {}
    if line_ids:
        for adjustment in session.exec(
            select(ClaimLineAdjustment)
            .where(col(ClaimLineAdjustment.claim_line_id).in_(line_ids))
            .order_by(col(ClaimLineAdjustment.id))
        ).all():
            adjustments_by_line.setdefault(adjustment.claim_line_id, []).append(
                Adjustment(
                    group_code=adjustment.group_code,
                    carc=adjustment.carc,
                    carc_description=CARC.get(adjustment.carc, "Other adjustment"),
                    rarc=adjustment.rarc,
                    rarc_description=RARC.get(adjustment.rarc) if adjustment.rarc else None,
                    amount=adjustment.amount,
                )
            )
    events = session.exec(
        select(ClaimStatusEvent)
        .where(ClaimStatusEvent.claim_id == claim.id)
        .order_by(col(ClaimStatusEvent.occurred_at), col(ClaimStatusEvent.id))
    ).all()

    return ClaimDetail(
        claim_id=claim.id,
        claim_number=claim.claim_number,
        patient_control_number=claim.patient_control_number,
        practice_name=practice.name,
        status=claim.status,
        standing=standing_of(claim),
        status_changed_at=claim.status_changed_at,
        frequency_code=claim.frequency_code,
        member_name=member.display_name,
        member_id=member.member_id,
        member_date_of_birth=member.date_of_birth,
        plan_name=plan.name if plan else None,
        group_number=coverage.group_number if coverage else None,
        billing_provider=billing.display_name,
        billing_npi=billing.npi,
        rendering_provider=rendering.display_name,
        rendering_npi=rendering.npi,
        location_name=location.name if location else None,
        place_of_service=claim.place_of_service,
        place_of_service_description=PLACES_OF_SERVICE.get(claim.place_of_service, ""),
        service_date_from=claim.service_date_from,
        service_date_to=claim.service_date_to,
        submitted_at=claim.submitted_at,
        finalized_at=claim.finalized_at,
        transaction_id=claim.transaction_id,
        total_charge=claim.total_charge,
        allowed_amount=claim.allowed_amount,
        paid_amount=claim.paid_amount,
        patient_responsibility=claim.patient_responsibility,
        patient_paid_amount=claim.patient_paid_amount,
        denial_carc=claim.denial_carc,
        denial_description=CARC.get(claim.denial_carc) if claim.denial_carc else None,
        rejection_reason=claim.rejection_reason,
        payment_number=remittance.payment_number if remittance else None,
        payment_date=remittance.payment_date if remittance else None,
        diagnoses=[format_icd10(code) for code in diagnoses],
        lines=[
            LineDetail(
                line_number=line.line_number,
                service_date=line.service_date,
                procedure_code=line.procedure_code,
                procedure_description=(
                    info.description
                    if (info := PROCEDURES_BY_CODE.get(line.procedure_code))
                    else ""
                ),
                modifiers=line.modifiers,
                units=line.units,
                diagnosis_pointers=line.diagnosis_pointers,
                charge_amount=line.charge_amount,
                allowed_amount=line.allowed_amount,
                deductible_amount=line.deductible_amount,
                coinsurance_amount=line.coinsurance_amount,
                copay_amount=line.copay_amount,
                paid_amount=line.paid_amount,
                adjustments=adjustments_by_line.get(line.id or 0, []),
            )
            for line in lines
        ],
        timeline=[
            TimelineStep(
                status=event.status,
                category_code=event.category_code,
                category_description=STATUS_CATEGORY.get(event.category_code, ""),
                status_code=event.status_code,
                occurred_at=event.occurred_at,
                source=event.source,
                transaction_id=event.transaction_id,
                note=event.note,
            )
            for event in events
        ],
    )


def rendering_providers(*, session: Session, actor: Actor) -> list[tuple[int, str]]:
    """The caller's practice's providers, for the list's provider filter (plan staff, who see
    every practice, filter by NPI instead: this returns nothing for them)."""
    actor.require(Area.CLAIMS)
    if actor.is_plan_staff:
        return []
    providers = session.exec(
        scoped(Provider, actor).order_by(col(Provider.last_name), col(Provider.first_name))
    ).all()
    return [(provider.id or 0, provider.display_name) for provider in providers]
