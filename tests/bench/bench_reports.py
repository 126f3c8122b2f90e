"""The revenue-cycle reports' server time at a million claims (goal p95 <= 100 ms per query for
a practice): each report the dashboard, the denial analysis and the A/R aging ask for, and each
SQL aggregate ("query:") they are made of, for the largest practice and for plan staff, with
the filter combinations the pages offer.

The baseline, measured in the same run, is what the reports must never do: load the same
claims' rows into Python (one SELECT of the columns the aggregates read, over the same scope
and filters) and add them up there. The figure printed next to each query is its p95 over the
baseline's p95 (under 1 means the SQL aggregate is faster than merely fetching the rows). They
measure and print; they never assert a time. Run: make bench."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain import revenue_cycle
from domain.claim_filters import AgeBucket, ClaimFilters, Cohort, Owed
from domain.claim_queries import claim_criteria, claim_totals
from domain.claims import Claim
from domain.revenue_cycle import (
    aging_report,
    applied_filters,
    dashboard,
    denial_breakdown,
    report_kpis,
    report_options,
)
from domain.roles import Role
from domain.scope import Actor, within_scope
from tests.bench.million import AS_OF, CLAIMS, largest_practice, million_claims, p95, percentiles

RUNS = 20


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    bench_engine = million_claims()
    yield bench_engine
    bench_engine.dispose()


def _filter_sets(session: Session, practice_id: int, rng: random.Random) -> list[ClaimFilters]:
    """What a manager picks: 3, 6 or 12 months, sometimes one or two providers or a product."""
    providers = [
        int(row[0])
        for row in session.execute(
            text("SELECT DISTINCT rendering_provider_id FROM claim WHERE practice_id = :p"),
            {"p": practice_id},
        ).all()
    ]
    sets = []
    for _ in range(RUNS):
        months = rng.choice((3, 6, 12, 12))
        filters = ClaimFilters(
            service_from=AS_OF - timedelta(days=months * 30), service_to=AS_OF, as_of=AS_OF
        )
        draw = rng.random()
        if draw < 0.25:
            filters = replace(filters, provider_ids=tuple(sorted(rng.sample(providers, 2))))
        elif draw < 0.4:
            filters = replace(filters, products=("PPO",))
        sets.append(filters)
    return sets


def _baseline(session: Session, actor: Actor, filters: ClaimFilters) -> Callable[[], object]:
    """Fetch the rows the KPIs and breakdowns aggregate and add them up in Python."""
    columns = (
        Claim.finalized_at,
        Claim.initially_denied,
        Claim.ever_rejected,
        Claim.ever_pended,
        Claim.total_charge,
        Claim.denial_carc,
        Claim.paid_amount,
        Claim.patient_paid_amount,
        Claim.contractual_amount,
    )
    query = within_scope(select(*columns), Claim, actor).where(
        *claim_criteria(applied_filters(filters, AS_OF))
    )

    def run() -> object:
        adjudicated = denied = 0
        billed = Decimal(0)
        for row in session.exec(query).all():
            if row[0] is not None:
                adjudicated += 1
                if row[1]:
                    denied += 1
                    billed += row[4]
        return adjudicated, denied, billed

    return run


def _time(session: Session, action: Callable[[], object]) -> float:
    mark = time.perf_counter()
    action()
    elapsed = (time.perf_counter() - mark) * 1000
    session.rollback()
    return elapsed


@pytest.mark.parametrize("who", ["practice", "plan"])
def test_report_server_time(engine: Engine, who: str) -> None:
    rng = random.Random(5)
    with Session(engine) as session:
        practice_id, practice_claims = largest_practice(session)
        if who == "practice":
            actor = Actor(
                user_id=1, practice_id=practice_id, roles=frozenset({Role.PRACTICE_ADMIN})
            )
        else:
            actor = Actor(user_id=1, practice_id=None, roles=frozenset({Role.PLAN_ADMIN}))
        sets = _filter_sets(session, practice_id, rng)
        today = AS_OF

        def each(query: Callable[..., Any]) -> list[Callable[[], object]]:
            return [
                lambda filters=filters: query(
                    session=session, actor=actor, filters=filters, today=today
                )
                for filters in sets
            ]

        drill = [replace(filters, cohort=Cohort.DENIED) for filters in sets[: RUNS // 2]] + [
            replace(filters, owed=Owed.PLAN, age=rng.choice(list(AgeBucket)))
            for filters in sets[RUNS // 2 :]
        ]
        # The SQL aggregates the reports are made of, one statement (or two, for A/R) each.
        applied = [applied_filters(filters, today) for filters in sets]
        queries: dict[str, list[Callable[[], object]]] = {
            "  query: rates by day over the range": [
                lambda f=f: revenue_cycle._rates_by_day(session, actor, f) for f in applied
            ],
            "  query: A/R by day (open claims + remitted since)": [
                lambda f=f: revenue_cycle._owed_by_day(session, actor, f, today) for f in applied
            ],
            "  query: charges of the 90 days before as-of": [
                lambda f=f: revenue_cycle._charges(session, actor, f) for f in applied
            ],
            "  query: denials by CARC": [
                lambda f=f: revenue_cycle._carc_tallies(session, actor, f) for f in applied
            ],
            "  query: procedure/provider/place cells": [
                lambda f=f: revenue_cycle._denial_cells(session, actor, f) for f in applied
            ],
        }
        cases: dict[str, list[Callable[[], object]]] = {
            "KPIs (5 rates + days in A/R)": each(report_kpis),
            "A/R aging (5 buckets x 2 parties)": each(aging_report),
            "denial breakdown (6 dimensions)": each(denial_breakdown),
            "whole dashboard (KPIs, aging, trend, reasons)": each(dashboard),
            "filter options": [lambda: report_options(session=session, actor=actor) for _ in sets],
            "drill-down totals (denied; an aging cell)": [
                lambda filters=filters: claim_totals(
                    session=session, actor=actor, filters=applied_or_drill(filters)
                )
                for filters in drill
            ],
            **queries,
        }
        baseline_runs = [_baseline(session, actor, filters) for filters in sets]
        for run in baseline_runs[:2]:
            run()  # warm the page cache like the cases below
        baseline = [_time(session, run) for run in baseline_runs]
        lines = []
        worst = 0.0
        for name, actions in cases.items():
            actions[0]()
            session.rollback()
            samples = [_time(session, action) for action in actions]
            worst = max(worst, p95(samples))
            lines.append(
                f"  {name:<50} {percentiles(samples)}  ({p95(samples) / p95(baseline):.2f}x)"
            )
    scope = f"practice of {practice_claims:,} claims" if who == "practice" else "plan staff (all)"
    print(
        f"\n[bench] reports, {CLAIMS:,}-claim database, {scope}, {RUNS} filter sets "
        f"(3-12 months, some by provider or product)\n"
        f"  baseline (the same claims' rows fetched into Python and summed): "
        f"{percentiles(baseline)}\n" + "\n".join(lines) + f"\n  worst p95 {worst:.0f} ms vs "
        f"the 100 ms goal: {worst / 100:.2f} of the budget"
    )


def applied_or_drill(filters: ClaimFilters) -> ClaimFilters:
    """A drill-down link carries the applied report filters plus its own keys."""
    applied = replace(
        applied_filters(filters, AS_OF),
        cohort=filters.cohort,
        owed=filters.owed,
        age=filters.age,
        as_of=AS_OF,
    )
    if filters.owed is not None:  # an aging cell: A/R is not narrowed by date of service
        applied = replace(applied, service_from=None, service_to=None)
    return applied
