"""A claim's explanation of benefits as a PDF (fpdf2), and the route that serves it to the
claim's own practice (or plan staff): /claims/{claim_id}/eob.pdf."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from fastapi import Request
from fastapi.responses import Response
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout
from nicegui import app, run

from domain.access import PageAccess
from domain.claim_queries import ClaimEob, LineDetail, read_claim_eob
from domain.claims import ClaimStatus
from domain.roles import Area
from domain.scope import NotFound
from ui import clock
from ui.data import call
from ui.downloads import Download, file_download, record_id
from ui.format import date_range, day, moment, money
from ui.pdf import HEADINGS, INK, MUTED, Document, masthead, plain, rule, table

CLAIM_NOT_FOUND = "Claim not found"
TOTALS = FontFace(emphasis="BOLD", color=INK, fill_color=(248, 250, 252))
ADJUSTMENT = FontFace(color=MUTED, size_pt=7.5)
LINE_HEADINGS = (
    "Date",
    "Code",
    "Billed",
    "Allowed",
    "Deductible",
    "Coinsurance",
    "Copay",
    "Paid",
    "Patient resp.",
)
NOTICE = (
    "This explanation of benefits shows how the plan processed the claim: billed = allowed + "
    "contractual adjustments; allowed = plan paid + patient responsibility (deductible, "
    "coinsurance and copay). The patient may be billed only the patient responsibility."
)
NOT_FINAL = (
    "This claim has not been finalized yet: amounts are filled in when the plan adjudicates it."
)


def eob_pdf_path(claim_id: int) -> str:
    return f"/claims/{claim_id}/eob.pdf"


def register() -> None:
    app.get("/claims/{claim_id}/eob.pdf", include_in_schema=False)(claim_eob_pdf)


async def claim_eob_pdf(claim_id: str, request: Request) -> Response:
    """For the claim's own practice (or plan staff), like the claim page: another practice's
    claim, a missing one and a malformed id all get the same 404."""

    async def eob_file(access: PageAccess) -> Download:
        wanted = record_id(claim_id)
        eob = await call(read_claim_eob, actor=access.actor, claim_id=wanted, at=clock.now())
        if eob is None:
            raise NotFound(claim_id)
        pdf = await run.io_bound(render_eob_pdf, eob, generated_at=clock.now())
        return Download(pdf, "application/pdf", f"eob-{eob.claim.claim_number}.pdf")

    return await file_download(
        request, area=Area.CLAIMS, not_found=CLAIM_NOT_FOUND, produce=eob_file
    )


def render_eob_pdf(eob: ClaimEob, *, generated_at: datetime) -> bytes:
    claim = eob.claim
    pdf = Document(
        title="Explanation of benefits",
        footer_text=(
            f"Generated {moment(generated_at)}  -  claim {claim.claim_number}  -  "
            f"{claim.practice_name}"
        ),
        margin=14,
    )
    pdf.add_page()
    _title(pdf, eob)
    _parties(pdf, eob)
    _claim_facts(pdf, eob)
    _lines(pdf, claim.lines)
    _outcome(pdf, eob)
    pdf.ln(3)
    pdf.set_font("helvetica", size=7.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 3.8, plain(NOTICE))
    return bytes(pdf.output())


def _title(pdf: FPDF, eob: ClaimEob) -> None:
    masthead(pdf, "Explanation of benefits")
    pdf.set_font("helvetica", size=9.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        0,
        5,
        plain(f"Claim {eob.claim.claim_number}  -  {eob.claim.standing.label}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    rule(pdf)


def _parties(pdf: FPDF, eob: ClaimEob) -> None:
    """Practice on the left, patient on the right, as a paper EOB's address block."""
    claim = eob.claim
    practice = [
        claim.practice_name,
        *eob.practice_address,
        f"TIN {eob.practice_tin}  -  NPI {eob.practice_npi}",
    ]
    if eob.practice_phone:
        practice.append(f"Phone {eob.practice_phone}")
    patient = [
        claim.member_name,
        f"Member ID {claim.member_id}  -  DOB {day(claim.member_date_of_birth)}",
        *eob.member_address,
    ]
    if claim.plan_name:
        plan = claim.plan_name + (f", group {claim.group_number}" if claim.group_number else "")
        patient.append(plan)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    for index, (heading, lines) in enumerate((("Provider", practice), ("Patient", patient))):
        x = pdf.l_margin + index * half
        pdf.set_xy(x, top)
        pdf.set_font("helvetica", "B", 7.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(half, 4, heading.upper(), new_x="LEFT", new_y="NEXT")
        for number, text in enumerate(lines):
            pdf.set_font("helvetica", "B" if number == 0 else "", 10 if number == 0 else 9)
            pdf.set_text_color(*INK)
            pdf.cell(half - 4, 4.6, plain(text), new_x="LEFT", new_y="NEXT")
    pdf.set_y(top + 4 + 4.6 * max(len(practice), len(patient)) + 2)
    rule(pdf)


def _claim_facts(pdf: FPDF, eob: ClaimEob) -> None:
    claim = eob.claim
    if claim.payment_number:
        payment = f"{claim.payment_number}, {day(claim.payment_date)}"
    else:
        payment = "Not yet remitted"
    facts = (
        (
            "Claim number",
            claim.claim_number,
            "Patient account",
            claim.patient_control_number,
        ),
        (
            "Dates of service",
            date_range(claim.service_date_from, claim.service_date_to),
            "Received",
            moment(claim.submitted_at) or "Not submitted",
        ),
        (
            "Rendering provider",
            f"{claim.rendering_provider} (NPI {claim.rendering_npi})",
            "Finalized",
            moment(claim.finalized_at) or "Not yet",
        ),
        ("Status", claim.standing.label, "Payment", payment),
    )
    table(pdf, None, facts, widths=(26, 66, 24, 50), align=("LEFT",) * 4, label_columns=(0, 2))


def _line_amounts(line: LineDetail) -> tuple[Decimal, ...]:
    patient = line.deductible_amount + line.coinsurance_amount + line.copay_amount
    return (
        line.charge_amount,
        line.allowed_amount,
        line.deductible_amount,
        line.coinsurance_amount,
        line.copay_amount,
        line.paid_amount,
        patient,
    )


def _lines(pdf: FPDF, lines: Sequence[LineDetail]) -> None:
    pdf.set_font("helvetica", "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, "Service lines", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=8.5)
    totals = [Decimal("0.00")] * 7
    with pdf.table(
        col_widths=(20, 24, 19, 19, 19, 20, 17, 19, 21),
        text_align=("LEFT", "LEFT", *("RIGHT",) * 7),
        headings_style=HEADINGS,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=4.4,
        padding=(0.8, 1.2),
    ) as table:
        heading = table.row()
        for text in LINE_HEADINGS:
            heading.cell(text)
        for line in lines:
            amounts = _line_amounts(line)
            totals = [total + amount for total, amount in zip(totals, amounts, strict=True)]
            row = table.row()
            row.cell(day(line.service_date))
            code = line.procedure_code + (f"-{line.modifiers}" if line.modifiers else "")
            row.cell(plain(code + (f" x{line.units}" if line.units != 1 else "")))
            for amount in amounts:
                row.cell(money(amount))
            for adjustment in line.adjustments:
                # CAS: group code + CARC (+ RARC), the amount, and the reason in words.
                reason = adjustment.carc_description
                if adjustment.rarc:
                    reason += f" ({adjustment.rarc}: {adjustment.rarc_description or 'remark'})"
                row = table.row(style=ADJUSTMENT)
                row.cell("")
                row.cell(f"{adjustment.group_code.value}-{adjustment.carc}")
                row.cell(money(adjustment.amount))
                row.cell(plain(reason), colspan=6, align="LEFT")
        total_row = table.row(style=TOTALS)
        total_row.cell("Total", colspan=2)
        for amount in totals:
            total_row.cell(money(amount))
    pdf.ln(2)


def _outcome(pdf: FPDF, eob: ClaimEob) -> None:
    claim = eob.claim
    notes: list[str] = []
    if claim.standing not in {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED}:
        notes.append(NOT_FINAL)
    if claim.denial_carc:
        notes.append(f"Denied: CARC {claim.denial_carc} - {claim.denial_description or ''}")
    if claim.rejection_reason:
        notes.append(f"Rejected: {claim.rejection_reason}")
    if claim.allowed_amount:
        notes.append(
            f"Billed {money(claim.total_charge)} = allowed {money(claim.allowed_amount)} + "
            f"contractual adjustments {money(claim.contractual_adjustment)}.  Allowed "
            f"{money(claim.allowed_amount)} = plan paid {money(claim.paid_amount)} + patient "
            f"responsibility {money(claim.patient_responsibility)}."
        )
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", size=9)
    for note in notes:
        pdf.multi_cell(0, 4.6, plain(note), new_x="LMARGIN", new_y="NEXT")
