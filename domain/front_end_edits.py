"""Front-end claim edits: accept a submitted claim into adjudication or reject it (277CA)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import simple_icd_10_cm as icd10cm  # type: ignore[import-untyped]  # no stubs

from domain.adjudication import filed_late
from domain.eligibility import CoveragePeriod, CoverageState, coverage_state

# 277CA STC01-1 claim status category codes (code list 507). A7 says the claim carries invalid
# information the submitter must correct; A3 says the claim is returned as unprocessable
# although its data are valid (a duplicate, a claim filed too late), so correcting a field
# will not help.
INVALID_INFORMATION = "A7"
UNPROCESSABLE = "A3"

# 277CA STC01-2 claim status codes (code list 508) for each edit.
SUBSCRIBER_NOT_FOUND = "33"  # Subscriber and subscriber id not found
NOT_ELIGIBLE_ON_DATES = "109"  # Entity not eligible for benefits for submitted dates of service
PROVIDER_NPI = "562"  # Entity's National Provider Identifier (NPI)
NO_AGREEMENT = "96"  # No agreement with entity (the provider is not contracted)
PRINCIPAL_DIAGNOSIS = "254"  # Principal diagnosis code
DIAGNOSIS = "255"  # Diagnosis code (a secondary one)
MISSING_OR_INVALID = "21"  # Missing or invalid information (the line's diagnosis pointers)
DATES_OF_SERVICE = "187"  # Date(s) of service: with A3, outside the timely filing limit
DUPLICATE_PROCESSED = "54"  # Duplicate of a previously processed claim/line
DUPLICATE_AWAITING = "78"  # Duplicate of an existing claim/line, awaiting processing

MAX_POINTERS = 4  # CMS-1500 24E / 837P SV107: up to four diagnosis pointers per line
REASON_LENGTH = 500  # Claim.rejection_reason

_ICD10_FORMAT = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


@dataclass(frozen=True)
class ProviderOnClaim:
    """The billing or rendering provider as the plan's provider file knows it."""

    npi: str
    in_practice: bool  # enrolled under the submitting practice
    in_network: bool  # contracted with the plan


@dataclass(frozen=True)
class LineFacts:
    line_number: int
    date_of_service: date
    diagnosis_pointers: tuple[int, ...]  # 1-based, into SubmittedClaim.diagnoses


@dataclass(frozen=True)
class DuplicateOf:
    """An accepted claim with the same practice, member, rendering provider, dates and lines."""

    claim_number: str
    processed: bool  # finalized already (508 code 54) or still in the pipeline (78)


@dataclass(frozen=True)
class SubmittedClaim:
    """What the front end checks about a received claim, gathered by the caller."""

    member_found: bool
    coverages: tuple[CoveragePeriod, ...]  # the member's coverages, any order
    billing_provider: ProviderOnClaim
    rendering_provider: ProviderOnClaim
    diagnoses: tuple[str, ...]  # ICD-10-CM, principal first, with or without the dot
    lines: tuple[LineFacts, ...]
    received_on: date
    timely_filing_days: int | None  # the plan's limit; None when no plan can be found
    duplicate_of: DuplicateOf | None = None


@dataclass(frozen=True)
class Rejection:
    """A 277CA rejection: category (507) and status (508) codes and what the practice must fix."""

    category_code: str
    status_code: str
    reason: str


def front_end_edit(claim: SubmittedClaim) -> Rejection | None:
    """The first edit the claim fails, in the order a payer's front end checks; None = accept.

    Identity first (member, then providers), since nothing else can be judged without them;
    then coverage, the coding, and last the edits a corrected claim cannot fix (timely filing,
    duplicates)."""
    for edit in (
        _member,
        _providers,
        _coverage,
        _diagnoses,
        _pointers,
        _timely_filing,
        _duplicate,
    ):
        rejection = edit(claim)
        if rejection is not None:
            return Rejection(
                rejection.category_code, rejection.status_code, rejection.reason[:REASON_LENGTH]
            )
    return None


def _member(claim: SubmittedClaim) -> Rejection | None:
    if claim.member_found:
        return None
    return Rejection(
        INVALID_INFORMATION,
        SUBSCRIBER_NOT_FOUND,
        "The member ID and date of birth do not match an enrolled member. Check both against "
        "the member's ID card, then correct and resubmit the claim.",
    )


def _providers(claim: SubmittedClaim) -> Rejection | None:
    for role, provider in (
        ("billing", claim.billing_provider),
        ("rendering", claim.rendering_provider),
    ):
        if not provider.in_practice:
            return Rejection(
                INVALID_INFORMATION,
                PROVIDER_NPI,
                f"The {role} provider's NPI {provider.npi} is not on file for your practice. "
                "Bill under a provider enrolled with your practice, or ask your practice "
                "admin to add this provider.",
            )
    for role, provider in (
        ("rendering", claim.rendering_provider),
        ("billing", claim.billing_provider),
    ):
        if not provider.in_network:
            return Rejection(
                INVALID_INFORMATION,
                NO_AGREEMENT,
                f"The {role} provider (NPI {provider.npi}) is not in the plan's network. Bill "
                "under an in-network provider, or contact provider relations about the "
                "provider's contract.",
            )
    return None


def _coverage(claim: SubmittedClaim) -> Rejection | None:
    for day in sorted({line.date_of_service for line in claim.lines}):
        states = [(period, coverage_state(period, day)) for period in claim.coverages]
        if any(state is CoverageState.ACTIVE for _, state in states):
            continue
        return Rejection(
            INVALID_INFORMATION, NOT_ELIGIBLE_ON_DATES, _not_covered_reason(day, states)
        )
    return None


def _not_covered_reason(day: date, states: list[tuple[CoveragePeriod, CoverageState]]) -> str:
    """Explain with the coverage nearest the date: the last one that ended before it, else the
    first one that starts after it."""
    ended = [p for p, s in states if s is CoverageState.TERMINATED and p.termination_date]
    upcoming = [p for p, s in states if s is CoverageState.NOT_YET_EFFECTIVE]
    head = f"Coverage is not active on {day:%m/%d/%Y}"
    if ended:
        last = max(p.termination_date for p in ended if p.termination_date)
        why = f"the member's coverage ended {last:%m/%d/%Y}"
    elif upcoming:
        first = min(p.effective_date for p in upcoming)
        why = f"the member's coverage starts {first:%m/%d/%Y}"
    else:
        why = "the member has no coverage on file"
    return (
        f"{head}: {why}. Check the member's current insurance and bill the payer that covered "
        "that date."
    )


def icd10_with_dot(code: str) -> str:
    """ICD-10-CM as printed: the dot after the third character (claims store it without)."""
    bare = code.strip().upper().replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def _diagnoses(claim: SubmittedClaim) -> Rejection | None:
    if not claim.diagnoses:
        return Rejection(
            INVALID_INFORMATION,
            PRINCIPAL_DIAGNOSIS,
            "The claim has no diagnosis code. Add the principal diagnosis (ICD-10-CM) the "
            "services treated, and point each line at it.",
        )
    for sequence, raw in enumerate(claim.diagnoses, start=1):
        problem = diagnosis_problem(raw)
        if problem is None:
            continue
        status = PRINCIPAL_DIAGNOSIS if sequence == 1 else DIAGNOSIS
        which = "The principal diagnosis" if sequence == 1 else f"Diagnosis {sequence}"
        return Rejection(INVALID_INFORMATION, status, f"{which} {problem}")
    return None


def diagnosis_problem(raw: str) -> str | None:
    """What is wrong with one diagnosis code, as the end of a sentence; None if it is billable.

    Only the most specific codes (the leaves of the ICD-10-CM tree) are billable: a category
    such as E11 stands for its subcodes and is rejected with the subcodes to choose from."""
    code = icd10_with_dot(raw)
    if not _ICD10_FORMAT.match(code) or not icd10cm.is_valid_item(code):
        return (
            f"'{raw.strip()}' is not an ICD-10-CM code. Correct the code (e.g. E11.9) and "
            "resubmit the claim."
        )
    if icd10cm.is_leaf(code):
        return None
    leaves = [item for item in icd10cm.get_descendants(code) if icd10cm.is_leaf(item)]
    examples = ", ".join(leaves[:3])
    return (
        f"{code} is a category, not a billable code. Use its most specific code (such as "
        f"{examples}) and resubmit the claim."
    )


def _pointers(claim: SubmittedClaim) -> Rejection | None:
    count = len(claim.diagnoses)
    for line in claim.lines:
        pointers = line.diagnosis_pointers
        if not pointers:
            reason = f"Line {line.line_number} does not point at a diagnosis."
        elif len(pointers) > MAX_POINTERS:
            reason = f"Line {line.line_number} points at {len(pointers)} diagnoses."
        else:
            outside = [p for p in pointers if not 1 <= p <= count]
            if not outside:
                continue
            reason = (
                f"Line {line.line_number} points at diagnosis {outside[0]}, but the claim has "
                f"{count} diagnos{'is' if count == 1 else 'es'}."
            )
        return Rejection(
            INVALID_INFORMATION,
            MISSING_OR_INVALID,
            f"{reason} Point each line at one to four of the claim's diagnoses (1 is the "
            "principal) and resubmit the claim.",
        )
    return None


def _timely_filing(claim: SubmittedClaim) -> Rejection | None:
    if claim.timely_filing_days is None:
        return None
    earliest = min(line.date_of_service for line in claim.lines)
    if not filed_late(earliest, received_on=claim.received_on, days=claim.timely_filing_days):
        return None
    late_by = (claim.received_on - earliest).days
    return Rejection(
        UNPROCESSABLE,
        DATES_OF_SERVICE,
        f"The claim was received {claim.received_on:%m/%d/%Y}, {late_by} days after the date "
        f"of service {earliest:%m/%d/%Y}; the plan accepts claims within "
        f"{claim.timely_filing_days} days. If you filed in time before, appeal with that "
        "claim's acceptance (277CA) as proof of timely filing.",
    )


def _duplicate(claim: SubmittedClaim) -> Rejection | None:
    original = claim.duplicate_of
    if original is None:
        return None
    if original.processed:
        return Rejection(
            UNPROCESSABLE,
            DUPLICATE_PROCESSED,
            f"This claim duplicates claim {original.claim_number}, already processed. To "
            "change that claim, send a replacement (frequency code 7) that references it.",
        )
    return Rejection(
        UNPROCESSABLE,
        DUPLICATE_AWAITING,
        f"This claim duplicates claim {original.claim_number}, which is still being "
        "processed. Follow that claim instead of sending it again.",
    )
