"""837P files written by x12sdk (not by Portico's own writer) for the demo practice Riverside.

x12sdk's generator invents members and providers; these files keep its structure, values and
serializer and only put demo identifiers where the portal must recognise someone: the billing
provider's NPI (2010AA), each subscriber's member ID and date of birth (2010BA), and for a
dependent the patient's date of birth and first name (2010CA). `python -m tests.x12sdk_837p`
rewrites the fixtures; test_claims_837 checks they are still what this module generates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from x12sdk.generate import ClaimSpec, PatientSpec, ServiceLineSpec, SubmissionSpec
from x12sdk.generate._837p import build_837p
from x12sdk.io import write_transactions

FIXTURES = Path(__file__).parent / "fixtures" / "x12"
RIVERSIDE_ALVAREZ_NPI = "1538204102"  # storage/seed/directory.py, Riverside's first provider


@dataclass(frozen=True)
class Person:
    member_id: str
    date_of_birth: date
    first_name: str


AVERY = Person("PT100000101", date(1984, 3, 14), "Avery")  # active HMO subscriber
NOAH = Person("PT100000103", date(2016, 8, 9), "Noah")  # Avery's dependent child
SOFIA = Person("PT100000301", date(1979, 11, 23), "Sofia")
ETHAN = Person("PT100000401", date(1990, 5, 30), "Ethan")


def _lines(*charges_and_codes: tuple[str, str]) -> list[ServiceLineSpec]:
    return [ServiceLineSpec(charge=charge, procedure=code) for charge, code in charges_and_codes]


def _claim(account: str, *lines: tuple[str, str]) -> ClaimSpec:
    specs = _lines(*lines)
    return ClaimSpec(
        charge=sum((line.charge for line in specs), start=specs[0].charge * 0),
        lines=specs,
        patient_control_number=account,
    )


# (subscriber, dependent patient or None, claims)
SUBMISSIONS: dict[str, list[tuple[Person, Person | None, list[ClaimSpec]]]] = {
    "837p_x12sdk_subscribers.x12": [
        (AVERY, None, [_claim("RFM-X1", ("145.00", "99213"), ("28.00", "87880"))]),
        (SOFIA, None, [_claim("RFM-X2", ("210.00", "99214"))]),
        (ETHAN, None, [_claim("RFM-X3", ("95.00", "97110"), ("60.00", "97140"))]),
    ],
    "837p_x12sdk_dependent.x12": [
        (AVERY, NOAH, [_claim("RFM-D1", ("120.00", "99393"))]),
        (
            SOFIA,
            None,
            [_claim("RFM-D2", ("145.00", "99213")), _claim("RFM-D3", ("36.00", "85025"))],
        ),
    ],
}


def generate(name: str, seed: int = 11) -> str:
    plan = SUBMISSIONS[name]
    spec = SubmissionSpec(
        patients=[
            PatientSpec(claims=claims, dependent=patient is not None) for _, patient, claims in plan
        ],
        billing_provider_name="RIVERSIDE FAMILY MEDICINE",
        payer_name="PORTICO HEALTH PLAN",
    )
    model: Any = build_837p(spec, seed=seed, control_number="0101")
    provider = model.loop_2000a[0]
    provider.loop_2010aa.nm1_segment.identification_code = RIVERSIDE_ALVAREZ_NPI
    for loop, (subscriber, patient, _) in zip(provider.loop_2000b, plan, strict=True):
        loop.loop_2010ba.nm1_segment.identification_code = subscriber.member_id
        loop.loop_2010ba.dmg_segment.date_time_period = f"{subscriber.date_of_birth:%Y%m%d}"
        if patient is not None:
            name_loop = loop.loop_2000c[0].loop_2010ca
            name_loop.nm1_segment.name_first = patient.first_name.upper()
            name_loop.dmg_segment.date_time_period = f"{patient.date_of_birth:%Y%m%d}"
    return write_transactions(
        [model],
        sender_id="RIVERSIDECH",
        receiver_id="PORTICO",
        interchange_control_number="4242",
        created=datetime(2026, 1, 2, 9, 30),  # fixed, so the file depends on the seed only
    )


if __name__ == "__main__":
    for file_name in SUBMISSIONS:
        (FIXTURES / file_name).write_text(generate(file_name))
