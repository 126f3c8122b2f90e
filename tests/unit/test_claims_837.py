"""The 837P codec: files x12sdk writes (not Portico) read into the claims they hold, Portico's
own 837Ps valid for pyx12 (005010X222A1) and read back as written, and broken files or claims
named by segment with what to fix."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from x12sdk.generate import generate_837p

from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claims import FrequencyCode
from interop.x12.claims_837 import (
    Organisation837,
    Patient837,
    parse_837p,
    write_837p,
)
from interop.x12.segments import X12Error
from tests.factories import ALVAREZ, OKAFOR, make_claim_entry
from tests.x12_validation import pyx12_errors
from tests.x12sdk_837p import AVERY, NOAH, SOFIA, SUBMISSIONS, generate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "x12"
AT = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
RIVERSIDE = Organisation837("RIVERSIDE FAMILY MEDICINE", "RIVERSIDEFM")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def as_a1(text: str) -> str:
    """pyx12 has maps for errata A1 only; x12sdk writes A2, which differs in notes, not shape."""
    return text.replace("005010X222A2", "005010X222A1")


def entry(**changes: object) -> ClaimEntry:
    day = date(2026, 2, 2)
    values: dict[str, object] = dict(
        day=day,
        rendering_npi=OKAFOR,
        diagnoses=("J069", "R059"),
        lines=(
            ServiceLineEntry("99213", Decimal("145.00"), (1, 2), 1, ("25",), day),
            ServiceLineEntry("87880", Decimal("28.00"), (1,), 2, (), day),
        ),
        patient_control_number="RFM-1",
    )
    values.update(changes)
    return make_claim_entry(**values)


def write(entries: list[ClaimEntry], **options: object) -> str:
    return write_837p(entries, submitter=RIVERSIDE, control_number=31, at=AT, **options)  # type: ignore[arg-type]


def recount(text: str) -> str:
    """SE01 recounted after an edit, so only the intended problem remains."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("ST*"))
    end = next(i for i, line in enumerate(lines) if line.startswith("SE*"))
    lines[end] = re.sub(r"^SE\*\d+", f"SE*{end - start + 1}", lines[end])
    return "".join(lines)


# --- Files Portico did not write ---


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_the_fixtures_are_what_x12sdk_generates_and_pyx12_finds_them_valid(name: str) -> None:
    assert fixture(name) == generate(name)
    assert pyx12_errors(as_a1(fixture(name))) == []


def test_an_x12sdk_file_reads_into_its_claims() -> None:
    batch = parse_837p(fixture("837p_x12sdk_subscribers.x12"))
    claims = batch.claims
    assert [c.patient_control_number for c in claims] == ["RFM-X1", "RFM-X2", "RFM-X3"]
    assert all(claim.problems == () for claim in claims)
    first = claims[0].entry
    assert (first.member_id, first.member_date_of_birth) == (AVERY.member_id, AVERY.date_of_birth)
    assert first.billing_npi == first.rendering_npi == ALVAREZ  # no 2310B: billing rendered
    assert [(line.procedure_code, line.charge) for line in first.lines] == [
        ("99213", Decimal("145.00")),
        ("87880", Decimal("28.00")),
    ]
    assert first.total_charge == Decimal("173.00")
    text = fixture("837p_x12sdk_subscribers.x12").splitlines()
    assert text[claims[0].segment_number - 1].startswith("CLM*RFM-X1*")  # segment = line
    assert (batch.sender_id, batch.interchange_control_number) == ("RIVERSIDECH", "000004242")


def test_a_dependent_claim_carries_the_subscriber_id_and_the_patient_birth_date() -> None:
    claims = parse_837p(fixture("837p_x12sdk_dependent.x12")).claims
    child, *others = claims
    assert child.is_dependent and child.patient_first_name == "NOAH"
    assert child.entry.member_id == AVERY.member_id  # 2010BA NM109, the subscriber's
    assert child.entry.member_date_of_birth == NOAH.date_of_birth  # 2010CA DMG02
    assert [c.entry.member_id for c in others] == [SOFIA.member_id] * 2  # two CLMs, one HL
    assert not any(claim.is_dependent for claim in others)


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_random_x12sdk_837ps_read_claim_for_claim(seed: int) -> None:
    text = generate_837p(seed=seed, claims=9, dependent_rate=0.5)
    claims = parse_837p(text).claims
    clms = [line for line in text.split("~") if line.strip().startswith("CLM*")]
    assert len(claims) == len(clms) == 9
    for claim, clm in zip(claims, clms, strict=True):
        assert claim.problems == ()
        elements = clm.strip().split("*")
        assert claim.patient_control_number == elements[1]
        assert claim.entry.total_charge == Decimal(elements[2])  # CLM02 = sum of SV102
        assert claim.entry.diagnoses and claim.entry.service_date_from
    assert any(claim.is_dependent for claim in claims)


# --- Portico's own 837P ---


def test_the_writer_is_valid_for_pyx12_and_reads_back_as_written() -> None:
    voided = entry(
        patient_control_number="RFM-2",
        frequency_code=FrequencyCode.VOID,
        original_claim_number="2605300000042",
        rendering_npi=ALVAREZ,
    )
    text = write(
        [entry(), voided],
        patients={"PT100000101": Patient837("THOMPSON", "AVERY", "F")},
        billing_providers={ALVAREZ: Organisation837("MARIA ALVAREZ MD", ALVAREZ, tax_id="3148277")},
    )
    assert pyx12_errors(text) == []
    first, second = parse_837p(text).claims
    assert first.entry == entry()
    assert second.entry == voided
    assert (second.entry.frequency_code, second.entry.original_claim_number) == (
        FrequencyCode.VOID,
        "2605300000042",
    )


def test_a_service_range_is_written_as_rd8_and_read_as_the_claims_dates() -> None:
    spanning = entry(
        service_date_from=date(2026, 2, 2),
        service_date_to=date(2026, 2, 6),
        lines=(ServiceLineEntry("97110", Decimal("240.00"), (1,), 4),),
    )
    text = write([spanning])
    assert "DTP*472*RD8*20260202-20260206~" in text
    assert pyx12_errors(text) == []
    (claim,) = parse_837p(text).claims
    assert (claim.entry.service_date_from, claim.entry.service_date_to) == (
        date(2026, 2, 2),
        date(2026, 2, 6),
    )


def test_many_claims_are_split_into_transaction_sets_pyx12_accepts() -> None:
    entries = [entry(patient_control_number=f"RFM-{n}") for n in range(7)]
    text = write(entries, claims_per_transaction=3)
    batch = parse_837p(text)
    assert [len(ts.claims) for ts in batch.transactions] == [3, 3, 1]
    assert [c.patient_control_number for c in batch.claims] == [f"RFM-{n}" for n in range(7)]
    assert pyx12_errors(text) == []


# --- Broken files: refused whole, saying where ---

FILE_PROBLEMS = [
    pytest.param(lambda t: t[: t.index("LX*2")], "no SE trailer", id="truncated"),
    pytest.param(lambda t: t[: t.index("IEA")], "no IEA trailer", id="no IEA"),
    pytest.param(
        lambda t: t.replace("ST*837*0001*005010X222A1", "ST*837*0001*005010X223A2"),
        "ST03 is '005010X223A2'",
        id="institutional",
    ),
    pytest.param(
        lambda t: t.replace("*005010X222A1~", "*005010X223A2~"),
        "GS08 is '005010X223A2'",
        id="institutional group",
    ),
    pytest.param(lambda t: t.replace("GS*HC*", "GS*HS*"), "GS01 is 'HS'", id="not claims"),
    pytest.param(lambda t: t.replace("*00501*", "*00401*"), "ISA12", id="4010"),
    pytest.param(lambda t: t.replace("ST*837*", "ST*835*"), "not an 837", id="an 835"),
    pytest.param(lambda t: re.sub(r"SE\*\d+", "SE*9", t), "SE01 says 9", id="SE01"),
    pytest.param(lambda t: "HELLO" + t, "does not start with an ISA", id="not X12"),
]


@pytest.mark.parametrize(("damage", "message"), FILE_PROBLEMS)
def test_a_broken_file_is_refused_with_where_and_what(damage, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(X12Error, match=re.escape(message)):
        parse_837p(damage(write([entry()])))


# --- Broken claims: that claim only, named by segment and element ---

CLAIM_PROBLEMS = [
    pytest.param(
        "DTP*472*D8*20260202~\nLX*2",
        "DTP*472*D8*20260231~\nLX*2",
        "(DTP03): DTP03, the date of service, is not a CCYYMMDD date",
        id="impossible date",
    ),
    pytest.param("*UN*2***1~", "*UN*1.5***1~", "(SV104): SV104, the units", id="half a unit"),
    pytest.param("11:B:1", "11:B:5", "(CLM05-3): CLM05-3 frequency code '5'", id="frequency"),
    pytest.param("CLM*RFM-1*173*", "CLM*RFM-1*170*", "(CLM02): CLM02, the total", id="total"),
    pytest.param("HI*ABK:J069", "HI*ABK:J069*BP:0DTJ4ZZ", "(HI02-1): HI02-1 is 'BP'", id="HI"),
    pytest.param("DMG*D8*19840314", "DMG*D8*19841314", "(DMG02): DMG02", id="birth date"),
    pytest.param("*28*UN*2", "*2X*UN*2", "(SV102): SV102, the line charge", id="charge"),
]


@pytest.mark.parametrize(("old", "new", "message"), CLAIM_PROBLEMS)
def test_a_claim_that_cannot_be_read_carries_its_problem(old: str, new: str, message: str) -> None:
    good = entry(patient_control_number="RFM-0")
    text = write([entry(), good])
    assert old in text
    broken = recount(text.replace(old, new, 1))
    batch = parse_837p(broken)
    first, second = batch.claims
    assert len(first.problems) == 1, first.problems
    (problem,) = first.problems
    assert message in str(problem)
    line = broken.splitlines()[problem.segment_number - 1]
    assert line.startswith(problem.segment_id + "*")
    assert problem.position == problem.segment_number - 2  # ST is segment 3 of the file
    assert second.problems == ()
    assert batch.transactions[0].problems == ()


def test_other_payer_and_line_provider_loops_do_not_change_the_claim() -> None:
    text = write([entry(rendering_npi=ALVAREZ)])
    text = text.replace(
        "LX*1~",
        "SBR*S*18*******CI~\nNM1*IL*1*OTHER*PERSON****MI*ZZ999~\nNM1*82*1*X*Y****XX*1999999984~"
        "\nLX*1~",
    ).replace(
        "DTP*472*D8*20260202~\nLX*2", "DTP*472*D8*20260202~\nNM1*82*1*A*B****XX*1111111112~\nLX*2"
    )
    (claim,) = parse_837p(recount(text)).claims
    assert claim.entry.member_id == "PT100000101"
    assert claim.entry.rendering_npi == ALVAREZ
    assert claim.problems == ()


def test_a_transaction_without_a_billing_provider_is_rejected_whole() -> None:
    text = recount(write([entry()]).replace(f"NM1*85*2*BILLING PROVIDER*****XX*{ALVAREZ}~\n", ""))
    (transaction,) = parse_837p(text).transactions
    assert [p.loop_id for p in transaction.problems] == ["2010AA"]
    assert "billing provider NPI" in transaction.problems[0].message
