"""005010X231A1 999 implementation acknowledgment for a received 837P: per transaction set
accepted (A), accepted with errors (E) or rejected (R), with IK3/IK4 naming each segment and
element the reader could not take, and CTX*CLM01 naming the claim it belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from interop.x12.claims_837 import Batch837, SegmentProblem, Transaction837
from interop.x12.segments import Composite, TransactionWriter, write_interchange

IMPLEMENTATION = "005010X231A1"

ACCEPTED = "A"
ACCEPTED_WITH_ERRORS = "E"
REJECTED = "R"
PARTIALLY_ACCEPTED = "P"  # AK901: at least one transaction set was rejected, not all

# IK501 / AK901 follow-up codes (element 718): 5 one or more segments in error.
SEGMENTS_IN_ERROR = "5"
# AK905 functional group syntax error code 5: one or more transaction sets in error... the
# 999 TR3 narrows AK905 to group-level problems, so per-set problems are left to the IK5s.


def transaction_code(transaction: Transaction837) -> str:
    """IK501 for one set: structure problems reject it; problems within claims only reject
    those claims, so the set is accepted with errors."""
    if transaction.problems:
        return REJECTED
    if transaction.claim_problems:
        return ACCEPTED_WITH_ERRORS
    return ACCEPTED


def group_code(codes: Sequence[str]) -> str:
    """AK901 from the IK501s of the group."""
    rejected = sum(1 for code in codes if code == REJECTED)
    if rejected == len(codes):
        return REJECTED
    if rejected:
        return PARTIALLY_ACCEPTED
    if ACCEPTED_WITH_ERRORS in codes:
        return ACCEPTED_WITH_ERRORS
    return ACCEPTED


def write_999(batch: Batch837, *, sender_id: str, control_number: int, at: datetime) -> str:
    """The 999 for `batch`, from `sender_id` (the plan, ISA06) back to the 837's sender."""
    ts = TransactionWriter("999", "0001", IMPLEMENTATION)
    ts.add("AK1", "HC", batch.group_control_number, batch.group_version)
    codes = []
    for transaction in batch.transactions:
        code = transaction_code(transaction)
        codes.append(code)
        ts.add("AK2", "837", transaction.control_number, transaction.implementation)
        for problem in transaction.problems:
            _segment_error(ts, problem, account=None)
        for claim in transaction.claims:
            for problem in claim.problems:
                _segment_error(ts, problem, account=claim.patient_control_number)
        ts.add("IK5", code, None if code == ACCEPTED else SEGMENTS_IN_ERROR)
    accepted = sum(1 for code in codes if code != REJECTED)
    ts.add("AK9", group_code(codes), str(len(codes)), str(len(codes)), str(accepted))
    ts.finish()
    return write_interchange(
        [ts],
        version=IMPLEMENTATION,
        sender_id=sender_id,
        receiver_id=batch.sender_id or "UNKNOWN",
        receiver_qualifier=batch.sender_qualifier or "ZZ",
        control_number=control_number,
        at=at,
    )


def _segment_error(ts: TransactionWriter, problem: SegmentProblem, *, account: str | None) -> None:
    ts.add(
        "IK3",
        problem.segment_id,
        str(problem.position),
        # IK303 holds 4 characters (element 447): the loop's number without its letters.
        problem.loop_id[:4],
        problem.segment_code,
    )
    if account:
        # Business unit identifier: which claim (CLM01) the error is in.
        ts.add("CTX", Composite(("CLM01", account)))
    if problem.element is not None:
        position = (
            Composite((str(problem.element), str(problem.component)))
            if problem.component
            else str(problem.element)
        )
        ts.add("IK4", position, problem.element_reference or None, problem.element_code)
