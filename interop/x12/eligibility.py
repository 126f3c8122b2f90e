"""005010X279A1 eligibility: read a 270 into EligibilityInquiry values, write the 271 answer.

Loop and element names are the implementation guide's (TR3): 2000A information source (the
payer), 2000B information receiver (the provider asking), 2000C subscriber, 2000D dependent,
2100x their names, 2110x eligibility or benefit inquiry (EQ) and information (EB).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from domain.codes import ServiceCategory
from domain.eligibility import (
    CategoryBenefit,
    CoverageAnswer,
    EligibilityAnswer,
    EligibilityInquiry,
    ProcedureAnswer,
)
from interop.x12.segments import (
    Composite,
    Element,
    Interchange,
    Repeated,
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

IMPLEMENTATION = "005010X279A1"  # ST03 and GS08 of both the 270 and the 271

# --- Service types (EQ01 / EB03, X12 element 1365) and Portico's service categories ---

_C = ServiceCategory
SERVICE_TYPE_OF: dict[ServiceCategory, str] = {
    _C.PREVENTIVE: "BZ",  # Physician Visit - Office: Well
    _C.PRIMARY_CARE: "98",  # Professional (Physician) Visit - Office
    _C.SPECIALIST: "3",  # Consultation: Portico's specialist category is consult visits
    _C.URGENT_CARE: "UC",  # Urgent Care
    _C.EMERGENCY: "86",  # Emergency Services
    _C.LAB: "5",  # Diagnostic Lab
    _C.IMAGING: "4",  # Diagnostic X-Ray
    _C.ADVANCED_IMAGING: "62",  # MRI/CAT Scan
    _C.PHYSICAL_THERAPY: "PT",  # Physical Therapy
    _C.MENTAL_HEALTH: "MH",  # Mental Health
    _C.CARDIAC_TESTING: "BL",  # Cardiac
    _C.PROCEDURE: "2",  # Surgical
}
# Codes that ask about the whole plan: 30 Health Benefit Plan Coverage, 1 Medical Care,
# 60 General Benefits.
WHOLE_PLAN_SERVICE_TYPES = frozenset({"30", "1", "60"})
# Other codes a practice may send that still mean one of Portico's categories.
_SERVICE_TYPE_SYNONYMS: dict[str, ServiceCategory] = {
    "BY": _C.PRIMARY_CARE,  # Physician Visit - Office: Sick
    "81": _C.PREVENTIVE,  # Routine Physical
    "80": _C.PREVENTIVE,  # Immunizations
    "CO": _C.PREVENTIVE,  # Flu Vaccination
    "68": _C.PREVENTIVE,  # Well Baby Care
    "51": _C.EMERGENCY,  # Hospital - Emergency Accident
    "52": _C.EMERGENCY,  # Hospital - Emergency Medical
    "CK": _C.IMAGING,  # Screening X-ray
    "CL": _C.LAB,  # Screening Laboratory
    "73": _C.CARDIAC_TESTING,  # Diagnostic Medical (EKG, echo, stress tests)
    "AE": _C.PHYSICAL_THERAPY,  # Physical Medicine
    "A4": _C.MENTAL_HEALTH,  # Psychiatric
    "A6": _C.MENTAL_HEALTH,  # Psychotherapy
    "A8": _C.MENTAL_HEALTH,  # Psychiatric - Outpatient
    "CF": _C.MENTAL_HEALTH,  # Mental Health Provider - Outpatient
}
CATEGORY_OF_SERVICE_TYPE: dict[str, ServiceCategory] = {
    **{code: category for category, code in SERVICE_TYPE_OF.items()},
    **_SERVICE_TYPE_SYNONYMS,
}


def categories_asked(service_type_codes: Sequence[str]) -> frozenset[ServiceCategory]:
    """The categories a 271 answers for these EQ01 codes. A code Portico has no category for
    (33 chiropractic, 35 dental, AL vision...) is answered as a 30 generic inquiry, as the TR3
    asks of an information source that does not support a service type."""
    if not service_type_codes:
        return frozenset(ServiceCategory)
    found: set[ServiceCategory] = set()
    for code in service_type_codes:
        category = CATEGORY_OF_SERVICE_TYPE.get(code)
        if category is None:
            return frozenset(ServiceCategory)
        found.add(category)
    return frozenset(found)


# EB04 insurance type code (element 1336) by plan product.
INSURANCE_TYPE_OF_PRODUCT = {"HMO": "HM", "PPO": "PR", "EPO": "EP", "POS": "POS"}
COMMERCIAL = "C1"

# AAA03 reject reason codes (element 901) this codec answers with, and what they mean.
REJECT_REASONS: dict[str, str] = {
    "15": "Required application data missing",
    "42": "Unable to respond at current time",
    "54": "Inappropriate product/service ID qualifier",
    "57": "Invalid/missing date(s) of service",
    "58": "Invalid/missing date of birth",
    "60": "Date of birth follows date(s) of service",
    "65": "Invalid/missing patient name",
    "67": "Patient not found",
    "72": "Invalid/missing subscriber/insured ID",
    "73": "Invalid/missing subscriber/insured name",
    "75": "Subscriber/insured not found",
    "AG": "Invalid/missing procedure code",
}
# EQ02-1 product/service ID qualifiers whose codes Portico's procedure list uses.
_PROCEDURE_QUALIFIERS = frozenset({"HC", "CJ"})  # HCPCS (CPT is level I of HCPCS), CPT


# --- What a 270 says ---


@dataclass(frozen=True)
class Party:
    """An NM1 organisation or person: the payer (2100A), the provider asking (2100B)."""

    name: str  # NM103 last or organisation name
    id_qualifier: str  # NM108: XX NPI, PI payer ID, SV service provider number, FI tax ID
    identifier: str  # NM109
    entity_code: str = "1P"  # NM101: PR payer, 1P provider, FA facility...
    entity_type: str = "2"  # NM102: 1 person, 2 non-person entity
    first_name: str = ""  # NM104, persons only

    @property
    def npi(self) -> str | None:
        return self.identifier if self.id_qualifier == "XX" else None


PORTICO_PAYER = Party("Portico Health Plan", "PI", "PORTICO", entity_code="PR")
# TRN03 of the traces Portico adds to a 271: '9' (a user-assigned identifier) + 9 characters.
PORTICO_TRACE_ORIGINATOR = "9PORTICOHP"


@dataclass(frozen=True)
class PersonName:
    """A subscriber (NM1*IL) or dependent (NM1*03) as the 270 sent it, echoed in a 271 that
    found nobody, so the provider can see which of their questions the answer is for."""

    last_name: str
    first_name: str
    middle_name: str = ""
    suffix: str = ""
    id_qualifier: str = ""  # NM108, MI member identification number
    member_id: str = ""  # NM109


@dataclass(frozen=True)
class Trace:
    """A 2000C/2000D TRN: the provider's (or clearinghouse's) trace, echoed as TRN01 = 2."""

    reference: str  # TRN02
    originator: str  # TRN03: '1' + EIN, '3' + DUNS or '9' + an assigned identifier
    detail: str = ""  # TRN04


@dataclass(frozen=True)
class RejectedProcedure:
    """An EQ02 procedure that cannot be asked about; the 271 answers it with EB*V and a 2110C
    AAA, and the rest of the inquiry still runs."""

    qualifier: str  # EQ02-1
    code: str  # EQ02-2
    reject_reason: str  # AAA03: AG invalid procedure code, 54 qualifier not supported
    problem: X12Error


@dataclass(frozen=True)
class InquiryItem:
    """One patient loop of a 270 (the subscriber's 2000C, or a dependent's 2000D): either the
    inquiry to run, or the error that stops it, with where it is in the file."""

    control_number: str  # ST02 of its transaction set
    segment_number: int  # its HL, counted from the ISA as 1
    loop: str  # "2000C" (the subscriber is the patient) or "2000D" (a dependent is)
    traces: tuple[Trace, ...]
    subscriber: PersonName | None
    dependent: PersonName | None
    date_of_birth_text: str  # DMG02 as sent
    service_type_codes: tuple[str, ...]  # EQ01s, in order
    inquiry: EligibilityInquiry | None = None
    error: X12Error | None = None
    reject_reason: str | None = None  # AAA03 for the error
    rejected_procedures: tuple[RejectedProcedure, ...] = ()
    date_of_service_defaulted: bool = False  # no DTP*291: the caller's default was used

    @property
    def categories(self) -> frozenset[ServiceCategory]:
        return categories_asked(self.service_type_codes)


@dataclass(frozen=True)
class Transaction270:
    control_number: str  # ST02
    reference: str  # BHT03, echoed in the 271's BHT03
    created: date | None  # BHT04
    payer: Party  # 2100A
    provider: Party  # 2100B, the information receiver
    items: tuple[InquiryItem, ...]


@dataclass(frozen=True)
class Batch270:
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06: the submitter
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    interchange_control_number: str  # ISA13
    group_control_numbers: tuple[str, ...]  # GS06 of each functional group
    usage: str  # ISA15
    transactions: tuple[Transaction270, ...]

    @property
    def items(self) -> tuple[InquiryItem, ...]:
        return tuple(item for transaction in self.transactions for item in transaction.items)

    @property
    def inquiries(self) -> list[EligibilityInquiry]:
        """The inquiries that can run, in file order."""
        return [item.inquiry for item in self.items if item.inquiry is not None]

    @property
    def errors(self) -> list[X12Error]:
        """What stopped a patient loop from being read, in file order."""
        return [item.error for item in self.items if item.error is not None]

    @property
    def provider(self) -> Party:
        return self.transactions[0].provider


# --- Reading a 270 ---


def parse_270(text: str, *, default_date_of_service: date | None = None) -> Batch270:
    """Read a 270 interchange. A broken envelope or header raises X12Error; a broken patient
    loop becomes an InquiryItem with its error, so the other inquiries of a batch still run.

    Without a DTP*291 the TR3 has the information source answer for the date it processes the
    inquiry: pass that date as `default_date_of_service`. Left None, the 270's own creation date
    (BHT04) is used, so the result never depends on the clock.
    """
    interchange = read_interchange(text)
    transactions: list[Transaction270] = []
    for group in interchange.groups:
        if group.functional_id != "HS":
            raise X12Error(
                f"GS01 is '{group.functional_id}': a 270 belongs in a functional group GS*HS",
                group.segment_number,
                "GS",
            )
        for transaction_set in group.transactions:
            _check_header(transaction_set, group.version)
            transactions.append(_read_transaction(transaction_set, default_date_of_service))
    return _batch(interchange, transactions)


def _batch(interchange: Interchange, transactions: list[Transaction270]) -> Batch270:
    return Batch270(
        sender_qualifier=interchange.sender_qualifier,
        sender_id=interchange.sender_id,
        receiver_qualifier=interchange.receiver_qualifier,
        receiver_id=interchange.receiver_id,
        interchange_control_number=interchange.control_number,
        group_control_numbers=tuple(group.control_number for group in interchange.groups),
        usage=interchange.usage,
        transactions=tuple(transactions),
    )


def _check_header(transaction_set: TransactionSet, version: str) -> None:
    st = transaction_set.segments[0]
    if transaction_set.id != "270":
        raise st.error(
            f"ST01 is '{transaction_set.id}': this is not a 270 eligibility inquiry "
            "(a 270 starts ST*270)"
        )
    implementation = transaction_set.implementation or version
    if implementation not in {IMPLEMENTATION, "005010X279"}:
        raise st.error(
            f"ST03 is '{implementation}': Portico reads the 005010X279A1 270 "
            "(ST*270*<control number>*005010X279A1)"
        )


@dataclass
class _HlBlock:
    """An HL and the segments up to the next HL."""

    hl: Segment
    segments: list[Segment]

    @property
    def id(self) -> str:
        return self.hl.get(1)

    @property
    def parent(self) -> str:
        return self.hl.get(2)

    @property
    def level(self) -> str:
        return self.hl.get(3)


@dataclass
class _NameLoop:
    """What one subscriber or dependent loop (2000x, 2100x, 2110x) says."""

    traces: list[Trace] = field(default_factory=list)
    name: PersonName | None = None
    name_segment: Segment | None = None
    date_of_birth: date | None = None
    date_of_birth_text: str = ""
    birth_segment: Segment | None = None
    date_of_service: date | None = None
    service_types: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)
    rejected: list[RejectedProcedure] = field(default_factory=list)
    place_of_service: str | None = None
    error: X12Error | None = None
    reject_reason: str | None = None

    def fail(self, problem: X12Error, reason: str) -> None:
        if self.error is None:  # the first problem is the one to fix first
            self.error = problem
            self.reject_reason = reason


def _read_transaction(
    transaction_set: TransactionSet, default_date_of_service: date | None
) -> Transaction270:
    control = transaction_set.control_number
    body = transaction_set.body
    if not body or body[0].id != "BHT":
        where = body[0] if body else transaction_set.segments[-1]
        raise where.error("expected the BHT beginning segment right after the ST")
    bht = body[0]
    # BHT01 0022: information source, receiver, subscriber, dependent hierarchy.
    if bht.get(1) != "0022":
        raise bht.error(f"BHT01 must be 0022 (the eligibility hierarchy), found '{bht.get(1)}'")
    created = parse_x12_date(bht.get(4))
    blocks: list[_HlBlock] = []
    for segment in body[1:]:
        if segment.id == "HL":
            blocks.append(_HlBlock(segment, []))
        elif not blocks:
            raise segment.error(f"expected the first HL after the BHT, found {segment.id}")
        else:
            blocks[-1].segments.append(segment)
    if not blocks:
        raise bht.error("the transaction has no HL loops (2000A payer, 2000B provider, ...)")

    source, receiver = blocks[0], blocks[1] if len(blocks) > 1 else None
    if source.level != "20":
        raise source.hl.error("the first HL must be the information source (HL03 = 20)")
    payer = _read_party(source, "2100A")
    if receiver is None or receiver.level != "21" or receiver.parent != source.id:
        where = receiver.hl if receiver else source.hl
        raise where.error(
            f"the information receiver loop 2000B (HL*2*{source.id}*21*1) must follow the "
            "payer's loop"
        )
    provider = _read_party(receiver, "2100B")

    fallback_date = default_date_of_service or created
    items: list[InquiryItem] = []
    subscribers: dict[str, tuple[_HlBlock, _NameLoop]] = {}
    seen_ids = {source.id, receiver.id}
    rest = blocks[2:]
    for index, block in enumerate(rest):
        if block.level not in {"22", "23"}:
            raise block.hl.error(
                f"HL03 is '{block.level}': after the 2000B only subscriber (22) and dependent "
                "(23) loops may follow in a 270"
            )
        if block.id in seen_ids or not block.id:
            problem = block.hl.error(f"HL01 '{block.id}' is missing or already used")
            items.append(_broken(control, block, problem, "15"))
            continue
        seen_ids.add(block.id)
        if block.level == "22":
            loop = _read_name_loop(block, control, entity="IL", loop="2100C")
            subscribers[block.id] = (block, loop)
            if block.parent != receiver.id:
                problem = block.hl.error(
                    f"HL02 of a subscriber loop must name the information receiver's HL "
                    f"({receiver.id}), found '{block.parent}'",
                    control_number=control,
                )
                items.append(_item(control, block, loop, None, fallback_date, problem))
                continue
            has_dependents = index + 1 < len(rest) and rest[index + 1].level == "23"
            # The subscriber is the patient when HL04 says no dependents follow, or when it asks
            # its own question (2110C EQ) anyway; otherwise its loop only carries dependents.
            if (
                block.hl.get(4) == "0"
                or loop.service_types
                or loop.procedures
                or (not has_dependents)
            ):
                items.append(_item(control, block, loop, loop, fallback_date, None))
        else:
            parent = subscribers.get(block.parent)
            dependent = _read_name_loop(block, control, entity="03", loop="2100D")
            if parent is None:
                problem = block.hl.error(
                    f"HL02 of a dependent loop must name its subscriber's HL, found "
                    f"'{block.parent}'",
                    control_number=control,
                )
                items.append(_item(control, block, dependent, None, fallback_date, problem))
                continue
            items.append(_item(control, block, dependent, parent[1], fallback_date, None))
    return Transaction270(
        control_number=control,
        reference=bht.get(3),
        created=created,
        payer=payer,
        provider=provider,
        items=tuple(items),
    )


def _read_party(block: _HlBlock, loop: str) -> Party:
    nm1 = next((s for s in block.segments if s.id == "NM1"), None)
    if nm1 is None:
        raise block.hl.error(f"loop {loop} has no NM1 naming the {_PARTY_ROLE[loop]}")
    if not nm1.get(3):
        raise nm1.error(f"NM103 ({_PARTY_ROLE[loop]} name, loop {loop}) is empty")
    return Party(
        name=nm1.get(3),
        id_qualifier=nm1.get(8),
        identifier=nm1.get(9),
        entity_code=nm1.get(1),
        entity_type=nm1.get(2) or "2",
        first_name=nm1.get(4),
    )


_PARTY_ROLE = {"2100A": "information source (payer)", "2100B": "information receiver (provider)"}
# Segments the TR3 allows in a 270 subscriber or dependent loop (2000x, 2100x, 2110x).
_NAME_LOOP_SEGMENTS = frozenset(
    {"TRN", "NM1", "REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP", "EQ", "AMT", "III"}
)


def _read_name_loop(block: _HlBlock, control: str, *, entity: str, loop: str) -> _NameLoop:
    found = _NameLoop()
    eq_loop_date: date | None = None
    in_eq = False
    for segment in block.segments:
        if segment.id not in _NAME_LOOP_SEGMENTS:
            found.fail(
                segment.error(
                    f"{segment.id} is not a segment of a 270 subscriber or dependent loop",
                    control_number=control,
                ),
                "15",
            )
        elif segment.id == "TRN":
            if segment.get(2):
                found.traces.append(Trace(segment.get(2), segment.get(3), segment.get(4)))
        elif segment.id == "NM1":
            if found.name_segment is not None or segment.get(1) != entity:
                found.fail(
                    segment.error(
                        f"expected one NM1*{entity} naming the "
                        f"{'subscriber' if entity == 'IL' else 'dependent'} in loop {loop}, "
                        f"found NM1*{segment.get(1)}",
                        control_number=control,
                    ),
                    "73" if entity == "IL" else "65",
                )
                continue
            found.name_segment = segment
            found.name = PersonName(
                last_name=segment.get(3),
                first_name=segment.get(4),
                middle_name=segment.get(5),
                suffix=segment.get(7),
                id_qualifier=segment.get(8),
                member_id=segment.get(9) if entity == "IL" else "",
            )
        elif segment.id == "DMG":
            _read_birth_date(segment, found, control)
        elif segment.id == "DTP" and segment.get(1) in {"291", "472"}:
            # DTP01 291 (Plan) is how a 270 asks "on this date of service" (472 from older
            # senders); RD8 asks for a range, and Portico answers for its first day.
            day = _read_service_date(segment, found, control)
            if in_eq:
                eq_loop_date = eq_loop_date or day
            elif day is not None:
                found.date_of_service = day
        elif segment.id == "EQ":
            in_eq = True
            _read_eq(segment, found, control)
        elif segment.id == "III" and segment.get(1) == "ZZ" and in_eq:
            # III01 ZZ: III02 is the place of service (CMS POS code), loop 2110C/2110D.
            found.place_of_service = found.place_of_service or segment.get(2)
    if found.date_of_service is None:
        found.date_of_service = eq_loop_date
    if found.name_segment is None:
        found.fail(
            block.hl.error(
                f"loop {loop} has no NM1*{entity} naming the "
                f"{'subscriber' if entity == 'IL' else 'dependent'}",
                control_number=control,
            ),
            "73" if entity == "IL" else "65",
        )
    return found


def _read_birth_date(segment: Segment, found: _NameLoop, control: str) -> None:
    found.birth_segment = segment
    found.date_of_birth_text = segment.get(2)
    # DMG01 D8: DMG02 is a CCYYMMDD date of birth.
    if segment.get(1) != "D8":
        found.fail(
            segment.error(
                f"DMG01 must be D8 (a CCYYMMDD date of birth in DMG02), found '{segment.get(1)}'",
                control_number=control,
            ),
            "58",
        )
        return
    found.date_of_birth = parse_x12_date(segment.get(2))
    if found.date_of_birth is None:
        found.fail(
            segment.error(
                f"date of birth '{segment.get(2)}' is not a valid CCYYMMDD date",
                control_number=control,
            ),
            "58",
        )


def _read_service_date(segment: Segment, found: _NameLoop, control: str) -> date | None:
    qualifier, value = segment.get(2), segment.get(3)
    if qualifier == "D8":
        text = value
    elif qualifier == "RD8":
        text = value.split("-", 1)[0]
    else:
        found.fail(
            segment.error(
                f"DTP02 must be D8 (one date) or RD8 (a range), found '{qualifier}'",
                control_number=control,
            ),
            "57",
        )
        return None
    day = parse_x12_date(text)
    if day is None or (qualifier == "RD8" and parse_x12_date(value[9:]) is None):
        what = "date of service" if qualifier == "D8" else "date-of-service range"
        form = "CCYYMMDD" if qualifier == "D8" else "CCYYMMDD-CCYYMMDD"
        found.fail(
            segment.error(f"{what} '{value}' is not a valid {form} date", control_number=control),
            "57",
        )
        return None
    return day


def _read_eq(segment: Segment, found: _NameLoop, control: str) -> None:
    found.service_types.extend(code for code in segment.repeats(1) if code)
    if not segment.get(2):
        return
    # EQ02 is a composite: EQ02-1 qualifier (HC HCPCS/CPT), EQ02-2 the procedure code.
    parts = segment.components(2)
    qualifier, code = parts[0], parts[1] if len(parts) > 1 else ""
    if qualifier not in _PROCEDURE_QUALIFIERS:
        problem = segment.error(
            f"EQ02 qualifier '{qualifier}' is not supported: send procedure codes as HC:<code>",
            control_number=control,
        )
        found.rejected.append(RejectedProcedure(qualifier, code, "54", problem))
        return
    rule = _procedure_code_problem(code)
    if rule is not None:
        found.rejected.append(
            RejectedProcedure(qualifier, code, "AG", segment.error(rule, control_number=control))
        )
        return
    if code.upper() not in found.procedures:
        found.procedures.append(code.upper())


def _procedure_code_problem(code: str) -> str | None:
    """The domain's own rule for a procedure code (EligibilityInquiry.problems), so the codec and
    the portal's search form reject the same codes."""
    probe = EligibilityInquiry(date.min, date.min, member_id="-", procedure_codes=(code,))
    problems = probe.problems()
    return problems[0] if problems else None


def _broken(control: str, block: _HlBlock, problem: X12Error, reason: str) -> InquiryItem:
    return InquiryItem(
        control_number=control,
        segment_number=block.hl.number,
        loop="2000C" if block.level == "22" else "2000D",
        traces=(),
        subscriber=None,
        dependent=None,
        date_of_birth_text="",
        service_type_codes=(),
        error=problem,
        reject_reason=reason,
    )


def _item(
    control: str,
    block: _HlBlock,
    patient: _NameLoop,
    subscriber: _NameLoop | None,
    fallback_date: date | None,
    problem: X12Error | None,
) -> InquiryItem:
    """Turn a patient loop into an inquiry, or into the first error that stops it."""
    is_dependent = block.level == "23"
    # A dependent's trace is in its 2000D, or (as many senders do) in its subscriber's 2000C.
    traces = patient.traces or (subscriber.traces if subscriber and is_dependent else [])
    base = InquiryItem(
        control_number=control,
        segment_number=block.hl.number,
        loop="2000D" if is_dependent else "2000C",
        traces=tuple(traces),
        subscriber=subscriber.name if subscriber else (None if is_dependent else patient.name),
        dependent=patient.name if is_dependent else None,
        date_of_birth_text=patient.date_of_birth_text,
        service_type_codes=tuple(patient.service_types),
        rejected_procedures=tuple(patient.rejected),
    )
    loop = "2100D" if is_dependent else "2100C"
    if problem is None and patient.error is not None:
        problem, reason = patient.error, patient.reject_reason or "15"
    else:
        reason = "15"
    if problem is None and patient.date_of_birth is None:
        where = patient.name_segment or block.hl
        problem = where.error(
            f"no DMG date of birth in loop {loop}: Portico matches members by date of birth; "
            f"add DMG*D8*CCYYMMDD after the NM1",
            control_number=control,
        )
        reason = "58"
    # A dependent without its own DTP*291 is asked about on its subscriber's date.
    day = patient.date_of_service
    if day is None and is_dependent and subscriber is not None:
        day = subscriber.date_of_service
    defaulted = day is None
    day = day or fallback_date
    if problem is None and day is None:
        problem = block.hl.error(
            f"no date of service: add DTP*291*D8*CCYYMMDD to loop {loop}", control_number=control
        )
        reason = "57"
    if problem is not None:
        return replace(base, error=problem, reject_reason=reason)
    assert day is not None and patient.date_of_birth is not None and patient.name is not None
    name_segment = patient.name_segment
    assert name_segment is not None
    if patient.date_of_birth > day:
        problem = (patient.birth_segment or name_segment).error(
            f"the date of birth ({patient.date_of_birth:%m/%d/%Y}) is after the date of "
            f"service ({day:%m/%d/%Y})",
            control_number=control,
        )
        return replace(base, error=problem, reject_reason="60")
    inquiry = EligibilityInquiry(
        date_of_service=day,
        date_of_birth=patient.date_of_birth,
        # NM109 identifies the subscriber; a dependent in 2100D is asked about by name and DOB.
        member_id=(patient.name.member_id or None) if not is_dependent else None,
        last_name=patient.name.last_name or None,
        first_name=patient.name.first_name or None,
        procedure_codes=tuple(patient.procedures),
        place_of_service=patient.place_of_service,
        trace_number=traces[0].reference if traces else None,
    )
    if inquiry.problems():
        what = (
            "the member ID (NM108 MI, NM109) or the last and first name (NM103, NM104)"
            if not is_dependent
            else "the dependent's last and first name (NM103, NM104)"
        )
        problem = name_segment.error(f"NM1 must give {what}", control_number=control)
        return replace(base, error=problem, reject_reason="65" if is_dependent else "72")
    return replace(base, inquiry=inquiry, date_of_service_defaulted=defaulted)


# --- Writing a 271 ---


def write_271(
    answers: Sequence[EligibilityAnswer],
    *,
    request: Batch270 | None,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    at: datetime,
    receiver: Party | None = None,
    payer: Party = PORTICO_PAYER,
    sender_qualifier: str | None = None,
    receiver_qualifier: str | None = None,
    usage: str | None = None,
) -> str:
    """The 271 interchange answering `answers`.

    With the 270 (`request`), there is one 271 transaction set per 270 transaction set, each
    answering its patient loops in order: the answer whose inquiry is that loop's inquiry, or a
    2100C/2100D AAA for a loop that could not be read. Without it (a CSV batch), one transaction
    set answers for `receiver`, the practice that asked. ISA13 and GS06 are `control_number`.
    """
    if request is None and receiver is None:
        raise ValueError("write_271 needs the 270 it answers (request) or the receiver")
    transactions: list[_Writer271] = []
    if request is None:
        assert receiver is not None
        writer = _Writer271("0001", f"{control_number}", at=at, payer=payer, receiver=receiver)
        for answer in answers:
            writer.answer(answer, None)
        transactions.append(writer)
    else:
        pending: dict[EligibilityInquiry, deque[EligibilityAnswer]] = defaultdict(deque)
        for answer in answers:
            pending[answer.inquiry].append(answer)
        for number, transaction in enumerate(request.transactions, start=1):
            writer = _Writer271(
                f"{number:04d}",
                transaction.reference or f"{control_number}",
                at=at,
                payer=payer,
                receiver=transaction.provider,
            )
            for item in transaction.items:
                if item.inquiry is None:
                    writer.reject(item)
                elif pending.get(item.inquiry):
                    writer.answer(pending[item.inquiry].popleft(), item)
                else:
                    writer.unanswered(item)
            transactions.append(writer)
        leftover = sum(len(queue) for queue in pending.values())
        if leftover:
            raise ValueError(f"{leftover} answers are for inquiries that are not in the 270")
    if not any(writer.patients for writer in transactions):
        raise ValueError("a 271 needs at least one answer")
    return write_interchange(
        [writer.finish() for writer in transactions],
        version=IMPLEMENTATION,
        sender_id=sender_id,
        receiver_id=receiver_id,
        control_number=control_number,
        at=at,
        sender_qualifier=sender_qualifier or (request.receiver_qualifier if request else "ZZ"),
        receiver_qualifier=receiver_qualifier or (request.sender_qualifier if request else "ZZ"),
        usage=usage or (request.usage if request else "P"),
    )


def _split_person_name(display: str) -> tuple[str, str]:
    """'Maria Alvarez, MD' -> ('Alvarez', 'Maria'): NM103 last name, NM104 first name."""
    name = display.split(",", 1)[0].strip()
    if name.lower().startswith("dr. "):
        name = name[4:]
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return parts[-1], " ".join(parts[:-1])


def _plan_year_period(coverage: CoverageAnswer) -> str:
    """EB06 time period for plan-year amounts: 23 Calendar Year for a January plan year,
    22 Service Year for a plan year that starts in another month."""
    return (
        "23" if (coverage.plan_year_start.month, coverage.plan_year_start.day) == (1, 1) else "22"
    )


class _Writer271:
    """One 271 transaction set: the 2000A/2000B header, then one patient loop per answer."""

    def __init__(
        self, control_number: str, reference: str, *, at: datetime, payer: Party, receiver: Party
    ) -> None:
        self.tx = TransactionWriter("271", control_number, IMPLEMENTATION)
        self.patients = 0
        # BHT02 11 Response; BHT03 echoes the 270's reference identification.
        self.tx.add("BHT", "0022", "11", reference, x12_date(at.date()), f"{at:%H%M}")
        # 2000A information source: Portico, the payer answering.
        self.tx.add("HL", "1", None, "20", "1")
        _write_party(self.tx, payer)
        # 2000B information receiver: the provider who asked, as the 270 named them.
        self.tx.add("HL", "2", "1", "21", "1")
        _write_party(self.tx, receiver)
        self.next_hl = 3

    def finish(self) -> TransactionWriter:
        self.tx.finish()
        return self.tx

    def _hl(self, parent: str, level: str, has_children: bool) -> str:
        number = str(self.next_hl)
        self.next_hl += 1
        self.tx.add("HL", number, parent, level, "1" if has_children else "0")
        return number

    def _traces(self, item: InquiryItem | None, transaction_id: str | None) -> None:
        """2000C/2000D TRN: the 270's traces come back with TRN01 2 (referenced transaction
        trace number); Portico adds its own (TRN01 1) carrying the check's transaction ID, so
        a 271 line can be found in the portal's history. x12sdk allows two TRNs here (the TR3
        three), so Portico's own is left out when the 270 sent two."""
        echoed = list(item.traces[:2]) if item else []
        for trace in echoed:
            self.tx.add("TRN", "2", trace.reference, trace.originator, trace.detail or None)
        if transaction_id and len(echoed) < 2:
            self.tx.add("TRN", "1", transaction_id, PORTICO_TRACE_ORIGINATOR)

    def _echo_name(self, entity: str, name: PersonName | None) -> None:
        if name is None:
            self.tx.add("NM1", entity, "1")
            return
        qualifier = (name.id_qualifier or "MI") if name.member_id else None
        self.tx.add(
            "NM1",
            entity,
            "1",
            name.last_name[:60],
            name.first_name[:35],
            name.middle_name[:25],
            None,
            name.suffix[:10],
            qualifier if entity == "IL" else None,
            name.member_id if entity == "IL" else None,
        )

    def _echo_birth_date(self, text: str) -> None:
        # DMG echoes the 270's date of birth only when it is one: an invalid date would make the
        # 271 itself invalid, and the AAA already says what was wrong with it.
        if parse_x12_date(text) is not None:
            self.tx.add("DMG", "D8", text)

    def _patient_loop_without_match(
        self,
        item: InquiryItem | None,
        inquiry: EligibilityInquiry | None,
        *,
        valid_request: bool,
        reason: str,
        follow_up: str,
        transaction_id: str | None,
    ) -> None:
        """Echo who was asked about and say why there is no answer (AAA). AAA01 'Y': the request
        was valid but the answer is a rejection (not found); 'N': the request was not valid."""
        self.patients += 1
        subscriber = item.subscriber if item else None
        if subscriber is None and inquiry is not None and (item is None or item.loop == "2000C"):
            subscriber = PersonName(
                inquiry.last_name or "",
                inquiry.first_name or "",
                id_qualifier="MI" if inquiry.member_id else "",
                member_id=inquiry.member_id or "",
            )
        birth = (
            item.date_of_birth_text
            if item
            else (x12_date(inquiry.date_of_birth) if inquiry else "")
        )
        valid = "Y" if valid_request else "N"
        if item is not None and item.loop == "2000D":
            # The dependent asked about: 2000C carries the subscriber as sent, 2000D the
            # dependent, and the dependent's 2100D gets the AAA (67 patient not found).
            parent = self._hl("2", "22", has_children=True)
            self._echo_name("IL", subscriber)
            self._hl(parent, "23", has_children=False)
            self._traces(item, transaction_id)
            self._echo_name("03", item.dependent)
            self.tx.add("AAA", valid, None, "67" if reason == "75" else reason, follow_up)
            self._echo_birth_date(birth)
            return
        self._hl("2", "22", has_children=False)
        self._traces(item, transaction_id)
        self._echo_name("IL", subscriber)
        # 2100C AAA03: 75 Subscriber/Insured Not Found, or the reason the loop was unreadable.
        self.tx.add("AAA", valid, None, reason, follow_up)
        self._echo_birth_date(birth)

    def reject(self, item: InquiryItem) -> None:
        """A patient loop that could not be read: AAA*N with the reason, C correct and resubmit."""
        self._patient_loop_without_match(
            item,
            None,
            valid_request=False,
            reason=item.reject_reason or "15",
            follow_up="C",
            transaction_id=None,
        )

    def unanswered(self, item: InquiryItem) -> None:
        """An inquiry the caller did not answer: 42 Unable to Respond at Current Time, R
        resubmission allowed."""
        self._patient_loop_without_match(
            item, item.inquiry, valid_request=True, reason="42", follow_up="R", transaction_id=None
        )

    def answer(self, answer: EligibilityAnswer, item: InquiryItem | None) -> None:
        member = answer.member
        if member is None:
            # No match says only that (no fishing): 75 Subscriber/Insured Not Found, C please
            # correct and resubmit. Portico cannot tell a wrong ID from a wrong DOB, by design.
            self._patient_loop_without_match(
                item,
                answer.inquiry,
                valid_request=True,
                reason="75",
                follow_up="C",
                transaction_id=answer.transaction_id,
            )
            return
        self.patients += 1
        inquiry = answer.inquiry
        # Every Portico member has their own member ID, so the TR3 has the information source
        # answer for them in the subscriber loop (2000C/2100C), even when the 270 asked in a
        # dependent loop; the INS below says the identifying data changed.
        self._hl("2", "22", has_children=False)
        self._traces(item, answer.transaction_id)
        self.tx.add(
            "NM1",
            "IL",
            "1",
            member.last_name[:60],
            member.first_name[:35],
            None,
            None,
            None,
            "MI",
            member.member_id,
        )
        self.tx.add(
            "DMG", "D8", x12_date(member.date_of_birth), member.sex if member.sex in "FMU" else None
        )
        changed = (
            (item is not None and item.loop == "2000D")
            or (inquiry.member_id or "").strip().upper() != member.member_id
            or (inquiry.last_name or "").strip().lower() != member.last_name.lower()
            or (inquiry.first_name or "").strip().lower() != member.first_name.lower()
        )
        if changed:
            # INS*Y*18*001*25: the subscriber (Y, 18 self), 001 change, 25 change in
            # identifying data elements: the 271 names the member as the plan knows them.
            self.tx.add("INS", "Y", "18", "001", "25")
        reference = answer.primary or (answer.coverages[0] if answer.coverages else None)
        if reference is not None:
            # DTP*346 Plan Begin and DTP*347 Plan End: the coverage the answer is about.
            self.tx.add("DTP", "346", "D8", x12_date(reference.period.effective_date))
            if reference.period.termination_date is not None:
                self.tx.add("DTP", "347", "D8", x12_date(reference.period.termination_date))
        # DTP*291 (Plan): the date of service this answer was computed for.
        self.tx.add("DTP", "291", "D8", x12_date(inquiry.date_of_service))
        categories = item.categories if item else frozenset(ServiceCategory)
        if not answer.coverages:
            # Found but never covered: EB*6 Inactive for 30 Health Benefit Plan Coverage.
            self._eb("6", None, "30")
        target = answer.primary or (answer.coverages[0] if answer.coverages else None)
        for coverage in sorted(answer.coverages, key=lambda c: c.order):
            self._coverage(coverage, categories)
            if coverage is target and coverage.is_active:
                self._procedures(answer.procedures, coverage)
                if item is not None:
                    self._rejected_procedures(item.rejected_procedures)

    def _eb(
        self,
        code: str,
        coverage_level: str | None,
        service_types: str | Repeated | None,
        insurance_type: str | None = None,
        plan: str | None = None,
        *,
        period: str | None = None,
        amount: str | None = None,
        percent: str | None = None,
        authorization: str | None = None,
        procedure: Composite | None = None,
    ) -> None:
        """One 2110C EB: EB01 information code, EB02 coverage level (IND/FAM), EB03 service
        types, EB04 insurance type, EB05 plan description, EB06 time period, EB07 amount,
        EB08 percent, EB11 authorization required (Y/N), EB13 procedure.

        EB03 is never left empty before a later element: the TR3 allows it, but x12sdk reads
        an empty EB03 as an invalid service type, so EB*L and EB*V carry 30."""
        elements: list[Element] = [
            code,
            coverage_level,
            service_types,
            insurance_type,
            plan,
            period,
            amount,
            percent,
            None,  # EB09/EB10 quantity: visits go in HSD (x12sdk cannot read EB09 = VS)
            None,
            authorization,
            None,  # EB12 in plan network: Portico's benefits are its network's
            procedure,
        ]
        self.tx.add("EB", *elements)

    def _coverage(self, coverage: CoverageAnswer, categories: frozenset[ServiceCategory]) -> None:
        insurance = INSURANCE_TYPE_OF_PRODUCT.get(coverage.product.upper(), COMMERCIAL)
        plan = coverage.plan_name[:50]
        answered = [b for b in coverage.benefits if b.service_category in categories]
        if coverage.is_active:
            # EB*1 Active Coverage for 30 Health Benefit Plan Coverage, 1 Medical Care and each
            # service type asked about that the plan covers.
            covered = [SERVICE_TYPE_OF[b.service_category] for b in answered if b.covered]
            self._eb("1", None, Repeated(("30", "1", *covered)), insurance, plan)
        else:
            # EB*6 Inactive: not yet effective or terminated on the date of service.
            self._eb("6", None, "30", insurance, plan)
        # 2110C REF*18 plan number and REF*6P group number identify the coverage.
        self.tx.add("REF", "18", coverage.plan_code)
        self.tx.add("REF", "6P", coverage.group_number)
        if coverage.period.termination_date is not None:
            # DTP*291 Plan, RD8: the coverage's whole period when it has an end.
            self.tx.add(
                "DTP",
                "291",
                "RD8",
                f"{x12_date(coverage.period.effective_date)}-"
                f"{x12_date(coverage.period.termination_date)}",
            )
        else:
            self.tx.add("DTP", "346", "D8", x12_date(coverage.period.effective_date))
        if coverage.order > 1:
            self.tx.add(
                "MSG", f"Secondary coverage, coordination of benefits order {coverage.order}"
            )
        if not coverage.is_active:
            return
        if coverage.pcp_npi:
            # EB*L Primary Care Provider, named in 2120C: NM1*P3 with the NPI (NM108 XX).
            self._eb("L", None, "30", insurance, plan)
            last, first = _split_person_name(coverage.pcp_name or "")
            self.tx.add("LS", "2120")
            self.tx.add(
                "NM1", "P3", "1", last[:60], first[:35], None, None, None, "XX", coverage.pcp_npi
            )
            self.tx.add("LE", "2120")
        self._accumulators(coverage, insurance, plan)
        for benefit in answered:
            self._category(benefit, coverage, insurance, plan)

    def _accumulators(self, coverage: CoverageAnswer, insurance: str, plan: str) -> None:
        """EB*C Deductible and EB*G Out of Pocket (Stop Loss), individual (IND) and family (FAM):
        EB06 23/22 is the plan-year amount, EB06 29 Remaining what is left of it."""
        totals = coverage.accumulators
        year = _plan_year_period(coverage)
        # The individual remaining is what this member still owes: with an embedded family
        # deductible it is also met once the family's is (Accumulators.deductible_remaining).
        rows = (
            ("C", "IND", totals.individual_deductible.limit, totals.deductible_remaining),
            ("C", "FAM", totals.family_deductible.limit, totals.family_deductible.remaining),
            (
                "G",
                "IND",
                totals.individual_out_of_pocket.limit,
                totals.out_of_pocket_remaining,
            ),
            ("G", "FAM", totals.family_out_of_pocket.limit, totals.family_out_of_pocket.remaining),
        )
        for code, level, limit, remaining in rows:
            self._eb(code, level, "30", insurance, plan, period=year, amount=x12_decimal(limit))
            self._eb(code, level, "30", insurance, plan, period="29", amount=x12_decimal(remaining))

    def _category(
        self, benefit: CategoryBenefit, coverage: CoverageAnswer, insurance: str, plan: str
    ) -> None:
        service_type = SERVICE_TYPE_OF[benefit.service_category]
        if not benefit.covered:
            self._eb("I", None, service_type, insurance, plan)  # EB*I Non-Covered
            return
        authorization = "Y" if benefit.prior_auth_required else "N"
        # EB*B Co-Payment, EB06 27 per visit, EB07 the amount.
        self._eb(
            "B",
            None,
            service_type,
            insurance,
            plan,
            period="27",
            amount=x12_decimal(benefit.copay),
            authorization=authorization,
        )
        # EB*A Co-Insurance, EB08 the member's share as a decimal (20% is .2).
        self._eb(
            "A",
            None,
            service_type,
            insurance,
            plan,
            percent=x12_decimal(Decimal(benefit.coinsurance_percent) / 100),
            authorization=authorization,
        )
        self.tx.add(
            "MSG",
            "Deductible applies" if benefit.deductible_applies else "Deductible does not apply",
        )
        visits = benefit.visits
        if visits.limit is not None:
            # EB*F Limitations with HSD: HSD01 VS visits, HSD02 how many, HSD05 the period
            # (23/22 per plan year, 29 remaining, 24 year to date), HSD06 1 period. x12sdk
            # refuses an HSD02 of 0, so a reached limit is said as the visits used this year.
            self._eb("F", None, service_type, insurance, plan)
            if visits.limit > 0:
                year = _plan_year_period(coverage)
                self.tx.add("HSD", "VS", str(visits.limit), None, None, year, "1")
            if visits.remaining:
                self.tx.add("HSD", "VS", str(visits.remaining), None, None, "29")
            else:
                if visits.used > 0:
                    self.tx.add("HSD", "VS", str(visits.used), None, None, "24")
                self.tx.add("MSG", "Visit limit reached for this plan year")

    def _procedures(self, procedures: Sequence[ProcedureAnswer], coverage: CoverageAnswer) -> None:
        insurance = INSURANCE_TYPE_OF_PRODUCT.get(coverage.product.upper(), COMMERCIAL)
        plan = coverage.plan_name[:50]
        for procedure in procedures:
            code = Composite(("HC", procedure.code))  # EB13: HC HCPCS (CPT is its level I)
            if procedure.description is None:
                # EB*V Cannot Process: the code is not on the plan's list.
                self._eb("V", None, "30", procedure=code)
                self.tx.add("MSG", "Procedure code not on file with the plan")
                continue
            service_type = (
                SERVICE_TYPE_OF[procedure.service_category] if procedure.service_category else None
            )
            self._eb(
                "1" if procedure.covered else "I",
                None,
                service_type,
                insurance,
                plan,
                authorization="Y" if procedure.prior_auth_required else "N",
                procedure=code,
            )
            if procedure.visit_limit_reached:
                self.tx.add("MSG", "Visit limit reached for this plan year")

    def _rejected_procedures(self, rejected: Sequence[RejectedProcedure]) -> None:
        for procedure in rejected:
            # EB*V Cannot Process, then 2110C AAA: AG invalid procedure code, or 54
            # inappropriate product/service ID qualifier; AAA01 N, the request was not valid.
            self._eb("V", None, "30", procedure=Composite((procedure.qualifier, procedure.code)))
            self.tx.add("AAA", "N", None, procedure.reject_reason, "C")


# --- Writing a 270 (for tests, benchmarks and trading partners' test files) ---


def write_270(
    inquiries: Sequence[EligibilityInquiry],
    *,
    provider: Party,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    at: datetime,
    payer: Party = PORTICO_PAYER,
    service_type_codes: Sequence[str] = ("30",),
    usage: str = "P",
) -> str:
    """One 270 transaction set asking about each inquiry as a subscriber (2000C): Portico's
    members all have their own member IDs, which the TR3 sends in the subscriber loop."""
    tx = TransactionWriter("270", "0001", IMPLEMENTATION)
    # BHT02 13 Request; BHT03 the submitter's reference for this inquiry.
    tx.add("BHT", "0022", "13", f"{control_number}", x12_date(at.date()), f"{at:%H%M}")
    tx.add("HL", "1", None, "20", "1")
    _write_party(tx, payer)
    tx.add("HL", "2", "1", "21", "1")
    _write_party(tx, provider)
    originator = ("9" + "".join(ch for ch in sender_id.upper() if ch.isalnum()))[:10].ljust(10, "0")
    for number, inquiry in enumerate(inquiries, start=3):
        tx.add("HL", str(number), "2", "22", "0")
        trace = inquiry.trace_number or f"{control_number}-{number - 2}"
        tx.add("TRN", "1", trace, originator)
        tx.add(
            "NM1",
            "IL",
            "1",
            (inquiry.last_name or "")[:60],
            (inquiry.first_name or "")[:35],
            None,
            None,
            None,
            "MI" if inquiry.member_id else None,
            inquiry.member_id,
        )
        tx.add("DMG", "D8", x12_date(inquiry.date_of_birth))
        tx.add("DTP", "291", "D8", x12_date(inquiry.date_of_service))
        # 2110C: one EQ per service type, then one per procedure (EQ02 HC:<code>). The TR3
        # lets EQ01 be empty beside an EQ02, but x12sdk cannot read that, so EQ01 repeats the
        # first service type.
        for code in service_type_codes:
            tx.add("EQ", code)
            if inquiry.place_of_service:
                tx.add("III", "ZZ", inquiry.place_of_service)  # III02: place of service
        for code in inquiry.procedure_codes:
            tx.add("EQ", service_type_codes[0], Composite(("HC", code)))
    tx.finish()
    return write_interchange(
        [tx],
        version=IMPLEMENTATION,
        sender_id=sender_id,
        receiver_id=receiver_id,
        control_number=control_number,
        at=at,
        usage=usage,
    )


def _write_party(tx: TransactionWriter, party: Party) -> None:
    tx.add(
        "NM1",
        party.entity_code,
        party.entity_type,
        party.name[:60],
        party.first_name[:35] if party.entity_type == "1" else None,
        None,
        None,
        None,
        party.id_qualifier,
        party.identifier,
    )
