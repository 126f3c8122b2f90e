"""Front-end claim edits, one table row per edit: the 277CA codes and what the reason says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.eligibility import CoveragePeriod
from domain.front_end_edits import (
    DuplicateOf,
    LineFacts,
    ProviderOnClaim,
    SubmittedClaim,
    diagnosis_problem,
    front_end_edit,
    icd10_with_dot,
)

DOS = date(2026, 3, 14)
GOOD_PROVIDER = ProviderOnClaim(npi="1234567893", in_practice=True, in_network=True)
CLEAN = SubmittedClaim(
    member_found=True,
    coverages=(CoveragePeriod(date(2025, 1, 1), None),),
    billing_provider=GOOD_PROVIDER,
    rendering_provider=GOOD_PROVIDER,
    diagnoses=("E119", "I10"),
    lines=(LineFacts(1, DOS, (1, 2)), LineFacts(2, DOS, (2,))),
    received_on=date(2026, 3, 20),
    timely_filing_days=180,
)


def test_a_clean_claim_is_accepted() -> None:
    assert front_end_edit(CLEAN) is None


@pytest.mark.parametrize(
    ("change", "category", "status", "says"),
    [
        ({"member_found": False}, "A7", "33", "do not match an enrolled member"),
        (
            {"coverages": (CoveragePeriod(date(2025, 1, 1), date(2026, 2, 28)),)},
            "A7",
            "109",
            "Coverage is not active on 03/14/2026: the member's coverage ended 02/28/2026.",
        ),
        (
            {"coverages": (CoveragePeriod(date(2026, 4, 1), None),)},
            "A7",
            "109",
            "the member's coverage starts 04/01/2026",
        ),
        ({"coverages": ()}, "A7", "109", "the member has no coverage on file"),
        (
            {"rendering_provider": replace(GOOD_PROVIDER, in_practice=False)},
            "A7",
            "562",
            "rendering provider's NPI 1234567893 is not on file for your practice",
        ),
        (
            {"billing_provider": replace(GOOD_PROVIDER, in_network=False)},
            "A7",
            "96",
            "billing provider (NPI 1234567893) is not in the plan's network",
        ),
        ({"diagnoses": ()}, "A7", "254", "no diagnosis code"),
        ({"diagnoses": ("ZZZ99", "I10")}, "A7", "254", "'ZZZ99' is not an ICD-10-CM code"),
        ({"diagnoses": ("E119", "E11")}, "A7", "255", "E11 is a category, not a billable code"),
        (
            {"lines": (LineFacts(1, DOS, (3,)),)},
            "A7",
            "21",
            "Line 1 points at diagnosis 3, but the claim has 2 diagnoses.",
        ),
        ({"lines": (LineFacts(1, DOS, ()),)}, "A7", "21", "does not point at a diagnosis"),
        ({"lines": (LineFacts(1, DOS, (1, 2, 1, 2, 1)),)}, "A7", "21", "points at 5 diagnoses"),
        (
            {"received_on": date(2026, 9, 11)},
            "A3",
            "187",
            "181 days after the date of service 03/14/2026; the plan accepts claims within 180",
        ),
        (
            {"duplicate_of": DuplicateOf("C2603140001", processed=True)},
            "A3",
            "54",
            "duplicates claim C2603140001, already processed",
        ),
        (
            {"duplicate_of": DuplicateOf("C2603140001", processed=False)},
            "A3",
            "78",
            "still being processed",
        ),
    ],
)
def test_each_edit_rejects_with_its_codes_and_says_what_to_fix(
    change: dict[str, object], category: str, status: str, says: str
) -> None:
    rejection = front_end_edit(replace(CLEAN, **change))  # type: ignore[arg-type]
    assert rejection is not None
    assert (rejection.category_code, rejection.status_code) == (category, status)
    assert says in rejection.reason
    assert len(rejection.reason) <= 500


@pytest.mark.parametrize(
    ("change", "status"),
    [
        # Identity before everything: an unknown member with bad codes is an unknown member.
        ({"member_found": False, "diagnoses": ("ZZZ99",), "coverages": ()}, "33"),
        ({"coverages": (), "diagnoses": ("ZZZ99",)}, "109"),
        ({"received_on": date(2027, 1, 1), "diagnoses": ("E11",)}, "254"),
    ],
)
def test_the_first_failing_edit_decides(change: dict[str, object], status: str) -> None:
    rejection = front_end_edit(replace(CLEAN, **change))  # type: ignore[arg-type]
    assert rejection is not None and rejection.status_code == status


@pytest.mark.parametrize(
    ("received_on", "rejected"),
    [(date(2026, 9, 10), False), (date(2026, 9, 11), True)],  # day 180 still counts
)
def test_timely_filing_counts_the_last_day(received_on: date, rejected: bool) -> None:
    assert (front_end_edit(replace(CLEAN, received_on=received_on)) is not None) is rejected


def test_coverage_must_be_active_on_every_line_date() -> None:
    covered = (CoveragePeriod(date(2025, 1, 1), date(2026, 3, 14)),)
    lines = (LineFacts(1, DOS, (1,)), LineFacts(2, date(2026, 3, 15), (1,)))
    rejection = front_end_edit(replace(CLEAN, coverages=covered, lines=lines))
    assert rejection is not None and "03/15/2026" in rejection.reason


def test_no_plan_means_no_timely_filing_edit() -> None:
    late = replace(CLEAN, timely_filing_days=None, received_on=date(2030, 1, 1))
    assert front_end_edit(late) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("E119", None),
        ("E11.9", None),
        ("m1711", None),
        ("E11", "category"),
        ("E11.", "category"),
        ("ZZZ99", "not an ICD-10-CM code"),
        ("123", "not an ICD-10-CM code"),
        ("", "not an ICD-10-CM code"),
    ],
)
def test_diagnosis_codes_must_be_billable(code: str, problem: str | None) -> None:
    found = diagnosis_problem(code)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("stored", "printed"), [("E119", "E11.9"), ("I10", "I10"), ("m17.11", "M17.11")]
)
def test_codes_print_with_the_dot_after_three_characters(stored: str, printed: str) -> None:
    assert icd10_with_dot(stored) == printed
