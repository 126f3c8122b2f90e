"""The claim sets the revenue-cycle figures count (domain.claim_cohorts) on SQLite and
PostgreSQL: which edge claims each cohort holds, and what a claim owes the plan and the patient
at the end of each day of its life (submitted, adjudicated, remitted, voided)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.claim_cohorts import (
    a_claim_for_service,
    in_bucket,
    in_cohort,
    may_owe,
    owed_amount,
    owed_criterion,
)
from domain.claim_filters import AgeBucket, ClaimFilters, Cohort, Owed
from domain.claim_queries import claim_totals
from domain.claims import Claim, ClaimStatus, FrequencyCode
from domain.types import money_sum
from tests.factories import ReportPractice, make_report_claim, make_report_practices, noon


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def practice(db: Session) -> ReportPractice:
    return make_report_practices(db, count=1)[0]


SERVICE = date(2026, 3, 1)


def finalized(
    outcome: ClaimStatus, on: date, *, remitted_on: date | None = None, **fields: Any
) -> dict[str, Any]:
    """The columns of a claim adjudicated with `outcome` on `on` (remitted if `remitted_on`)."""
    values: dict[str, Any] = {
        "status": ClaimStatus.REMITTED if remitted_on else outcome,
        "finalized_at": noon(on),
        "finalized_as": outcome,
        "remitted_on": remitted_on,
        "initially_denied": outcome is ClaimStatus.DENIED,
    }
    values.update(fields)
    return values


def edge_claims(db: Session, practice: ReportPractice) -> dict[str, Claim]:
    day = date(2026, 3, 20)
    make = make_report_claim
    return {
        "received": make(db, practice, service=SERVICE),
        "draft": make(db, practice, service=SERVICE, status=ClaimStatus.DRAFT, submitted_at=None),
        "rejected": make(
            db, practice, service=SERVICE, status=ClaimStatus.REJECTED, ever_rejected=True
        ),
        "pended, now in process": make(
            db, practice, service=SERVICE, status=ClaimStatus.IN_PROCESS, ever_pended=True
        ),
        "paid first pass": make(db, practice, service=SERVICE, **finalized(ClaimStatus.PAID, day)),
        "paid after a pend": make(
            db, practice, service=SERVICE, ever_pended=True, **finalized(ClaimStatus.PAID, day)
        ),
        "paid after a rejection": make(
            db, practice, service=SERVICE, ever_rejected=True, **finalized(ClaimStatus.PAID, day)
        ),
        "denied first pass": make(
            db, practice, service=SERVICE, **finalized(ClaimStatus.DENIED, day, denial_carc="197")
        ),
        # Denied at first, paid once appealed: still an initial denial.
        "denied then paid": make(
            db,
            practice,
            service=SERVICE,
            **finalized(ClaimStatus.PAID, day, remitted_on=day, initially_denied=True),
        ),
        "remitted": make(
            db, practice, service=SERVICE, **finalized(ClaimStatus.PAID, day, remitted_on=day)
        ),
        "remitted then voided": make(
            db,
            practice,
            service=SERVICE,
            **finalized(ClaimStatus.PAID, day, remitted_on=day, status=ClaimStatus.VOIDED),
        ),
        "replacement paid": make(
            db,
            practice,
            service=SERVICE,
            frequency_code=FrequencyCode.REPLACEMENT,
            **finalized(ClaimStatus.PAID, day, remitted_on=day),
        ),
        # A void request carrying every flag: it is not a claim for service, so no set has it.
        "void request": make(
            db,
            practice,
            service=SERVICE,
            frequency_code=FrequencyCode.VOID,
            ever_rejected=True,
            **finalized(ClaimStatus.DENIED, day, remitted_on=day, status=ClaimStatus.VOIDED),
        ),
    }


EXPECTED_COHORTS: dict[Cohort, set[str]] = {
    Cohort.DECIDED: {
        "rejected",
        "paid first pass",
        "paid after a pend",
        "paid after a rejection",
        "denied first pass",
        "denied then paid",
        "remitted",
        "remitted then voided",
        "replacement paid",
    },
    Cohort.ADJUDICATED: {
        "paid first pass",
        "paid after a pend",
        "paid after a rejection",
        "denied first pass",
        "denied then paid",
        "remitted",
        "remitted then voided",
        "replacement paid",
    },
    Cohort.DENIED: {"denied first pass", "denied then paid"},
    Cohort.CLEAN: {
        "paid first pass",
        "paid after a pend",
        "remitted",
        "remitted then voided",
        "replacement paid",
    },
    Cohort.FIRST_PASS: {
        "paid first pass",
        "denied first pass",
        "denied then paid",
        "remitted",
        "remitted then voided",
        "replacement paid",
    },
    Cohort.REMITTED: {"denied then paid", "remitted", "replacement paid"},
}


@pytest.mark.parametrize("cohort", list(Cohort))
def test_each_cohort_holds_exactly_its_edge_claims(
    db: Session, practice: ReportPractice, cohort: Cohort
) -> None:
    claims = edge_claims(db, practice)
    names = {claim.id: name for name, claim in claims.items()}
    members = db.exec(select(Claim.id).where(in_cohort(cohort))).all()
    assert {names[claim_id] for claim_id in members} == EXPECTED_COHORTS[cohort]
    # The shorter term for scans that leave void requests out first is the same set there.
    shorter = in_cohort(cohort, voids_excluded=True)
    assert set(db.exec(select(Claim.id).where(a_claim_for_service(), shorter)).all()) == set(
        members
    )
    # The claim list's cohort filter is the same set.
    listed = claim_totals(session=db, actor=practice.actor, filters=ClaimFilters(cohort=cohort))
    assert listed.count == len(EXPECTED_COHORTS[cohort])


# --- Owed over a claim's life ---------------------------------------------------------------


def owed(db: Session, claim: Claim, as_of: date) -> tuple[Decimal, Decimal]:
    plan, patient = db.exec(
        select(
            money_sum(owed_amount(Owed.PLAN, as_of)), money_sum(owed_amount(Owed.PATIENT, as_of))
        ).where(Claim.id == claim.id)
    ).one()
    return plan, patient


def a_life(db: Session, practice: ReportPractice) -> Claim:
    """Billed $100.00, submitted 2 March at 10:00, adjudicated 20 March (plan approves $80.00,
    the patient owes $20.00 and pays $5.00), paid by an 835 dated 27 March."""
    return make_report_claim(
        db,
        practice,
        service=SERVICE,
        charge="100.00",
        submitted_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        **finalized(
            ClaimStatus.PARTIALLY_PAID,
            date(2026, 3, 20),
            remitted_on=date(2026, 3, 27),
            paid_amount=Decimal("80.00"),
            patient_responsibility=Decimal("20.00"),
            patient_paid_amount=Decimal("5.00"),
        ),
    )


@pytest.mark.parametrize(
    ("as_of", "plan", "patient"),
    [
        (date(2026, 3, 1), "0.00", "0.00"),  # not submitted yet
        (date(2026, 3, 2), "100.00", "0.00"),  # submitted that day: the plan owes the charge
        (date(2026, 3, 19), "100.00", "0.00"),
        (date(2026, 3, 20), "80.00", "15.00"),  # adjudicated: the approved payment
        (date(2026, 3, 26), "80.00", "15.00"),
        (date(2026, 3, 27), "0.00", "15.00"),  # the 835 is dated that day
        (date(2027, 1, 1), "0.00", "15.00"),
    ],
)
def test_what_a_claim_owes_each_party_on_each_day_of_its_life(
    db: Session, practice: ReportPractice, as_of: date, plan: str, patient: str
) -> None:
    claim = a_life(db, practice)
    assert owed(db, claim, as_of) == (Decimal(plan), Decimal(patient))


@pytest.mark.parametrize(
    ("fields", "as_of", "plan", "patient"),
    [
        # Denied: the plan owes nothing once it has answered, even before the 835.
        (
            finalized(ClaimStatus.DENIED, date(2026, 3, 10), patient_responsibility=Decimal(0)),
            date(2026, 3, 12),
            "0.00",
            "0.00",
        ),
        (finalized(ClaimStatus.DENIED, date(2026, 3, 10)), date(2026, 3, 9), "100.00", "0.00"),
        # With the practice to correct, or never sent: owed by no one.
        ({"status": ClaimStatus.REJECTED, "ever_rejected": True}, date(2026, 3, 12), "0", "0"),
        ({"status": ClaimStatus.DRAFT, "submitted_at": None}, date(2026, 3, 12), "0", "0"),
        # Voided after its 835: the patient owes nothing any more.
        (
            finalized(
                ClaimStatus.PAID,
                date(2026, 3, 10),
                remitted_on=date(2026, 3, 11),
                status=ClaimStatus.VOIDED,
                paid_amount=Decimal("70.00"),
                patient_responsibility=Decimal("30.00"),
            ),
            date(2026, 3, 12),
            "0.00",
            "0.00",
        ),
        # A void request owes nothing, whatever it carries.
        (
            {
                "frequency_code": FrequencyCode.VOID,
                "status": ClaimStatus.IN_PROCESS,
                "patient_responsibility": Decimal("30.00"),
            },
            date(2026, 3, 12),
            "0.00",
            "0.00",
        ),
    ],
)
def test_who_owes_nothing(
    db: Session,
    practice: ReportPractice,
    fields: dict[str, Any],
    as_of: date,
    plan: str,
    patient: str,
) -> None:
    claim = make_report_claim(db, practice, service=SERVICE, **fields)
    assert owed(db, claim, as_of) == (Decimal(plan), Decimal(patient))


def test_may_owe_holds_every_claim_that_owes(db: Session, practice: ReportPractice) -> None:
    """may_owe only prunes: over the edge claims and a claim's life, on every day around its
    events, no claim owing a balance is left out by it."""
    claims = [*edge_claims(db, practice).values(), a_life(db, practice)]
    ids = [claim.id for claim in claims]
    for day in range(1, 31):
        as_of = date(2026, 3, day)
        for party in Owed:
            owing = set(
                db.exec(
                    select(Claim.id).where(col(Claim.id).in_(ids), owed_amount(party, as_of) > 0)
                ).all()
            )
            kept = set(
                db.exec(
                    select(Claim.id).where(
                        col(Claim.id).in_(ids), owed_criterion(party, as_of, None)
                    )
                ).all()
            )
            assert owing == kept, (as_of, party)
            assert owing <= set(db.exec(select(Claim.id).where(may_owe(as_of))).all())


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (0, AgeBucket.CURRENT),
        (30, AgeBucket.CURRENT),
        (31, AgeBucket.DAYS_31_60),
        (60, AgeBucket.DAYS_31_60),
        (61, AgeBucket.DAYS_61_90),
        (90, AgeBucket.DAYS_61_90),
        (91, AgeBucket.DAYS_91_120),
        (120, AgeBucket.DAYS_91_120),
        (121, AgeBucket.OVER_120),
    ],
)
def test_the_sql_bucket_of_a_date_of_service_is_its_age_bucket(
    db: Session, practice: ReportPractice, age: int, bucket: AgeBucket
) -> None:
    as_of = date(2026, 6, 30)
    claim = make_report_claim(db, practice, service=date.fromordinal(as_of.toordinal() - age))
    holding = [
        candidate
        for candidate in AgeBucket
        if db.exec(select(Claim.id).where(Claim.id == claim.id, in_bucket(candidate, as_of))).all()
    ]
    assert holding == [bucket] == [AgeBucket.of_age(age)]
