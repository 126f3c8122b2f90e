"""The revenue-cycle reports on SQLite and PostgreSQL: every KPI, the A/R aging and the denial
breakdowns against figures worked out by hand from claims built field by field (an empty
period, one without denials, one of denials only, aging at each bucket boundary and as of a
past day, a void request, another practice), and the drill-down promise on those claims and on
the demo: the claim list of any figure adds up to the figure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.claim_filters import AgeBucket, ClaimFilters, Cohort, Owed
from domain.claim_queries import claim_totals
from domain.claims import Claim, ClaimStatus, FrequencyCode
from domain.codes import PROCEDURES_BY_CODE
from domain.practice_worklists import open_receivables
from domain.practices import Practice
from domain.revenue_cycle import (
    AgingReport,
    Dashboard,
    DenialBreakdown,
    DenialGroup,
    KpiSummary,
    aging_report,
    dashboard,
    denial_breakdown,
    report_kpis,
    report_options,
)
from domain.roles import Role
from domain.scope import Actor, NotAuthorized
from tests.factories import (
    EXAMINER,
    ReportPractice,
    biller,
    make_report_claim,
    make_report_practices,
    noon,
)

D = date(2026, 6, 30)  # "today" and the as-of day of the hand-computed fixture
RANGE = ClaimFilters(service_from=date(2026, 4, 1), service_to=D)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def practices(db: Session) -> list[ReportPractice]:
    return make_report_practices(db, count=2)


def finalized(
    outcome: ClaimStatus, on: date, *, remitted_on: date | None = None, **fields: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": ClaimStatus.REMITTED if remitted_on else outcome,
        "finalized_at": noon(on),
        "finalized_as": outcome,
        "remitted_on": remitted_on,
        "initially_denied": outcome is ClaimStatus.DENIED,
    }
    values.update(fields)
    return values


def money(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def claims(db: Session, practices: list[ReportPractice]) -> dict[str, Claim]:
    """Practice 1's claims (the figures below are worked out from these) and two of practice
    2's, which must never show in practice 1's figures."""
    a, b = practices

    def make(**fields: Any) -> Claim:
        return make_report_claim(db, a, **fields)

    built = {
        "paid clean": make(
            service=date(2026, 4, 10),
            charge="200.00",
            **finalized(
                ClaimStatus.PAID,
                date(2026, 4, 20),
                remitted_on=date(2026, 5, 1),
                paid_amount=money("120.00"),
                contractual_amount=money("50.00"),
                patient_responsibility=money("30.00"),
                patient_paid_amount=money("30.00"),
            ),
        ),
        "denied 197": make(
            service=date(2026, 4, 20),
            charge="300.00",
            procedure="93306",
            provider=1,
            place_of_service="22",
            **finalized(
                ClaimStatus.DENIED,
                date(2026, 4, 28),
                remitted_on=date(2026, 5, 15),
                denial_carc="197",
            ),
        ),
        "pended, paid": make(
            service=date(2026, 5, 5),
            charge="500.00",
            procedure="99214",
            provider=1,
            ever_pended=True,
            **finalized(
                ClaimStatus.PAID,
                date(2026, 6, 20),
                paid_amount=money("400.00"),
                contractual_amount=money("60.00"),
                patient_responsibility=money("40.00"),
            ),
        ),
        "rejected, then partly paid": make(
            service=date(2026, 5, 10),
            charge="100.00",
            ever_rejected=True,
            **finalized(
                ClaimStatus.PARTIALLY_PAID,
                date(2026, 6, 10),
                remitted_on=date(2026, 6, 25),
                paid_amount=money("50.00"),
                contractual_amount=money("20.00"),
                patient_responsibility=money("30.00"),
                patient_paid_amount=money("10.00"),
            ),
        ),
        "rejected": make(
            service=date(2026, 6, 1),
            charge="150.00",
            status=ClaimStatus.REJECTED,
            ever_rejected=True,
        ),
        "in process": make(
            service=date(2026, 6, 20), charge="250.00", status=ClaimStatus.IN_PROCESS
        ),
        "draft": make(
            service=date(2026, 6, 25), charge="80.00", status=ClaimStatus.DRAFT, submitted_at=None
        ),
        # Carries every flag a figure could count: a void request never counts anywhere.
        "void request": make(
            service=date(2026, 4, 10),
            charge="200.00",
            frequency_code=FrequencyCode.VOID,
            ever_rejected=True,
            **finalized(
                ClaimStatus.DENIED,
                date(2026, 4, 22),
                remitted_on=date(2026, 5, 1),
                status=ClaimStatus.VOIDED,
                denial_carc="197",
                patient_responsibility=money("30.00"),
            ),
        ),
        "old, paid, not remitted": make(
            service=date(2026, 1, 15),
            charge="90.00",
            **finalized(ClaimStatus.PAID, date(2026, 2, 20), paid_amount=money("90.00")),
        ),
        "remitted, then voided": make(
            service=date(2026, 5, 20),
            charge="120.00",
            **finalized(
                ClaimStatus.PAID,
                date(2026, 5, 25),
                remitted_on=date(2026, 5, 28),
                status=ClaimStatus.VOIDED,
                paid_amount=money("100.00"),
                patient_responsibility=money("20.00"),
            ),
        ),
        "denied 16": make(
            service=date(2026, 6, 5),
            charge="180.00",
            **finalized(ClaimStatus.DENIED, date(2026, 6, 15), denial_carc="16"),
        ),
        "other practice, denied": make_report_claim(
            db,
            b,
            service=date(2026, 5, 1),
            charge="700.00",
            **finalized(ClaimStatus.DENIED, date(2026, 5, 10), denial_carc="197"),
        ),
        "other practice, in process": make_report_claim(
            db, b, service=date(2026, 6, 10), charge="900.00", status=ClaimStatus.IN_PROCESS
        ),
    }
    db.commit()
    return built


def kpis_of(
    db: Session, actor: Actor, filters: ClaimFilters = RANGE, today: date = D
) -> KpiSummary:
    return report_kpis(session=db, actor=actor, filters=filters, today=today)


def test_every_kpi_by_hand(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    kpis = kpis_of(db, practices[0].actor)
    assert (kpis.service_from, kpis.service_to) == (date(2026, 4, 1), D)
    # Adjudicated in the range: paid clean 200, denied 197 300, pended 500, rejected-then-paid
    # 100, remitted-then-voided 120, denied 16 180 (the void request and the old claim are out).
    assert kpis.denial_rate_count.ratio.numerator == 2
    assert kpis.denial_rate_count.ratio.denominator == 6
    assert kpis.denial_rate_count.ratio.value == Decimal(2) / Decimal(6)
    assert kpis.denial_rate_dollars.ratio.numerator == Decimal("480.00")
    assert kpis.denial_rate_dollars.ratio.denominator == Decimal("1400.00")
    # Decided adds the claim that is still rejected; clean: paid clean, pended, voided later.
    assert (kpis.clean_claim_rate.ratio.numerator, kpis.clean_claim_rate.ratio.denominator) == (
        3,
        7,
    )
    # First pass: paid clean, denied 197, remitted-then-voided, denied 16.
    assert (kpis.first_pass_rate.ratio.numerator, kpis.first_pass_rate.ratio.denominator) == (4, 7)
    # Remitted and standing: paid clean (120 + 30 of 200 - 50), denied 197 (0 of 300),
    # rejected-then-paid (50 + 10 of 100 - 20).
    assert kpis.net_collection_rate.ratio.numerator == Decimal("210.00")
    assert kpis.net_collection_rate.ratio.denominator == Decimal("530.00")
    # A/R at the end of 30 June: the plan owes 400 (pended, paid, no 835 yet) + 250 (in
    # process) + 90 (the old claim: A/R ignores the range); patients owe 40 + 20.
    days = kpis.days_in_ar
    assert (days.plan_owed, days.patient_owed) == (Decimal("740.00"), Decimal("60.00"))
    assert days.receivables == Decimal("800.00")
    # Charges of 2 April - 30 June sent by then: everything in range but the draft and the void.
    assert days.charges == Decimal("1800.00")
    assert days.value == Decimal(40)
    assert days.as_of == D and days.window_days == 90
    for kpi in kpis.rates:
        assert kpi.definition and kpi.formula and kpi.benchmark


def test_an_empty_period_has_no_rates(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    quiet = ClaimFilters(service_from=date(2020, 1, 1), service_to=date(2020, 3, 31))
    kpis = kpis_of(db, practices[0].actor, quiet)
    for kpi in kpis.rates:
        assert kpi.ratio.numerator == 0 and kpi.ratio.denominator == 0
        assert kpi.ratio.value is None
    # As of the period's end nothing had been sent yet: no A/R and no charges either.
    quiet_then = replace(quiet, as_of=date(2020, 3, 31))
    days = kpis_of(db, practices[0].actor, quiet_then).days_in_ar
    assert (days.receivables, days.charges, days.value) == (Decimal(0), Decimal(0), None)
    breakdown = denial_breakdown(session=db, actor=practices[0].actor, filters=quiet, today=D)
    assert [group.key for group in breakdown.by_month] == ["2020-01", "2020-02", "2020-03"]
    assert all(group.denied == group.adjudicated == 0 for group in breakdown.by_month)
    assert breakdown.by_carc == breakdown.by_provider == breakdown.by_procedure == []
    assert breakdown.by_place_of_service == breakdown.by_practice == []


def test_a_period_without_denials(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    # 1-15 April: only the clean paid claim (and the void request, which does not count).
    kpis = kpis_of(
        db,
        practices[0].actor,
        ClaimFilters(service_from=date(2026, 4, 1), service_to=date(2026, 4, 15)),
    )
    assert kpis.denial_rate_count.ratio.value == Decimal(0)
    assert kpis.denial_rate_dollars.ratio == replace(
        kpis.denial_rate_dollars.ratio, numerator=Decimal(0), denominator=Decimal("200.00")
    )
    assert kpis.clean_claim_rate.ratio.value == Decimal(1)
    assert kpis.first_pass_rate.ratio.value == Decimal(1)
    assert kpis.net_collection_rate.ratio.value == Decimal("150.00") / Decimal("150.00")


def test_a_period_of_denials_only(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    kpis = kpis_of(
        db,
        practices[0].actor,
        ClaimFilters(service_from=date(2026, 4, 16), service_to=date(2026, 4, 30)),
    )
    assert (kpis.denial_rate_count.ratio.numerator, kpis.denial_rate_count.ratio.value) == (
        1,
        Decimal(1),
    )
    assert kpis.denial_rate_dollars.ratio.value == Decimal(1)
    assert kpis.clean_claim_rate.ratio.value == Decimal(0)
    assert kpis.first_pass_rate.ratio.value == Decimal(1)  # denied, but with no rework
    assert kpis.net_collection_rate.ratio.value == Decimal(0)


def figures(report: AgingReport) -> dict[AgeBucket, tuple[str, int, str, int]]:
    return {
        row.bucket: (
            str(row.plan.amount),
            row.plan.claims,
            str(row.patient.amount),
            row.patient.claims,
        )
        for row in report.rows
    }


def test_aging_by_hand(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    report = aging_report(session=db, actor=practices[0].actor, filters=RANGE, today=D)
    assert report.as_of == D
    assert [row.bucket for row in report.rows] == list(AgeBucket)
    assert figures(report) == {
        AgeBucket.CURRENT: ("250.00", 1, "0.00", 0),  # in process, 10 days old
        AgeBucket.DAYS_31_60: ("400.00", 1, "60.00", 2),  # 5 May (56 days), 10 May (51)
        AgeBucket.DAYS_61_90: ("0.00", 0, "0.00", 0),
        AgeBucket.DAYS_91_120: ("0.00", 0, "0.00", 0),
        AgeBucket.OVER_120: ("90.00", 1, "0.00", 0),  # 15 January, outside the range
    }
    assert (report.plan_total.amount, report.plan_total.claims) == (Decimal("740.00"), 3)
    assert (report.patient_total.amount, report.patient_total.claims) == (Decimal("60.00"), 2)
    assert report.total == Decimal("800.00")
    assert_aging_adds_up(db, practices[0].actor, report)


def test_aging_as_of_a_past_day(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    """On 15 June the pended claim was not yet adjudicated (20 June): the plan owed its whole
    charge. The rejected-then-paid claim was adjudicated (10 June) but not remitted (25 June):
    the plan owed its payment. The in-process claim was not sent yet (21 June)."""
    past = replace(RANGE, as_of=date(2026, 6, 15))
    report = aging_report(session=db, actor=practices[0].actor, filters=past, today=D)
    assert report.as_of == date(2026, 6, 15)
    assert figures(report) == {
        AgeBucket.CURRENT: ("0.00", 0, "0.00", 0),
        AgeBucket.DAYS_31_60: ("550.00", 2, "20.00", 1),  # 500 + 50; the patient's 20
        AgeBucket.DAYS_61_90: ("0.00", 0, "0.00", 0),
        AgeBucket.DAYS_91_120: ("0.00", 0, "0.00", 0),
        AgeBucket.OVER_120: ("90.00", 1, "0.00", 0),
    }
    assert_aging_adds_up(db, practices[0].actor, report)
    days = kpis_of(db, practices[0].actor, past).days_in_ar
    # Sent by 15 June with dates of service from 18 March: all but the in-process claim.
    assert days.receivables == Decimal("660.00")
    assert days.charges == Decimal("1550.00")
    assert days.value == Decimal("660.00") / (Decimal("1550.00") / 90)


def test_aging_buckets_at_their_boundaries(db: Session, practices: list[ReportPractice]) -> None:
    # One in-process claim per boundary age, each charge a power of two so every sum is unique.
    ages = [0, 30, 31, 60, 61, 90, 91, 120, 121]
    for index, age in enumerate(ages):
        make_report_claim(
            db,
            practices[0],
            service=D - timedelta(days=age),
            charge=f"{2**index}.00",
            status=ClaimStatus.IN_PROCESS,
            submitted_at=noon(D - timedelta(days=age)),
        )
    db.commit()
    report = aging_report(session=db, actor=practices[0].actor, filters=ClaimFilters(), today=D)
    assert {row.bucket: (str(row.plan.amount), row.plan.claims) for row in report.rows} == {
        AgeBucket.CURRENT: ("3.00", 2),  # 0 and 30 days
        AgeBucket.DAYS_31_60: ("12.00", 2),  # 31 and 60
        AgeBucket.DAYS_61_90: ("48.00", 2),  # 61 and 90
        AgeBucket.DAYS_91_120: ("192.00", 2),  # 91 and 120
        AgeBucket.OVER_120: ("256.00", 1),  # 121
    }
    assert_aging_adds_up(db, practices[0].actor, report)


def test_a_void_request_alone_counts_nowhere(db: Session, practices: list[ReportPractice]) -> None:
    make_report_claim(
        db,
        practices[0],
        service=date(2026, 6, 1),
        charge="500.00",
        frequency_code=FrequencyCode.VOID,
        ever_rejected=True,
        ever_pended=True,
        **finalized(
            ClaimStatus.DENIED,
            date(2026, 6, 5),
            status=ClaimStatus.IN_PROCESS,
            denial_carc="16",
            patient_responsibility=money("50.00"),
        ),
    )
    db.commit()
    actor = practices[0].actor
    board = dashboard(session=db, actor=actor, filters=RANGE, today=D)
    assert all(kpi.ratio.denominator == 0 for kpi in board.kpis.rates)
    assert board.kpis.days_in_ar.receivables == board.kpis.days_in_ar.charges == Decimal(0)
    assert board.aging.total == 0 and board.top_denial_reasons == []
    assert all(group.adjudicated == 0 for group in board.denials_by_month)


def test_another_practice_never_counts(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    a, b = practices
    # Practice 2 sees only its own two claims.
    theirs = dashboard(session=db, actor=b.actor, filters=RANGE, today=D)
    assert theirs.kpis.denial_rate_count.ratio == replace(
        theirs.kpis.denial_rate_count.ratio, numerator=Decimal(1), denominator=Decimal(1)
    )
    assert theirs.aging.plan_total.amount == Decimal("900.00")
    assert [(group.key, group.denied) for group in theirs.top_denial_reasons] == [("197", 1)]
    # Practice 1 asking for practice 2 by URL gets nothing, not practice 2's figures.
    probe = replace(RANGE, practice_id=b.practice_id)
    assert kpis_of(db, a.actor, probe).denial_rate_count.ratio.denominator == 0
    assert aging_report(session=db, actor=a.actor, filters=probe, today=D).total == 0
    # Plan staff see both, or one practice when they filter by it.
    both = kpis_of(db, EXAMINER)
    assert both.denial_rate_count.ratio.numerator == 3
    assert both.denial_rate_count.ratio.denominator == 7
    only_a = kpis_of(db, EXAMINER, replace(RANGE, practice_id=a.practice_id))
    assert only_a == kpis_of(db, a.actor, replace(RANGE, practice_id=a.practice_id))


def test_denial_breakdown_by_hand(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    a = practices[0]
    breakdown = denial_breakdown(session=db, actor=a.actor, filters=RANGE, today=D)

    def rows(groups: list[DenialGroup]) -> list[tuple[str, str, int, str, int, str]]:
        return [
            (
                group.key,
                group.label,
                group.denied,
                str(group.denied_billed),
                group.adjudicated,
                str(group.adjudicated_billed),
            )
            for group in groups
        ]

    assert rows(breakdown.by_month) == [
        ("2026-04", "Apr 2026", 1, "300.00", 2, "500.00"),
        ("2026-05", "May 2026", 0, "0.00", 3, "720.00"),
        ("2026-06", "Jun 2026", 1, "180.00", 1, "180.00"),
    ]
    # Against every adjudicated claim of the period; equal counts in code order.
    assert rows(breakdown.by_carc) == [
        ("16", "16 · Claim lacks information needed for adjudication", 1, "180.00", 6, "1400.00"),
        ("197", "197 · Precertification/authorization absent", 1, "300.00", 6, "1400.00"),
    ]
    ada, ben = a.provider_ids
    assert rows(breakdown.by_provider) == [
        (str(ada), "Ada Report1, MD", 1, "180.00", 4, "600.00"),
        (str(ben), "Ben Report1, MD", 1, "300.00", 2, "800.00"),
    ]
    assert rows(breakdown.by_procedure) == [
        ("99213", "99213 · Established patient visit, low complexity", 1, "180.00", 4, "600.00"),
        ("93306", "93306 · " + procedure_description("93306"), 1, "300.00", 1, "300.00"),
        (
            "99214",
            "99214 · Established patient visit, moderate complexity",
            0,
            "0.00",
            1,
            "500.00",
        ),
    ]
    assert rows(breakdown.by_place_of_service) == [
        ("11", "11 · Office", 1, "180.00", 5, "1100.00"),
        ("22", "22 · On campus outpatient hospital", 1, "300.00", 1, "300.00"),
    ]
    assert breakdown.by_practice == []
    assert_breakdown_adds_up(db, a.actor, breakdown)


def procedure_description(code: str) -> str:
    return PROCEDURES_BY_CODE[code].description


def test_plan_staff_see_denials_by_practice(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    breakdown = denial_breakdown(session=db, actor=EXAMINER, filters=RANGE, today=D)
    assert [(g.label, g.denied, g.adjudicated) for g in breakdown.by_practice] == [
        ("Report Practice 1", 2, 6),
        ("Report Practice 2", 1, 1),
    ]
    assert breakdown.by_provider[0].label.endswith(" · Report Practice 1")
    assert_breakdown_adds_up(db, EXAMINER, breakdown)


def test_the_dashboard_is_the_reports_together(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    actor = practices[0].actor
    board = dashboard(session=db, actor=actor, filters=RANGE, today=D)
    breakdown = denial_breakdown(session=db, actor=actor, filters=RANGE, today=D)
    assert board.filters == replace(RANGE, as_of=D)
    assert board.kpis == kpis_of(db, actor)
    assert board.aging == aging_report(session=db, actor=actor, filters=RANGE, today=D)
    assert board.denials_by_month == breakdown.by_month
    assert board.top_denial_reasons == breakdown.by_carc[:5]
    assert board.kpis.days_in_ar.receivables == board.aging.total
    assert_dashboard_adds_up(db, actor, board)


def test_home_tiles_agree_with_the_aging_to_the_cent(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    actor = practices[0].actor
    tiles = open_receivables(session=db, actor=actor, today=D)
    aging = aging_report(session=db, actor=actor, filters=ClaimFilters(), today=D)
    assert (tiles.plan_owed, tiles.plan_owed_claims) == (
        aging.plan_total.amount,
        aging.plan_total.claims,
    )
    assert (tiles.patient_owed, tiles.patient_owed_claims) == (
        aging.patient_total.amount,
        aging.patient_total.claims,
    )
    assert (tiles.plan_owed, tiles.patient_owed) == (Decimal("740.00"), Decimal("60.00"))


def test_report_options_offer_only_the_callers_own(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    a, b = practices
    mine = report_options(session=db, actor=a.actor)
    assert mine.practices == []
    assert [choice.value for choice in mine.providers] == [str(i) for i in a.provider_ids]
    assert [choice.label for choice in mine.providers] == ["Ada Report1, MD", "Ben Report1, MD"]
    assert [(choice.value, choice.label) for choice in mine.locations] == [
        (str(a.location_id), "Report Clinic 1")
    ]
    assert [choice.value for choice in mine.products] == ["HMO"]
    everyone = report_options(session=db, actor=EXAMINER)
    assert [(c.value, c.label) for c in everyone.practices] == [
        (str(a.practice_id), "Report Practice 1"),
        (str(b.practice_id), "Report Practice 2"),
    ]
    assert len(everyone.providers) == 4
    assert everyone.providers[0].label == "Ada Report1, MD · Report Practice 1"
    assert everyone.locations[1].label == "Report Clinic 2 · Report Practice 2"


@pytest.mark.parametrize("role", [Role.CLINICAL, Role.FRONT_DESK])
def test_roles_without_dashboards_are_refused(
    db: Session, practices: list[ReportPractice], role: Role
) -> None:
    actor = biller(practices[0].practice_id, role)
    for report in (report_kpis, aging_report, denial_breakdown, dashboard):
        with pytest.raises(NotAuthorized):
            report(session=db, actor=actor, filters=RANGE, today=D)
    with pytest.raises(NotAuthorized):
        report_options(session=db, actor=actor)


# --- The drill-down promise -----------------------------------------------------------------


def assert_group_adds_up(db: Session, actor: Actor, group: DenialGroup) -> None:
    denied = claim_totals(session=db, actor=actor, filters=group.denied_claims)
    adjudicated = claim_totals(session=db, actor=actor, filters=group.adjudicated_claims)
    assert (denied.count, denied.billed) == (group.denied, group.denied_billed), group.label
    assert (adjudicated.count, adjudicated.billed) == (
        group.adjudicated,
        group.adjudicated_billed,
    ), group.label


def assert_breakdown_adds_up(db: Session, actor: Actor, breakdown: DenialBreakdown) -> None:
    groups = [
        *breakdown.by_carc,
        *breakdown.by_month,
        *breakdown.by_provider,
        *breakdown.by_procedure,
        *breakdown.by_place_of_service,
        *breakdown.by_practice,
    ]
    for group in groups:
        assert_group_adds_up(db, actor, group)


def assert_aging_adds_up(db: Session, actor: Actor, report: AgingReport) -> None:
    cells = [cell for row in report.rows for cell in (row.plan, row.patient)]
    for cell in [*cells, report.plan_total, report.patient_total]:
        totals = claim_totals(session=db, actor=actor, filters=cell.filters)
        assert (totals.count, totals.owed) == (cell.claims, cell.amount), cell.filters
        assert cell.filters.as_of == report.as_of and cell.filters.service_from is None
    assert sum((row.plan.amount for row in report.rows), Decimal(0)) <= report.plan_total.amount


def assert_kpis_add_up(db: Session, actor: Actor, kpis: KpiSummary) -> None:
    for kpi in kpis.rates:
        for term, filters in (
            (kpi.ratio.numerator, kpi.numerator_claims),
            (kpi.ratio.denominator, kpi.denominator_claims),
        ):
            assert filters.cohort is not None and filters.service_from == kpis.service_from
            totals = claim_totals(session=db, actor=actor, filters=filters)
            if not kpi.totals_match:
                continue
            assert (totals.billed if kpi.in_dollars else totals.count) == term, kpi.key
    # The net collection rate's drill-down is the remitted claims behind both of its terms.
    rate = kpis.net_collection_rate
    assert rate.numerator_claims == rate.denominator_claims
    assert rate.numerator_claims.cohort is Cohort.REMITTED
    days = kpis.days_in_ar
    assert days.plan_owed_claims is not None and days.patient_owed_claims is not None
    plan = claim_totals(session=db, actor=actor, filters=days.plan_owed_claims)
    patient = claim_totals(session=db, actor=actor, filters=days.patient_owed_claims)
    assert (plan.owed, patient.owed) == (days.plan_owed, days.patient_owed)
    assert days.plan_owed_claims.owed is Owed.PLAN and days.plan_owed_claims.as_of == days.as_of


def assert_dashboard_adds_up(db: Session, actor: Actor, board: Dashboard) -> None:
    assert_kpis_add_up(db, actor, board.kpis)
    assert_aging_adds_up(db, actor, board.aging)
    for group in [*board.denials_by_month, *board.top_denial_reasons]:
        assert_group_adds_up(db, actor, group)


def test_every_hand_computed_figure_drills_down_to_its_claims(
    db: Session, practices: list[ReportPractice], claims: dict[str, Claim]
) -> None:
    for actor in (practices[0].actor, practices[1].actor, EXAMINER):
        for filters in (RANGE, replace(RANGE, as_of=date(2026, 6, 15))):
            board = dashboard(session=db, actor=actor, filters=filters, today=D)
            assert_dashboard_adds_up(db, actor, board)
            assert_breakdown_adds_up(
                db, actor, denial_breakdown(session=db, actor=actor, filters=filters, today=D)
            )


@pytest.fixture
def demo(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as session:
        yield session


def test_every_figure_on_the_demo_drills_down_to_its_claims(demo: Session) -> None:
    """The demo's practices over its 18 months: every figure of the dashboard, the denial
    breakdowns and the aging (today and a quarter ago, and narrowed by a provider and a
    product), for each practice and for plan staff, equals its claim list's totals."""
    today = demo.exec(select(func.max(Claim.service_date_from))).one()
    assert today is not None
    practice_ids = demo.exec(select(Practice.id).order_by(col(Practice.id))).all()
    actors = [biller(practice_id) for practice_id in practice_ids if practice_id] + [EXAMINER]
    checked = 0
    for actor in actors:
        some_provider = demo.exec(
            select(Claim.rendering_provider_id)
            .where(Claim.practice_id == (actor.practice_id or practice_ids[0]))
            .limit(1)
        ).one()
        for filters in (
            ClaimFilters(),
            ClaimFilters(
                as_of=today - timedelta(days=91), service_from=today - timedelta(days=200)
            ),
            ClaimFilters(provider_ids=(some_provider,), products=("PPO",)),
        ):
            board = dashboard(session=demo, actor=actor, filters=filters, today=today)
            assert board.kpis.denial_rate_count.ratio.denominator > 0 or filters.products
            assert_dashboard_adds_up(demo, actor, board)
            breakdown = denial_breakdown(session=demo, actor=actor, filters=filters, today=today)
            assert_breakdown_adds_up(demo, actor, breakdown)
            checked += len(breakdown.by_provider) + len(breakdown.by_month)
    assert checked > 50
