"""The 270/271 codec: 270s read into EligibilityInquiry values (including files x12sdk writes),
malformed ones reported where and how to fix them, and every 271 Portico writes read back by
x12sdk with the values it was given (trace numbers, member IDs, EB amounts and codes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from x12sdk.generate import generate_270

from domain.codes import ServiceCategory
from domain.eligibility import EligibilityAnswer, EligibilityInquiry, VisitAllowance
from interop.x12 import Batch270, Party, X12Error, parse_270, write_270, write_271
from interop.x12.segments import read_interchange, tokenize
from tests.factories import (
    COMPUTED_AT,
    make_answer,
    make_benefit,
    make_coverage,
    make_inquiry,
    make_member,
    make_procedure,
)
from tests.x12sdk_tr3 import read_with_x12sdk

FIXTURE = Path(__file__).parents[1] / "fixtures" / "x12" / "270_subscriber_and_dependent.x12"
RIVERSIDE = Party("Riverside Family Medicine", "XX", "1467560003")


def fixture_text() -> str:
    return FIXTURE.read_text()


def edited(text: str, old: str, new: str) -> str:
    """`text` with one segment changed, SE01 recounted so only the intended problem remains."""
    assert old in text, old
    text = text.replace(old, new, 1)
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("ST*"))
    end = next(i for i, line in enumerate(lines) if line.startswith("SE*"))
    lines[end] = re.sub(r"^SE\*\d+", f"SE*{end - start + 1}", lines[end])
    return "".join(lines)


def write(answers: list[EligibilityAnswer], request: Batch270 | None = None) -> str:
    return write_271(
        answers,
        request=request,
        sender_id="PORTICO",
        receiver_id="RIVERSIDEFM",
        control_number=9001,
        at=COMPUTED_AT,
        receiver=None if request else RIVERSIDE,
    )


def segments_of(text: str, segment_id: str) -> list[tuple[str, ...]]:
    return [s.elements[1:] for s in tokenize(text) if s.id == segment_id]


def as_text(value: Any) -> str:
    return str(getattr(value, "value", value))


def same_value(ours: str, theirs: str) -> bool:
    if ours == theirs:
        return True
    try:  # x12sdk writes the decimal .2 as 0.2: equal numbers are the same value
        return Decimal(ours) == Decimal(theirs)
    except ArithmeticError:
        return False


def assert_x12sdk_read_every_segment(text: str) -> list[Any]:
    """x12sdk validates each transaction set (segment count included) and writes back what it
    understood: getting every segment back means each sat in a loop it allows, none dropped."""
    models = read_with_x12sdk(text)
    ours = read_interchange(text).transactions  # our own envelope checks too
    assert len(models) == len(ours)
    for model, transaction in zip(models, ours, strict=True):
        theirs = [s for s in model.x12().replace("\n", "").split("~") if s]
        mine = [
            transaction.segments[0].delimiters.element.join(s.elements)
            for s in transaction.segments
        ]
        assert len(theirs) == len(mine)
        for our_segment, their_segment in zip(mine, theirs, strict=True):
            pairs = zip(our_segment.split("*"), their_segment.split("*"), strict=True)
            assert all(same_value(a, b) for a, b in pairs), (our_segment, their_segment)
    return models


def patients(model: Any) -> list[Any]:
    """The 2000C loops of a 271 model, and their 2000D loops, in file order."""
    found = []
    for subscriber in model.loop_2000a[0].loop_2000b[0].loop_2000c or []:
        found.append(subscriber)
        found.extend(subscriber.loop_2000d or [])
    return found


def benefits(loop_2000c: Any) -> list[Any]:
    return [loop.eb_segment for loop in loop_2000c.loop_2100c.loop_2110c or []]


def find_eb(ebs: list[Any], code: str, service_type: str, **fields: Any) -> Any:
    matches = [
        eb
        for eb in ebs
        if as_text(eb.eligibility_benefit_information) == code
        and service_type in [as_text(s) for s in eb.service_type_code or []]
        and all(as_text(getattr(eb, name)) == value for name, value in fields.items())
    ]
    assert len(matches) == 1, (code, service_type, fields, matches)
    return matches[0]


# --- Reading 270s ---


def test_the_handwritten_270_gives_its_subscriber_and_dependent_inquiries() -> None:
    batch = parse_270(fixture_text())

    assert (batch.sender_id, batch.receiver_id, batch.usage) == ("RIVERSIDEFM", "PORTICO", "T")
    assert (batch.interchange_control_number, batch.group_control_numbers) == (
        "000000417",
        ("417",),
    )
    (transaction,) = batch.transactions
    assert (transaction.control_number, transaction.reference) == ("0001", "RFM20260614")
    assert transaction.created == date(2026, 6, 14)
    assert (transaction.payer.name, transaction.payer.identifier) == (
        "PORTICO HEALTH PLAN",
        "PORTICO",
    )
    assert batch.provider.npi == "1467560003"
    assert [(i.loop, i.segment_number) for i in batch.items] == [
        ("2000C", 9),
        ("2000D", 19),
        ("2000C", 25),
    ]
    assert batch.errors == []
    assert batch.inquiries == [
        EligibilityInquiry(
            date_of_service=date(2026, 6, 15),
            date_of_birth=date(1984, 3, 14),
            member_id="PT100000101",
            last_name="THOMPSON",
            first_name="AVERY",
            procedure_codes=("99213",),
            place_of_service="11",
            trace_number="RFM-0001",
        ),
        # The dependent is asked about by name and DOB (NM109 is the subscriber's), on the
        # first day of its DTP*291 range.
        EligibilityInquiry(
            date_of_service=date(2026, 6, 16),
            date_of_birth=date(2016, 8, 9),
            last_name="THOMPSON",
            first_name="NOAH",
            trace_number="RFM-0002",
        ),
        # No DTP*291: the 270's own date (BHT04) when the caller gives no processing date.
        EligibilityInquiry(
            date_of_service=date(2026, 6, 14),
            date_of_birth=date(1971, 9, 2),
            member_id="PT100000201",
            last_name="REED",
            first_name="MARCUS",
            trace_number="RFM-0003",
        ),
    ]
    dependent = batch.items[1]
    assert dependent.subscriber is not None and dependent.subscriber.member_id == "PT100000101"
    assert dependent.service_type_codes == ("98",)
    assert [item.date_of_service_defaulted for item in batch.items] == [False, False, True]


def test_without_a_dtp_the_inquiry_is_for_the_processing_date_given() -> None:
    batch = parse_270(fixture_text(), default_date_of_service=date(2026, 7, 1))
    assert [i.date_of_service for i in batch.inquiries] == [
        date(2026, 6, 15),
        date(2026, 6, 16),
        date(2026, 7, 1),
    ]


def test_the_handwritten_270_is_one_x12sdk_reads_too() -> None:
    (model,) = read_with_x12sdk(fixture_text(), tr3_codes=False)
    assert [(m.name, m.is_dependent) for m in model.members()] == [
        (("THOMPSON", "AVERY"), False),
        (("THOMPSON", "NOAH"), True),
        (("REED", "MARCUS"), False),
    ]


def _x12sdk_traces(model: Any) -> list[str]:
    """TRN02 of each patient, from the 2000D when it has one, else its 2000C (x12sdk's
    generator puts a dependent's trace in the subscriber's loop)."""
    traces = []
    for subscriber in model.loop_2000a[0].loop_2000b[0].loop_2000c:
        own = subscriber.trn_segment[0].reference_identification_1
        dependents = subscriber.loop_2000d or []
        if subscriber.loop_2100c.loop_2110c or not dependents:
            traces.append(own)
        for dependent in dependents:
            trn = dependent.trn_segment
            traces.append(trn[0].reference_identification_1 if trn else own)
    return traces


def _as_date(value: Any) -> date:
    return (
        value
        if isinstance(value, date)
        else date.fromisoformat(f"{value[:4]}-{value[4:6]}-{value[6:8]}")
    )


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_270s_x12sdk_generates_read_as_x12sdk_reads_them(seed: int) -> None:
    text = generate_270(seed=seed, members=12, dependent_rate=0.5)
    batch = parse_270(text)
    (model,) = read_with_x12sdk(text, tr3_codes=False)
    members = list(model.members())

    assert batch.errors == []
    assert len(batch.items) == len(members) == 12
    assert any(item.loop == "2000D" for item in batch.items)  # both branches exercised
    for item, member, trace in zip(batch.items, members, _x12sdk_traces(model), strict=True):
        inquiry = item.inquiry
        assert inquiry is not None
        assert item.loop == ("2000D" if member.is_dependent else "2000C")
        assert (inquiry.last_name, inquiry.first_name) == member.name
        assert inquiry.member_id == (None if member.is_dependent else member.member_id)
        assert item.subscriber is not None and item.subscriber.member_id == member.member_id
        assert inquiry.date_of_birth == _as_date(member.member.dmg_segment.date_time_period)
        assert inquiry.date_of_service == _as_date(member.member.dtp_segment.date_time_period)
        assert item.service_type_codes == member.service_type_codes
        assert inquiry.trace_number == trace


# Per-inquiry problems: the loop is reported, the rest of the batch still runs. Segment numbers
# are the fixture's line numbers.
LOOP_PROBLEMS = [
    pytest.param(
        "DMG*D8*19840314*F",
        "DMG*D8*19841314*F",
        0,
        "Segment 12 (DMG): date of birth '19841314' is not a valid CCYYMMDD date",
        "58",
        id="invalid date of birth",
    ),
    pytest.param(
        "DMG*D8*19840314*F~\n",
        "",
        0,
        "Segment 11 (NM1): no DMG date of birth in loop 2100C: Portico matches members by date "
        "of birth; add DMG*D8*CCYYMMDD after the NM1",
        "58",
        id="missing DMG",
    ),
    pytest.param(
        "DMG*D8*19840314*F",
        "DMG*RD8*19840314*F",
        0,
        "Segment 12 (DMG): DMG01 must be D8 (a CCYYMMDD date of birth in DMG02), found 'RD8'",
        "58",
        id="DMG01 not D8",
    ),
    pytest.param(
        "DTP*291*D8*20260615",
        "DTP*291*D8*20261315",
        0,
        "Segment 13 (DTP): date of service '20261315' is not a valid CCYYMMDD date",
        "57",
        id="invalid date of service",
    ),
    pytest.param(
        "DTP*291*RD8*20260616-20260620",
        "DTP*291*RD8*20260616-2026062",
        1,
        "Segment 23 (DTP): date-of-service range '20260616-2026062' is not a valid "
        "CCYYMMDD-CCYYMMDD date",
        "57",
        id="invalid date range",
    ),
    pytest.param(
        "NM1*IL*1*REED*MARCUS****MI*PT100000201",
        "NM1*IL*1*REED",
        2,
        "Segment 27 (NM1): NM1 must give the member ID (NM108 MI, NM109) or the last and first "
        "name (NM103, NM104)",
        "72",
        id="neither member ID nor full name",
    ),
    pytest.param(
        "NM1*03*1*THOMPSON*NOAH",
        "NM1*03*1*THOMPSON",
        1,
        "Segment 21 (NM1): NM1 must give the dependent's last and first name (NM103, NM104)",
        "65",
        id="dependent without first name",
    ),
    pytest.param(
        "DMG*D8*19710902*M",
        "DMG*D8*20300101*M",
        2,
        "Segment 28 (DMG): the date of birth (01/01/2030) is after the date of service "
        "(06/14/2026)",
        "60",
        id="born after the date of service",
    ),
    pytest.param(
        "DMG*D8*19710902*M~\n",
        "DMG*D8*19710902*M~\nCLM*1~\n",
        2,
        "Segment 29 (CLM): CLM is not a segment of a 270 subscriber or dependent loop",
        "15",
        id="a segment that does not belong",
    ),
    pytest.param(
        "HL*6*2*22*0",
        "HL*6*9*22*0",
        2,
        "Segment 25 (HL): HL02 of a subscriber loop must name the information receiver's HL "
        "(2), found '9'",
        "15",
        id="subscriber under an unknown parent",
    ),
    pytest.param(
        "HL*5*4*23*0",
        "HL*5*8*23*0",
        1,
        "Segment 19 (HL): HL02 of a dependent loop must name its subscriber's HL, found '8'",
        "15",
        id="dependent under an unknown parent",
    ),
]


@pytest.mark.parametrize(("old", "new", "index", "message", "reason"), LOOP_PROBLEMS)
def test_a_broken_patient_loop_is_reported_and_the_others_still_run(
    old: str, new: str, index: int, message: str, reason: str
) -> None:
    batch = parse_270(edited(fixture_text(), old, new))

    assert [str(error) for error in batch.errors] == [message]
    broken = batch.items[index]
    assert (broken.inquiry, broken.reject_reason) == (None, reason)
    assert broken.error is not None and broken.error.control_number == "0001"
    assert len(batch.inquiries) == 2


@pytest.mark.parametrize(
    ("new", "reason", "message"),
    [
        (
            "EQ*98*N4:00002143380",
            "54",
            "Segment 15 (EQ): EQ02 qualifier 'N4' is not supported: send procedure codes as "
            "HC:<code>",
        ),
        (
            "EQ*98*HC:9921",
            "AG",
            "Segment 15 (EQ): '9921' is not a procedure code (5 characters, e.g. 99213).",
        ),
    ],
)
def test_a_procedure_that_cannot_be_asked_about_leaves_the_rest_of_the_inquiry(
    new: str, reason: str, message: str
) -> None:
    item = parse_270(edited(fixture_text(), "EQ*98*HC:99213", new)).items[0]

    assert item.inquiry is not None and item.inquiry.procedure_codes == ()
    (rejected,) = item.rejected_procedures
    assert (rejected.reject_reason, str(rejected.problem)) == (reason, message)


def test_a_procedure_without_a_service_type_is_read() -> None:
    # The TR3 allows EQ01 to be empty when EQ02 asks about a procedure.
    item = parse_270(edited(fixture_text(), "EQ*98*HC:99213", "EQ**HC:99214")).items[0]
    assert item.inquiry is not None and item.inquiry.procedure_codes == ("99214",)
    assert item.service_type_codes == ("30",)


FILE_PROBLEMS: list[Any] = [
    pytest.param(
        lambda text: text.split("\n", 1)[1],
        "Segment 1: the file does not start with an ISA interchange header; an X12 file begins "
        "'ISA*00*'",
        id="missing ISA",
    ),
    pytest.param(
        lambda text: text.replace("~\n", "\n").replace("*:\n", "*:~\n", 1),
        "Segment 2 (GS): a line break inside the segment: segments must end with '~' (the "
        "terminator declared after ISA16)",
        id="segments not ended with the declared terminator",
    ),
    pytest.param(
        lambda text: text.replace("ST*270*", "ST*271*"),
        "Segment 3 (ST): ST01 is '271': this is not a 270 eligibility inquiry (a 270 starts "
        "ST*270)",
        id="ST01 not 270",
    ),
    pytest.param(
        lambda text: text.replace("*005010X279A1~\nBHT", "*005010X222A1~\nBHT"),
        "Segment 3 (ST): ST03 is '005010X222A1': Portico reads the 005010X279A1 270 "
        "(ST*270*<control number>*005010X279A1)",
        id="ST03 another guide",
    ),
    pytest.param(
        lambda text: text.replace("GS*HS*", "GS*HB*"),
        "Segment 2 (GS): GS01 is 'HB': a 270 belongs in a functional group GS*HS",
        id="GS01 not HS",
    ),
    pytest.param(
        lambda text: text.replace("SE*28*0001", "SE*27*0001"),
        "Segment 30 (SE): SE01 says 27 segments but transaction set 0001 has 28 (ST through "
        "SE): a segment is missing, extra or split",
        id="SE count mismatch",
    ),
    pytest.param(
        lambda text: edited(text, "NM1*1P*2*RIVERSIDE FAMILY MEDICINE*****XX*1467560003~\n", ""),
        "Segment 7 (HL): loop 2100B has no NM1 naming the information receiver (provider)",
        id="no information receiver",
    ),
]


@pytest.mark.parametrize(("break_it", "message"), FILE_PROBLEMS)
def test_a_file_that_cannot_be_read_says_where_and_what_to_fix(
    break_it: Callable[[str], str], message: str
) -> None:
    with pytest.raises(X12Error) as raised:
        parse_270(break_it(fixture_text()))
    assert str(raised.value) == message


# --- Writing 270s (test and benchmark input) ---


def test_write_270_reads_back_as_the_same_inquiries_and_x12sdk_agrees() -> None:
    inquiries = [
        make_inquiry(procedure_codes=("99213", "97110"), place_of_service="11"),
        make_inquiry(
            member_id=None,
            last_name="Reed",
            first_name="Marcus",
            date_of_birth=date(1971, 9, 2),
            trace_number="TRACE0002",
        ),
    ]
    text = write_270(
        inquiries,
        provider=RIVERSIDE,
        sender_id="RIVERSIDEFM",
        receiver_id="PORTICO",
        control_number=5,
        at=COMPUTED_AT,
    )

    assert parse_270(text).inquiries == inquiries
    (model,) = read_with_x12sdk(text, tr3_codes=False)
    members = list(model.members())
    assert [m.name for m in members] == [("Thompson", "Avery"), ("Reed", "Marcus")]
    assert [m.member_id for m in members] == ["PT100000101", None]
    assert members[0].service_type_codes == ("30", "30", "30")  # EQ*30, EQ*30*HC:... twice
    procedures = [loop.eq_segment.medical_procedure_id for loop in members[0].benefits]
    assert procedures == [None, ["HC", "99213"], ["HC", "97110"]]


# --- Writing 271s ---


PCP_PROCEDURES = (
    make_procedure(),
    make_procedure(
        "70553",
        description="MRI brain",
        service_category=ServiceCategory.ADVANCED_IMAGING,
        prior_auth_required=True,
    ),
    make_procedure("12345", description=None, service_category=None, covered=False),
)

TERMINATED = make_coverage(terminated=date(2026, 3, 31))
NOT_YET_EFFECTIVE = make_coverage(effective=date(2026, 7, 1))
PPO_JULY_YEAR = make_coverage(
    product="PPO",
    plan_name="Portico Health PPO Gold",
    pcp_name=None,
    pcp_npi=None,
    plan_year_start=date(2026, 7, 1),
    plan_year_end=date(2027, 6, 30),
    order=2,
)

ANSWERS = {
    "active, every benefit kind": make_answer(procedures=PCP_PROCEDURES),
    "no match": make_answer(matched=False),
    "terminated": make_answer(coverages=(TERMINATED,)),
    "not yet effective": make_answer(coverages=(NOT_YET_EFFECTIVE,)),
    "two coverages, second with a July plan year": make_answer(
        coverages=(make_coverage(), PPO_JULY_YEAR)
    ),
    "found, never covered": make_answer(coverages=()),
    "dependent child": make_answer(
        make_inquiry(member_id=None, last_name="Thompson", first_name="Noah"),
        member=make_member(
            member_id="PT100000103",
            first_name="Noah",
            date_of_birth=date(2016, 8, 9),
            sex="M",
            relationship="child",
        ),
    ),
}


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
def test_every_271_written_is_read_by_x12sdk_segment_for_segment(
    answer: EligibilityAnswer,
) -> None:
    assert_x12sdk_read_every_segment(write([answer]))


def test_benefit_values_come_back_from_x12sdk_as_they_were_given() -> None:
    text = write([make_answer(procedures=PCP_PROCEDURES)])
    (model,) = assert_x12sdk_read_every_segment(text)
    (patient,) = patients(model)
    ebs = benefits(patient)

    assert patient.trn_segment[0].trace_type_code == "1"
    assert patient.trn_segment[0].reference_identification_1 == "EL260615ABCDEF123456"
    name = patient.loop_2100c.nm1_segment
    assert (name.identification_code_qualifier, name.identification_code) == ("MI", "PT100000101")
    assert _as_date(patient.loop_2100c.dmg_segment.date_time_period) == date(1984, 3, 14)

    active = find_eb(ebs, "1", "30")
    assert as_text(active.insurance_type_code) == "HM"
    assert active.plan_coverage_description == "Portico Health HMO Silver"
    assert {"98", "3", "PT", "62"} <= {as_text(s) for s in active.service_type_code}
    assert "BL" not in {as_text(s) for s in active.service_type_code}  # not covered
    find_eb(ebs, "I", "BL")  # EB*I Non-Covered

    assert find_eb(ebs, "B", "98").benefit_amount == Decimal("20")
    assert find_eb(ebs, "B", "3").benefit_amount == Decimal("45")
    assert find_eb(ebs, "A", "62").benefit_percent == Decimal("0.3")
    assert as_text(find_eb(ebs, "A", "62").authorization_certification_indicator) == "Y"
    assert as_text(find_eb(ebs, "B", "98").authorization_certification_indicator) == "N"

    def amount(code: str, level: str, period: str) -> Decimal:
        eb = find_eb(ebs, code, "30", coverage_level_code=level, time_period_qualifier=period)
        return eb.benefit_amount  # type: ignore[no-any-return]

    # Deductible $1,500 individual with $250 met, $3,000 family with $900 met; OOP likewise.
    assert amount("C", "IND", "23") == Decimal("1500")
    assert amount("C", "IND", "29") == Decimal("1250")
    assert amount("C", "FAM", "23") == Decimal("3000")
    assert amount("C", "FAM", "29") == Decimal("2100")
    assert amount("G", "IND", "29") == Decimal("5600")
    assert amount("G", "FAM", "29") == Decimal("10900")

    loops = patient.loop_2100c.loop_2110c
    visit_limit = next(loop for loop in loops if loop.eb_segment is find_eb(ebs, "F", "PT"))
    assert [(h.quantity, as_text(h.time_period_qualifier)) for h in visit_limit.hsd_segment] == [
        (Decimal("20"), "23"),
        (Decimal("5"), "29"),
    ]
    pcp = next(loop for loop in loops if loop.eb_segment is find_eb(ebs, "L", "30"))
    (entity,) = pcp.loop_2120c
    assert as_text(entity.nm1_segment.entity_identifier_code) == "P3"
    assert (entity.nm1_segment.name_last_or_organization_name, entity.nm1_segment.name_first) == (
        "Alvarez",
        "Maria",
    )
    assert as_text(entity.nm1_segment.identification_code_qualifier) == "XX"
    assert entity.nm1_segment.identification_code == "1234567893"

    by_procedure = {
        tuple(eb.procedure_identifier): eb for eb in ebs if eb.procedure_identifier is not None
    }
    assert as_text(by_procedure[("HC", "99213")].eligibility_benefit_information) == "1"
    mri = by_procedure[("HC", "70553")]
    assert as_text(mri.authorization_certification_indicator) == "Y"
    assert as_text(by_procedure[("HC", "12345")].eligibility_benefit_information) == "V"


def test_coverage_dates_and_status_for_a_terminated_member() -> None:
    text = write([make_answer(coverages=(TERMINATED,))])
    assert_x12sdk_read_every_segment(text)
    assert segments_of(text, "DTP")[:3] == [
        ("346", "D8", "20210101"),  # 2100C plan begin
        ("347", "D8", "20260331"),  # 2100C plan end
        ("291", "D8", "20260615"),  # the date of service answered for
    ]
    statuses = [s for s in segments_of(text, "EB") if s[0] in {"1", "6"}]
    assert statuses == [("6", "", "30", "HM", "Portico Health HMO Silver")]
    assert ("291", "RD8", "20210101-20260331") in segments_of(text, "DTP")
    assert not [s for s in segments_of(text, "EB") if s[0] in {"B", "C"}]  # no benefits


def test_a_plan_year_that_starts_in_july_is_a_service_year_and_secondary_is_said() -> None:
    text = write([make_answer(coverages=(make_coverage(), PPO_JULY_YEAR))])
    ebs = segments_of(text, "EB")
    assert [s[:5] for s in ebs if s[0] == "1"][1] == (
        "1",
        "",
        "30^1^98^3^PT^62",
        "PR",
        "Portico Health PPO Gold",
    )
    ppo = [s for s in ebs if s[4:5] == ("Portico Health PPO Gold",) and s[0] == "C"]
    assert {s[5] for s in ppo} == {"22", "29"}  # EB06 22 Service Year, 29 Remaining
    assert ("Secondary coverage, coordination of benefits order 2",) in segments_of(text, "MSG")


def test_answers_to_a_270_echo_its_traces_names_and_reference() -> None:
    request = parse_270(fixture_text())
    avery, noah, marcus = request.inquiries
    answers = [
        make_answer(avery, procedures=(make_procedure(),)),
        make_answer(
            noah,
            member=make_member(
                member_id="PT100000103", first_name="Noah", date_of_birth=date(2016, 8, 9)
            ),
            transaction_id="EL2",
        ),
        make_answer(marcus, matched=False, transaction_id="EL3"),
    ]
    text = write(list(reversed(answers)), request)  # matched to the loops by inquiry, not order
    (model,) = assert_x12sdk_read_every_segment(text)

    assert model.header.bht_segment.submitter_transactional_identifier == "RFM20260614"
    receiver = model.loop_2000a[0].loop_2000b[0].loop_2100b.nm1_segment
    assert (receiver.name_last_or_organization_name, receiver.identification_code) == (
        "RIVERSIDE FAMILY MEDICINE",
        "1467560003",
    )
    envelope = tokenize(text)
    assert (envelope[0].get(6), envelope[0].get(8), envelope[0].get(15)) == (
        "PORTICO",
        "RIVERSIDEFM",
        "T",
    )
    first, second, third = patients(model)
    assert [(t.trace_type_code, t.reference_identification_1, t.originating_company_identifier)
            for t in first.trn_segment] == [
        ("2", "RFM-0001", "1123456789"),
        ("1", "EL260615ABCDEF123456", "9PORTICOHP"),
    ]  # fmt: skip
    # The dependent has a member ID of their own, so the answer is in the subscriber loop,
    # with INS*Y*18*001*25 saying the identifying data changed.
    assert second.trn_segment[0].reference_identification_1 == "RFM-0002"
    assert second.loop_2100c.nm1_segment.identification_code == "PT100000103"
    assert second.loop_2100c.ins_segment.maintenance_type_code == "001"
    # Not found: who was asked about, echoed, and AAA*Y**75*C.
    assert third.trn_segment[0].reference_identification_1 == "RFM-0003"
    assert third.loop_2100c.nm1_segment.name_last_or_organization_name == "REED"
    assert third.loop_2100c.nm1_segment.identification_code == "PT100000201"
    (aaa,) = third.loop_2100c.aaa_segment
    assert (as_text(aaa.response_code), as_text(aaa.reject_reason_code)) == ("Y", "75")
    assert as_text(aaa.follow_up_action_code) == "C"
    assert _as_date(third.loop_2100c.dmg_segment.date_time_period) == date(1971, 9, 2)


def test_a_dependent_not_found_is_answered_in_its_dependent_loop() -> None:
    request = parse_270(fixture_text())
    avery, noah, marcus = request.inquiries
    answers = [make_answer(avery), make_answer(noah, matched=False), make_answer(marcus)]
    (model,) = assert_x12sdk_read_every_segment(write(answers, request))

    subscriber = model.loop_2000a[0].loop_2000b[0].loop_2000c[1]
    assert subscriber.hl_segment.hierarchical_child_code == "1"
    assert subscriber.loop_2100c.nm1_segment.name_first == "AVERY"
    (dependent,) = subscriber.loop_2000d
    assert dependent.trn_segment[0].reference_identification_1 == "RFM-0002"
    assert dependent.loop_2100d.nm1_segment.name_first == "NOAH"
    (aaa,) = dependent.loop_2100d.aaa_segment
    assert as_text(aaa.reject_reason_code) == "67"  # Patient Not Found


def test_a_loop_that_could_not_be_read_gets_an_aaa_saying_why() -> None:
    request = parse_270(edited(fixture_text(), "DMG*D8*19840314*F", "DMG*D8*19841314*F"))
    noah, marcus = request.inquiries
    text = write([make_answer(noah), make_answer(marcus)], request)
    (model,) = assert_x12sdk_read_every_segment(text)

    first = patients(model)[0]
    (aaa,) = first.loop_2100c.aaa_segment
    assert (as_text(aaa.response_code), as_text(aaa.reject_reason_code)) == ("N", "58")
    assert first.loop_2100c.dmg_segment is None  # an invalid date is not echoed
    assert first.trn_segment[0].reference_identification_1 == "RFM-0001"


def test_a_procedure_that_could_not_be_asked_about_gets_eb_v_and_an_aaa() -> None:
    request = parse_270(edited(fixture_text(), "EQ*98*HC:99213", "EQ*98*N4:00002143380"))
    text = write([make_answer(inquiry) for inquiry in request.inquiries], request)
    (model,) = assert_x12sdk_read_every_segment(text)

    loops = patients(model)[0].loop_2100c.loop_2110c
    rejected = [loop for loop in loops if loop.aaa_segment]
    (loop,) = rejected
    assert as_text(loop.eb_segment.eligibility_benefit_information) == "V"
    assert loop.eb_segment.procedure_identifier == ["N4", "00002143380"]
    assert as_text(loop.aaa_segment[0].reject_reason_code) == "54"


def test_an_inquiry_left_unanswered_says_unable_to_respond() -> None:
    request = parse_270(fixture_text())
    avery, _, marcus = request.inquiries
    text = write([make_answer(avery), make_answer(marcus)], request)
    assert ("Y", "", "42", "R") in segments_of(text, "AAA")
    assert_x12sdk_read_every_segment(text)


def test_only_the_service_types_asked_about_are_answered() -> None:
    request = parse_270(fixture_text())
    text = write([make_answer(inquiry) for inquiry in request.inquiries], request)
    loops = [segment for segment in tokenize(text) if segment.id in {"HL", "EB"}]
    dependent_loop = []  # HL 4 answers the dependent, who asked about 98 only
    for segment in loops:
        if segment.id == "HL":
            current = segment.get(1)
        elif current == "4":
            dependent_loop.append(segment.get(3))
    assert {"98"} == {code for code in dependent_loop if code not in {"30", "30^1^98"}}


def test_a_service_type_portico_has_no_category_for_is_answered_as_30() -> None:
    # 35 Dental: the TR3 has an information source answer an unsupported type as 30.
    request = parse_270(edited(fixture_text(), "EQ*98~", "EQ*35~"))
    text = write([make_answer(inquiry) for inquiry in request.inquiries], request)
    dependent_answer = text.split("HL*4*2*22*0~")[1].split("HL*5")[0]
    assert "EB*B**PT*" in dependent_answer and "EB*B**98*" in dependent_answer


def test_visit_limits_reached_and_not_covered_procedures_are_said() -> None:
    reached = replace(
        make_coverage(),
        benefits=(make_benefit(ServiceCategory.PHYSICAL_THERAPY, visits=VisitAllowance(20, 20)),),
    )
    answer = make_answer(
        coverages=(reached,),
        procedures=(
            make_procedure(
                "97110", service_category=ServiceCategory.PHYSICAL_THERAPY, visit_limit_reached=True
            ),
            make_procedure(
                "93306", covered=False, service_category=ServiceCategory.CARDIAC_TESTING
            ),
        ),
    )
    text = write([answer])
    assert_x12sdk_read_every_segment(text)
    # 20 of 20 used: HSD05 24 year to date (x12sdk cannot read an HSD02 of 0 remaining).
    assert segments_of(text, "HSD") == [("VS", "20", "", "", "23", "1"), ("VS", "20", "", "", "24")]
    assert segments_of(text, "MSG").count(("Visit limit reached for this plan year",)) == 2
    assert [s[0] for s in segments_of(text, "EB") if s[-1:] == ("HC:93306",)] == ["I"]


def test_write_271_needs_the_request_or_the_receiver_and_answers_that_belong() -> None:
    with pytest.raises(ValueError, match="request"):
        write_271(
            [make_answer()],
            request=None,
            sender_id="PORTICO",
            receiver_id="RIVERSIDEFM",
            control_number=1,
            at=COMPUTED_AT,
        )
    with pytest.raises(ValueError, match="not in the 270"):
        write([make_answer(make_inquiry(member_id="PT999"))], parse_270(fixture_text()))


def test_x12sdk_still_refuses_tr3_subscriber_reject_reasons() -> None:
    """When this fails, x12sdk reads AAA*Y**75*C in 2100C by itself: drop tests/x12sdk_tr3.py."""
    with pytest.raises(ValidationError, match="reject_reason_code"):
        read_with_x12sdk(write([make_answer(matched=False)]), tr3_codes=False)
