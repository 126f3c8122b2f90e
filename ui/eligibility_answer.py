"""An eligibility answer on screen: status and why, the member, each coverage with its benefits,
deductible and out-of-pocket, and the procedure lookup; the same view for a fresh check and a
kept one."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from nicegui import ui

from domain.codes import ServiceCategory
from domain.eligibility import (
    CategoryBenefit,
    CoverageAnswer,
    CoverageState,
    EligibilityAnswer,
    MetAndRemaining,
    ProcedureAnswer,
)
from interop.eligibility_csv import status_label
from ui.format import date_range, day, moment, money
from ui.theme import Heading
from ui.widgets import Column, card, data_table, fact

NO_MATCH = "No match"
ORDER_LABELS = {1: "Primary", 2: "Secondary", 3: "Tertiary"}
# Tone of each status word: green active, amber not yet, red otherwise, grey for a miss.
STATUS_TONES = {
    "Active": "active",
    "Not yet effective": "pending",
    "Terminated": "inactive",
    "No coverage": "inactive",
    NO_MATCH: "nomatch",
}

_CSS = """
.elig-status { display: inline-block; padding: 2px 10px; border-radius: 999px;
  font-size: 0.8rem; font-weight: 600; line-height: 1.35rem; white-space: nowrap; }
.elig-status.tone-active { background: #DCFCE7; color: #166534; }
.elig-status.tone-pending { background: #FEF3C7; color: #92400E; }
.elig-status.tone-inactive { background: #FEE2E2; color: #991B1B; }
.elig-status.tone-nomatch { background: #F3F4F6; color: #374151; }
.elig-banner { border-left-width: 6px; }
.elig-banner.tone-active { border-left-color: #15803D; }
.elig-banner.tone-pending { border-left-color: #B45309; }
.elig-banner.tone-inactive { border-left-color: #B91C1C; }
.elig-banner.tone-nomatch { border-left-color: #6B7280; }
.elig-verdict { font-size: 1.45rem; font-weight: 600; line-height: 1.9rem; }
.elig-verdict.tone-active { color: #166534; }
.elig-verdict.tone-pending { color: #92400E; }
.elig-verdict.tone-inactive { color: #991B1B; }
.elig-verdict.tone-nomatch { color: #374151; }
.elig-flag { display: inline-flex; align-items: center; gap: 4px; padding: 2px 10px;
  border-radius: 999px; background: #FFF7ED; color: #9A3412; border: 1px solid #FED7AA;
  font-size: 0.8rem; font-weight: 600; }
.elig-meter { display: flex; flex-direction: column; gap: 4px; padding: 14px 16px;
  border: 1px solid var(--portico-border); border-radius: var(--portico-radius); background: #fff; }
.elig-meters { display: grid; gap: 14px; width: 100%;
  grid-template-columns: repeat(4, minmax(0, 1fr)); }
@media (max-width: 1100px) { .elig-meters { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@media (max-width: 520px) { .elig-meters { grid-template-columns: 1fr; } }
.elig-glance { display: grid; gap: 12px 24px; margin-top: 16px; padding-top: 14px;
  border-top: 1px solid var(--portico-border);
  grid-template-columns: repeat(3, minmax(0, 1fr)); }
@media (max-width: 700px) { .elig-glance { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.elig-coverage-order { font-size: 0.72rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: 0.06em; color: #fff; background: #1B4F72; border-radius: 6px; padding: 2px 8px; }
.elig-coverage-order.secondary { background: #4B5563; }
.elig-tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--portico-border);
  flex-wrap: wrap; }
.elig-tabs a { padding: 10px 14px; color: #4B5563; font-weight: 500; text-decoration: none;
  border-bottom: 3px solid transparent; margin-bottom: -1px; display: flex; gap: 8px;
  align-items: center; }
.elig-tabs a:hover { color: #1B4F72; }
.elig-tabs a[aria-current="page"] { color: #1B4F72; border-bottom-color: #1B4F72; }
.elig-tabs a:focus-visible { outline: 2px solid #1B4F72; outline-offset: -2px; }
@media print {
  .q-header, .q-drawer, .q-drawer-container, .elig-no-print, .elig-tabs {
    display: none !important; }
  .q-page-container { padding: 0 !important; }
  .portico-page { padding: 0; max-width: none; gap: 12px; }
  .portico-card, .elig-meter { box-shadow: none; break-inside: avoid; }
  body { background: #fff; }
}
"""


def apply_eligibility_css() -> None:
    ui.add_css(_CSS)


def status_badge(status: str) -> ui.label:
    return ui.label(status).classes(f"elig-status tone-{STATUS_TONES.get(status, 'nomatch')}")


def answer_view(
    answer: EligibilityAnswer,
    *,
    practice_id: int,
    actions: Callable[[], None] | None = None,
) -> None:
    """Everything the answer says, most decisive first; `actions` draws the banner's buttons."""
    _banner(answer, practice_id=practice_id, actions=actions)
    if not answer.matched:
        return
    if answer.procedures:
        _procedures(answer.procedures)
    for coverage in answer.coverages:
        _coverage(coverage, is_deciding=coverage is answer.primary)


def _banner(
    answer: EligibilityAnswer, *, practice_id: int, actions: Callable[[], None] | None
) -> None:
    status = status_label(answer)
    tone = STATUS_TONES.get(status, "nomatch")
    with (
        ui.element("section")
        .classes(f"portico-card elig-banner tone-{tone}")
        .props('aria-label="Eligibility answer"')
        .mark("eligibility-answer")
    ):
        with ui.row().classes("w-full items-start justify-between gap-4 no-wrap max-sm:flex-wrap"):
            with ui.column().classes("gap-1 min-w-0"):
                _verdict(answer, status, tone)
                if answer.member is not None:
                    member = answer.member
                    ui.label(
                        " · ".join(
                            (
                                f"{member.first_name} {member.last_name}",
                                f"Member ID {member.member_id}",
                                f"DOB {day(member.date_of_birth)}",
                            )
                        )
                    ).classes("text-base font-medium").mark("answer-member")
            if actions is not None:
                with ui.row().classes("gap-2 elig-no-print shrink-0"):
                    actions()
        problems = [
            problem.label
            for problem in answer.problems(practice_id=practice_id)
            if problem.value not in {"no_match", "not_active", "terminated"}
        ]
        if answer.primary is not None:
            _at_a_glance(answer.primary)
        if problems:
            with ui.row().classes("gap-2 mt-3").mark("answer-problems"):
                for label in problems:
                    with ui.element("span").classes("elig-flag"):
                        ui.icon("warning", size="16px")
                        ui.label(label)
        if answer.matched:  # a miss says "No match" and nothing else
            ui.label(
                f"Computed {moment(answer.computed_at)} · Transaction {answer.transaction_id}"
            ).classes("text-xs portico-muted mt-3").mark("answer-computed")


def _verdict(answer: EligibilityAnswer, status: str, tone: str) -> None:
    on_date = day(answer.inquiry.date_of_service)
    if not answer.matched:
        ui.label(NO_MATCH).classes(f"elig-verdict tone-{tone}").mark("answer-status")
        ui.label(
            "No member matches what was entered. Check the details against the member's card "
            "and try again."
        ).classes("portico-muted")
        return
    with ui.row().classes("items-center gap-3 flex-wrap"):
        verdict = "Active" if answer.is_active else "Not active"
        ui.label(f"{verdict} on {on_date}").classes(f"elig-verdict tone-{tone}").mark(
            "answer-status"
        )
        if status not in {"Active", NO_MATCH}:
            status_badge(status)
    reasons = (
        [answer.primary.explanation]
        if answer.primary is not None
        else [c.explanation for c in answer.coverages] or ["No coverage on file"]
    )
    reasons += [
        f"also {ORDER_LABELS.get(c.order, 'other').lower()} coverage: {c.plan_name}"
        for c in answer.coverages
        if c.is_active and c is not answer.primary
    ]
    ui.label(" · ".join(dict.fromkeys(reasons))).classes("text-sm").mark("answer-why")


def _at_a_glance(coverage: CoverageAnswer) -> None:
    """What the front desk says at the window: plan, PCP, copays, what is left to meet."""
    with ui.element("div").classes("elig-glance").mark("answer-glance"):
        fact("Plan", coverage.plan_name)
        fact("Primary care provider", coverage.pcp_name or "None on file")
        for category in (ServiceCategory.PRIMARY_CARE, ServiceCategory.SPECIALIST):
            benefit = coverage.benefit_for(category)
            fact(f"{category.label} copay", _copay(benefit) if benefit else "Not covered")
        fact("Deductible remaining", money(coverage.accumulators.deductible_remaining))
        fact("Out-of-pocket remaining", money(coverage.accumulators.out_of_pocket_remaining))


def _copay(benefit: CategoryBenefit) -> str:
    if not benefit.covered:
        return "Not covered"
    return money(benefit.copay) if benefit.copay else "None"


def _procedures(procedures: tuple[ProcedureAnswer, ...]) -> None:
    with card(
        "Procedure lookup",
        subtitle="Prior authorization and coverage under the deciding coverage",
        marker="answer-procedures",
    ):
        data_table(
            [
                Column("code", "Code"),
                Column("description", "Description", min_width=200),
                Column("category", "Service category"),
                Column("covered", "Covered"),
                Column("prior_auth", "Prior authorization"),
                Column("visits", "Visit limit"),
            ],
            [
                {
                    "id": index,
                    "code": procedure.code,
                    "description": procedure.description or "Not a code the plan knows",
                    "category": procedure.service_category.label
                    if procedure.service_category
                    else "",
                    "covered": "Yes" if procedure.covered else "No",
                    "prior_auth": "Required" if procedure.prior_auth_required else "Not required",
                    "visits": "Reached" if procedure.visit_limit_reached else "Available",
                }
                for index, procedure in enumerate(procedures)
            ],
            marker="procedures-table",
            label="Procedure lookup",
        )
        # No prior-auth module yet, so "authorization on file" cannot be answered; say so once.
        ui.label(
            "Authorizations on file are not shown: Portico does not hold prior-auth records yet."
        ).classes("text-xs portico-muted mt-2")


def _coverage(coverage: CoverageAnswer, *, is_deciding: bool) -> None:
    order = ORDER_LABELS.get(coverage.order, f"Coverage {coverage.order}")
    state = {
        CoverageState.ACTIVE: "Active",
        CoverageState.NOT_YET_EFFECTIVE: "Not yet effective",
        CoverageState.TERMINATED: "Terminated",
    }[coverage.state]
    with ui.element("section").classes("portico-card").mark(f"coverage-{coverage.order}"):
        with ui.element("div").classes("portico-card-header"):
            with ui.row().classes("items-center gap-3 flex-wrap"):
                ui.label(order).classes(
                    "elig-coverage-order" + ("" if coverage.order == 1 else " secondary")
                ).mark("coverage-order")
                Heading(coverage.plan_name, level=2)
                status_badge(state)
            ui.label(coverage.explanation).classes("text-sm portico-muted")
        with ui.element("div").classes("portico-facts"):
            fact("Plan", coverage.plan_code)
            fact("Product · network", f"{coverage.product} · {coverage.network}")
            fact("Group number", coverage.group_number)
            fact(
                "Coverage dates",
                f"{day(coverage.period.effective_date)} \N{EN DASH} "
                + (day(coverage.period.termination_date) or "open-ended"),
            )
            fact(
                "Primary care provider",
                f"{coverage.pcp_name} (NPI {coverage.pcp_npi})" if coverage.pcp_name else "None",
                marker=f"coverage-{coverage.order}-pcp",
            )
            fact("Plan year", date_range(coverage.plan_year_start, coverage.plan_year_end))
        if coverage.is_active or is_deciding:
            _accumulators(coverage)
            _benefits(coverage)
        else:
            ui.label(
                "Benefits and accumulators are shown for coverage active on the date of service."
            ).classes("text-sm portico-muted mt-4")


def _accumulators(coverage: CoverageAnswer) -> None:
    Heading(
        f"Deductible and out-of-pocket, plan year {day(coverage.plan_year_start)} "
        f"\N{EN DASH} {day(coverage.plan_year_end)}",
        level=3,
    ).classes("mt-5 mb-2")
    amounts = coverage.accumulators
    with ui.element("div").classes("elig-meters").mark(f"coverage-{coverage.order}-accumulators"):
        _meter("Individual deductible", amounts.individual_deductible)
        _meter("Family deductible", amounts.family_deductible)
        _meter("Individual out-of-pocket", amounts.individual_out_of_pocket)
        _meter("Family out-of-pocket", amounts.family_out_of_pocket)


def _meter(label: str, amount: MetAndRemaining) -> None:
    with ui.element("div").classes("elig-meter"):
        ui.label(label).classes("portico-kpi-label")
        if amount.limit <= 0:
            ui.label("None").classes("text-lg font-semibold")
            ui.label("This plan has no such limit").classes("text-sm portico-muted")
            return
        ui.label(f"{money(amount.remaining)} remaining").classes(
            "text-lg font-semibold portico-money"
        )
        ui.label(f"{money(amount.met)} met of {money(amount.limit)}").classes(
            "text-sm portico-muted portico-money"
        )
        met_share = float(min(Decimal(1), amount.met / amount.limit))  # a bar width, not money
        bar = ui.linear_progress(value=met_share, show_value=False, size="8px")
        bar.props("rounded color=primary track-color=grey-3").classes("mt-1")
        bar.props["aria-label"] = f"{label} met"  # a value, never spliced into a props string


def _benefits(coverage: CoverageAnswer) -> None:
    Heading("Benefits by service category", level=3).classes("mt-5 mb-2")
    order = list(ServiceCategory)  # the plan's own order: preventive and office visits first
    table = data_table(
        [
            Column("category", "Service", min_width=150),
            Column("copay", "Copay", align="right"),
            Column("coinsurance", "Coinsurance", align="right"),
            Column("deductible", "Deductible"),
            Column("visits", "Visits this plan year", min_width=150),
            Column("prior_auth", "Prior auth"),
        ],
        [
            _benefit_row(benefit)
            for benefit in sorted(
                coverage.benefits, key=lambda benefit: order.index(benefit.service_category)
            )
        ],
        marker=f"coverage-{coverage.order}-benefits",
        label=f"Benefits, {ORDER_LABELS.get(coverage.order, 'coverage').lower()} coverage",
    )
    # A reached limit reads in red: the next visit of that kind is not covered.
    table.add_slot(
        "body-cell-visits",
        '<q-td :props="props" :class="{ \'text-negative text-weight-bold\': props.row.reached }">'
        "{{ props.value }}</q-td>",
    )


def _benefit_row(benefit: CategoryBenefit) -> dict[str, object]:
    visits = benefit.visits
    row: dict[str, object] = {
        "id": benefit.service_category.value,
        "category": benefit.service_category.label,
        "copay": _copay(benefit),
        "coinsurance": "",
        "deductible": "",
        "visits": "",
        "reached": False,
        "prior_auth": "",
    }
    if not benefit.covered:
        return row
    if visits.limit is None:
        used = "No limit"
    elif visits.is_reached:
        used = f"{visits.used} of {visits.limit} used · limit reached"
    else:
        used = f"{visits.used} of {visits.limit} used · {visits.remaining} left"
    return row | {
        "coinsurance": f"{benefit.coinsurance_percent}%" if benefit.coinsurance_percent else "None",
        "deductible": "Yes" if benefit.deductible_applies else "No",
        "visits": used,
        "reached": visits.is_reached,
        "prior_auth": "Required" if benefit.prior_auth_required else "No",
    }
