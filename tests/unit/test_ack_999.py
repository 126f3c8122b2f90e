"""The 999 for a received 837P: accepted, accepted with errors (IK3/IK4 and the claim's CLM01),
rejected, and partially accepted across transaction sets; pyx12 finds every one valid."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from interop.x12.ack_999 import group_code, write_999
from interop.x12.claims_837 import parse_837p
from interop.x12.segments import read_interchange, tokenize
from tests.unit.test_claims_837 import entry, recount, write
from tests.x12_validation import pyx12_errors

FIXTURES = Path(__file__).parents[1] / "fixtures" / "x12"
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def ack(text: str) -> str:
    acknowledgement = write_999(parse_837p(text), sender_id="PORTICO", control_number=555, at=AT)
    assert pyx12_errors(acknowledgement) == []
    read_interchange(acknowledgement)  # our own envelope checks agree
    return acknowledgement


def segments(text: str, segment_id: str) -> list[tuple[str, ...]]:
    return [s.elements[1:] for s in tokenize(text) if s.id == segment_id]


@pytest.mark.parametrize("name", ["837p_x12sdk_subscribers.x12", "837p_x12sdk_dependent.x12"])
def test_a_clean_file_is_accepted_and_answered_to_its_sender(name: str) -> None:
    text = (FIXTURES / name).read_text()
    acknowledgement = ack(text)
    assert segments(acknowledgement, "AK1") == [("HC", "1", "005010X222A2")]
    assert segments(acknowledgement, "AK2") == [("837", "0101", "005010X222A2")]
    assert segments(acknowledgement, "IK5") == [("A",)]
    assert segments(acknowledgement, "AK9") == [("A", "1", "1", "1")]
    interchange = read_interchange(acknowledgement)
    assert (interchange.sender_id, interchange.receiver_id) == ("PORTICO", "RIVERSIDECH")
    assert interchange.groups[0].functional_id == "FA"


def test_claim_errors_are_named_segment_by_segment_and_the_set_accepted_with_errors() -> None:
    text = write([entry(), entry(patient_control_number="RFM-0")])
    broken = recount(
        text.replace("DTP*472*D8*20260202~\nLX*2", "DTP*472*D8*20260231~\nLX*2", 1).replace(
            "11:B:1", "11:B:5", 1
        )
    )
    acknowledgement = ack(broken)
    st = next(s.number for s in tokenize(broken) if s.id == "ST")
    clm = next(s for s in tokenize(broken) if s.id == "CLM")
    dtp = next(s for s in tokenize(broken) if s.id == "DTP" and s.get(3) == "20260231")
    assert segments(acknowledgement, "IK3") == [
        ("CLM", str(clm.number - st + 1), "2300", "8"),
        ("DTP", str(dtp.number - st + 1), "2400", "8"),
    ]
    assert segments(acknowledgement, "CTX") == [("CLM01:RFM-1",), ("CLM01:RFM-1",)]
    assert segments(acknowledgement, "IK4") == [("5:3", "1325", "7"), ("3", "1251", "8")]
    assert segments(acknowledgement, "IK5") == [("E", "5")]
    assert segments(acknowledgement, "AK9") == [("E", "1", "1", "1")]


def test_one_broken_set_of_two_makes_the_group_partially_accepted() -> None:
    text = write(
        [entry(patient_control_number=f"RFM-{n}") for n in range(2)], claims_per_transaction=1
    )
    # The second set loses its billing provider (2010AA): the set cannot stand.
    lines = text.splitlines(keepends=True)
    second_nm1_85 = [i for i, line in enumerate(lines) if line.startswith("NM1*85")][1]
    del lines[second_nm1_85]
    second_se = [i for i, line in enumerate(lines) if line.startswith("SE*")][1]
    count = int(lines[second_se].split("*")[1])
    lines[second_se] = lines[second_se].replace(f"SE*{count}*", f"SE*{count - 1}*")
    acknowledgement = ack("".join(lines))
    assert segments(acknowledgement, "IK5") == [("A",), ("R", "5")]
    assert segments(acknowledgement, "AK9") == [("P", "2", "2", "1")]
    assert segments(acknowledgement, "IK3")[0][0] == "CLM"  # where the NPI was missed


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["A", "A"], "A"),
        (["A", "E"], "E"),
        (["A", "R"], "P"),
        (["E", "R"], "P"),
        (["R", "R"], "R"),
    ],
)
def test_the_group_code_follows_its_transaction_sets(codes: list[str], expected: str) -> None:
    assert group_code(codes) == expected
