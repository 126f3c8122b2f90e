"""The claim entry checks, field by field: each bad value is named by the field the form marks,
with a message a biller can act on, and a complete claim has no problems."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.claim_entry import (
    ClaimEntry,
    FieldProblem,
    ServiceLineEntry,
    entry_from_json,
    entry_problems,
    entry_to_json,
    parse_money,
    parse_pointers,
)
from domain.claims import FrequencyCode
from domain.npi import make_npi
from tests.factories import make_claim_entry

TODAY = date(2026, 6, 15)
NPI = make_npi("123456789")
LINE = ServiceLineEntry("99213", Decimal("145.00"), (1,))


def make_entry(**changes: object) -> ClaimEntry:
    return make_claim_entry(
        **{"day": date(2026, 6, 10), "npi": NPI, "diagnoses": ("E11.9", "I10"), **changes}
    )


def line(**changes: object) -> tuple[ServiceLineEntry, ...]:
    return (replace(LINE, **changes),)  # type: ignore[arg-type]


def test_a_complete_claim_has_no_problems() -> None:
    assert entry_problems(make_entry(), today=TODAY) == []


BAD_NPI = NPI[:-1] + str((int(NPI[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"billing_npi": BAD_NPI}, "billing_npi", "check digit"),
        ({"rendering_npi": "12345"}, "rendering_npi", "exactly 10 digits"),
        ({"rendering_npi": "3" + NPI[1:]}, "rendering_npi", "starts with 1"),
        ({"diagnoses": ("E11.9", "Q99.99")}, "diagnoses.2", "not an ICD-10-CM code"),
        ({"diagnoses": ("E11",)}, "diagnoses.1", "category, not a billable code"),
        ({"diagnoses": ("E11.9", "E119")}, "diagnoses.2", "already on the claim"),
        ({"diagnoses": ()}, "diagnoses.1", "principal diagnosis"),
        ({"lines": line(procedure_code="9921")}, "lines.1.procedure_code", "5 digits"),
        ({"lines": line(procedure_code="Z1234")}, "lines.1.procedure_code", "HCPCS"),
        ({"service_date_from": date(2026, 6, 16)}, "service_date_from", "future"),
        ({"service_date_to": date(2026, 6, 20)}, "service_date_to", "future"),
        ({"member_date_of_birth": date(2027, 1, 1)}, "member_date_of_birth", "future"),
        ({"service_date_to": date(2026, 6, 9)}, "service_date_to", "before the first"),
        ({"lines": line(diagnosis_pointers=(3,))}, "lines.1.diagnosis_pointers", "Pointer 3"),
        ({"lines": line(diagnosis_pointers=())}, "lines.1.diagnosis_pointers", "Point the line"),
        ({"lines": line(diagnosis_pointers=(1, 1))}, "lines.1.diagnosis_pointers", "once"),
        ({"lines": line(charge=Decimal("0"))}, "lines.1.charge", "more than $0.00"),
        ({"lines": line(charge=Decimal("-5.00"))}, "lines.1.charge", "more than $0.00"),
        ({"lines": line(charge=Decimal("10.005"))}, "lines.1.charge", "two decimal places"),
        ({"lines": line(charge=None)}, "lines.1.charge", "Enter the charge"),
        (
            {"lines": line(modifiers=("25", "59", "GT", "76", "77"))},
            "lines.1.modifiers",
            "at most 4",
        ),
        ({"lines": line(modifiers=("2",))}, "lines.1.modifiers", "not a modifier"),
        ({"lines": line(units=0)}, "lines.1.units", "1 to 9999"),
        (
            {"lines": line(service_date=date(2026, 6, 1))},
            "lines.1.service_date",
            "outside the claim's dates",
        ),
        ({"place_of_service": "99"}, "place_of_service", "not a place-of-service"),
        ({"member_id": ""}, "member_id", "member ID"),
        ({"lines": ()}, "lines", "at least one"),
        ({"frequency_code": FrequencyCode.REPLACEMENT}, "original_claim_number", "claim number"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], field: str, words: str) -> None:
    # The first problem is the field's own; a few change what depends on them (no principal
    # diagnosis leaves the line's pointer dangling, a future first date makes the last one too).
    problems = entry_problems(make_entry(**changes), today=TODAY)
    assert problems and problems[0].field == field
    assert words in problems[0].message
    assert len(problems) <= 2


def test_problems_come_in_form_order() -> None:
    entry = make_entry(
        billing_npi="",
        diagnoses=("E11",),
        lines=line(procedure_code="", charge=Decimal("0")),
    )
    assert [p.field for p in entry_problems(entry, today=TODAY)] == [
        "billing_npi",
        "diagnoses.1",
        "lines.1.procedure_code",
        "lines.1.charge",
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("$1,234.50", Decimal("1234.50")), ("12", Decimal("12")), ("", None), ("abc", None)],
)
def test_money_is_read_as_typed(text: str, amount: Decimal | None) -> None:
    assert parse_money(text) == amount


@pytest.mark.parametrize(
    ("text", "pointers"), [("A", (1,)), ("ab", (1, 2)), ("1,2", (1, 2)), ("1 3", (1, 3)), ("", ())]
)
def test_pointers_are_read_as_letters_or_numbers(text: str, pointers: tuple[int, ...]) -> None:
    assert parse_pointers(text) == pointers


def test_a_draft_round_trips_through_json() -> None:
    entry = make_entry(lines=line(charge=None, units=None), member_date_of_birth=None)
    assert entry_from_json(entry_to_json(entry)) == entry
    assert FieldProblem("x", "y") == FieldProblem("x", "y")
