"""X12 005010 plumbing for every transaction set: delimiters from the ISA, numbered segments,
the ISA/GS/ST/SE/GE/IEA envelopes checked on the way in and written on the way out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# GS01 functional identifier codes, by ST01 transaction set (X12 element 479).
FUNCTIONAL_IDS: dict[str, str] = {
    "270": "HS",
    "271": "HB",
    "276": "HR",
    "277": "HN",
    "835": "HP",
    "837": "HC",
    "999": "FA",
}


class X12Error(ValueError):
    """A file that cannot be read as X12, saying where (segment number, counted from the ISA as
    segment 1, so it is the line number of a one-segment-per-line file) and what to fix."""

    def __init__(
        self,
        message: str,
        segment_number: int | None = None,
        segment_id: str | None = None,
        *,
        control_number: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.segment_number = segment_number
        self.segment_id = segment_id
        self.control_number = control_number  # ST02 of the transaction set, when known

    def __str__(self) -> str:
        if self.segment_number is None:
            return self.message
        where = f"Segment {self.segment_number}"
        if self.segment_id:
            where += f" ({self.segment_id})"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Delimiters:
    """The four separators, which each interchange declares in its ISA."""

    element: str = "*"
    repetition: str = "^"  # ISA11 (a repetition separator since 00501)
    component: str = ":"  # ISA16
    segment: str = "~"  # the character right after ISA16

    def characters(self) -> str:
        return self.element + self.repetition + self.component + self.segment


DEFAULT_DELIMITERS = Delimiters()


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment as read: `elements[1]` is the first data element (NM101 for an NM1)."""

    id: str
    elements: tuple[str, ...]
    number: int
    delimiters: Delimiters

    def get(self, position: int) -> str:
        """Element `position` (1-based, as in NM103), '' when absent; surrounding blanks dropped."""
        return self.elements[position].strip() if position < len(self.elements) else ""

    def components(self, position: int) -> tuple[str, ...]:
        """The parts of composite element `position` (EQ02 'HC:99213' -> ('HC', '99213'))."""
        value = self.get(position)
        return tuple(part.strip() for part in value.split(self.delimiters.component))

    def repeats(self, position: int) -> tuple[str, ...]:
        """The repetitions of element `position` (EQ01 '30^98' -> ('30', '98'))."""
        value = self.get(position)
        if not value:
            return ()
        return tuple(part.strip() for part in value.split(self.delimiters.repetition))

    def error(self, message: str, *, control_number: str | None = None) -> X12Error:
        return X12Error(message, self.number, self.id, control_number=control_number)


def read_delimiters(text: str) -> Delimiters:
    """Read the separators from the ISA. ISA fields are fixed width, but some senders trim the
    padding, so the positions are found by counting ISA's 16 elements rather than assumed."""
    if not text.startswith("ISA"):
        raise X12Error(
            "the file does not start with an ISA interchange header; an X12 file begins 'ISA*00*'",
            1,
            None,
        )
    element = text[3:4]
    if not element or element.isalnum() or element.isspace():
        raise X12Error(
            f"the character after 'ISA' must be the element separator (usually '*'), "
            f"found {element!r}",
            1,
            "ISA",
        )
    separators = [index for index, character in enumerate(text[:200]) if character == element]
    if len(separators) < 16:
        raise X12Error(
            f"the ISA has {len(separators)} elements; it must have 16 (ISA01 to ISA16)", 1, "ISA"
        )
    repetition = text[separators[10] + 1 : separators[11]]  # ISA11
    component = text[separators[15] + 1 : separators[15] + 2]  # ISA16
    segment = text[separators[15] + 2 : separators[15] + 3]  # right after ISA16
    version = text[separators[11] + 1 : separators[12]]  # ISA12
    if version != "00501":
        raise X12Error(
            f"ISA12 is {version!r}; Portico reads X12 version 005010 (ISA12 '00501') only",
            1,
            "ISA",
        )
    if not segment or segment.isalnum() or segment == " ":
        found = text[separators[15] + 1 : separators[15] + 4]
        raise X12Error(
            f"ISA16 must be one character (the component separator, e.g. ':') followed by the "
            f"segment terminator (e.g. '~'); found {found!r}",
            1,
            "ISA",
        )
    chosen = (element, repetition, component, segment)
    if len(repetition) != 1 or repetition.isalnum() or len(set(chosen)) != 4:
        raise X12Error(
            f"the separators must be four different non-alphanumeric characters; this ISA "
            f"declares element {element!r}, repetition (ISA11) {repetition!r}, component "
            f"(ISA16) {component!r} and segment terminator {segment!r}",
            1,
            "ISA",
        )
    return Delimiters(element=element, repetition=repetition, component=component, segment=segment)


def tokenize(text: str) -> list[Segment]:
    """Split an interchange into numbered segments (ISA is 1); line breaks between segments are
    allowed, line breaks inside one mean the terminator is not the one the ISA declares."""
    text = text.lstrip("\ufeff \t\r\n")
    delimiters = read_delimiters(text)
    segments: list[Segment] = []
    for raw in text.split(delimiters.segment):
        piece = raw.strip("\r\n")
        if delimiters.segment != "\n":
            piece = piece.strip()
        if not piece:
            continue
        number = len(segments) + 1
        segment_id = piece.split(delimiters.element, 1)[0]
        if not (2 <= len(segment_id) <= 3 and segment_id.isalnum() and segment_id.isupper()):
            raise X12Error(
                # Only the first characters are quoted: a broken segment may hold a name.
                f"{piece[:6]!r}... does not start with a segment ID (2 or 3 capitals and "
                f"digits, like NM1); check that each segment ends with {delimiters.segment!r} "
                f"and separates elements with {delimiters.element!r}, as the ISA declares",
                number,
                None,
            )
        if "\n" in piece:
            raise X12Error(
                f"a line break inside the segment: segments must end with "
                f"{delimiters.segment!r} (the terminator declared after ISA16)",
                number,
                segment_id,
            )
        elements = tuple(piece.split(delimiters.element))
        segments.append(Segment(segment_id, elements, number, delimiters))
    return segments


@dataclass(frozen=True)
class TransactionSet:
    """One ST..SE transaction set; `segments` includes the ST and the SE."""

    id: str  # ST01
    control_number: str  # ST02
    implementation: str  # ST03 (the implementation guide, e.g. 005010X279A1)
    segments: tuple[Segment, ...]

    @property
    def body(self) -> tuple[Segment, ...]:
        return self.segments[1:-1]


@dataclass(frozen=True)
class FunctionalGroup:
    segment_number: int  # of its GS
    functional_id: str  # GS01
    sender: str  # GS02
    receiver: str  # GS03
    date: str  # GS04 CCYYMMDD
    time: str  # GS05
    control_number: str  # GS06
    version: str  # GS08
    transactions: tuple[TransactionSet, ...]


@dataclass(frozen=True)
class Interchange:
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06, padding removed
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    control_number: str  # ISA13
    usage: str  # ISA15: P production, T test
    delimiters: Delimiters
    groups: tuple[FunctionalGroup, ...] = field(default_factory=tuple)

    @property
    def transactions(self) -> tuple[TransactionSet, ...]:
        return tuple(ts for group in self.groups for ts in group.transactions)


def read_interchange(text: str) -> Interchange:
    """Tokenize and check the envelopes: every GS closed by a GE, every ST by an SE, and the
    counts and control numbers in SE01/SE02, GE01/GE02 and IEA01/IEA02 agree with the content."""
    segments = tokenize(text)
    isa = segments[0]
    if len(isa.elements) != 17:
        raise isa.error(f"the ISA has {len(isa.elements) - 1} elements; it must have 16")
    groups: list[FunctionalGroup] = []
    position = 1
    iea: Segment | None = None
    while position < len(segments):
        segment = segments[position]
        if segment.id == "GS":
            group, position = _read_group(segments, position)
            groups.append(group)
        elif segment.id == "IEA":
            iea = segment
            position += 1
            break
        else:
            raise segment.error(
                f"expected a GS functional group header or the IEA trailer, found {segment.id}"
            )
    if iea is None:
        raise X12Error(
            "the interchange has no IEA trailer: the file is incomplete (truncated?)",
            len(segments),
            segments[-1].id,
        )
    if position < len(segments):
        raise segments[position].error("content after the IEA trailer; send one interchange")
    if iea.get(1) != str(len(groups)):
        raise iea.error(
            f"IEA01 says {iea.get(1) or 'nothing'} functional groups but the interchange has "
            f"{len(groups)}"
        )
    if iea.get(2) != isa.get(13):
        raise iea.error(f"IEA02 '{iea.get(2)}' does not match ISA13 '{isa.get(13)}'")
    if not groups:
        raise iea.error("the interchange has no functional group (GS..GE)")
    return Interchange(
        sender_qualifier=isa.get(5),
        sender_id=isa.get(6),
        receiver_qualifier=isa.get(7),
        receiver_id=isa.get(8),
        date=isa.get(9),
        time=isa.get(10),
        control_number=isa.get(13),
        usage=isa.get(15),
        delimiters=isa.delimiters,
        groups=tuple(groups),
    )


def _read_group(segments: list[Segment], position: int) -> tuple[FunctionalGroup, int]:
    gs = segments[position]
    position += 1
    transactions: list[TransactionSet] = []
    while True:
        if position >= len(segments):
            raise gs.error("the functional group has no GE trailer: the file is incomplete")
        segment = segments[position]
        if segment.id == "ST":
            transaction, position = _read_transaction(segments, position)
            transactions.append(transaction)
        elif segment.id == "GE":
            position += 1
            break
        else:
            raise segment.error(
                f"expected ST (a new transaction set) or GE (end of the group), found {segment.id}"
            )
    if segment.get(1) != str(len(transactions)):
        raise segment.error(
            f"GE01 says {segment.get(1) or 'nothing'} transaction sets but the group has "
            f"{len(transactions)}"
        )
    if segment.get(2) != gs.get(6):
        raise segment.error(f"GE02 '{segment.get(2)}' does not match GS06 '{gs.get(6)}'")
    group = FunctionalGroup(
        segment_number=gs.number,
        functional_id=gs.get(1),
        sender=gs.get(2),
        receiver=gs.get(3),
        date=gs.get(4),
        time=gs.get(5),
        control_number=gs.get(6),
        version=gs.get(8),
        transactions=tuple(transactions),
    )
    return group, position


def _read_transaction(segments: list[Segment], position: int) -> tuple[TransactionSet, int]:
    st = segments[position]
    start = position
    while True:
        position += 1
        if position >= len(segments) or segments[position].id in {"ST", "GE", "IEA"}:
            raise st.error(
                f"transaction set {st.get(2)} has no SE trailer (found "
                f"{segments[position].id if position < len(segments) else 'the end of the file'}"
                " first)"
            )
        if segments[position].id == "SE":
            break
    se = segments[position]
    count = position - start + 1  # SE01 counts ST and SE themselves
    if se.get(1) != str(count):
        raise se.error(
            f"SE01 says {se.get(1) or 'nothing'} segments but transaction set {st.get(2)} has "
            f"{count} (ST through SE): a segment is missing, extra or split",
            control_number=st.get(2),
        )
    if se.get(2) != st.get(2):
        raise se.error(
            f"SE02 '{se.get(2)}' does not match ST02 '{st.get(2)}'", control_number=st.get(2)
        )
    transaction = TransactionSet(
        id=st.get(1),
        control_number=st.get(2),
        implementation=st.get(3),
        segments=tuple(segments[start : position + 1]),
    )
    return transaction, position + 1


# --- Writing ---


@dataclass(frozen=True)
class Composite:
    """A composite element (EQ02, EB13: 'HC:99213'), written with the component separator."""

    parts: tuple[str, ...]


@dataclass(frozen=True)
class Repeated:
    """A repeating element (EB03 '30^98^UC'), written with the repetition separator."""

    values: tuple[str, ...]


Element = str | Composite | Repeated | None


def _clean(value: str, delimiters: Delimiters) -> str:
    """A value must not contain a separator: a name like 'SMITH~JONES' would end the segment
    early. Separators become spaces rather than failing a whole batch over one name."""
    for character in delimiters.characters():
        value = value.replace(character, " ")
    return " ".join(value.split())


def format_segment(
    segment_id: str, elements: Sequence[Element], delimiters: Delimiters = DEFAULT_DELIMITERS
) -> str:
    """One segment without its terminator; trailing empty elements are dropped (X12 forbids
    trailing separators), so absent optional elements cost nothing."""
    texts: list[str] = []
    for element in elements:
        if element is None:
            texts.append("")
        elif isinstance(element, Composite):
            parts = [_clean(part, delimiters) for part in element.parts]
            while parts and not parts[-1]:
                parts.pop()
            texts.append(delimiters.component.join(parts))
        elif isinstance(element, Repeated):
            values = [_clean(value, delimiters) for value in element.values if value]
            texts.append(delimiters.repetition.join(values))
        else:
            texts.append(_clean(element, delimiters))
    while texts and not texts[-1]:
        texts.pop()
    return delimiters.element.join([segment_id, *texts])


class TransactionWriter:
    """Collects one ST..SE transaction set; `finish()` adds the SE with its segment count."""

    def __init__(
        self,
        transaction_id: str,
        control_number: str,
        implementation: str,
        delimiters: Delimiters = DEFAULT_DELIMITERS,
    ) -> None:
        self.transaction_id = transaction_id
        self.control_number = control_number
        self.delimiters = delimiters
        self.segments: list[str] = []
        self.add("ST", transaction_id, control_number, implementation)

    def add(self, segment_id: str, *elements: Element) -> None:
        self.segments.append(format_segment(segment_id, elements, self.delimiters))

    def finish(self) -> list[str]:
        # SE01 counts every segment of the set, the ST and this SE included.
        self.add("SE", str(len(self.segments) + 1), self.control_number)
        return self.segments


def write_interchange(
    transactions: Iterable[TransactionWriter],
    *,
    version: str,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    at: datetime,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
    usage: str = "P",
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """Wrap finished transaction sets of one kind in a GS/GE group and an ISA/IEA interchange.
    ISA13 and GS06 both take `control_number`; one segment per line for people reading it."""
    writers = list(transactions)
    if not writers:
        raise ValueError("an interchange needs at least one transaction set")
    kinds = {writer.transaction_id for writer in writers}
    if len(kinds) != 1:
        raise ValueError(f"one functional group holds one kind of transaction set, got {kinds}")
    if not 0 < control_number < 1_000_000_000:
        raise ValueError("the interchange control number must be 1 to 999999999 (ISA13)")
    for name, value in (("sender_id", sender_id), ("receiver_id", receiver_id)):
        if not 2 <= len(value.strip()) <= 15:
            raise ValueError(f"{name} must be 2 to 15 characters (ISA06/ISA08, GS02/GS03)")
    d = delimiters
    isa = d.element.join(
        [
            "ISA",
            "00",  # ISA01/02: no authorization information
            " " * 10,
            "00",  # ISA03/04: no security information
            " " * 10,
            sender_qualifier,
            sender_id.strip().ljust(15),  # ISA06/08 are fixed width: padded to 15
            receiver_qualifier,
            receiver_id.strip().ljust(15),
            f"{at:%y%m%d}",
            f"{at:%H%M}",
            d.repetition,  # ISA11: the repetition separator (00501)
            "00501",
            f"{control_number:09d}",  # ISA13: nine digits
            "0",  # ISA14: no TA1 interchange acknowledgment requested
            usage,
            d.component,  # ISA16
        ]
    )
    group_control = str(control_number)
    lines = [
        isa,
        format_segment(
            "GS",
            [
                FUNCTIONAL_IDS[writers[0].transaction_id],
                sender_id.strip(),
                receiver_id.strip(),
                f"{at:%Y%m%d}",
                f"{at:%H%M}",
                group_control,
                "X",  # GS07: responsible agency X12
                version,
            ],
            d,
        ),
    ]
    for writer in writers:
        lines.extend(writer.segments)
    lines.append(format_segment("GE", [str(len(writers)), group_control], d))
    lines.append(format_segment("IEA", ["1", f"{control_number:09d}"], d))
    return "".join(line + d.segment + "\n" for line in lines)


# --- Values in X12 formats ---


def x12_date(day: date) -> str:
    """DT, CCYYMMDD (D8)."""
    return f"{day:%Y%m%d}"


def parse_x12_date(value: str) -> date | None:
    """A CCYYMMDD date, or None when it is not one (the caller says which element it was)."""
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def x12_decimal(amount: Decimal) -> str:
    """R (decimal number): leading zeros and trailing fractional zeros suppressed, so $20.00 is
    '20' and 20% is '.2', as the X12 standard asks for R elements."""
    text = format(amount.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return text or "0"
