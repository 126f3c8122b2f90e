"""005010X221A1 835 health care claim payment/advice: write one remittance as an interchange.

Loop and element names are the implementation guide's (TR3): header BPR (the payment), TRN
(its trace), DTM*405 (production date); 1000A payer (N1*PR, N3, N4, REF*2U, PER*BL); 1000B
payee (N1*PE with the NPI, REF*TJ tax ID); 2000 LX header number; 2100 claim (CLP, NM1*QC
patient, NM1*82 rendering provider, DTM*050 received); 2110 service line (SVC, DTM*472, CAS,
AMT*B6 allowed, LQ*HE remark codes); PLB provider-level adjustments.

How a payment is represented (BPR01/BPR04):
- money moves (BPR02 > 0): BPR01 I (remittance information only; the EFT or check travels
  separately and TRN02 reassociates them), BPR04 ACH with the plan's bank (BPR06-BPR09) and
  the payer identifier (BPR10), or BPR04 CHK;
- nothing moves (BPR02 = 0: all claims denied, or reversals net to nothing or less): BPR01 H
  (notification only) with BPR04 NON. A net negative remittance (reversals above payments)
  cannot be sent as a payment; BPR02 is 0 and the negative balance is carried by a PLB FB
  (forwarding balance) adjustment of that negative amount (see
  domain.remittance_advice.RemittanceAdvice.provider_adjustments), which keeps
  BPR02 = sum(CLP04) - sum(PLB).
Portico holds no practice bank accounts (EFT enrolment is the bank's), so the payee's DFI
(BPR12-BPR15) is not sent.

The writer refuses an advice that does not balance (domain.remittance_advice.balance_problems).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.remittance_advice import (
    CasAdjustment,
    ClaimPayment,
    RemittanceAdvice,
    ServicePayment,
    balance_problems,
)
from interop.x12.segments import (
    Composite,
    Element,
    TransactionWriter,
    write_interchange,
    x12_date,
    x12_decimal,
)

IMPLEMENTATION = "005010X221A1"  # GS08; the 835 TR3 does not use ST03
CAS_REASONS_PER_SEGMENT = 6  # CAS02..CAS19: six reason/amount/quantity triples
MAX_CONTROL_NUMBER = 999_999_999  # ISA13 is nine digits


class UnbalancedRemittance(ValueError):
    """The advice breaks an 835 balancing rule; the problems say which."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def write_835(
    advice: RemittanceAdvice,
    *,
    control_number: int,
    at: datetime,
    usage: str = "P",
) -> str:
    """The 835 interchange for one remittance: from the payer (ISA06 its payer ID) to the
    payee (ISA08 its NPI). ISA13 and GS06 are `control_number`; `at` is the interchange time."""
    problems = balance_problems(advice)
    if problems:
        raise UnbalancedRemittance(problems)
    writer = TransactionWriter("835", "0001", "")  # ST03 empty: dropped
    _header(writer, advice)
    if advice.claims:
        # One 2000 header number for the whole payment: Portico does not split by bill type.
        writer.add("LX", "1")
        for claim in advice.claims:
            _claim(writer, claim)
    for plb in advice.provider_adjustments:
        writer.add(
            "PLB",
            advice.payee.npi,
            x12_date(plb.fiscal_period_end),
            Composite((plb.reason, plb.reference)),
            x12_decimal(plb.amount),
        )
    writer.finish()
    return write_interchange(
        [writer],
        version=IMPLEMENTATION,
        sender_id=advice.payer.payer_id,
        receiver_id=advice.payee.npi,
        control_number=control_number,
        at=at,
        usage=usage,
    )


def control_number_of(advice: RemittanceAdvice) -> int:
    """ISA13/GS06: the remittance's own id (within nine digits), so the same remittance always
    goes out as the same interchange and a receiver can spot a duplicate."""
    return (advice.remittance_id - 1) % MAX_CONTROL_NUMBER + 1


def file_name(advice: RemittanceAdvice) -> str:
    """'<payment number>.835': the EFT trace or check number is unique per remittance."""
    safe = "".join(ch for ch in advice.payment_number if ch.isalnum() or ch in "-_")
    return f"{safe or advice.remittance_id}.835"


def render_835(advice: RemittanceAdvice, *, at: datetime) -> str:
    """The remittance's 835 under its own control number (what the portal and the CLI send)."""
    return write_835(advice, control_number=control_number_of(advice), at=at)


def _header(writer: TransactionWriter, advice: RemittanceAdvice) -> None:
    payer, payee = advice.payer, advice.payee
    amount = x12_decimal(advice.payment_amount)
    paid_on = x12_date(advice.payment_date)
    # TRN03 and BPR10: '1' (an EIN follows) + the payer's tax ID.
    payer_identifier = "1" + payer.tin
    bpr: list[Element]
    if advice.is_notification:
        bpr = ["H", amount, "C", "NON", *[None] * 11, paid_on]
    elif advice.payment_method == "CHK":
        bpr = ["I", amount, "C", "CHK", *[None] * 11, paid_on]
    else:
        # CCP: cash concentration/disbursement plus addenda (CCD+); 01 ABA routing number,
        # DA demand deposit account.
        bpr = [
            "I",
            amount,
            "C",
            "ACH",
            "CCP",
            "01",
            payer.bank_routing,
            "DA",
            payer.bank_account,
            payer_identifier,
            None,
            None,
            None,
            None,
            None,
            paid_on,
        ]
    writer.add("BPR", *bpr)
    writer.add("TRN", "1", advice.payment_number, payer_identifier)
    writer.add("DTM", "405", paid_on)
    # 1000A payer identification.
    writer.add("N1", "PR", payer.name)
    writer.add("N3", payer.address_line)
    writer.add("N4", payer.city, payer.state, payer.postal_code)
    writer.add("REF", "2U", payer.payer_id)
    writer.add("PER", "BL", payer.contact_name, "TE", payer.phone)
    # 1000B payee identification: the practice under its group NPI (XX), tax ID in REF*TJ.
    writer.add("N1", "PE", payee.name, "XX", payee.npi)
    writer.add("REF", "TJ", payee.tin)


def _claim(writer: TransactionWriter, claim: ClaimPayment) -> None:
    writer.add(
        "CLP",
        claim.patient_control_number,
        claim.status_code,
        x12_decimal(claim.charge),
        x12_decimal(claim.paid),
        # CLP05: sent only when the patient owes something (or, reversed, owed).
        x12_decimal(claim.patient_responsibility) if claim.patient_responsibility else None,
        claim.filing_indicator,
        claim.claim_number,
        claim.place_of_service,
        claim.frequency_code,
    )
    # NM1*QC patient, with the member ID from the card (MI).
    writer.add(
        "NM1",
        "QC",
        "1",
        claim.patient_last_name,
        claim.patient_first_name,
        None,
        None,
        None,
        "MI",
        claim.member_id,
    )
    # NM1*82 rendering provider: the payee is the group, so the individual is named.
    writer.add(
        "NM1",
        "82",
        "1",
        claim.rendering_last_name,
        claim.rendering_first_name,
        None,
        None,
        None,
        "XX",
        claim.rendering_npi,
    )
    if claim.received_on is not None:
        writer.add("DTM", "050", x12_date(claim.received_on))
    for line in claim.lines:
        _service(writer, line)


def _service(writer: TransactionWriter, line: ServicePayment) -> None:
    writer.add(
        "SVC",
        Composite(("HC", line.procedure_code, *line.modifiers[:4])),
        x12_decimal(line.charge),
        x12_decimal(line.paid),
        None,  # SVC04 revenue code: institutional only
        str(line.units),
    )
    writer.add("DTM", "472", x12_date(line.service_date))
    for group_code, adjustments in _by_group(line.adjustments):
        for start in range(0, len(adjustments), CAS_REASONS_PER_SEGMENT):
            elements: list[Element] = [group_code]
            for adjustment in adjustments[start : start + CAS_REASONS_PER_SEGMENT]:
                elements += [adjustment.carc, x12_decimal(adjustment.amount), None]
            writer.add("CAS", *elements)
    if line.allowed:
        writer.add("AMT", "B6", x12_decimal(line.allowed))
    remarks = list(dict.fromkeys(a.rarc for a in line.adjustments if a.rarc))
    for remark in remarks:
        writer.add("LQ", "HE", remark)


def _by_group(
    adjustments: Sequence[CasAdjustment],
) -> list[tuple[str, list[CasAdjustment]]]:
    """One CAS per group code (CAS01), in the order the groups first appear; zero amounts are
    left out (a CAS reports an adjustment that happened)."""
    groups: dict[str, list[CasAdjustment]] = {}
    for adjustment in adjustments:
        if adjustment.amount:
            groups.setdefault(adjustment.group.value, []).append(adjustment)
    return list(groups.items())
