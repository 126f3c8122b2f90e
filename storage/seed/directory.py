"""The provider directory the seeds create: the two demo practices, and generated ones for scale.

The demo practices are fixed and documented (docs/demo-data.md); benchmark-size databases add
practices generated in their image.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.npi import make_npi
from storage.seed.loader import RowBatch, new_batch

FAMILY_MEDICINE = "family_medicine"
CARDIOLOGY = "cardiology"

# What a provider does decides which visits the claim model writes for them.
PCP = "pcp"  # family/internal/geriatric medicine physicians and family NPs
PEDIATRIC = "pediatric"
URGENT = "urgent"  # PA/NP staffing the urgent-care location (POS 20)
THERAPY = "physical_therapy"
BEHAVIORAL = "behavioral"
CARDIOLOGIST = "cardiologist"
INTERVENTIONAL = "interventional"
ELECTROPHYSIOLOGY = "electrophysiology"
CARDIOLOGY_APP = "cardiology_app"  # advanced practice provider in a cardiology group


@dataclass(frozen=True)
class LocationSpec:
    name: str
    address_line: str
    city: str
    postal_code: str
    phone: str
    state: str = "OH"
    place_of_service: str = "11"  # office; urgent care is 20, a hospital department 22


@dataclass(frozen=True)
class ProviderSpec:
    first_name: str
    last_name: str
    credential: str
    taxonomy_code: str  # NUCC health care provider taxonomy
    specialty: str
    role: str
    location: int  # index into the practice's locations
    npi_stem: str  # the first nine digits; the tenth is the Luhn check digit
    accepting_new_patients: bool = True

    @property
    def npi(self) -> str:
        return make_npi(self.npi_stem)


@dataclass(frozen=True)
class PracticeSpec:
    key: str
    name: str
    tin: str
    group_npi_stem: str
    phone: str
    kind: str
    account_prefix: str  # starts the practice's patient control numbers (CLM01)
    charge_factor_percent: int  # its charge master against the typical charge
    payment_weekday: int  # the weekday its weekly EFT is paid (0 = Monday)
    locations: tuple[LocationSpec, ...]
    providers: tuple[ProviderSpec, ...]

    @property
    def group_npi(self) -> str:
        return make_npi(self.group_npi_stem)


def _p(
    first: str,
    last: str,
    credential: str,
    taxonomy: str,
    specialty: str,
    role: str,
    location: int,
    stem: str,
    accepting: bool = True,
) -> ProviderSpec:
    return ProviderSpec(
        first, last, credential, taxonomy, specialty, role, location, stem, accepting
    )


RIVERSIDE = PracticeSpec(
    key="riverside",
    name="Riverside Family Medicine",
    tin="314827706",
    group_npi_stem="273819465",
    phone="(937) 555-0100",
    kind=FAMILY_MEDICINE,
    account_prefix="RFM",
    charge_factor_percent=100,
    payment_weekday=1,
    locations=(
        LocationSpec(
            "Riverside Family Medicine - Main Street",
            "1450 Riverside Drive",
            "Riverside",
            "45431",
            "(937) 555-0101",
        ),
        LocationSpec(
            "Riverside Family Medicine - Beavercreek",
            "2875 Willow Creek Parkway",
            "Beavercreek",
            "45434",
            "(937) 555-0102",
        ),
        LocationSpec(
            "Riverside Urgent Care - Fairborn",
            "915 Meadow Lane",
            "Fairborn",
            "45324",
            "(937) 555-0103",
            place_of_service="20",
        ),
    ),
    providers=(
        _p("Maria", "Alvarez", "MD", "207Q00000X", "Family Medicine", PCP, 0, "153820410"),
        _p("James", "Okafor", "MD", "207Q00000X", "Family Medicine", PCP, 0, "153820428"),
        _p("Emily", "Chen", "DO", "207Q00000X", "Family Medicine", PCP, 1, "153820436"),
        _p("Robert", "Kowalski", "MD", "207R00000X", "Internal Medicine", PCP, 0, "153820444"),
        _p("Aisha", "Rahman", "MD", "207R00000X", "Internal Medicine", PCP, 1, "153820452"),
        _p(
            "Grace",
            "Whitfield",
            "MD",
            "207QG0300X",
            "Family Medicine, Geriatric Medicine",
            PCP,
            0,
            "153820460",
            accepting=False,
        ),
        _p("Daniel", "Brooks", "MD", "208000000X", "Pediatrics", PEDIATRIC, 1, "153820478"),
        _p(
            "Sarah",
            "Lindqvist",
            "APRN, FNP-C",
            "363LF0000X",
            "Nurse Practitioner, Family",
            PCP,
            0,
            "153820486",
        ),
        _p("Marcus", "Hill", "PA-C", "363A00000X", "Physician Assistant", URGENT, 2, "153820494"),
        _p(
            "Priya",
            "Natarajan",
            "APRN, FNP-C",
            "363LF0000X",
            "Nurse Practitioner, Family",
            URGENT,
            2,
            "153820502",
        ),
        _p("Thomas", "Reilly", "DPT", "225100000X", "Physical Therapist", THERAPY, 1, "153820510"),
        _p(
            "Hannah",
            "Goldberg",
            "PsyD",
            "103TC0700X",
            "Psychologist, Clinical",
            BEHAVIORAL,
            0,
            "153820528",
        ),
        _p(
            "Luis",
            "Ortega",
            "LCSW",
            "1041C0700X",
            "Social Worker, Clinical",
            BEHAVIORAL,
            0,
            "153820536",
        ),
    ),
)

LAKESIDE = PracticeSpec(
    key="lakeside",
    name="Lakeside Cardiology",
    tin="314950218",
    group_npi_stem="284605137",
    phone="(937) 555-0150",
    kind=CARDIOLOGY,
    account_prefix="LSC",
    charge_factor_percent=115,
    payment_weekday=3,
    locations=(
        LocationSpec(
            "Lakeside Cardiology - Kettering",
            "4100 Lakeview Drive",
            "Kettering",
            "45429",
            "(937) 555-0151",
        ),
        LocationSpec(
            "Lakeside Heart & Vascular Center (hospital outpatient)",
            "1 Medical Center Plaza",
            "Dayton",
            "45409",
            "(937) 555-0152",
            place_of_service="22",
        ),
    ),
    providers=(
        _p(
            "Jonathan",
            "Meyers",
            "MD",
            "207RC0000X",
            "Cardiovascular Disease",
            CARDIOLOGIST,
            0,
            "164930210",
        ),
        _p(
            "Nadia",
            "Petrova",
            "MD",
            "207RC0000X",
            "Cardiovascular Disease",
            CARDIOLOGIST,
            0,
            "164930228",
        ),
        _p(
            "Kevin",
            "Tran",
            "MD",
            "207RC0000X",
            "Cardiovascular Disease",
            CARDIOLOGIST,
            1,
            "164930236",
            accepting=False,
        ),
        _p(
            "Samuel",
            "Adeyemi",
            "MD",
            "207RI0011X",
            "Interventional Cardiology",
            INTERVENTIONAL,
            1,
            "164930244",
        ),
        _p(
            "Rachel",
            "Goldstein",
            "MD",
            "207RC0001X",
            "Clinical Cardiac Electrophysiology",
            ELECTROPHYSIOLOGY,
            0,
            "164930252",
        ),
        _p(
            "Laura",
            "Bennett",
            "APRN, AGNP-C",
            "363LA2200X",
            "Nurse Practitioner, Adult Health",
            CARDIOLOGY_APP,
            0,
            "164930260",
        ),
        _p(
            "Michael",
            "Sullivan",
            "PA-C",
            "363A00000X",
            "Physician Assistant",
            CARDIOLOGY_APP,
            0,
            "164930278",
        ),
    ),
)

DEMO_PRACTICES: tuple[PracticeSpec, ...] = (RIVERSIDE, LAKESIDE)


@dataclass
class PracticeRuntime:
    """A practice as the claim model uses it: ids, and its providers grouped by role."""

    spec: PracticeSpec
    practice_pk: int
    location_pks: list[int]
    provider_pks: list[int]
    providers_by_role: dict[str, list[int]] = field(default_factory=dict)
    provider_location: dict[int, int] = field(default_factory=dict)  # provider pk -> location pk
    location_place: dict[int, str] = field(default_factory=dict)  # location pk -> POS

    @property
    def kind(self) -> str:
        return self.spec.kind


@dataclass
class Directory:
    rows: RowBatch
    practices: list[PracticeRuntime]

    def index_of(self, key: str) -> int:
        return next(i for i, practice in enumerate(self.practices) if practice.spec.key == key)

    def practice_by_key(self, key: str) -> PracticeRuntime:
        return self.practices[self.index_of(key)]

    def provider_pk(self, practice_key: str, last_name: str) -> int:
        practice = self.practice_by_key(practice_key)
        for spec, provider_pk in zip(practice.spec.providers, practice.provider_pks, strict=True):
            if spec.last_name == last_name:
                return provider_pk
        raise KeyError(last_name)


@dataclass(frozen=True)
class ExistingPractice:
    """A practice already in the database (matched by TIN), whose rows a seed reuses."""

    practice_pk: int
    location_pks: dict[str, int]  # by location name
    provider_pks: dict[str, int]  # by NPI


def build_directory(
    practices: Sequence[PracticeSpec],
    *,
    created_at: datetime,
    first_ids: Mapping[str, int] | None = None,
    existing: Mapping[str, ExistingPractice] | None = None,
) -> Directory:
    """Rows for the practices, locations and providers not already in the database, and the
    runtime view of all of them; new rows take ids from `first_ids` (default 1)."""
    first_ids = first_ids or {}
    existing = existing or {}
    rows = new_batch()
    runtimes: list[PracticeRuntime] = []
    next_practice_pk = first_ids.get("practice", 1)
    next_location_pk = first_ids.get("location", 1)
    next_provider_pk = first_ids.get("provider", 1)
    for spec in practices:
        found = existing.get(spec.tin)
        if found is not None:
            practice_pk = found.practice_pk
        else:
            practice_pk = next_practice_pk
            next_practice_pk += 1
            rows["practice"].append(
                {
                    "id": practice_pk,
                    "name": spec.name,
                    "tin": spec.tin,
                    "group_npi": spec.group_npi,
                    "phone": spec.phone,
                    "created_at": created_at,
                }
            )
        runtime = PracticeRuntime(spec, practice_pk, [], [])
        for location in spec.locations:
            location_pk = found.location_pks.get(location.name) if found else None
            if location_pk is None:
                location_pk = next_location_pk
                next_location_pk += 1
                rows["location"].append(
                    {
                        "id": location_pk,
                        "practice_id": practice_pk,
                        "name": location.name,
                        "address_line": location.address_line,
                        "city": location.city,
                        "state": location.state,
                        "postal_code": location.postal_code,
                        "phone": location.phone,
                    }
                )
            runtime.location_pks.append(location_pk)
            runtime.location_place[location_pk] = location.place_of_service
        for provider in spec.providers:
            home = runtime.location_pks[provider.location]
            provider_pk = found.provider_pks.get(provider.npi) if found else None
            if provider_pk is None:
                provider_pk = next_provider_pk
                next_provider_pk += 1
                rows["provider"].append(
                    {
                        "id": provider_pk,
                        "practice_id": practice_pk,
                        "location_id": home,
                        "npi": provider.npi,
                        "first_name": provider.first_name,
                        "last_name": provider.last_name,
                        "credential": provider.credential,
                        "taxonomy_code": provider.taxonomy_code,
                        "specialty": provider.specialty,
                        "in_network": True,
                        "accepting_new_patients": provider.accepting_new_patients,
                    }
                )
            runtime.provider_pks.append(provider_pk)
            runtime.providers_by_role.setdefault(provider.role, []).append(provider_pk)
            runtime.provider_location[provider_pk] = home
        runtimes.append(runtime)
    return Directory(rows=rows, practices=runtimes)


# Names for generated practices and their clinicians (benchmark databases only).
_PLACE_NAMES = (
    "Maple Grove", "Cedar Point", "Willow Springs", "Oak Hollow", "Brookfield", "Summit",
    "Harbor View", "Pine Ridge", "Meadowbrook", "Stonebridge", "Fox Run", "Silver Lake",
    "Clearwater", "Elm Street", "Northgate", "Prairie View", "Hillcrest", "Bayside",
)  # fmt: skip
_CITIES = (
    ("Dayton", "45402"), ("Springfield", "45502"), ("Xenia", "45385"), ("Centerville", "45459"),
    ("Huber Heights", "45424"), ("Troy", "45373"), ("Miamisburg", "45342"), ("Vandalia", "45377"),
)  # fmt: skip
_STREETS = ("Main Street", "Oak Avenue", "Park Boulevard", "Maple Drive", "Church Street",
            "Hillside Road", "Lake Shore Drive", "Market Street")  # fmt: skip
_CLINICIAN_FIRST = ("Alex", "Jordan", "Taylor", "Morgan", "Casey", "Jamie", "Riley", "Avery",
                    "Cameron", "Drew", "Elena", "Farah", "Gavin", "Hector", "Ines", "Julian",
                    "Kiran", "Leah", "Mateo", "Nora", "Owen", "Paula", "Quinn", "Rosa")  # fmt: skip
_CLINICIAN_LAST = ("Abbott", "Barros", "Castillo", "Dawson", "Eriksen", "Fischer", "Gupta",
                   "Hayes", "Ibrahim", "Jensen", "Kaur", "Larsen", "Moreno", "Novak", "Osei",
                   "Park", "Quinlan", "Rossi", "Schmidt", "Tanaka", "Urban", "Vargas", "Wolfe",
                   "Yilmaz", "Zhang")  # fmt: skip

# (role, credential, taxonomy, specialty, location index, how many)
_FAMILY_STAFF = (
    (PCP, "MD", "207Q00000X", "Family Medicine", 0, 5),
    (PCP, "MD", "207R00000X", "Internal Medicine", 1, 2),
    (PCP, "APRN, FNP-C", "363LF0000X", "Nurse Practitioner, Family", 0, 2),
    (PEDIATRIC, "MD", "208000000X", "Pediatrics", 1, 1),
    (URGENT, "PA-C", "363A00000X", "Physician Assistant", 2, 2),
    (THERAPY, "DPT", "225100000X", "Physical Therapist", 1, 1),
    (BEHAVIORAL, "LCSW", "1041C0700X", "Social Worker, Clinical", 0, 1),
)
_CARDIOLOGY_STAFF = (
    (CARDIOLOGIST, "MD", "207RC0000X", "Cardiovascular Disease", 0, 4),
    (INTERVENTIONAL, "MD", "207RI0011X", "Interventional Cardiology", 1, 1),
    (ELECTROPHYSIOLOGY, "MD", "207RC0001X", "Clinical Cardiac Electrophysiology", 0, 1),
    (CARDIOLOGY_APP, "PA-C", "363A00000X", "Physician Assistant", 0, 2),
)


def generated_practices(count: int, rng: random.Random) -> list[PracticeSpec]:
    """`count` further practices, three family-medicine groups to each cardiology group; NPIs and
    TINs come from ranges the demo practices do not use."""
    practices: list[PracticeSpec] = []
    npi_serial = 70_000_000  # eight digits after the leading 1
    for number in range(count):
        cardiology = number % 4 == 3
        place = _PLACE_NAMES[number % len(_PLACE_NAMES)]
        series = number // len(_PLACE_NAMES)
        suffix = f" {series + 1}" if series else ""
        name = f"{place} {'Heart Specialists' if cardiology else 'Family Practice'}{suffix}"
        locations = []
        for site in range(2 if cardiology else 3):
            city, postal_code = _CITIES[(number + site) % len(_CITIES)]
            street = _STREETS[(number * 3 + site) % len(_STREETS)]
            pos = "22" if cardiology and site == 1 else ("20" if site == 2 else "11")
            locations.append(
                LocationSpec(
                    f"{name} - {city}" + (" Urgent Care" if pos == "20" else ""),
                    f"{100 + rng.randrange(9800)} {street}",
                    city,
                    postal_code,
                    f"(937) 555-{100 + (number * 7 + site) % 100:04d}",
                    place_of_service=pos,
                )
            )
        providers = []
        for role, credential, taxonomy, specialty, location, how_many in (
            _CARDIOLOGY_STAFF if cardiology else _FAMILY_STAFF
        ):
            for _ in range(how_many):
                npi_serial += 1
                providers.append(
                    ProviderSpec(
                        rng.choice(_CLINICIAN_FIRST),
                        rng.choice(_CLINICIAN_LAST),
                        credential,
                        taxonomy,
                        specialty,
                        role,
                        location,
                        f"1{npi_serial:08d}",
                    )
                )
        practices.append(
            PracticeSpec(
                key=f"generated-{number + 1}",
                name=name,
                tin=f"{400_000_000 + number:09d}",
                group_npi_stem=f"2{number + 10_000_000:08d}",
                phone=f"(937) 555-{100 + (number * 7) % 100:04d}",
                kind=CARDIOLOGY if cardiology else FAMILY_MEDICINE,
                account_prefix=f"G{number + 1:03d}",
                charge_factor_percent=95 + rng.randrange(31),
                payment_weekday=number % 5,
                locations=tuple(locations),
                providers=tuple(providers),
            )
        )
    return practices
