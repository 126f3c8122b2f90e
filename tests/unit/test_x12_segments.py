"""The X12 plumbing every codec shares: delimiters read from the ISA, numbered segments, envelope
checks (counts and control numbers), and the writer that produces them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from interop.x12.segments import (
    Composite,
    Delimiters,
    Repeated,
    TransactionWriter,
    X12Error,
    format_segment,
    read_delimiters,
    read_interchange,
    tokenize,
    write_interchange,
    x12_decimal,
)

AT = datetime(2026, 6, 15, 9, 5)


def _interchange(*, delimiters: Delimiters = Delimiters(), control_number: int = 42) -> str:
    writer = TransactionWriter("270", "0001", "005010X279A1", delimiters)
    writer.add("BHT", "0022", "13", "REF1", "20260615", "0905")
    writer.add("EQ", Repeated(("30", "98")), Composite(("HC", "99213")))
    writer.finish()
    return write_interchange(
        [writer],
        version="005010X279A1",
        sender_id="SUBMITTER",
        receiver_id="PORTICO",
        control_number=control_number,
        at=AT,
        delimiters=delimiters,
    )


def test_the_writer_fills_the_envelope_and_the_reader_checks_it() -> None:
    text = _interchange()
    lines = text.splitlines()
    assert lines[0] == (
        "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*PORTICO        *260615*0905*^*"
        "00501*000000042*0*P*:~"
    )
    assert len(lines[0]) == 106  # the fixed-width ISA, terminator included
    assert lines[1] == "GS*HS*SUBMITTER*PORTICO*20260615*0905*42*X*005010X279A1~"
    assert lines[-3:] == ["SE*4*0001~", "GE*1*42~", "IEA*1*000000042~"]

    interchange = read_interchange(text)
    assert (interchange.sender_id, interchange.receiver_id) == ("SUBMITTER", "PORTICO")
    assert interchange.control_number == "000000042"
    (transaction,) = interchange.transactions
    assert (transaction.id, transaction.control_number) == ("270", "0001")
    eq = transaction.body[1]
    assert eq.repeats(1) == ("30", "98")
    assert eq.components(2) == ("HC", "99213")
    assert eq.number == 5  # counted from the ISA, so it is the line number here


def test_any_delimiters_the_isa_declares_are_used_throughout() -> None:
    unusual = Delimiters(element="|", repetition="!", component=">", segment="\n")
    text = _interchange(delimiters=unusual)
    assert read_delimiters(text) == unusual
    (transaction,) = read_interchange(text).transactions
    assert transaction.body[1].elements == ("EQ", "30!98", "HC>99213")
    assert transaction.body[1].repeats(1) == ("30", "98")


def test_an_isa_without_its_padding_still_gives_its_delimiters() -> None:
    trimmed = "ISA*00**00**ZZ*SUBMITTER*ZZ*PORTICO*260615*0905*^*00501*000000042*0*P*:~GS*HS~"
    assert read_delimiters(trimmed) == Delimiters()


def test_values_cannot_smuggle_separators_and_trailing_empties_are_dropped() -> None:
    assert format_segment("NM1", ["IL", "1", "O*NEIL~SMITH", None, None]) == "NM1*IL*1*O NEIL SMITH"
    assert format_segment("EB", ["B", None, Repeated(("98", "", "UC")), None]) == "EB*B**98^UC"
    assert format_segment("EQ", [None, Composite(("HC", "99213", "", ""))]) == "EQ**HC:99213"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("20.00"), "20"),
        (Decimal("0.20"), ".2"),
        (Decimal("1500.50"), "1500.5"),
        (Decimal("0"), "0"),
        (Decimal("0.00"), "0"),
        (Decimal("1E+3"), "1000"),
    ],
)
def test_decimals_are_written_as_x12_r_values(amount: Decimal, text: str) -> None:
    assert x12_decimal(amount) == text


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (
            lambda text: text.replace("SE*4*0001", "SE*5*0001"),
            "Segment 6 (SE): SE01 says 5 segments but transaction set 0001 has 4 (ST through "
            "SE): a segment is missing, extra or split",
        ),
        (
            lambda text: text.replace("SE*4*0001", "SE*4*0002"),
            "Segment 6 (SE): SE02 '0002' does not match ST02 '0001'",
        ),
        (
            lambda text: text.replace("GE*1*42", "GE*2*42"),
            "Segment 7 (GE): GE01 says 2 transaction sets but the group has 1",
        ),
        (
            lambda text: text.replace("GE*1*42", "GE*1*43"),
            "Segment 7 (GE): GE02 '43' does not match GS06 '42'",
        ),
        (
            lambda text: text.replace("IEA*1*000000042", "IEA*1*000000041"),
            "Segment 8 (IEA): IEA02 '000000041' does not match ISA13 '000000042'",
        ),
        (
            lambda text: text.split("IEA")[0],
            "Segment 7 (GE): the interchange has no IEA trailer: the file is incomplete "
            "(truncated?)",
        ),
        (
            lambda text: text.replace("SE*4*0001~\n", ""),
            "Segment 3 (ST): transaction set 0001 has no SE trailer (found GE first)",
        ),
        (
            lambda text: "GS" + text.split("GS", 1)[1],
            "Segment 1: the file does not start with an ISA interchange header; an X12 file "
            "begins 'ISA*00*'",
        ),
        (
            lambda text: text.replace("*00501*", "*00401*"),
            "Segment 1 (ISA): ISA12 is '00401'; Portico reads X12 version 005010 (ISA12 '00501') "
            "only",
        ),
        (
            # Segments end with a line break only, though the ISA declares '~'.
            lambda text: text.replace("~\n", "\n").replace(":\n", ":~\n", 1),
            "Segment 2 (GS): a line break inside the segment: segments must end with '~' (the "
            "terminator declared after ISA16)",
        ),
    ],
)
def test_a_broken_envelope_says_where_and_what_to_fix(
    break_it: Callable[[str], str], message: str
) -> None:
    with pytest.raises(X12Error) as raised:
        read_interchange(break_it(_interchange()))
    assert str(raised.value) == message


def test_a_segment_that_is_not_one_is_quoted_only_briefly() -> None:
    text = _interchange().replace("BHT*0022", "bht|0022|13|SOMEONE PRIVATE")
    with pytest.raises(X12Error) as raised:
        tokenize(text)
    assert raised.value.segment_number == 4
    assert "SOMEONE" not in str(raised.value)  # a broken segment may hold a name
