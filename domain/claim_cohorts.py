"""The sets of claims the revenue-cycle figures count, each written once in SQL and once in
words. The reports aggregate over these expressions and the claim list filters by the very same
ones, so a drill-down always lists exactly the claims behind the number it came from.

Conventions (the "Definitions" panel of every report shows them):
- A void request (frequency 8) is not a claim for service: every set leaves it out. A
  replacement (7) is a claim in its own right and counts like an original.
- Dates: the rates and denial breakdowns group claims by date of service; A/R is taken at the
  end of the as-of day (UTC) and aged by days since the date of service.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, not_, or_
from sqlmodel import col

from domain.claim_filters import AgeBucket, Cohort, Owed
from domain.claims import Claim, ClaimStatus, FrequencyCode


def a_claim_for_service() -> ColumnElement[bool]:
    return col(Claim.frequency_code) != FrequencyCode.VOID


def _adjudicated() -> ColumnElement[bool]:
    return col(Claim.finalized_at).is_not(None)


def in_cohort(cohort: Cohort, *, voids_excluded: bool = False) -> ColumnElement[bool]:
    """The WHERE term for one cohort (void requests are always out). `voids_excluded`: the
    statement's WHERE already leaves them out (a_claim_for_service()), so the term need not
    test it again, which saves a fifth of a report scan that counts several cohorts."""
    adjudicated = _adjudicated()
    term: ColumnElement[bool]
    if cohort is Cohort.DECIDED:
        term = or_(adjudicated, col(Claim.ever_rejected))
    elif cohort is Cohort.ADJUDICATED:
        term = adjudicated
    elif cohort is Cohort.DENIED:
        term = and_(adjudicated, col(Claim.initially_denied))
    elif cohort is Cohort.CLEAN:
        term = and_(adjudicated, not_(col(Claim.ever_rejected)), not_(col(Claim.initially_denied)))
    elif cohort is Cohort.FIRST_PASS:
        term = and_(adjudicated, not_(col(Claim.ever_rejected)), not_(col(Claim.ever_pended)))
    else:  # REMITTED
        term = and_(col(Claim.remitted_on).is_not(None), col(Claim.status) != ClaimStatus.VOIDED)
    return term if voids_excluded else and_(a_claim_for_service(), term)


COHORT_DEFINITIONS: dict[Cohort, str] = {
    Cohort.DECIDED: "Claims the plan has answered: rejected by the front-end edits at least "
    "once, or adjudicated.",
    Cohort.ADJUDICATED: "Claims the plan has adjudicated (paid, partially paid or denied), "
    "whether or not the payment has been sent yet.",
    Cohort.DENIED: "Adjudicated claims denied in whole at their first adjudication, whatever "
    "happened after (appeal, replacement).",
    Cohort.CLEAN: "Adjudicated claims accepted on their first submission (never rejected by "
    "the front-end edits) and not denied.",
    Cohort.FIRST_PASS: "Adjudicated claims that went through with no rework: never rejected, "
    "never pended for a person to review.",
    Cohort.REMITTED: "Claims an 835 has settled (paid or denied) and that were not voided "
    "afterwards.",
}


# --- A/R as of a day -------------------------------------------------------------------------


def end_of(day: date) -> datetime:
    """The first instant after `day` (UTC): "as of D" means everything stamped before this."""
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=UTC)


def owed_amount(owed: Owed, as_of: date) -> ColumnElement[Any]:
    """What the claim was owed by `owed` at the end of `as_of`, in Money's stored cents.

    The plan owes the billed charge from submission until it adjudicates, then the approved
    payment until the 835 that carries it (a claim with the practice again, being corrected,
    is owed by no one). The patient owes their responsibility less what they paid from
    adjudication on; patient payments carry no date, so a past as-of day counts them as paid
    already (the balance can only be understated), and a voided claim owes nothing."""
    cutoff = end_of(as_of)
    if owed is Owed.PLAN:
        return case(
            (col(Claim.frequency_code) == FrequencyCode.VOID, literal(0)),
            (or_(col(Claim.submitted_at).is_(None), col(Claim.submitted_at) >= cutoff), literal(0)),
            (col(Claim.status).in_((ClaimStatus.DRAFT, ClaimStatus.REJECTED)), literal(0)),
            (
                or_(col(Claim.finalized_at).is_(None), col(Claim.finalized_at) >= cutoff),
                col(Claim.total_charge),
            ),
            (
                or_(col(Claim.remitted_on).is_(None), col(Claim.remitted_on) > as_of),
                col(Claim.paid_amount),
            ),
            else_=literal(0),
        )
    return case(
        (
            and_(
                col(Claim.frequency_code) != FrequencyCode.VOID,
                col(Claim.status) != ClaimStatus.VOIDED,
                col(Claim.finalized_at) < cutoff,
                col(Claim.patient_responsibility) > col(Claim.patient_paid_amount),
            ),
            col(Claim.patient_responsibility) - col(Claim.patient_paid_amount),
        ),
        else_=literal(0),
    )


def may_owe(as_of: date) -> ColumnElement[bool]:
    """True for every claim that owes anyone a balance at the end of `as_of` (owed_amount > 0
    for either party implies it), and false for the many settled long before: not finalized
    by then, not remitted by then, or a patient balance left. Tested ahead of owed_amount, it
    spares that CASE on most claims (about half the time of an A/R scan)."""
    cutoff = end_of(as_of)
    return or_(
        col(Claim.finalized_at).is_(None),
        col(Claim.finalized_at) >= cutoff,
        col(Claim.remitted_on).is_(None),
        col(Claim.remitted_on) > as_of,
        col(Claim.patient_responsibility) > col(Claim.patient_paid_amount),
    )


def open_now() -> ColumnElement[bool]:
    """Not adjudicated, not yet paid by an 835, or a patient balance left: about one claim in
    six, where all of today's A/R is. The partial index ix_claim_open holds exactly these
    (domain.claims.OPEN_NOW_SQL); SQLite uses a partial index only for a query whose WHERE
    carries its predicate as written, so keep the three terms and their order the same."""
    return or_(
        col(Claim.finalized_at).is_(None),
        col(Claim.remitted_on).is_(None),
        col(Claim.patient_responsibility) > col(Claim.patient_paid_amount),
    )


def settled_since(as_of: date) -> ColumnElement[bool]:
    """Claims closed today that were still owed by the plan at the end of `as_of`: remitted
    after it (a claim is remitted on or after the day it is adjudicated, so one adjudicated
    after `as_of` is among them). With open_now() they hold every claim may_owe(as_of) holds,
    through two small index ranges instead of a scan of the practice."""
    return and_(not_(open_now()), col(Claim.remitted_on) > as_of)


def service_dates_of(bucket: AgeBucket, as_of: date) -> tuple[date | None, date]:
    """The dates of service whose age on `as_of` falls in `bucket` (None: no earliest)."""
    low, high = bucket.days
    latest = as_of - timedelta(days=low)
    earliest = None if high is None else as_of - timedelta(days=high)
    return earliest, latest


def in_bucket(bucket: AgeBucket, as_of: date) -> ColumnElement[bool]:
    earliest, latest = service_dates_of(bucket, as_of)
    term = col(Claim.service_date_from) <= latest
    return term if earliest is None else and_(col(Claim.service_date_from) >= earliest, term)


def owed_criterion(owed: Owed, as_of: date, bucket: AgeBucket | None) -> ColumnElement[bool]:
    """Claims owing `owed` a balance at the end of `as_of` (in one age bucket, when given)."""
    term = and_(may_owe(as_of), owed_amount(owed, as_of) > 0)
    if bucket is not None:
        term = and_(term, in_bucket(bucket, as_of))
    return term
