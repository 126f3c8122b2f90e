"""A kept eligibility check as a one-or-two-page PDF (fpdf2), for the chart or the patient."""

from __future__ import annotations

from fpdf import FPDF

from domain.codes import ServiceCategory
from domain.eligibility import CoverageAnswer, EligibilityAnswer, MetAndRemaining
from domain.eligibility_service import StoredCheck
from interop.eligibility_csv import explanation, status_label
from ui.eligibility_answer import ORDER_LABELS
from ui.format import date_range, day, moment, money
from ui.pdf import INK, MUTED, Document, masthead, plain, rule, table

TONES = {"Active": (21, 128, 61), "Not yet effective": (180, 83, 9), "No match": (75, 85, 99)}
RED = (185, 28, 28)
SOURCES = {"portal": "the portal", "batch": "a schedule upload", "x12": "an X12 270"}
NOTICE = (
    "Eligibility and benefits as of the time computed, from the plan's records. This is not a "
    "guarantee of payment: claims are adjudicated under the member's coverage on the date of "
    "service."
)


def render_check_pdf(stored: StoredCheck, *, practice_name: str, practice_id: int) -> bytes:
    answer = stored.answer
    pdf = Document(
        title="Eligibility and benefits",
        footer_text=f"Transaction {answer.transaction_id}  -  {practice_name}",
        margin=16,
    )
    pdf.add_page()
    _title(pdf, stored, practice_name)
    _status(pdf, answer, practice_id)
    if answer.matched:
        if answer.procedures:
            _procedures(pdf, answer)
        for coverage in answer.coverages:
            _coverage(pdf, coverage)
    pdf.ln(4)
    pdf.set_font("helvetica", size=8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4, plain(NOTICE))
    return bytes(pdf.output())


def _title(pdf: FPDF, stored: StoredCheck, practice_name: str) -> None:
    masthead(pdf, "Eligibility and benefits")
    pdf.set_font("helvetica", size=9)
    pdf.set_text_color(*MUTED)
    answer = stored.answer
    lines = (
        f"{practice_name}  -  checked by {stored.checked_by} via "
        f"{SOURCES.get(stored.source, stored.source)}",
        f"Computed {moment(answer.computed_at)}  -  transaction {answer.transaction_id}",
    )
    for line in lines:
        pdf.cell(0, 4.5, plain(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rule(pdf, space_after=4)


def _status(pdf: FPDF, answer: EligibilityAnswer, practice_id: int) -> None:
    status = status_label(answer)
    pdf.set_text_color(*TONES.get(status, RED))
    pdf.set_font("helvetica", "B", 15)
    if not answer.matched:
        pdf.cell(0, 8, "No match", new_x="LMARGIN", new_y="NEXT")
        on_date = day(answer.inquiry.date_of_service)
        _muted_line(pdf, f"No member matched the inquiry for {on_date}.")
        return
    verdict = "Active" if answer.is_active else "Not active"
    pdf.cell(
        0, 8, f"{verdict} on {day(answer.inquiry.date_of_service)}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 5.5, plain(explanation(answer)), new_x="LMARGIN", new_y="NEXT")
    member = answer.member
    assert member is not None
    pdf.set_font("helvetica", "B", 10.5)
    pdf.cell(
        0,
        6,
        plain(
            f"{member.first_name} {member.last_name}   Member ID {member.member_id}   "
            f"DOB {day(member.date_of_birth)}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    flags = [
        problem.label
        for problem in answer.problems(practice_id=practice_id)
        if problem.value not in {"no_match", "not_active", "terminated"}
    ]
    if flags:
        pdf.set_text_color(154, 52, 18)
        pdf.set_font("helvetica", "B", 9.5)
        pdf.cell(0, 5.5, plain("Attention: " + "; ".join(flags)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _muted_line(pdf: FPDF, text: str) -> None:
    pdf.set_text_color(*MUTED)
    pdf.set_font("helvetica", size=9.5)
    pdf.multi_cell(0, 5, plain(text), new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str, *, size: float = 12) -> None:
    pdf.ln(3)
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", "B", size)
    pdf.cell(0, 7, plain(text), new_x="LMARGIN", new_y="NEXT")


def _procedures(pdf: FPDF, answer: EligibilityAnswer) -> None:
    _heading(pdf, "Procedure lookup")
    table(
        pdf,
        ("Code", "Description", "Covered", "Prior authorization", "Visit limit"),
        [
            (
                procedure.code,
                procedure.description or "Not a code the plan knows",
                "Yes" if procedure.covered else "No",
                "Required" if procedure.prior_auth_required else "Not required",
                "Reached" if procedure.visit_limit_reached else "Available",
            )
            for procedure in answer.procedures
        ],
        widths=(14, 60, 16, 28, 20),
        align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT"),
        space_after=1,
    )


def _coverage(pdf: FPDF, coverage: CoverageAnswer) -> None:
    order = ORDER_LABELS.get(coverage.order, f"Coverage {coverage.order}")
    _heading(pdf, f"{order} coverage: {coverage.plan_name}")
    _muted_line(pdf, coverage.explanation)
    termination = coverage.period.termination_date
    pcp = f"{coverage.pcp_name} (NPI {coverage.pcp_npi})" if coverage.pcp_name else "None"
    facts = (
        ("Plan", coverage.plan_code, "Group number", coverage.group_number),
        (
            "Product, network",
            f"{coverage.product}, {coverage.network}",
            "Coverage dates",
            f"{day(coverage.period.effective_date)} - {day(termination) or 'open-ended'}",
        ),
        (
            "Primary care provider",
            pcp,
            "Plan year",
            date_range(coverage.plan_year_start, coverage.plan_year_end),
        ),
    )
    table(pdf, None, facts, widths=(24, 46, 22, 36), align=("LEFT",) * 4, space_after=1)
    if not coverage.is_active:
        return
    amounts = coverage.accumulators
    table(
        pdf,
        ("Accumulator (plan year)", "Limit", "Met", "Remaining"),
        [
            _accumulator("Individual deductible", amounts.individual_deductible),
            _accumulator("Family deductible", amounts.family_deductible),
            _accumulator("Individual out-of-pocket", amounts.individual_out_of_pocket),
            _accumulator("Family out-of-pocket", amounts.family_out_of_pocket),
        ],
        widths=(55, 28, 28, 28),
        align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        space_after=1,
    )
    order = list(ServiceCategory)
    rows = []
    for benefit in sorted(coverage.benefits, key=lambda b: order.index(b.service_category)):
        visits = benefit.visits
        if visits.limit is None:
            used = "No limit"
        else:
            left = "limit reached" if visits.is_reached else f"{visits.remaining} left"
            used = f"{visits.used} of {visits.limit} used, {left}"
        rows.append(
            (
                benefit.service_category.label,
                (money(benefit.copay) if benefit.copay else "None")
                if benefit.covered
                else "Not covered",
                f"{benefit.coinsurance_percent}%" if benefit.coinsurance_percent else "None",
                "Yes" if benefit.deductible_applies else "No",
                used,
                "Required" if benefit.prior_auth_required else "No",
            )
        )
    table(
        pdf,
        ("Service", "Copay", "Coinsurance", "Deductible", "Visits this plan year", "Prior auth"),
        rows,
        widths=(34, 16, 20, 18, 40, 18),
        align=("LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT", "LEFT"),
        space_after=1,
    )


def _accumulator(label: str, amount: MetAndRemaining) -> tuple[str, str, str, str]:
    if amount.limit <= 0:
        return (label, "None", "", "")
    return (label, money(amount.limit), money(amount.met), money(amount.remaining))
