"""Plan members and their coverages, and the compact per-member facts the claim model draws on.

Families get plausible names, ages, plans, PCPs and enrolment dates (some terminated, some not
yet effective, some with a second coverage).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from storage.seed.directory import CARDIOLOGY, PCP, PEDIATRIC, Directory
from storage.seed.loader import RowBatch, new_batch
from storage.seed.reference import EPO_PLAN_PK, HDHP_PLAN_PK, HMO_PLAN_PK, PPO_PLAN_PK
from storage.seed.window import SeedWindow, first_of_next_month, last_of_month

NEVER = date.max.toordinal()  # termination ordinal of a coverage with no end

_FEMALE = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
    "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly", "Emily",
    "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca",
    "Laura", "Sharon", "Cynthia", "Kathleen", "Amy", "Angela", "Shirley", "Brenda", "Emma",
    "Olivia", "Ava", "Isabella", "Sophia", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn",
    "Abigail", "Ella", "Camila", "Lucia", "Mariana", "Fatima", "Aaliyah", "Mei", "Priya",
    "Keisha", "Rosa", "Ana", "Hye-jin", "Leilani", "Ngozi", "Ingrid",
)  # fmt: skip
_MALE = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
    "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald",
    "Jason", "Edward", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
    "Liam", "Noah", "Oliver", "Elijah", "Lucas", "Mason", "Logan", "Ethan", "Aiden", "Mateo",
    "Santiago", "Diego", "Omar", "Ahmed", "Wei", "Hiroshi", "Raj", "Arjun", "Kwame", "Tyrone",
    "DeShawn", "Carlos", "Luis", "Sven", "Dmitri",
)  # fmt: skip
_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
    "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward",
    "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza",
    "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long",
    "Ross", "Foster", "Jimenez", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell",
    "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons",
    "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin",
    "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis",
    "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
    "Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas",
    "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson",
    "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason",
    "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson",
    "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt",
    "Kowalczyk", "Nakamura", "Okonkwo", "Haddad", "Novak", "Lindgren", "Abernathy", "Ishikawa",
)  # fmt: skip
_STREETS = (
    "Oak Street", "Maple Avenue", "Cedar Lane", "Elm Street", "Pine Road", "Washington Street",
    "Lake Drive", "Hill Street", "Park Avenue", "Walnut Street", "Sunset Boulevard",
    "Chestnut Street", "Spring Street", "Ridge Road", "Highland Avenue", "Church Street",
    "Mill Road", "Forest Drive", "Meadow Lane", "River Road", "Jefferson Avenue",
    "Cherry Lane", "Willow Way", "Franklin Street", "Broad Street", "Center Street",
)  # fmt: skip
_CITIES = (
    ("Dayton", "45402"), ("Dayton", "45405"), ("Dayton", "45410"), ("Kettering", "45429"),
    ("Kettering", "45440"), ("Beavercreek", "45434"), ("Beavercreek", "45432"),
    ("Riverside", "45431"), ("Fairborn", "45324"), ("Centerville", "45459"),
    ("Huber Heights", "45424"), ("Xenia", "45385"), ("Miamisburg", "45342"),
    ("Vandalia", "45377"), ("Englewood", "45322"), ("Springboro", "45066"),
    ("Bellbrook", "45305"), ("Oakwood", "45419"), ("Trotwood", "45426"), ("Troy", "45373"),
)  # fmt: skip

_PLAN_WEIGHTS = (
    (HMO_PLAN_PK, 30),
    (PPO_PLAN_PK, 35),
    (EPO_PLAN_PK, 15),
    (HDHP_PLAN_PK, 20),
)
GROUPS_PER_PLAN = 40  # employer groups buying each plan


def group_number(plan_pk: int, group: int) -> str:
    return f"GRP{plan_pk}{group:04d}"


def member_id_for(family_serial: int, suffix: int) -> tuple[str, str]:
    """(family_id, member_id): the card shows the family's number and the person's suffix."""
    family_id = f"PT{family_serial:07d}"
    return family_id, f"{family_id}{suffix:02d}"


@dataclass
class Population:
    """What the claim model needs to know per member, in parallel lists indexed by position."""

    member_pk: list[int] = field(default_factory=list)
    birth: list[int] = field(default_factory=list)  # date ordinal
    plan: list[int] = field(default_factory=list)
    coverage_pk: list[int] = field(default_factory=list)  # the primary coverage
    effective: list[int] = field(default_factory=list)  # date ordinal
    terminated: list[int] = field(default_factory=list)  # date ordinal or NEVER
    dual: list[bool] = field(default_factory=list)  # has a secondary coverage
    home_practice: list[int] = field(default_factory=list)  # index into directory.practices
    cardiology_practice: list[int] = field(default_factory=list)  # index, or -1
    weight: list[float] = field(default_factory=list)  # how often they see a clinician
    scripted: list[bool] = field(default_factory=list)  # showcase: claims written by hand

    def __len__(self) -> int:
        return len(self.member_pk)

    def age_on(self, index: int, day_ordinal: int) -> int:
        return (day_ordinal - self.birth[index]) // 365

    def is_covered(self, index: int, day_ordinal: int) -> bool:
        return self.effective[index] <= day_ordinal <= self.terminated[index]


@dataclass(frozen=True)
class CoverageSpec:
    plan_pk: int
    group: str
    effective: date
    terminated: date | None = None
    pcp_provider_pk: int | None = None


class MemberFactory:
    """Writes member and coverage rows with ids it assigns, and records each in a Population."""

    def __init__(
        self,
        *,
        directory: Directory,
        population: Population,
        first_ids: Mapping[str, int] | None = None,
    ) -> None:
        self.directory = directory
        self.population = population
        self.batch = new_batch()
        self.next_member_pk = (first_ids or {}).get("member", 1)
        self.next_coverage_pk = (first_ids or {}).get("coverage", 1)

    def take_rows(self) -> RowBatch:
        batch, self.batch = self.batch, new_batch()
        return batch

    def add_member(
        self,
        *,
        family_serial: int,
        suffix: int,
        relationship: str,
        first_name: str,
        last_name: str,
        birth: date,
        sex: str,
        address: tuple[str, str, str],
        coverages: tuple[CoverageSpec, ...],
        home_practice: int,
        cardiology_practice: int,
        weight: float,
        scripted: bool = False,
    ) -> int:
        """Add one member with a primary (and optional secondary) coverage; returns its index."""
        family_id, member_id = member_id_for(family_serial, suffix)
        member_pk = self.next_member_pk
        self.next_member_pk += 1
        address_line, city, postal_code = address
        self.batch["member"].append(
            {
                "id": member_pk,
                "member_id": member_id,
                "family_id": family_id,
                "relationship": relationship,
                "first_name": first_name,
                "last_name": last_name,
                "date_of_birth": birth,
                "sex": sex,
                "address_line": address_line,
                "city": city,
                "state": "OH",
                "postal_code": postal_code,
            }
        )
        primary_pk = 0
        for order, coverage in enumerate(coverages, start=1):
            coverage_pk = self.next_coverage_pk
            self.next_coverage_pk += 1
            primary_pk = primary_pk or coverage_pk
            self.batch["coverage"].append(
                {
                    "id": coverage_pk,
                    "member_fk": member_pk,
                    "plan_id": coverage.plan_pk,
                    "group_number": coverage.group,
                    "effective_date": coverage.effective,
                    "termination_date": coverage.terminated,
                    "coverage_order": order,
                    "pcp_provider_id": coverage.pcp_provider_pk,
                }
            )
        primary = coverages[0]
        population = self.population
        population.member_pk.append(member_pk)
        population.birth.append(birth.toordinal())
        population.plan.append(primary.plan_pk)
        population.coverage_pk.append(primary_pk)
        population.effective.append(primary.effective.toordinal())
        population.terminated.append(
            primary.terminated.toordinal() if primary.terminated else NEVER
        )
        population.dual.append(len(coverages) > 1)
        population.home_practice.append(home_practice)
        population.cardiology_practice.append(cardiology_practice)
        population.weight.append(weight)
        population.scripted.append(scripted)
        return len(population) - 1


def _utilisation(age: int, rng: random.Random) -> float:
    """Relative visits per year: the old and the very young see clinicians most, and a few
    chronically ill members account for a large share (so the weights are skewed)."""
    base = 0.8 if age < 18 else 0.6 if age < 40 else 1.1 if age < 65 else 1.9
    return base * rng.choice((0.3, 0.5, 0.8, 1.0, 1.0, 1.3, 1.8, 3.0))


def generate_members(
    rng: random.Random,
    factory: MemberFactory,
    *,
    count: int,
    window: SeedWindow,
    first_family_serial: int,
    chunk_size: int = 20_000,
) -> Iterator[RowBatch]:
    """Families until `count` members exist, yielded as row batches of about `chunk_size`."""
    directory = factory.directory
    family_practices = [
        index for index, practice in enumerate(directory.practices) if practice.kind != CARDIOLOGY
    ]
    cardiology_practices = [
        index for index, practice in enumerate(directory.practices) if practice.kind == CARDIOLOGY
    ]
    plans = [plan for plan, _ in _PLAN_WEIGHTS]
    plan_weights = [weight for _, weight in _PLAN_WEIGHTS]
    as_of = window.as_of
    start_ordinal = window.start.toordinal()
    as_of_ordinal = as_of.toordinal()
    made = 0
    family_serial = first_family_serial
    while made < count:
        family_serial += 1
        subscriber_age = int(rng.triangular(21, 79, 44))
        subscriber_sex = rng.choice("FM")
        # (relationship, suffix on the card, age, sex)
        family = [("subscriber", 1, subscriber_age, subscriber_sex)]
        if subscriber_age >= 24 and rng.random() < 0.55:
            spouse_sex = "M" if subscriber_sex == "F" else "F"
            family.append(("spouse", 2, max(19, subscriber_age + rng.randint(-6, 6)), spouse_sex))
        if 24 <= subscriber_age <= 58:
            for child in range(rng.choice((0, 0, 1, 1, 2, 2, 3))):
                age = rng.randint(0, min(25, subscriber_age - 19))
                family.append(("child", 3 + child, age, rng.choice("FM")))
        family = family[: count - made]
        plan_pk = rng.choices(plans, plan_weights)[0]
        group = group_number(plan_pk, rng.randrange(GROUPS_PER_PLAN))
        effective, terminated = _enrolment(rng, window, start_ordinal, as_of_ordinal)
        last_name = rng.choice(_LAST)
        city, postal_code = rng.choice(_CITIES)
        address = (f"{rng.randint(100, 9899)} {rng.choice(_STREETS)}", city, postal_code)
        home = family_practices[rng.randrange(len(family_practices))]
        home_practice = directory.practices[home]
        for relationship, suffix, age, sex in family:
            if rng.random() < 0.004:
                sex = "U"  # unknown/undisclosed, as X12 271 allows
            first_name = rng.choice(_FEMALE if sex == "F" else _MALE if sex == "M" else _FEMALE)
            birth = as_of - timedelta(days=age * 365 + rng.randrange(365))
            is_child = age < 18
            role = PEDIATRIC if is_child and PEDIATRIC in home_practice.providers_by_role else PCP
            # An HMO member must choose a PCP; most members of the other plans name one too.
            pcp = None
            if plan_pk == HMO_PLAN_PK or rng.random() < 0.6:
                pcp = rng.choice(home_practice.providers_by_role[role])
            coverages = [CoverageSpec(plan_pk, group, effective, terminated, pcp)]
            if relationship == "spouse" and rng.random() < 0.2:
                # Also covered through their own employer's plan: coordination of benefits.
                other = rng.choice([plan for plan in plans if plan != plan_pk])
                coverages.append(
                    CoverageSpec(other, group_number(other, rng.randrange(GROUPS_PER_PLAN)),
                                 effective, terminated)
                )  # fmt: skip
            cardiology = -1
            if cardiology_practices and age >= 40:
                chance = 0.06 if age < 50 else 0.16 if age < 65 else 0.35
                if rng.random() < chance:
                    cardiology = cardiology_practices[rng.randrange(len(cardiology_practices))]
            factory.add_member(
                family_serial=family_serial,
                suffix=suffix,
                relationship=relationship,
                first_name=first_name,
                last_name=last_name,
                birth=birth,
                sex=sex,
                address=address,
                coverages=tuple(coverages),
                home_practice=home,
                cardiology_practice=cardiology,
                weight=_utilisation(age, rng) * (1.6 if cardiology >= 0 else 1.0),
            )
            made += 1
        if len(factory.batch["member"]) >= chunk_size:
            yield factory.take_rows()
    if factory.batch["member"]:
        yield factory.take_rows()


def _enrolment(
    rng: random.Random, window: SeedWindow, start_ordinal: int, as_of_ordinal: int
) -> tuple[date, date | None]:
    """Most families enrolled years ago; some joined during the window, some left during it,
    and a few start next month (eligibility must say 'not yet effective')."""
    draw = rng.random()
    if draw < 0.004:
        return first_of_next_month(window.as_of), None
    if draw < 0.16:
        joined = date.fromordinal(rng.randrange(start_ordinal, as_of_ordinal - 20))
        effective = joined.replace(day=1)
    else:
        years_before = rng.randint(0, 8)
        effective = date(window.start.year - years_before, rng.randint(1, 12), 1)
        if effective > window.start:
            effective = effective.replace(year=effective.year - 1)
    terminated = None
    earliest_leave = max(start_ordinal, effective.toordinal() + 60)
    if rng.random() < 0.07 and earliest_leave < as_of_ordinal - 1:
        terminated = last_of_month(
            date.fromordinal(rng.randrange(earliest_leave, as_of_ordinal - 1))
        )
        if terminated >= window.as_of:
            terminated = None
    return effective, terminated
