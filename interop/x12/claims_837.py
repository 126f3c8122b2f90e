"""005010X222A1 837P professional claims: read a file into ClaimEntry values (one per CLM, with
where it starts), and write ClaimEntry values as an 837P (for tests, benchmarks and demos).

Loop names are the implementation guide's (TR3): 2000A billing provider (2010AA name, NPI in
NM109), 2000B subscriber (SBR; 2010BA NM1*IL with the member ID and DMG date of birth; 2010BB
payer), 2000C patient when the patient is a dependent (PAT; 2010CA NM1*QC and DMG), 2300 claim
(CLM, REF*F8, HI), 2310B rendering provider, 2320/2330x other payers, 2400 service line (LX,
SV1, DTP*472), 2420x line-level parties.

Problems come at three levels: the envelope or the transaction set's header cannot be read
(X12Error: the file is refused whole); a transaction set's structure is broken (the set is
rejected, its claims with it); a claim's own segment cannot be read (that claim is rejected and
named in the 999 with IK3/IK4). Whether a claim is acceptable is the domain's call
(domain.claim_entry.entry_problems); this module only reads and writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claims import FrequencyCode
from interop.x12.segments import (
    Composite,
    Interchange,
    Segment,
    TransactionSet,
    TransactionWriter,
    X12Error,
    parse_x12_date,
    read_interchange,
    write_interchange,
    x12_date,
    x12_decimal,
)

IMPLEMENTATION = "005010X222A1"  # ST03 and GS08 Portico writes
# Errata A2 changed notes and code lists, not the structure Portico reads, and generators
# (x12sdk among them) write it; both are read the same way.
READABLE_IMPLEMENTATIONS = frozenset({"005010X222A1", "005010X222A2"})
MAX_CLAIMS_PER_TRANSACTION = 5000  # TR3 1.4.1: at most 5000 CLM per ST..SE

# HI01-1 principal diagnosis qualifiers and HI0x-1 other diagnosis qualifiers: ABK/ABF are
# ICD-10-CM. BK/BF (ICD-9-CM) are still written by some generators with ICD-10 codes; the code
# itself is checked as ICD-10-CM either way, so an ICD-9 code is refused by that check.
PRINCIPAL_QUALIFIERS = frozenset({"ABK", "BK"})
OTHER_QUALIFIERS = frozenset({"ABF", "BF"})

# IK304 segment syntax error codes (element 620) and IK403 element errors (element 723).
SEGMENT_HAS_ELEMENT_ERRORS = "8"
REQUIRED_SEGMENT_MISSING = "3"
SEGMENT_NOT_EXPECTED = "2"
ELEMENT_REQUIRED_MISSING = "1"
ELEMENT_INVALID_CODE = "7"
ELEMENT_INVALID_DATE = "8"
ELEMENT_INVALID_VALUE = "6"  # invalid character in data element


@dataclass(frozen=True)
class SegmentProblem:
    """One thing the reader could not take from a segment, said where the 999 needs it."""

    segment_number: int  # in the file, ISA = 1 (the line of a one-segment-per-line file)
    position: int  # in its transaction set, ST = 1 (IK302)
    segment_id: str  # IK301
    loop_id: str  # IK303, the TR3 loop (2300, 2400...)
    message: str
    segment_code: str = SEGMENT_HAS_ELEMENT_ERRORS  # IK304
    element: int | None = None  # IK401-1
    component: int | None = None  # IK401-2
    element_reference: str = ""  # IK402, the X12 data element number
    element_code: str = ELEMENT_INVALID_VALUE  # IK403

    def __str__(self) -> str:
        name = f"{self.segment_id}{self.element:02d}" if self.element else self.segment_id
        if self.component:
            name += f"-{self.component}"
        return f"segment {self.segment_number} ({name}): {self.message}"


@dataclass(frozen=True)
class Claim837:
    """One 2300 claim loop read into a ClaimEntry. For a dependent (2000C), `entry.member_id` is
    the subscriber's (NM1*IL NM109) and the date of birth the patient's (2010CA DMG02)."""

    segment_number: int  # of the CLM
    transaction_control_number: str  # ST02
    entry: ClaimEntry
    is_dependent: bool = False
    patient_first_name: str = ""  # 2010CA NM104, to tell twins apart within a family
    problems: tuple[SegmentProblem, ...] = ()
    line_segments: tuple[int, ...] = ()  # each line's SV1 (its LX when the SV1 is missing)

    @property
    def patient_control_number(self) -> str:
        return self.entry.patient_control_number


@dataclass(frozen=True)
class Transaction837:
    control_number: str  # ST02
    implementation: str  # ST03
    segment_number: int  # of the ST
    claims: tuple[Claim837, ...]
    problems: tuple[SegmentProblem, ...] = ()  # structure: the whole set is rejected

    @property
    def claim_problems(self) -> tuple[SegmentProblem, ...]:
        return tuple(problem for claim in self.claims for problem in claim.problems)


@dataclass(frozen=True)
class Batch837:
    """What an 837P file holds, with the envelope values its 999 echoes."""

    sender_qualifier: str
    sender_id: str  # ISA06: who sent it (the 999 goes back to them)
    receiver_qualifier: str
    receiver_id: str  # ISA08
    interchange_control_number: str  # ISA13
    group_control_number: str  # GS06 (AK102)
    group_version: str  # GS08 (AK103)
    usage: str  # ISA15
    transactions: tuple[Transaction837, ...]

    @property
    def claims(self) -> tuple[Claim837, ...]:
        return tuple(claim for ts in self.transactions for claim in ts.claims)


def parse_837p(text: str) -> Batch837:
    """Read an 837P interchange; raise X12Error when the file as a whole cannot be read."""
    interchange = read_interchange(text)
    if len(interchange.groups) != 1:
        raise X12Error(
            f"the interchange has {len(interchange.groups)} functional groups; send one GS*HC "
            "group of 837P claims per file",
            interchange.groups[1].segment_number,
            "GS",
        )
    group = interchange.groups[0]
    if group.functional_id != "HC":
        raise X12Error(
            f"GS01 is '{group.functional_id}': 837 claims belong in a functional group GS*HC",
            group.segment_number,
            "GS",
        )
    if group.version not in READABLE_IMPLEMENTATIONS:
        raise X12Error(
            f"GS08 is '{group.version}': Portico reads 837P version 005010X222A1 only",
            group.segment_number,
            "GS",
        )
    transactions = []
    for transaction_set in group.transactions:
        _check_header(transaction_set)
        transactions.append(_read_transaction(transaction_set))
    return _batch(interchange, group.control_number, group.version, transactions)


def _batch(
    interchange: Interchange, group_control: str, version: str, ts: list[Transaction837]
) -> Batch837:
    return Batch837(
        sender_qualifier=interchange.sender_qualifier,
        sender_id=interchange.sender_id,
        receiver_qualifier=interchange.receiver_qualifier,
        receiver_id=interchange.receiver_id,
        interchange_control_number=interchange.control_number,
        group_control_number=group_control,
        group_version=version,
        usage=interchange.usage,
        transactions=tuple(ts),
    )


def _check_header(transaction_set: TransactionSet) -> None:
    st = transaction_set.segments[0]
    if transaction_set.id != "837":
        raise st.error(f"ST01 is '{transaction_set.id}': this is not an 837 claim file")
    if transaction_set.implementation not in READABLE_IMPLEMENTATIONS:
        raise st.error(
            f"ST03 is '{transaction_set.implementation}': Portico reads the professional claim "
            f"005010X222A1 (ST*837*<control number>*005010X222A1); an institutional (X223) or "
            "dental (X224) claim, or another version, cannot be taken here",
            control_number=transaction_set.control_number,
        )
    body = transaction_set.body
    if not body or body[0].id != "BHT":
        where = body[0] if body else transaction_set.segments[-1]
        raise where.error("expected the BHT beginning segment right after the ST")


@dataclass
class _Line:
    segment: Segment  # the LX
    procedure_code: str = ""
    modifiers: tuple[str, ...] = ()
    charge: Decimal | None = None
    units: int | None = None
    pointers: tuple[int, ...] = ()
    service_date: date | None = None
    service_date_to: date | None = None
    sv1_number: int | None = None


@dataclass
class _Claim:
    """A 2300 loop while it is being read."""

    clm: Segment
    member_id: str
    date_of_birth: date | None
    billing_npi: str
    is_dependent: bool
    patient_first_name: str
    rendering_npi: str = ""
    diagnoses: list[str] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    original_claim_number: str = ""
    other_payer: bool = False  # inside 2320/2330x: their NM1s are not this claim's parties
    problems: list[SegmentProblem] = field(default_factory=list)


@dataclass
class _Reader:
    """Walks one transaction set's segments in order; HL03 says which level each loop is."""

    transaction: TransactionSet
    st_number: int
    problems: list[SegmentProblem] = field(default_factory=list)
    claims: list[Claim837] = field(default_factory=list)
    level: str = ""  # HL03 of the current HL: 20, 22 or 23
    billing_npi: str = ""
    subscriber_id: str = ""
    subscriber_birth: date | None = None
    patient_birth: date | None = None
    subscriber_birth_problem: SegmentProblem | None = None
    patient_birth_problem: SegmentProblem | None = None
    patient_first_name: str = ""
    last_name_entity: str = ""  # NM101 of the last NM1 outside a claim (IL, QC, PR, 85...)
    claim: _Claim | None = None

    def problem(
        self,
        segment: Segment,
        loop_id: str,
        message: str,
        *,
        element: int | None = None,
        component: int | None = None,
        reference: str = "",
        element_code: str = ELEMENT_INVALID_VALUE,
        segment_code: str = SEGMENT_HAS_ELEMENT_ERRORS,
    ) -> SegmentProblem:
        return SegmentProblem(
            segment_number=segment.number,
            position=segment.number - self.st_number + 1,
            segment_id=segment.id,
            loop_id=loop_id,
            message=message,
            segment_code=segment_code,
            element=element,
            component=component,
            element_reference=reference,
            element_code=element_code,
        )

    def structure(self, segment: Segment, loop_id: str, message: str, code: str) -> None:
        self.problems.append(self.problem(segment, loop_id, message, segment_code=code))

    def claim_problem(self, segment: Segment, loop_id: str, message: str, **where: object) -> None:
        assert self.claim is not None
        self.claim.problems.append(self.problem(segment, loop_id, message, **where))  # type: ignore[arg-type]


def _read_transaction(transaction_set: TransactionSet) -> Transaction837:
    st = transaction_set.segments[0]
    reader = _Reader(transaction_set, st.number)
    for segment in transaction_set.body[1:]:
        handler = _HANDLERS.get(segment.id)
        if handler is not None:
            handler(reader, segment)
        elif reader.claim is not None and segment.id == "SBR":
            reader.claim.other_payer = True  # 2320 other subscriber information
    _close_claim(reader)
    if not reader.claims and not reader.problems:
        reader.structure(
            transaction_set.segments[-1],
            "2300",
            "the transaction set has no claim (CLM)",
            REQUIRED_SEGMENT_MISSING,
        )
    return Transaction837(
        control_number=transaction_set.control_number,
        implementation=transaction_set.implementation,
        segment_number=st.number,
        claims=tuple(reader.claims),
        problems=tuple(reader.problems),
    )


def _hl(reader: _Reader, segment: Segment) -> None:
    _close_claim(reader)
    level = segment.get(3)
    reader.level = level
    reader.last_name_entity = ""
    if level == "20":
        reader.billing_npi = ""
    elif level == "22":
        reader.subscriber_id, reader.subscriber_birth = "", None
        reader.subscriber_birth_problem = None
    if level in {"22", "23"}:
        reader.patient_birth, reader.patient_first_name = None, ""
        reader.patient_birth_problem = None
    elif level != "20":
        reader.structure(
            segment,
            "2000A",
            f"HL03 is '{level}': an 837P has billing provider (20), subscriber (22) and "
            "patient (23) levels only",
            SEGMENT_HAS_ELEMENT_ERRORS,
        )


def _nm1(reader: _Reader, segment: Segment) -> None:
    entity = segment.get(1)
    claim = reader.claim
    if claim is not None:
        # 2310B rendering provider; an NM1*82 after the first LX is 2420A (a line's own
        # rendering provider), which the claim-level entry has no place for.
        if entity == "82" and not claim.lines and not claim.other_payer:
            if segment.get(8) != "XX":
                reader.claim_problem(
                    segment,
                    "2310B",
                    "the rendering provider must be identified by NPI (NM108 = XX)",
                    element=8,
                    reference="66",
                    element_code=ELEMENT_INVALID_CODE,
                )
            claim.rendering_npi = segment.get(9)
        return
    reader.last_name_entity = entity
    if entity == "85":
        if segment.get(8) != "XX":
            reader.structure(
                segment,
                "2010AA",
                "the billing provider must be identified by NPI (NM108 = XX)",
                SEGMENT_HAS_ELEMENT_ERRORS,
            )
        reader.billing_npi = segment.get(9)
    elif entity == "IL":
        reader.subscriber_id = segment.get(9)
    elif entity == "QC":
        reader.patient_first_name = segment.get(4)


def _dmg(reader: _Reader, segment: Segment) -> None:
    if reader.claim is not None or reader.last_name_entity not in {"IL", "QC"}:
        return
    subscriber = reader.last_name_entity == "IL"
    birth = parse_x12_date(segment.get(2)) if segment.get(1) == "D8" else None
    # Kept for the claims of this subscriber or patient: only they are affected.
    problem = None
    if birth is None:
        problem = reader.problem(
            segment,
            "2010BA" if subscriber else "2010CA",
            "DMG02, the date of birth, is not a CCYYMMDD date (with DMG01 = D8)",
            element=2,
            reference="1251",
            element_code=ELEMENT_INVALID_DATE,
        )
    if subscriber:
        reader.subscriber_birth, reader.subscriber_birth_problem = birth, problem
    else:
        reader.patient_birth, reader.patient_birth_problem = birth, problem


def _clm(reader: _Reader, segment: Segment) -> None:
    _close_claim(reader)
    dependent = reader.level == "23"
    if reader.level not in {"22", "23"}:
        reader.structure(
            segment,
            "2300",
            "a claim (CLM) must sit under a subscriber (HL*22) or patient (HL*23) loop",
            SEGMENT_NOT_EXPECTED,
        )
    reader.claim = _Claim(
        clm=segment,
        member_id=reader.subscriber_id,
        date_of_birth=reader.patient_birth if dependent else reader.subscriber_birth,
        billing_npi=reader.billing_npi,
        is_dependent=dependent,
        patient_first_name=reader.patient_first_name if dependent else "",
    )
    birth_problem = reader.patient_birth_problem if dependent else reader.subscriber_birth_problem
    if birth_problem is not None:
        reader.claim.problems.append(birth_problem)
    if not segment.get(1):
        reader.claim_problem(
            segment,
            "2300",
            "CLM01, the patient control number, is required",
            element=1,
            reference="1028",
            element_code=ELEMENT_REQUIRED_MISSING,
        )
    location = segment.components(5)
    if len(location) < 3 or location[1] != "B":
        reader.claim_problem(
            segment,
            "2300",
            "CLM05 must be place of service, 'B' and the frequency code (e.g. 11:B:1)",
            element=5,
            reference="C023",
            element_code=ELEMENT_INVALID_CODE,
        )
    elif location[2] not in {code.value for code in FrequencyCode}:
        reader.claim_problem(
            segment,
            "2300",
            f"CLM05-3 frequency code '{location[2]}' is not 1 (original), 7 (replacement) or "
            "8 (void)",
            element=5,
            component=3,
            reference="1325",
            element_code=ELEMENT_INVALID_CODE,
        )


def _ref(reader: _Reader, segment: Segment) -> None:
    claim = reader.claim
    # REF*F8 payer claim control number: the claim a 7 or 8 replaces or voids (2300 only).
    if claim is not None and not claim.lines and not claim.other_payer and segment.get(1) == "F8":
        claim.original_claim_number = segment.get(2)


def _hi(reader: _Reader, segment: Segment) -> None:
    claim = reader.claim
    if claim is None or claim.lines or claim.other_payer:
        return
    first = segment.components(1)[0]
    if first in PRINCIPAL_QUALIFIERS and claim.diagnoses:
        reader.claim_problem(
            segment,
            "2300",
            "a claim has one principal diagnosis (HI01-1 = ABK)",
            element=1,
            component=1,
            reference="1270",
            element_code=ELEMENT_INVALID_CODE,
        )
        return
    if first not in PRINCIPAL_QUALIFIERS and first not in OTHER_QUALIFIERS:
        return  # condition, anesthesia or procedure codes: not diagnoses
    for position in range(1, len(segment.elements)):
        parts = segment.components(position)
        if not parts[0]:
            continue
        expected = PRINCIPAL_QUALIFIERS if not claim.diagnoses else OTHER_QUALIFIERS
        if parts[0] not in expected:
            reader.claim_problem(
                segment,
                "2300",
                f"HI{position:02d}-1 is '{parts[0]}': diagnoses are qualified ABK (the "
                "principal) and ABF (the others) for ICD-10-CM",
                element=position,
                component=1,
                reference="1270",
                element_code=ELEMENT_INVALID_CODE,
            )
            continue
        claim.diagnoses.append(parts[1] if len(parts) > 1 else "")


def _lx(reader: _Reader, segment: Segment) -> None:
    if reader.claim is None:
        reader.structure(
            segment, "2400", "a service line (LX) must follow a claim (CLM)", SEGMENT_NOT_EXPECTED
        )
        return
    reader.claim.lines.append(_Line(segment))


def _sv1(reader: _Reader, segment: Segment) -> None:
    claim = reader.claim
    if claim is None or not claim.lines:
        if claim is not None:
            reader.claim_problem(
                segment,
                "2400",
                "SV1 must follow an LX line counter",
                segment_code=SEGMENT_NOT_EXPECTED,
            )
        return
    line = claim.lines[-1]
    line.sv1_number = segment.number
    procedure = segment.components(1)
    if procedure[0] not in {"HC", "ER", "WK"}:
        reader.claim_problem(
            segment,
            "2400",
            f"SV101-1 is '{procedure[0]}': procedures are HCPCS/CPT codes (HC)",
            element=1,
            component=1,
            reference="235",
            element_code=ELEMENT_INVALID_CODE,
        )
    line.procedure_code = procedure[1] if len(procedure) > 1 else ""
    line.modifiers = tuple(part for part in procedure[2:6] if part)
    line.charge = _decimal(segment.get(2))
    if line.charge is None:
        reader.claim_problem(
            segment,
            "2400",
            "SV102, the line charge, is not an amount",
            element=2,
            reference="782",
            element_code=ELEMENT_REQUIRED_MISSING if not segment.get(2) else ELEMENT_INVALID_VALUE,
        )
    units = _decimal(segment.get(4))
    # SV104 is R (decimal); the portal bills whole units (minutes are converted before).
    if units is None or units != units.to_integral_value():
        reader.claim_problem(
            segment,
            "2400",
            "SV104, the units, must be a whole number",
            element=4,
            reference="380",
        )
    else:
        line.units = int(units)
    pointers: list[int] = []
    for part in segment.components(7):
        if not part.isdigit():
            reader.claim_problem(
                segment,
                "2400",
                "SV107 diagnosis pointers are numbers 1 to 12 (e.g. 1:2)",
                element=7,
                reference="1328",
            )
            break
        pointers.append(int(part))
    line.pointers = tuple(pointers)


def _dtp(reader: _Reader, segment: Segment) -> None:
    claim = reader.claim
    if claim is None or not claim.lines or segment.get(1) != "472":
        return
    line = claim.lines[-1]
    form, value = segment.get(2), segment.get(3)
    start: date | None
    end: date | None
    if form == "D8":
        start = end = parse_x12_date(value)
    elif form == "RD8" and "-" in value:
        first, _, last = value.partition("-")
        start, end = parse_x12_date(first), parse_x12_date(last)
    else:
        start = end = None
    if start is None or end is None or end < start:
        reader.claim_problem(
            segment,
            "2400",
            "DTP03, the date of service, is not a CCYYMMDD date (D8) or range (RD8)",
            element=3,
            reference="1251",
            element_code=ELEMENT_INVALID_DATE,
        )
        return
    line.service_date, line.service_date_to = start, end


_HANDLERS: dict[str, Callable[[_Reader, Segment], None]] = {
    "HL": _hl,
    "NM1": _nm1,
    "DMG": _dmg,
    "CLM": _clm,
    "REF": _ref,
    "HI": _hi,
    "LX": _lx,
    "SV1": _sv1,
    "DTP": _dtp,
}


def _close_claim(reader: _Reader) -> None:
    claim, reader.claim = reader.claim, None
    if claim is None:
        return
    clm = claim.clm
    if not claim.billing_npi:
        reader.problems.append(
            reader.problem(
                clm,
                "2010AA",
                "the claim has no billing provider NPI (2010AA NM1*85 NM109)",
                segment_code=REQUIRED_SEGMENT_MISSING,
            )
        )
    for line in claim.lines:
        if line.sv1_number is None:
            claim.problems.append(
                reader.problem(
                    line.segment,
                    "2400",
                    "the service line has no SV1",
                    segment_code=REQUIRED_SEGMENT_MISSING,
                )
            )
    if not claim.lines:
        claim.problems.append(
            reader.problem(
                clm, "2400", "the claim has no service line", segment_code=REQUIRED_SEGMENT_MISSING
            )
        )
    total = _decimal(clm.get(2))
    line_total = sum((line.charge or Decimal("0") for line in claim.lines), Decimal("0"))
    if total is None or (total != line_total and all(line.charge for line in claim.lines)):
        claim.problems.append(
            reader.problem(
                clm,
                "2300",
                f"CLM02, the total charge, must equal the sum of the line charges "
                f"({x12_decimal(line_total)})",
                element=2,
                reference="782",
            )
        )
    starts = [line.service_date for line in claim.lines if line.service_date]
    ends = [line.service_date_to for line in claim.lines if line.service_date_to]
    location = clm.components(5)
    frequency = location[2] if len(location) > 2 else ""
    entry = ClaimEntry(
        member_id=claim.member_id,
        member_date_of_birth=claim.date_of_birth,
        billing_npi=claim.billing_npi,
        rendering_npi=claim.rendering_npi or claim.billing_npi,
        place_of_service=location[0],
        service_date_from=min(starts) if starts else None,
        service_date_to=max(ends) if ends else None,
        diagnoses=tuple(claim.diagnoses),
        lines=tuple(
            ServiceLineEntry(
                procedure_code=line.procedure_code,
                charge=line.charge,
                diagnosis_pointers=line.pointers,
                units=line.units,
                modifiers=line.modifiers,
                # A range on one line: the entry's line date is its first day.
                service_date=line.service_date,
            )
            for line in claim.lines
        ),
        patient_control_number=clm.get(1),
        frequency_code=(
            FrequencyCode(frequency)
            if frequency in FrequencyCode._value2member_map_
            else FrequencyCode.ORIGINAL
        ),
        original_claim_number=claim.original_claim_number,
    )
    reader.claims.append(
        Claim837(
            segment_number=clm.number,
            transaction_control_number=reader.transaction.control_number,
            entry=entry,
            is_dependent=claim.is_dependent,
            patient_first_name=claim.patient_first_name,
            problems=tuple(claim.problems),
            line_segments=tuple(line.sv1_number or line.segment.number for line in claim.lines),
        )
    )


def _decimal(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


# --- Writing ---


@dataclass(frozen=True)
class Organisation837:
    """A submitter, receiver, billing provider or payer as the 837 names it."""

    name: str
    identifier: str  # NM109
    address: str = "1 MAIN ST"
    city: str = "DAYTON"
    state: str = "OH"
    postal_code: str = "45402"
    tax_id: str = "000000000"  # 2010AA REF*EI, billing providers only


@dataclass(frozen=True)
class Patient837:
    last_name: str
    first_name: str
    sex: str = "U"  # DMG03


PORTICO_RECEIVER = Organisation837("PORTICO HEALTH PLAN", "PORTICO")


def write_837p(
    entries: Iterable[ClaimEntry],
    *,
    submitter: Organisation837,
    billing_providers: Mapping[str, Organisation837] | None = None,
    patients: Mapping[str, Patient837] | None = None,
    receiver: Organisation837 = PORTICO_RECEIVER,
    control_number: int,
    at: datetime,
    claims_per_transaction: int = MAX_CLAIMS_PER_TRANSACTION,
) -> str:
    """Every entry as a claim of its own subscriber (the patient is the subscriber, SBR02 18),
    under one 2000A per billing NPI, at most `claims_per_transaction` claims per ST..SE.

    `billing_providers` and `patients` (by NPI and member ID) supply names and addresses the
    entry does not carry; placeholders are written where they are missing."""
    entries = list(entries)
    if not entries:
        raise ValueError("an 837P needs at least one claim")
    size = max(1, min(claims_per_transaction, MAX_CLAIMS_PER_TRANSACTION))
    writers = [
        _transaction(
            entries[start : start + size],
            number,
            submitter=submitter,
            receiver=receiver,
            billing_providers=billing_providers or {},
            patients=patients or {},
            at=at,
            first_claim=start,
        )
        for number, start in enumerate(range(0, len(entries), size), start=1)
    ]
    return write_interchange(
        writers,
        version=IMPLEMENTATION,
        sender_id=submitter.identifier,
        receiver_id=receiver.identifier,
        control_number=control_number,
        at=at,
    )


def _transaction(
    entries: Sequence[ClaimEntry],
    number: int,
    *,
    submitter: Organisation837,
    receiver: Organisation837,
    billing_providers: Mapping[str, Organisation837],
    patients: Mapping[str, Patient837],
    at: datetime,
    first_claim: int,
) -> TransactionWriter:
    ts = TransactionWriter("837", f"{number:04d}", IMPLEMENTATION)
    # BHT01 0019 (provider, subscriber, dependent), 00 original, CH chargeable.
    ts.add("BHT", "0019", "00", f"{number:04d}{at:%H%M%S}", x12_date(at.date()), f"{at:%H%M}", "CH")
    ts.add("NM1", "41", "2", submitter.name, None, None, None, None, "46", submitter.identifier)
    ts.add("PER", "IC", "BILLING OFFICE", "TE", "9375550100")
    ts.add("NM1", "40", "2", receiver.name, None, None, None, None, "46", receiver.identifier)
    by_billing: dict[str, list[tuple[int, ClaimEntry]]] = {}
    for index, entry in enumerate(entries, start=first_claim + 1):
        by_billing.setdefault(entry.billing_npi.strip(), []).append((index, entry))
    hl = 0
    for npi, claims in by_billing.items():
        hl += 1
        billing_hl = hl
        provider = billing_providers.get(npi, Organisation837("BILLING PROVIDER", npi))
        ts.add("HL", str(billing_hl), None, "20", "1")
        ts.add("NM1", "85", "2", provider.name, None, None, None, None, "XX", npi)
        ts.add("N3", provider.address)
        ts.add("N4", provider.city, provider.state, provider.postal_code)
        ts.add("REF", "EI", provider.tax_id)
        for index, entry in claims:
            hl += 1
            ts.add("HL", str(hl), str(billing_hl), "22", "0")
            # SBR09 CI commercial insurance; SBR02 18: the patient is the subscriber.
            ts.add("SBR", "P", "18", None, None, None, None, None, None, "CI")
            _subscriber(ts, entry, patients.get(entry.member_id.strip().upper()), receiver)
            _claim(ts, entry, index)
    ts.finish()
    return ts


def _subscriber(
    ts: TransactionWriter, entry: ClaimEntry, patient: Patient837 | None, payer: Organisation837
) -> None:
    patient = patient or Patient837("PATIENT", "UNNAMED")
    member_id = entry.member_id.strip().upper()
    ts.add(
        "NM1", "IL", "1", patient.last_name, patient.first_name, None, None, None, "MI", member_id
    )
    ts.add("N3", "ADDRESS ON FILE")
    ts.add("N4", "DAYTON", "OH", "45402")
    birth = entry.member_date_of_birth
    ts.add("DMG", "D8", x12_date(birth) if birth else "", patient.sex)
    ts.add("NM1", "PR", "2", payer.name, None, None, None, None, "PI", payer.identifier)


def _claim(ts: TransactionWriter, entry: ClaimEntry, index: int) -> None:
    account = entry.patient_control_number.strip() or f"PCN{index:09d}"
    ts.add(
        "CLM",
        account,
        x12_decimal(entry.total_charge),
        None,
        None,
        Composite((entry.place_of_service.strip(), "B", entry.frequency_code.value)),
        "Y",  # CLM06 provider signature on file
        "A",  # CLM07 assigned
        "Y",  # CLM08 benefits assigned
        "Y",  # CLM09 release of information
    )
    if entry.frequency_code != FrequencyCode.ORIGINAL:
        ts.add("REF", "F8", entry.original_claim_number.strip())
    codes = [code.strip().upper().replace(".", "") for code in entry.diagnoses]
    ts.add(
        "HI",
        *[
            Composite(("ABK" if number == 0 else "ABF", code))
            for number, code in enumerate(codes[:12])
        ],
    )
    if entry.rendering_npi.strip() != entry.billing_npi.strip():
        ts.add(
            "NM1", "82", "1", "RENDERING", "PROVIDER", None, None, None, "XX", entry.rendering_npi
        )
    for number, line in enumerate(entry.lines, start=1):
        assert line.charge is not None
        ts.add("LX", str(number))
        ts.add(
            "SV1",
            Composite(("HC", line.procedure_code.strip().upper(), *line.modifiers)),
            x12_decimal(line.charge),
            "UN",
            str(line.units or 1),
            None,
            None,
            Composite(tuple(str(pointer) for pointer in line.diagnosis_pointers)),
        )
        day = line.service_date or entry.service_date_from
        if line.service_date is None and entry.service_date_to != entry.service_date_from:
            assert entry.service_date_from and entry.service_date_to
            span = f"{x12_date(entry.service_date_from)}-{x12_date(entry.service_date_to)}"
            ts.add("DTP", "472", "RD8", span)
        else:
            assert day is not None
            ts.add("DTP", "472", "D8", x12_date(day))
