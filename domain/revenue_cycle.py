"""Revenue-cycle reports: the KPIs (HFMA MAP Keys style), A/R aging and the denial breakdowns,
each a handful of SQL aggregates within the caller's scope. No claim row is loaded into Python:
a scan returns at most one aggregate row per date of service (which Python folds into months,
age buckets and the period) or per procedure, provider and place of service.

Every figure carries the ClaimFilters of the claims behind it, built from the same cohort and
A/R expressions the claim list filters by (domain.claim_cohorts), so a drill-down lists exactly
those claims and adds up to the figure.

What the report filters mean: `service_from`/`service_to` (date of service; default the last
twelve months), `practice_id` (plan staff), `provider_ids`, `location_ids`, `products`,
`status` (standing), `carc` narrow every figure; `as_of` (default today) is the day A/R is
taken on. The date range does not narrow A/R: what is owed on a day is owed whenever the visit
was. The drill-down keys (`cohort`, `owed`, `age`, `procedure`, `place_of_service`) are the
reports' own to set and are ignored when they come in with a report's URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, func, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from domain.claim_cohorts import (
    COHORT_DEFINITIONS,
    a_claim_for_service,
    end_of,
    in_cohort,
    open_now,
    owed_amount,
    settled_since,
)
from domain.claim_filters import AgeBucket, ClaimFilters, Cohort, Owed
from domain.claim_queries import claim_criteria
from domain.claims import Claim
from domain.codes import CARC, PLACES_OF_SERVICE, PROCEDURES_BY_CODE
from domain.plans import BenefitPlan
from domain.practices import Location, Practice, Provider
from domain.roles import Area
from domain.scope import Actor, scoped, within_scope
from domain.types import Money, money_sum

# The rolling window a report shows when its URL names no dates of service.
DEFAULT_RANGE_DAYS = 365
# Days in A/R divides A/R by the average daily charges of this many days before the as-of day.
DAYS_IN_AR_WINDOW = 90
TOP_DENIAL_REASONS = 10
# An as-of day at most this old reads the claims remitted since it by their remit date.
RECENT_AS_OF_DAYS = 7
# The dashboard's "top denial reasons" panel, and the procedure breakdown's length.
DASHBOARD_DENIAL_REASONS = 5
TOP_PROCEDURES = 15


@dataclass(frozen=True)
class Ratio:
    """A rate kept as numerator over denominator, so the page can show (and drill into) both;
    `value` is a fraction (0.111 for 11.1 %), None for an empty period, never a division by 0."""

    numerator: Decimal
    denominator: Decimal

    @property
    def value(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator


@dataclass(frozen=True)
class RateKpi:
    """One rate on the dashboard with its meaning and the claims behind both of its terms."""

    key: str  # e.g. "denial_rate_count": a stable marker for pages and tests
    label: str  # "Initial denial rate (count)"
    ratio: Ratio
    numerator_claims: ClaimFilters
    denominator_claims: ClaimFilters
    definition: str  # the sentence the page's tooltip shows
    formula: str  # "initially denied claims ÷ adjudicated claims"
    benchmark: str  # "5-10 % is typical; under 5 % is best practice (HFMA/MGMA)"
    higher_is_better: bool
    # True when the terms are dollars (the drill-down's billed total is the figure), else counts.
    in_dollars: bool = False
    # False when the drill-down lists exactly the claims behind a term but its count or billed
    # total is not the term: the net collection rate's terms are payments and billed less
    # contractual adjustments of the remitted claims, which a claim list does not total.
    totals_match: bool = True


@dataclass(frozen=True)
class DaysInAr:
    as_of: date
    receivables: Decimal  # owed by the plan + owed by patients at the end of as_of
    charges: Decimal  # billed charges with dates of service in the window before as_of
    window_days: int
    definition: str
    formula: str
    benchmark: str
    # The two parts of `receivables`, each with the claims behind it (their drill-down's owed
    # total is the part: the same cells as the A/R aging report's totals).
    plan_owed: Decimal = Decimal("0.00")
    patient_owed: Decimal = Decimal("0.00")
    plan_owed_claims: ClaimFilters | None = None
    patient_owed_claims: ClaimFilters | None = None

    @property
    def average_daily_charges(self) -> Decimal:
        return self.charges / self.window_days

    @property
    def value(self) -> Decimal | None:
        if self.charges == 0:
            return None
        return self.receivables / self.average_daily_charges


@dataclass(frozen=True)
class KpiSummary:
    service_from: date
    service_to: date
    denial_rate_count: RateKpi
    denial_rate_dollars: RateKpi
    clean_claim_rate: RateKpi
    first_pass_rate: RateKpi
    net_collection_rate: RateKpi
    days_in_ar: DaysInAr

    @property
    def rates(self) -> tuple[RateKpi, ...]:
        return (
            self.denial_rate_count,
            self.denial_rate_dollars,
            self.clean_claim_rate,
            self.first_pass_rate,
            self.net_collection_rate,
        )


@dataclass(frozen=True)
class AgingCell:
    amount: Decimal
    claims: int
    filters: ClaimFilters  # owed=…, as_of=…, age=… (None age for a total)


@dataclass(frozen=True)
class AgingRow:
    bucket: AgeBucket
    plan: AgingCell
    patient: AgingCell


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    rows: list[AgingRow]  # one per AgeBucket, in order, zeros included
    plan_total: AgingCell
    patient_total: AgingCell

    @property
    def total(self) -> Decimal:
        return self.plan_total.amount + self.patient_total.amount


@dataclass(frozen=True)
class DenialGroup:
    """Initial denials of one value of a dimension (a CARC, a month, a provider…), against the
    adjudicated claims of that value (absent for CARC, where it is the whole period's)."""

    key: str  # the value: "197", "2026-03", a provider id, "99213", "11"
    label: str  # "197 · Precertification/authorization absent", "Mar 2026", "Dr …"
    denied: int
    denied_billed: Decimal
    adjudicated: int
    adjudicated_billed: Decimal
    denied_claims: ClaimFilters
    adjudicated_claims: ClaimFilters

    @property
    def rate(self) -> Ratio:
        return Ratio(Decimal(self.denied), Decimal(self.adjudicated))

    @property
    def dollar_rate(self) -> Ratio:
        return Ratio(self.denied_billed, self.adjudicated_billed)


@dataclass(frozen=True)
class DenialBreakdown:
    service_from: date
    service_to: date
    by_carc: list[DenialGroup]  # top TOP_DENIAL_REASONS by count (no "Other": see below)
    by_month: list[DenialGroup]  # every month of the range, oldest first, zeros included
    by_provider: list[DenialGroup]  # rendering provider, most denials first
    by_procedure: list[DenialGroup]  # principal procedure (first line), top 15
    by_place_of_service: list[DenialGroup]
    by_practice: list[DenialGroup]  # plan staff only (empty for a practice)


@dataclass(frozen=True)
class Dashboard:
    """The practice manager's home: the KPIs, A/R aging and the denial trend and reasons."""

    filters: ClaimFilters  # as applied (the default range and as-of filled in)
    kpis: KpiSummary
    aging: AgingReport
    denials_by_month: list[DenialGroup]
    top_denial_reasons: list[DenialGroup]


@dataclass(frozen=True)
class Choice:
    value: str  # as it goes in the URL
    label: str


@dataclass(frozen=True)
class ReportOptions:
    """What the filter bar offers: the caller's own providers, locations, products (and
    practices, for plan staff), each with the label the page shows."""

    practices: list[Choice]
    providers: list[Choice]
    locations: list[Choice]
    products: list[Choice]


# --- The filters a report applies -------------------------------------------------------------


def applied_filters(filters: ClaimFilters, today: date) -> ClaimFilters:
    """The filters as every report applies them: the drill-down keys (cohort, owed, age,
    procedure, place of service) and the list's sort and paging dropped, the date-of-service
    range filled in (the last DEFAULT_RANGE_DAYS days to today when the URL names neither end;
    one end alone: to today, or a full window ending on the given day) and put in order, and
    A/R taken as of today unless the URL names a day. Everything else is kept as it came."""
    start, end = filters.service_from, filters.service_to
    if end is None:
        end = today
    if start is None:
        start = end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        start, end = end, start
    listing = ClaimFilters()
    return replace(
        filters,
        service_from=start,
        service_to=end,
        as_of=filters.as_of or today,
        cohort=None,
        owed=None,
        age=None,
        procedure=None,
        place_of_service=None,
        sort=listing.sort,
        direction=listing.direction,
        page=listing.page,
        page_size=listing.page_size,
    )


def _dates(applied: ClaimFilters) -> tuple[date, date, date]:
    """The range and the as-of day of filters that went through applied_filters."""
    if applied.service_from is None or applied.service_to is None or applied.as_of is None:
        raise ValueError("report filters must go through applied_filters first")
    return applied.service_from, applied.service_to, applied.as_of


def _without_range(filters: ClaimFilters) -> ClaimFilters:
    """A/R is owed whenever the visit was: its figures drop the date-of-service range."""
    return replace(filters, service_from=None, service_to=None)


Rows = Select[*tuple[Any, ...]]


def _select(*columns: Any) -> Rows:
    """sqlmodel's select typed for any number of columns (its overloads stop at four)."""
    return cast(Rows, select(*columns))


def _claims(actor: Actor, filters: ClaimFilters, *columns: Any) -> Rows:
    """SELECT `columns` (two or more: one comes back as scalars) over the caller's claims that
    `filters` name: the very WHERE the claim list runs for the same filters, so a figure and
    its drill-down count the same claims."""
    statement = _select(*columns).select_from(Claim)
    return within_scope(statement, Claim, actor).where(*claim_criteria(filters))


def _count(term: ColumnElement[bool]) -> ColumnElement[int]:
    # COUNT(*) FILTER (WHERE …) rather than COUNT(CASE …): SQLite skips the aggregate step for
    # the rows left out, a fifth off a scan with many such columns (PostgreSQL has it too).
    return func.count().filter(term)


def _money(amount: Any, term: ColumnElement[bool]) -> ColumnElement[Decimal]:
    """SUM(amount) FILTER (WHERE term), read back as dollars (0 when no claim is in it)."""
    summed = func.sum(type_coerce(amount, Money())).filter(term)
    return type_coerce(func.coalesce(summed, 0), Money())


def _billed(term: ColumnElement[bool]) -> ColumnElement[Decimal]:
    return _money(col(Claim.total_charge), term)


# --- Figures by date of service ---------------------------------------------------------------


@dataclass(frozen=True)
class _Tally:
    """Denied and adjudicated claims of one value of a dimension."""

    denied: int = 0
    denied_billed: Decimal = Decimal("0.00")
    adjudicated: int = 0
    adjudicated_billed: Decimal = Decimal("0.00")

    def __add__(self, other: _Tally) -> _Tally:
        return _Tally(
            self.denied + other.denied,
            self.denied_billed + other.denied_billed,
            self.adjudicated + other.adjudicated,
            self.adjudicated_billed + other.adjudicated_billed,
        )


@dataclass(frozen=True)
class _Rates:
    """The terms of the five rates over some dates of service."""

    tally: _Tally = _Tally()
    clean: int = 0
    decided: int = 0
    first_pass: int = 0
    collected: Decimal = Decimal("0.00")  # plan and patient payments of remitted claims
    collectible: Decimal = Decimal("0.00")  # their billed charges less contractual adjustments

    def __add__(self, other: _Rates) -> _Rates:
        return _Rates(
            self.tally + other.tally,
            self.clean + other.clean,
            self.decided + other.decided,
            self.first_pass + other.first_pass,
            self.collected + other.collected,
            self.collectible + other.collectible,
        )


# Figures by date of service are grouped by practice first: the order of ix_claim_report, so
# the grouping needs no sort, for plan staff too (a skip-scan of the practices).
_DAY = (col(Claim.practice_id), col(Claim.service_date_from))


def _tally_columns() -> list[Any]:
    """The denial terms, for a statement whose WHERE already leaves void requests out."""
    denied = in_cohort(Cohort.DENIED, voids_excluded=True)
    adjudicated = in_cohort(Cohort.ADJUDICATED, voids_excluded=True)
    return [_count(denied), _billed(denied), _count(adjudicated), _billed(adjudicated)]


def _rates_by_day(
    session: Session, actor: Actor, applied: ClaimFilters, *, denials_only: bool = False
) -> dict[date, _Rates]:
    """The rates' terms per date of service over the range: one index-only range scan whose
    grouping follows the index's order (no sort), so the months and the period are sums of
    its days. `denials_only` reads the four denial terms alone (a quarter of the work)."""
    remitted = in_cohort(Cohort.REMITTED, voids_excluded=True)
    columns = _tally_columns()
    if not denials_only:
        columns += [
            _count(in_cohort(Cohort.CLEAN, voids_excluded=True)),
            _count(in_cohort(Cohort.DECIDED, voids_excluded=True)),
            _count(in_cohort(Cohort.FIRST_PASS, voids_excluded=True)),
            _money(col(Claim.paid_amount) + col(Claim.patient_paid_amount), remitted),
            _money(col(Claim.total_charge) - col(Claim.contractual_amount), remitted),
        ]
    # Every rate's sets leave void requests out: the scan skips them up front, once.
    statement = _claims(actor, applied, *_DAY, *columns).where(a_claim_for_service())
    days: dict[date, _Rates] = {}
    for _, day, *terms in session.exec(statement.group_by(*_DAY)).all():
        tally = _Tally(*terms[:4])
        rates = _Rates(tally, *terms[4:]) if not denials_only else _Rates(tally)
        days[day] = days[day] + rates if day in days else rates
    return days


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months the range touches, the first and last clipped to it."""
    months = []
    first = start
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append((first, min(following - timedelta(days=1), end)))
        first = following
    return months


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _by_month(applied: ClaimFilters, days: dict[date, _Rates]) -> list[DenialGroup]:
    start, end, _ = _dates(applied)
    by_month: dict[tuple[int, int], _Tally] = {}
    for day, rates in days.items():
        key = (day.year, day.month)
        by_month[key] = by_month.get(key, _Tally()) + rates.tally
    return [
        _group(
            f"{first.year:04d}-{first.month:02d}",
            f"{_MONTH_NAMES[first.month - 1]} {first.year}",
            by_month.get((first.year, first.month), _Tally()),
            replace(applied, service_from=first, service_to=last),
        )
        for first, last in _months(start, end)
    ]


def _period(days: dict[date, _Rates]) -> _Rates:
    return sum(days.values(), _Rates())


# --- KPIs -------------------------------------------------------------------------------------

_DENIAL_BENCHMARK = (
    "5-10 % is average and about 12 % is the national figure; lower is better (HFMA/MGMA)."
)


def report_kpis(
    *, session: Session, actor: Actor, filters: ClaimFilters, today: date
) -> KpiSummary:
    """The five rates over the claims with dates of service in the range, and days in A/R as
    of the as-of day: three index-only scans (the range's rates, A/R, the charges window)."""
    actor.require(Area.DASHBOARDS)
    applied = applied_filters(filters, today)
    return _kpi_summary(
        applied,
        _period(_rates_by_day(session, actor, applied)),
        sum(_owed_by_day(session, actor, applied, today).values(), _Owed()),
        _charges(session, actor, applied),
    )


@dataclass(frozen=True)
class _Owed:
    """A/R of some dates of service: the balances owed each party and how many claims owe it."""

    plan: Decimal = Decimal("0.00")
    plan_claims: int = 0
    patient: Decimal = Decimal("0.00")
    patient_claims: int = 0

    def __add__(self, other: _Owed) -> _Owed:
        return _Owed(
            self.plan + other.plan,
            self.plan_claims + other.plan_claims,
            self.patient + other.patient,
            self.patient_claims + other.patient_claims,
        )


def _owed_by_day(
    session: Session, actor: Actor, applied: ClaimFilters, today: date
) -> dict[date, _Owed]:
    """A/R at the end of the as-of day per date of service, whatever the report's range: two
    index-only range scans grouped in the index's order (no sort), over the only claims that
    can owe anything on that day (claim_cohorts.open_now and settled_since)."""
    _, _, as_of = _dates(applied)
    plan, patient = owed_amount(Owed.PLAN, as_of), owed_amount(Owed.PATIENT, as_of)
    statement = _claims(
        actor,
        _without_range(applied),
        *_DAY,
        money_sum(plan),
        _count(plan > 0),
        money_sum(patient),
        _count(patient > 0),
    )
    days: dict[date, _Owed] = {}
    # The two parts are disjoint and together hold every claim may_owe(as_of) holds: today's
    # open claims from their partial index, and those closed since as_of by their remit date.
    settled = statement.where(settled_since(as_of))
    if (today - as_of).days <= RECENT_AS_OF_DAYS:
        # Few claims were remitted since a recent as-of day: name them through the remit-date
        # index (SQLite's planner, not knowing the day, would walk the practice's report index;
        # for an older day that walk is the cheaper one, and it is left to).
        candidate = aliased(Claim, name="candidate")
        settled = settled.where(
            col(Claim.id).in_(select(candidate.id).where(col(candidate.remitted_on) > as_of))
        )
    for part in (statement.where(open_now()), settled):
        for _, day, *figures in session.exec(part.group_by(*_DAY)).all():
            owed = _Owed(*figures)
            days[day] = days[day] + owed if day in days else owed
    return days


def _charges(session: Session, actor: Actor, applied: ClaimFilters) -> Decimal:
    """Billed charges behind days in A/R: dates of service in (as_of - 90, as_of], sent to the
    plan by the end of the as-of day, void requests left out (whatever the report's range)."""
    _, _, as_of = _dates(applied)
    window = replace(
        applied,
        service_from=as_of - timedelta(days=DAYS_IN_AR_WINDOW - 1),
        service_to=as_of,
    )
    return session.exec(
        within_scope(select(money_sum(col(Claim.total_charge))), Claim, actor).where(
            *claim_criteria(window), a_claim_for_service(), col(Claim.submitted_at) < end_of(as_of)
        )
    ).one()


def _kpi_summary(applied: ClaimFilters, rates: _Rates, owed: _Owed, charges: Decimal) -> KpiSummary:
    start, end, as_of = _dates(applied)

    def kpi(
        key: str,
        label: str,
        terms: tuple[Decimal | int, Decimal | int],
        cohorts: tuple[Cohort, Cohort],
        **texts: Any,
    ) -> RateKpi:
        return RateKpi(
            key=key,
            label=label,
            ratio=Ratio(Decimal(terms[0]), Decimal(terms[1])),
            numerator_claims=replace(applied, cohort=cohorts[0]),
            denominator_claims=replace(applied, cohort=cohorts[1]),
            **texts,
        )

    tally = rates.tally
    unranged = _without_range(applied)
    return KpiSummary(
        service_from=start,
        service_to=end,
        denial_rate_count=kpi(
            "denial_rate_count",
            "Initial denial rate (count)",
            (tally.denied, tally.adjudicated),
            (Cohort.DENIED, Cohort.ADJUDICATED),
            definition="The share of adjudicated claims the plan denied in whole at their first "
            "adjudication, whatever happened after (appeal, replacement). "
            + COHORT_DEFINITIONS[Cohort.ADJUDICATED],
            formula="initially denied claims ÷ adjudicated claims",
            benchmark=_DENIAL_BENCHMARK,
            higher_is_better=False,
        ),
        denial_rate_dollars=kpi(
            "denial_rate_dollars",
            "Initial denial rate (dollars)",
            (tally.denied_billed, tally.adjudicated_billed),
            (Cohort.DENIED, Cohort.ADJUDICATED),
            definition="The share of adjudicated charges the plan denied in whole at their "
            "first adjudication: the denial rate weighted by billed charges, so a few "
            "expensive denials show.",
            formula="billed charges of initially denied claims ÷ billed charges of "
            "adjudicated claims",
            benchmark=_DENIAL_BENCHMARK,
            higher_is_better=False,
            in_dollars=True,
        ),
        clean_claim_rate=kpi(
            "clean_claim_rate",
            "Clean-claim rate",
            (rates.clean, rates.decided),
            (Cohort.CLEAN, Cohort.DECIDED),
            definition="The share of claims the plan has answered that were accepted on their "
            "first submission and paid without rework: never rejected by the front-end "
            "edits, and not denied. " + COHORT_DEFINITIONS[Cohort.DECIDED],
            formula="clean claims ÷ decided claims (rejected at least once, or adjudicated)",
            benchmark="95 % or more (HFMA/MGMA); higher is better.",
            higher_is_better=True,
        ),
        first_pass_rate=kpi(
            "first_pass_rate",
            "First-pass resolution rate",
            (rates.first_pass, rates.decided),
            (Cohort.FIRST_PASS, Cohort.DECIDED),
            definition="The share of claims the plan has answered that it adjudicated "
            "automatically on the first pass: never rejected, never pended for a person "
            "to review.",
            formula="claims adjudicated with no rejection and no pend ÷ decided claims",
            benchmark="90 % or more is a common target (no HFMA/MGMA standard); higher is better.",
            higher_is_better=True,
        ),
        net_collection_rate=kpi(
            "net_collection_rate",
            "Net collection rate",
            (rates.collected, rates.collectible),
            (Cohort.REMITTED, Cohort.REMITTED),
            definition="Of what the practice could collect on its remitted claims (billed "
            "charges less the contractual adjustments it agreed to), the share it did "
            "collect from the plan and from patients. Denials are not contractual and stay "
            "in the denominator. " + COHORT_DEFINITIONS[Cohort.REMITTED],
            formula="(plan payments + patient payments) ÷ (billed charges - contractual "
            "adjustments), over remitted claims",
            benchmark="95 % or more; 95-99 % is typical of well-run practices (MGMA); higher "
            "is better.",
            higher_is_better=True,
            in_dollars=True,
            totals_match=False,
        ),
        days_in_ar=DaysInAr(
            as_of=as_of,
            receivables=owed.plan + owed.patient,
            charges=charges,
            window_days=DAYS_IN_AR_WINDOW,
            definition="How many days of charges are waiting to be collected: what the plan "
            "and patients owed at the end of the as-of day, over the average daily charges "
            f"of the {DAYS_IN_AR_WINDOW} days up to it. A/R counts every claim whatever its "
            "date of service; void requests never count.",
            formula=f"(plan-owed + patient-owed A/R) ÷ (charges of the last {DAYS_IN_AR_WINDOW} "
            f"days ÷ {DAYS_IN_AR_WINDOW})",
            benchmark="Under 40 days (HFMA/MGMA); lower is better.",
            plan_owed=owed.plan,
            patient_owed=owed.patient,
            plan_owed_claims=replace(unranged, owed=Owed.PLAN),
            patient_owed_claims=replace(unranged, owed=Owed.PATIENT),
        ),
    )


# --- A/R aging --------------------------------------------------------------------------------


def aging_report(
    *, session: Session, actor: Actor, filters: ClaimFilters, today: date
) -> AgingReport:
    """What the plan and patients owed at the end of the as-of day, by age of the date of
    service, over every claim the filters name whatever its date of service. One scan grouped
    by date of service (cheaper than grouping by bucket, which needs a sort), each day then put
    in its bucket by AgeBucket.of_age, the same day counts claim_cohorts.in_bucket filters by.
    The totals count every owing claim, so their drill-downs add up (a claim dated after the
    as-of day, which no bucket holds, would be in a total and in no row)."""
    actor.require(Area.DASHBOARDS)
    applied = applied_filters(filters, today)
    return _aging(applied, _owed_by_day(session, actor, applied, today))


def _aging(applied: ClaimFilters, days: dict[date, _Owed]) -> AgingReport:
    _, _, as_of = _dates(applied)
    base = _without_range(applied)
    by_bucket: dict[AgeBucket, _Owed] = {}
    for day, owed in days.items():
        age = (as_of - day).days
        if age >= 0:
            bucket = AgeBucket.of_age(age)
            by_bucket[bucket] = by_bucket.get(bucket, _Owed()) + owed
    total = sum(days.values(), _Owed())

    def cells(owed: _Owed, bucket: AgeBucket | None) -> tuple[AgingCell, AgingCell]:
        return (
            AgingCell(owed.plan, owed.plan_claims, replace(base, owed=Owed.PLAN, age=bucket)),
            AgingCell(
                owed.patient, owed.patient_claims, replace(base, owed=Owed.PATIENT, age=bucket)
            ),
        )

    rows = []
    for bucket in AgeBucket:
        plan, patient = cells(by_bucket.get(bucket, _Owed()), bucket)
        rows.append(AgingRow(bucket=bucket, plan=plan, patient=patient))
    plan_total, patient_total = cells(total, None)
    return AgingReport(as_of=as_of, rows=rows, plan_total=plan_total, patient_total=patient_total)


# --- Denial breakdowns ------------------------------------------------------------------------


def _group(key: str, label: str, tally: _Tally, narrowed: ClaimFilters) -> DenialGroup:
    return DenialGroup(
        key=key,
        label=label,
        denied=tally.denied,
        denied_billed=tally.denied_billed,
        adjudicated=tally.adjudicated,
        adjudicated_billed=tally.adjudicated_billed,
        denied_claims=replace(narrowed, cohort=Cohort.DENIED),
        adjudicated_claims=replace(narrowed, cohort=Cohort.ADJUDICATED),
    )


def _ranked(tallies: dict[Any, _Tally]) -> list[Any]:
    """Most denials first, then most adjudicated, then by value (a stable order)."""
    return sorted(
        tallies, key=lambda key: (-tallies[key].denied, -tallies[key].adjudicated, str(key))
    )


def _carc_tallies(session: Session, actor: Actor, applied: ClaimFilters) -> dict[str, _Tally]:
    """Initial denials by CARC, from the report index alone."""
    carc = col(Claim.denial_carc)
    rows = session.exec(
        _claims(actor, applied, carc, func.count(), money_sum(col(Claim.total_charge)))
        .where(in_cohort(Cohort.DENIED), carc.is_not(None))
        .group_by(carc)
    ).all()
    return {code: _Tally(count, billed) for code, count, billed in rows if code is not None}


def _by_carc(
    applied: ClaimFilters, carcs: dict[str, _Tally], adjudicated: _Tally, limit: int
) -> list[DenialGroup]:
    """The top `limit` denial reasons. Each is set against every adjudicated claim of the
    period (its rate is the share of them denied for that reason), so its adjudicated
    drill-down is the period's. The reasons past the top are left out rather than summed into
    an "Other" row: no one CARC filter lists those claims, so its drill-down could not add up
    (nor can a denial recorded with no CARC, also left out)."""
    ranked = sorted(
        (code for code, tally in carcs.items() if tally.denied),
        key=lambda code: (-carcs[code].denied, code),
    )[:limit]
    everything = replace(applied, cohort=Cohort.ADJUDICATED)
    return [
        replace(
            _group(
                code,
                f"{code} · {CARC.get(code, 'Other adjustment')}",
                _Tally(
                    carcs[code].denied,
                    carcs[code].denied_billed,
                    adjudicated.adjudicated,
                    adjudicated.adjudicated_billed,
                ),
                replace(applied, carc=code),
            ),
            adjudicated_claims=everything,
        )
        for code in ranked
    ]


@dataclass(frozen=True)
class _Cell:
    """Adjudicated claims of one principal procedure, provider and place of service."""

    procedure: str | None
    provider_id: int
    place_of_service: str
    practice_id: int


def _denial_cells(session: Session, actor: Actor, applied: ClaimFilters) -> dict[_Cell, _Tally]:
    """Denied and adjudicated claims by principal procedure, rendering provider, place of
    service and practice at once: one scan and one sort serve four breakdowns, each a sum of
    these cells (a few hundred for a practice), read from the report index alone."""
    keys = [
        col(Claim.principal_procedure),
        col(Claim.rendering_provider_id),
        col(Claim.place_of_service),
        col(Claim.practice_id),
    ]
    statement = (
        _claims(actor, applied, *keys, *_tally_columns())
        .where(in_cohort(Cohort.ADJUDICATED))
        .group_by(*keys)
    )
    return {
        _Cell(procedure, provider_id, place, practice_id): _Tally(*terms)
        for procedure, provider_id, place, practice_id, *terms in session.exec(statement).all()
    }


def _summed(cells: dict[_Cell, _Tally], key: Any) -> dict[Any, _Tally]:
    sums: dict[Any, _Tally] = {}
    for cell, tally in cells.items():
        value = key(cell)
        if value is not None:
            sums[value] = sums.get(value, _Tally()) + tally
    return sums


def _provider_labels(session: Session, actor: Actor, ids: Sequence[int]) -> dict[int, str]:
    """Providers as the claim list names them; for plan staff with the practice, since two
    practices may each have a Dr. Smith."""
    if not ids:
        return {}
    rows = session.exec(
        within_scope(
            select(Provider, col(Practice.name))
            .join(Practice, col(Practice.id) == col(Provider.practice_id))
            .where(col(Provider.id).in_(ids)),
            Provider,
            actor,
        )
    ).all()
    return {
        provider.id or 0: _with_practice(provider.display_name, practice_name, actor)
        for provider, practice_name in rows
    }


def _with_practice(label: str, practice_name: str, actor: Actor) -> str:
    return f"{label} · {practice_name}" if actor.is_plan_staff else label


def _procedure_label(code: str) -> str:
    info = PROCEDURES_BY_CODE.get(code)
    return f"{code} · {info.description}" if info else code


def denial_breakdown(
    *, session: Session, actor: Actor, filters: ClaimFilters, today: date
) -> DenialBreakdown:
    """Initial denials against adjudicated claims by CARC (the top TOP_DENIAL_REASONS reasons
    only: see _by_carc), by month (every month of the range), by rendering provider, by
    principal procedure (the top TOP_PROCEDURES), by place of service and, for plan staff, by
    practice; only values with adjudicated claims, most denials first. Each group's
    drill-downs list exactly the claims it counts. Three scans: by day, by CARC, and the
    cells (principal procedure, provider, place, practice) the other four breakdowns sum."""
    actor.require(Area.DASHBOARDS)
    applied = applied_filters(filters, today)
    start, end, _ = _dates(applied)
    days = _rates_by_day(session, actor, applied, denials_only=True)
    cells = _denial_cells(session, actor, applied)

    providers = _summed(cells, lambda cell: cell.provider_id)
    names = _provider_labels(session, actor, list(providers))
    procedures = _summed(cells, lambda cell: cell.procedure)
    places = _summed(cells, lambda cell: cell.place_of_service)
    by_practice: list[DenialGroup] = []
    if actor.is_plan_staff:
        practices = _summed(cells, lambda cell: cell.practice_id)
        practice_names = dict(
            session.exec(
                select(col(Practice.id), col(Practice.name)).where(
                    col(Practice.id).in_(list(practices))
                )
            ).all()
        )
        by_practice = [
            _group(
                str(practice_id),
                practice_names.get(practice_id, f"Practice {practice_id}"),
                practices[practice_id],
                replace(applied, practice_id=practice_id),
            )
            for practice_id in _ranked(practices)
        ]
    return DenialBreakdown(
        service_from=start,
        service_to=end,
        by_carc=_by_carc(
            applied,
            _carc_tallies(session, actor, applied),
            _period(days).tally,
            TOP_DENIAL_REASONS,
        ),
        by_month=_by_month(applied, days),
        by_provider=[
            _group(
                str(provider_id),
                names.get(provider_id, f"Provider {provider_id}"),
                providers[provider_id],
                replace(applied, provider_ids=(provider_id,)),
            )
            for provider_id in _ranked(providers)
        ],
        by_procedure=[
            _group(code, _procedure_label(code), procedures[code], replace(applied, procedure=code))
            for code in _ranked(procedures)[:TOP_PROCEDURES]
        ],
        by_place_of_service=[
            _group(
                code,
                f"{code} · {PLACES_OF_SERVICE.get(code, 'Other place of service')}",
                places[code],
                replace(applied, place_of_service=code),
            )
            for code in _ranked(places)
        ],
        by_practice=by_practice,
    )


# --- The dashboard and the filter bar ---------------------------------------------------------


def dashboard(*, session: Session, actor: Actor, filters: ClaimFilters, today: date) -> Dashboard:
    """The manager's home in one session (one consistent snapshot when the caller's unit of
    work is one transaction): the KPIs, A/R aging, the denial trend and the top reasons, from
    four scans. The range's days give both the rates and the months; one A/R scan gives both
    the aging and the receivables of days in A/R."""
    actor.require(Area.DASHBOARDS)
    applied = applied_filters(filters, today)
    days = _rates_by_day(session, actor, applied)
    period = _period(days)
    owed = _owed_by_day(session, actor, applied, today)
    return Dashboard(
        filters=applied,
        kpis=_kpi_summary(
            applied, period, sum(owed.values(), _Owed()), _charges(session, actor, applied)
        ),
        aging=_aging(applied, owed),
        denials_by_month=_by_month(applied, days),
        top_denial_reasons=_by_carc(
            applied,
            _carc_tallies(session, actor, applied),
            period.tally,
            DASHBOARD_DENIAL_REASONS,
        ),
    )


def report_options(*, session: Session, actor: Actor) -> ReportOptions:
    """What the filter bar offers the caller: their own providers and locations (plan staff:
    every practice's, labelled with the practice), the plan's products, and for plan staff the
    practices."""
    actor.require(Area.DASHBOARDS)
    plan_wide = actor.is_plan_staff
    practice_names: dict[int, str] = {}
    if plan_wide:
        practice_names = {
            practice.id or 0: practice.name
            for practice in session.exec(select(Practice).order_by(col(Practice.name))).all()
        }

    def with_practice(label: str, practice_id: int) -> str:
        return f"{label} · {practice_names[practice_id]}" if plan_wide else label

    providers = sorted(
        session.exec(scoped(Provider, actor)).all(),
        key=lambda p: (practice_names.get(p.practice_id, ""), p.last_name, p.first_name, p.id or 0),
    )
    locations = sorted(
        session.exec(scoped(Location, actor)).all(),
        key=lambda loc: (practice_names.get(loc.practice_id, ""), loc.name, loc.id or 0),
    )
    products = session.exec(
        select(BenefitPlan.product).distinct().order_by(col(BenefitPlan.product))
    ).all()
    return ReportOptions(
        practices=[Choice(str(practice_id), name) for practice_id, name in practice_names.items()],
        providers=[
            Choice(str(p.id), with_practice(p.display_name, p.practice_id)) for p in providers
        ],
        locations=[
            Choice(str(loc.id), with_practice(loc.name, loc.practice_id)) for loc in locations
        ],
        products=[Choice(product, product) for product in products],
    )
