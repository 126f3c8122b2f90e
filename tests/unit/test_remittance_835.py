"""The 835 writer: every shape of remittance (paid, partially paid, denied, reversal, negative
net) balances and passes pyx12's 005010X221A1 map, and random remittances always balance."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.claims import AdjustmentGroup
from domain.remittance_advice import (
    DENIED,
    FORWARDING_BALANCE,
    PORTICO_PLAN,
    PROCESSED_AS_PRIMARY,
    CasAdjustment,
    ClaimPayment,
    Payee,
    RemittanceAdvice,
    ServicePayment,
    balance_problems,
)
from interop.x12.remittance_835 import UnbalancedRemittance, write_835
from interop.x12.segments import read_interchange
from tests.x12_validation import pyx12_errors

D = Decimal
CO, PR = AdjustmentGroup.CO, AdjustmentGroup.PR
AT = datetime(2026, 3, 2, 9, 30)
PAYEE = Payee(name="Riverside Family Medicine", npi="1234567893", tin="314827706")


def line(
    charge: str,
    allowed: str,
    *,
    copay: str = "0",
    deductible: str = "0",
    coinsurance: str = "0",
    number: int = 1,
    code: str = "99213",
    modifiers: tuple[str, ...] = (),
) -> ServicePayment:
    """A priced line as the engine writes it: CO-45 down to allowed, then PR-1/2/3."""
    amounts = {"45": D(charge) - D(allowed), "1": D(deductible), "2": D(coinsurance)}
    amounts["3"] = D(copay)
    adjustments = tuple(
        CasAdjustment(CO if carc == "45" else PR, carc, amount)
        for carc, amount in amounts.items()
        if amount
    )
    patient = D(copay) + D(deductible) + D(coinsurance)
    return ServicePayment(
        line_number=number,
        procedure_code=code,
        modifiers=modifiers,
        units=1,
        service_date=date(2026, 2, 10),
        charge=D(charge),
        paid=D(allowed) - patient,
        allowed=D(allowed),
        adjustments=adjustments,
    )


def denied_line(
    charge: str, *, number: int = 1, carc: str = "197", rarc: str = "N54"
) -> ServicePayment:
    return ServicePayment(
        line_number=number,
        procedure_code="72148",
        modifiers=(),
        units=1,
        service_date=date(2026, 2, 10),
        charge=D(charge),
        paid=D("0"),
        allowed=D("0"),
        adjustments=(CasAdjustment(CO, carc, D(charge), rarc),),
    )


def claim(number: str, *lines: ServicePayment, status: str = PROCESSED_AS_PRIMARY) -> ClaimPayment:
    patient = sum(
        (a.amount for service in lines for a in service.adjustments if a.group is PR), D("0")
    )
    return ClaimPayment(
        claim_id=int(number[-3:]),
        claim_number=number,
        patient_control_number=f"PCN{number}",
        status_code=status,
        charge=sum((service.charge for service in lines), D("0")),
        paid=sum((service.paid for service in lines), D("0")),
        patient_responsibility=patient,
        filing_indicator="12",
        place_of_service="11",
        frequency_code="1",
        patient_last_name="Alvarez",
        patient_first_name="Maria",
        member_id="PT100000101",
        rendering_last_name="Okafor",
        rendering_first_name="James",
        rendering_npi="1538204284",
        received_on=date(2026, 2, 12),
        lines=lines,
    )


def advice(*claims: ClaimPayment, method: str = "ACH") -> RemittanceAdvice:
    return RemittanceAdvice(
        remittance_id=7,
        practice_id=1,
        payment_number="EFT2603020001",
        payment_method=method,
        payment_date=date(2026, 3, 2),
        total_paid=sum((c.paid for c in claims), D("0")),
        payer=PORTICO_PLAN,
        payee=PAYEE,
        claims=claims,
    )


PAID = claim(
    "2600000000101", line("200", "120", copay="20"), line("80", "50", coinsurance="10", number=2)
)
PARTIAL = claim(
    "2600000000102",
    line("150", "100", deductible="30", modifiers=("25",)),
    denied_line("900", number=2),
)
DENIED_CLAIM = claim("2600000000103", denied_line("450"), status=DENIED)
ORIGINAL = claim("2600000000104", line("300", "100", coinsurance="40"))

SHAPES = {
    "paid": advice(PAID),
    "paid by check": advice(PAID, method="CHK"),
    "partially paid": advice(PARTIAL),
    "denied": advice(DENIED_CLAIM),
    "mixed": advice(PAID, PARTIAL, DENIED_CLAIM),
    # The original's 60.00 taken back, another claim paying 140.00 in the same payment.
    "reversal": advice(ORIGINAL.reversal(), PAID),
    "negative net": advice(
        ORIGINAL.reversal(), claim("2600000000105", line("100", "60", copay="20"))
    ),
    "reversal only": advice(ORIGINAL.reversal()),
}


def segments(text: str, segment_id: str) -> list[tuple[str, ...]]:
    transaction = read_interchange(text).transactions[0]
    return [segment.elements for segment in transaction.segments if segment.id == segment_id]


def amounts(text: str, segment_id: str, position: int) -> list[Decimal]:
    return [D(elements[position]) for elements in segments(text, segment_id)]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_passes_pyx12(shape: str) -> None:
    text = write_835(SHAPES[shape], control_number=42, at=AT)
    assert pyx12_errors(text) == []


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_balances_in_the_written_file(shape: str) -> None:
    """Read back from the text, not the values: BPR02 = sum(CLP04) - sum(PLB04); per claim
    CLP03 - CLP04 = its CAS; per line SVC02 - SVC03 = its CAS."""
    text = write_835(SHAPES[shape], control_number=42, at=AT)
    transaction = read_interchange(text).transactions[0]
    bpr = segments(text, "BPR")[0]
    plb_total = sum(amounts(text, "PLB", 4), D("0"))
    assert D(bpr[2]) == sum(amounts(text, "CLP", 4), D("0")) - plb_total
    assert D(bpr[2]) >= 0
    claim_cas: Decimal | None = None
    line_cas: Decimal | None = None
    open_claim: tuple[str, ...] | None = None
    open_line: tuple[str, ...] | None = None

    def close_line() -> None:
        if open_line is not None:
            assert D(open_line[2]) - D(open_line[3]) == line_cas, open_line

    def close_claim() -> None:
        close_line()
        if open_claim is not None:
            assert D(open_claim[3]) - D(open_claim[4]) == claim_cas, open_claim

    for segment in transaction.segments:
        if segment.id == "CLP":
            close_claim()
            open_claim, open_line, claim_cas, line_cas = segment.elements, None, D("0"), None
        elif segment.id == "SVC":
            close_line()
            open_line, line_cas = segment.elements, D("0")
        elif segment.id == "CAS":
            total = sum((D(segment.get(i)) for i in range(3, len(segment.elements), 3)), D("0"))
            assert claim_cas is not None and line_cas is not None
            claim_cas += total
            line_cas += total
        elif segment.id in {"PLB", "SE"}:
            close_claim()
            open_claim = None


def test_a_paid_remittance_is_an_ach_payment_with_its_trace() -> None:
    text = write_835(SHAPES["paid"], control_number=42, at=AT)
    bpr = segments(text, "BPR")[0]
    assert bpr[1:5] == ("I", "140", "C", "ACH")
    assert bpr[10] == "1" + PORTICO_PLAN.tin
    assert segments(text, "TRN")[0] == ("TRN", "1", "EFT2603020001", "1" + PORTICO_PLAN.tin)
    assert ("DTM", "405", "20260302") in segments(text, "DTM")
    assert segments(text, "N1") == [
        ("N1", "PR", "Portico Health Plan"),
        ("N1", "PE", "Riverside Family Medicine", "XX", "1234567893"),
    ]
    clp = segments(text, "CLP")[0]
    assert clp[1:8] == ("PCN2600000000101", "1", "280", "140", "30", "12", "2600000000101")
    assert segments(text, "PLB") == []


def test_a_check_names_no_bank() -> None:
    bpr = segments(write_835(SHAPES["paid by check"], control_number=1, at=AT), "BPR")[0]
    assert bpr[1:5] == ("I", "140", "C", "CHK")
    assert all(element == "" for element in bpr[5:16])
    assert bpr[16] == "20260302"


def test_a_denied_claim_is_clp02_4_in_a_notification_only_835() -> None:
    text = write_835(SHAPES["denied"], control_number=1, at=AT)
    assert segments(text, "BPR")[0][1:5] == ("H", "0", "C", "NON")
    clp = segments(text, "CLP")[0]
    assert clp[2:7] == ("4", "450", "0", "", "12")  # no patient responsibility: CLP05 empty
    assert segments(text, "CAS") == [("CAS", "CO", "197", "450")]
    assert segments(text, "LQ") == [("LQ", "HE", "N54")]
    assert segments(text, "AMT") == []  # nothing allowed


def test_a_reversal_negates_every_amount_of_the_original() -> None:
    text = write_835(SHAPES["reversal"], control_number=1, at=AT)
    reversal, payment = segments(text, "CLP")
    assert reversal[1:8] == ("PCN2600000000104", "22", "-300", "-60", "-40", "12", "2600000000104")
    assert payment[2:5] == ("1", "280", "140")
    assert segments(text, "SVC")[0][2:6] == ("-300", "-60", "", "-1")
    assert segments(text, "CAS")[:2] == [("CAS", "CO", "45", "-200"), ("CAS", "PR", "2", "-40")]
    assert segments(text, "BPR")[0][1:3] == ("I", "80")


def test_a_negative_net_is_a_notification_with_the_balance_forwarded() -> None:
    shown = SHAPES["negative net"]
    assert shown.total_paid == D("-20")  # 40.00 paid, 60.00 taken back
    text = write_835(shown, control_number=1, at=AT)
    assert segments(text, "BPR")[0][1:5] == ("H", "0", "C", "NON")
    assert segments(text, "PLB") == [
        ("PLB", "1234567893", "20261231", f"{FORWARDING_BALANCE}:EFT2603020001", "-20")
    ]


def test_an_advice_that_does_not_balance_is_refused() -> None:
    broken = replace(PAID, paid=PAID.paid + D("1"))
    with pytest.raises(UnbalancedRemittance) as refused:
        write_835(replace(advice(broken), total_paid=broken.paid), control_number=1, at=AT)
    assert any("charge 280 - paid 141" in problem for problem in refused.value.problems)


def test_balance_problems_names_each_broken_rule() -> None:
    wrong_line = replace(PAID, lines=(replace(PAID.lines[0], paid=D("99")), PAID.lines[1]))
    wrong_patient = replace(PAID, patient_responsibility=D("0"))
    wrong_total = replace(advice(PAID), total_paid=D("1"))
    assert any("line 1" in p for p in balance_problems(advice(wrong_line)))
    assert any("patient responsibility" in p for p in balance_problems(advice(wrong_patient)))
    assert any("recorded total" in p for p in balance_problems(wrong_total))
    assert all(balance_problems(shape) == [] for shape in SHAPES.values())


def test_pyx12_notices_a_broken_835() -> None:
    """The validator is not a rubber stamp: a CLP with a status code outside CLP02's list fails."""
    text = write_835(SHAPES["paid"], control_number=1, at=AT).replace("*1*280*", "*9*280*")
    assert any("CLP02" in error for error in pyx12_errors(text))


# --- Random remittances ---

cents = st.integers(0, 500_000).map(lambda amount: D(amount) / 100)


@st.composite
def service_lines(draw: st.DrawFn, number: int) -> ServicePayment:
    charge = draw(cents)
    if draw(st.integers(0, 4)) == 0:
        return denied_line(
            str(charge), number=number, carc=draw(st.sampled_from(["197", "29", "96"]))
        )
    allowed = draw(st.integers(0, int(charge * 100)).map(lambda a: D(a) / 100))
    copay = draw(st.integers(0, int(allowed * 100)).map(lambda a: D(a) / 100))
    deductible = draw(st.integers(0, int((allowed - copay) * 100)).map(lambda a: D(a) / 100))
    coinsurance = draw(
        st.integers(0, int((allowed - copay - deductible) * 100)).map(lambda a: D(a) / 100)
    )
    return line(
        str(charge),
        str(allowed),
        copay=str(copay),
        deductible=str(deductible),
        coinsurance=str(coinsurance),
        number=number,
    )


@st.composite
def remittances(draw: st.DrawFn) -> RemittanceAdvice:
    claims = []
    for index in range(draw(st.integers(1, 6))):
        lines = [draw(service_lines(number)) for number in range(1, draw(st.integers(1, 4)) + 1)]
        paid = claim(f"2600000000{index:03d}", *lines)
        if all(service.paid == 0 for service in lines):
            paid = replace(paid, status_code=DENIED)
        claims.append(paid.reversal() if draw(st.booleans()) else paid)
    return advice(*claims, method=draw(st.sampled_from(["ACH", "CHK"])))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(remittances())
def test_random_remittances_balance_and_never_pay_a_negative_amount(
    shown: RemittanceAdvice,
) -> None:
    assert balance_problems(shown) == []
    text = write_835(shown, control_number=1, at=AT)
    bpr = segments(text, "BPR")[0]
    paid = sum(amounts(text, "CLP", 4), D("0"))
    forwarded = sum(amounts(text, "PLB", 4), D("0"))
    assert D(bpr[2]) == paid - forwarded == max(paid, D("0"))
    assert (bpr[1] == "H") == (paid <= 0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(remittances())
def test_random_remittances_pass_pyx12(shown: RemittanceAdvice) -> None:
    assert pyx12_errors(write_835(shown, control_number=1, at=AT)) == []
