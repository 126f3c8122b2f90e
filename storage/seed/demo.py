"""The demo data set: two practices, demo accounts, showcase members and 18 months of claims.

Deterministic for a given `as_of` date; docs/demo-data.md is generated from the constants here.
"""

from __future__ import annotations

import hmac
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine

from domain.auth import hash_password
from domain.codes import ServiceCategory
from domain.mfa import RECOVERY_CODE_COUNT, recovery_code_hash
from domain.recovery_codes import RecoveryCode
from domain.roles import Role
from storage.db import get_engine
from storage.secrets import mfa_cipher
from storage.seed import refuse_unless_empty
from storage.seed.claims import ClaimModel, ClaimSpec, Line
from storage.seed.directory import (
    DEMO_PRACTICES,
    LAKESIDE,
    RIVERSIDE,
    Directory,
    PracticeSpec,
    build_directory,
)
from storage.seed.loader import (
    BulkWriter,
    RowBatch,
    new_batch,
    realign_id_sequences,
    set_remittance_totals,
)
from storage.seed.people import CoverageSpec, MemberFactory, Population, generate_members
from storage.seed.reference import (
    EPO_PLAN_PK,
    HMO_PLAN_PK,
    PLANS,
    PLANS_BY_PK,
    PPO_PLAN_PK,
    build_reference,
)
from storage.seed.window import (
    SeedWindow,
    first_of_next_month,
    last_of_month,
    months_before,
    window_for,
)

# Public on purpose: documented in docs/demo-data.md, and only demo databases have it.
DEMO_PASSWORD = "portico-demo"  # noqa: S105
# DEMO ONLY. The demo admins (practice and plan admins must use MFA) are enrolled in TOTP with
# this published secret, so anyone can add it to an authenticator app (or use
# `oathtool --totp -b PORTICODEMOSECRETDONOTUSEINPRODX`) and the tests can compute codes
# (tests/mfa_codes.py). A real deployment never seeds it: real users enrol on their first
# sign-in and get a random secret.
DEMO_TOTP_SECRET = "PORTICODEMOSECRETDONOTUSEINPRODX"  # noqa: S105
DEMO_MFA_ROLES = frozenset({Role.PRACTICE_ADMIN, Role.PLAN_ADMIN})
DEMO_RANDOM_SEED = 20_240_607  # any fixed number: the same as_of always gives the same rows


@dataclass(frozen=True)
class DemoScale:
    members: int
    claims: int


FULL = DemoScale(members=5000, claims=50_000)
SMALL = DemoScale(members=200, claims=1500)  # the test suite's: same practices, accounts, showcase


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: Role
    practice_key: str | None  # None for plan staff


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin@riverside.example", "Denise Carter", Role.PRACTICE_ADMIN, RIVERSIDE.key),
    DemoAccount("billing@riverside.example", "Kevin Marsh", Role.BILLING, RIVERSIDE.key),
    DemoAccount("frontdesk@riverside.example", "Tamara Woods", Role.FRONT_DESK, RIVERSIDE.key),
    DemoAccount("clinical@riverside.example", "Nina Patel, RN", Role.CLINICAL, RIVERSIDE.key),
    DemoAccount("admin@lakeside.example", "Gregory Hale", Role.PRACTICE_ADMIN, LAKESIDE.key),
    DemoAccount("billing@lakeside.example", "Yvonne Castillo", Role.BILLING, LAKESIDE.key),
    DemoAccount("examiner@plan.example", "Brian O'Neill", Role.CLAIMS_EXAMINER, None),
    DemoAccount("um@plan.example", "Laura Jensen, RN", Role.UM_REVIEWER, None),
    DemoAccount("credentialing@plan.example", "Samira Haddad", Role.CREDENTIALING, None),
    DemoAccount("planadmin@plan.example", "Richard Osei", Role.PLAN_ADMIN, None),
)


@dataclass(frozen=True)
class ShowcaseMember:
    """A member created by hand so demos and tests can rely on exactly what they show."""

    key: str
    member_id: str
    date_of_birth: date
    first_name: str
    last_name: str
    sex: str
    plan_code: str
    shows: str


def _plan_code(plan_pk: int) -> str:
    return PLANS_BY_PK[plan_pk].code


SHOWCASE: tuple[ShowcaseMember, ...] = (
    ShowcaseMember(
        "active_hmo", "PT100000101", date(1984, 3, 14), "Avery", "Thompson", "F",
        _plan_code(HMO_PLAN_PK),
        "Active HMO member; PCP Dr. Maria Alvarez (Riverside, Main Street); $20 primary-care "
        "copay; paid claims, and a visit from two days ago not yet adjudicated.",
    ),
    ShowcaseMember(
        "dependent_child", "PT100000103", date(2016, 8, 9), "Noah", "Thompson", "M",
        _plan_code(HMO_PLAN_PK),
        "Dependent child on Avery Thompson's family (family ID PT1000001); PCP Dr. Daniel "
        "Brooks (pediatrics).",
    ),
    ShowcaseMember(
        "terminated", "PT100000201", date(1971, 9, 2), "Marcus", "Reed", "M",
        _plan_code(PPO_PLAN_PK),
        "Coverage terminated at the end of the month three months before the demo date; a "
        "visit after that date was denied CARC 27.",
    ),
    ShowcaseMember(
        "deductible_met", "PT100000301", date(1979, 11, 23), "Sofia", "Ramirez", "F",
        _plan_code(PPO_PLAN_PK),
        "Individual deductible met this plan year ($1,500.00 of $1,500.00, mostly at an "
        "outside hospital); her later claims show coinsurance but no deductible.",
    ),
    ShowcaseMember(
        "visit_limit", "PT100000401", date(1990, 5, 30), "Ethan", "Walker", "M",
        _plan_code(HMO_PLAN_PK),
        "At the physical-therapy visit limit: 20 of 20 visits used this plan year.",
    ),
    ShowcaseMember(
        "two_coverages", "PT100000501", date(1968, 7, 19), "Grace", "Nguyen", "F",
        _plan_code(EPO_PLAN_PK),
        "Two coverages: EPO primary (order 1) and PPO secondary (order 2).",
    ),
    ShowcaseMember(
        "not_yet_effective", "PT100000601", date(1995, 12, 8), "Liam", "Carter", "M",
        _plan_code(PPO_PLAN_PK),
        "Not yet effective: coverage starts on the first day of next month.",
    ),
    ShowcaseMember(
        "cardiology_pended", "PT100000701", date(1952, 4, 17), "Harold", "Jenkins", "M",
        _plan_code(PPO_PLAN_PK),
        "Lakeside Cardiology patient (Dr. Jonathan Meyers): consultation paid; echocardiogram "
        "and stress test from three weeks ago pended for medical records.",
    ),
    ShowcaseMember(
        "prior_auth_denied", "PT100000801", date(1960, 2, 11), "Patricia", "Lopez", "F",
        _plan_code(HMO_PLAN_PK),
        "Echocardiogram at Lakeside Cardiology denied CARC 197 (no prior authorization): "
        "a candidate for an appeal.",
    ),
)  # fmt: skip
SHOWCASE_BY_KEY: dict[str, ShowcaseMember] = {member.key: member for member in SHOWCASE}
PT_VISIT_LIMIT = PLANS_BY_PK[HMO_PLAN_PK].benefits[ServiceCategory.PHYSICAL_THERAPY][3]
_PT = ServiceCategory.PHYSICAL_THERAPY.value
SHOWCASE_OUTSIDE_OOP = 215_000  # cents met at the outside hospital: deductible + coinsurance


@dataclass
class DemoSummary:
    as_of: date
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        width = max(len(name) for name in self.rows) if self.rows else 10
        lines = [f"Demo data seeded as of {self.as_of.isoformat()} in {self.seconds:.1f} s:"]
        lines += [f"  {name:<{width}} {count:>9,}" for name, count in self.rows.items() if count]
        lines.append(
            f"Sign in with any demo account, e.g. {DEMO_ACCOUNTS[0].email}, password "
            f"{DEMO_PASSWORD!r} (docs/demo-data.md lists them all)."
        )
        return "\n".join(lines)


def seed_demo(
    engine: Engine | None = None, *, scale: DemoScale = FULL, as_of: date | None = None
) -> DemoSummary:
    """Seed the demo into a migrated, empty database in one transaction; refuses otherwise.

    Everything but the claims window is fixed; the window is the 18 months before `as_of`
    (today by default), so the same `as_of` always produces the same rows.
    """
    started = time.perf_counter()
    engine = engine or get_engine()
    as_of = as_of or date.today()
    window = window_for(as_of)
    rng = random.Random(DEMO_RANDOM_SEED)
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        refuse_unless_empty(connection)
        writer = BulkWriter(connection)

        def write(batch: RowBatch) -> None:
            writer.write(batch)
            for name, rows in batch.items():
                counts[name] = counts.get(name, 0) + len(rows)

        created_at = datetime(window.start.year, window.start.month, window.start.day, tzinfo=UTC)
        reference = build_reference(effective_from=date(window.start.year, 1, 1))
        directory = build_directory(DEMO_PRACTICES, created_at=created_at)
        write(reference.rows)
        write(directory.rows)
        write(_account_rows(directory, created_at=created_at))
        _enrol_demo_admins_in_mfa(connection, created_at=created_at)

        population = Population()
        members = MemberFactory(directory=directory, population=population)
        showcase = _showcase_members(members, directory, window)
        write(members.take_rows())
        for rows in generate_members(
            rng,
            members,
            count=scale.members - len(showcase),
            window=window,
            first_family_serial=2_000_000,
        ):
            write(rows)

        model = ClaimModel(
            rng, reference=reference, directory=directory, population=population, window=window
        )
        scripted = _showcase_claims(model, showcase, directory, window)
        write(model.take_rows())
        for rows in model.random_claims(max(scale.claims - scripted, 0), batch_claims=10_000):
            write(rows)
        write(model.accumulator_rows())
        set_remittance_totals(connection, model.remittance_totals)
        realign_id_sequences(connection)
    ordered = {name: counts.get(name, 0) for name in new_batch()}
    return DemoSummary(as_of=as_of, seconds=time.perf_counter() - started, rows=ordered)


def _account_rows(directory: Directory, *, created_at: datetime) -> RowBatch:
    batch = new_batch()
    # Argon2 is deliberately slow: hash the shared demo password once for every account.
    password_hash = hash_password(DEMO_PASSWORD)
    # Encrypted as the running portal will read it: with the key derived from PORTICO_SECRET.
    demo_mfa_secret = mfa_cipher().encrypt(DEMO_TOTP_SECRET.encode("ascii")).decode("ascii")
    for user_pk, account in enumerate(DEMO_ACCOUNTS, start=1):
        practice_pk = (
            directory.practice_by_key(account.practice_key).practice_pk
            if account.practice_key
            else None
        )
        batch["user"].append(
            {
                "id": user_pk,
                "email": account.email,
                "full_name": account.full_name,
                "password_hash": password_hash,
                "practice_id": practice_pk,
                "is_active": True,
                "created_at": created_at,
                "last_sign_in_at": None,
                "deactivated_at": None,
                "failed_sign_ins": 0,
                "last_failed_sign_in_at": None,
                "locked_until": None,
                "password_changed_at": None,
                "mfa_secret": demo_mfa_secret if account.role in DEMO_MFA_ROLES else None,
                "mfa_enabled_at": created_at if account.role in DEMO_MFA_ROLES else None,
                "mfa_last_step": None,
            }
        )
        batch["userrole"].append({"id": user_pk, "user_id": user_pk, "role": account.role.value})
    return batch


def demo_recovery_code(email: str, n: int) -> str:
    """DEMO ONLY: the demo admin's n-th recovery code (0-9), derived from the published demo
    secret so the tests can use them; real recovery codes are random (domain/mfa.py)."""
    digest = hmac.new(DEMO_TOTP_SECRET.encode(), f"{email}:{n}".encode(), "sha256").digest()
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's, as domain/mfa.py's codes
    raw = "".join(alphabet[byte % 32] for byte in digest[:16])
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _enrol_demo_admins_in_mfa(connection: Connection, *, created_at: datetime) -> None:
    """Ten known recovery codes per demo admin, stored hashed as real ones are."""
    rows = [
        {
            "user_id": user_pk,
            "code_hash": recovery_code_hash(demo_recovery_code(account.email, n)),
            "created_at": created_at,
            "used_at": None,
        }
        for user_pk, account in enumerate(DEMO_ACCOUNTS, start=1)
        if account.role in DEMO_MFA_ROLES
        for n in range(RECOVERY_CODE_COUNT)
    ]
    connection.execute(insert(RecoveryCode), rows)


def _coverage_ended(as_of: date) -> date:
    """The terminated showcase member's last covered day: a month end about a quarter ago."""
    return last_of_month(months_before(as_of, 3))


def _showcase_members(
    factory: MemberFactory, directory: Directory, window: SeedWindow
) -> dict[str, int]:
    """Create the showcase members (before any random one) and return their indexes by key."""
    as_of = window.as_of
    riverside = directory.index_of(RIVERSIDE.key)
    lakeside = directory.index_of(LAKESIDE.key)
    since = date(as_of.year - 5, 1, 1)  # long-standing members: enrolled five plan years ago
    coverage_ended = _coverage_ended(as_of)
    address = ("1200 Example Avenue", "Dayton", "45402")

    def pcp(last_name: str) -> int:
        return directory.provider_pk(RIVERSIDE.key, last_name)

    def coverage(
        plan_pk: int,
        *,
        pcp: int | None = None,
        effective: date = since,
        terminated: date | None = None,
    ) -> CoverageSpec:
        return CoverageSpec(plan_pk, f"GRP{plan_pk}0001", effective, terminated, pcp)

    plans = {
        "active_hmo": (coverage(HMO_PLAN_PK, pcp=pcp("Alvarez")),),
        "dependent_child": (coverage(HMO_PLAN_PK, pcp=pcp("Brooks")),),
        "terminated": (coverage(PPO_PLAN_PK, terminated=coverage_ended),),
        "deductible_met": (coverage(PPO_PLAN_PK, pcp=pcp("Kowalski")),),
        "visit_limit": (coverage(HMO_PLAN_PK, pcp=pcp("Okafor")),),
        "two_coverages": (
            coverage(EPO_PLAN_PK, pcp=pcp("Chen")),
            coverage(PPO_PLAN_PK),
        ),
        "not_yet_effective": (coverage(PPO_PLAN_PK, effective=first_of_next_month(as_of)),),
        "cardiology_pended": (coverage(PPO_PLAN_PK, pcp=pcp("Kowalski")),),
        "prior_auth_denied": (coverage(HMO_PLAN_PK, pcp=pcp("Chen")),),
    }
    cardiology = {"cardiology_pended", "prior_auth_denied"}
    indexes: dict[str, int] = {}
    for member in SHOWCASE:
        family_serial = int(member.member_id[2:9])
        suffix = int(member.member_id[9:])
        relationship = "subscriber" if suffix == 1 else "spouse" if suffix == 2 else "child"
        indexes[member.key] = factory.add_member(
            family_serial=family_serial,
            suffix=suffix,
            relationship=relationship,
            first_name=member.first_name,
            last_name=member.last_name,
            birth=member.date_of_birth,
            sex=member.sex,
            address=address,
            coverages=plans[member.key],
            home_practice=riverside,
            cardiology_practice=lakeside if member.key in cardiology else -1,
            weight=0.0,
            scripted=True,
        )
    return indexes


def _showcase_claims(
    model: ClaimModel, showcase: dict[str, int], directory: Directory, window: SeedWindow
) -> int:
    """The showcase members' claims, dated relative to as_of; returns how many were built."""
    as_of = window.as_of.toordinal()
    first_day = window.start.toordinal()
    year_start = date(window.plan_year, 1, 1).toordinal()
    built = 0

    def claim(
        key: str,
        practice: PracticeSpec,
        clinician: str,
        days_before: int,
        lines: tuple[Line, ...],
        diagnoses: tuple[str, ...],
        **outcome: object,
    ) -> None:
        nonlocal built
        practice_index = directory.index_of(practice.key)
        runtime = directory.practices[practice_index]
        provider_pk = directory.provider_pk(practice.key, clinician)
        location_pk = runtime.provider_location[provider_pk]
        spec = ClaimSpec(
            member=showcase[key],
            practice=practice_index,
            provider_pk=provider_pk,
            location_pk=location_pk,
            place_of_service=runtime.location_place[location_pk],
            service_day=as_of - days_before,
            lines=lines,
            diagnoses=diagnoses,
            submit_lag=1,
            rejection=-1,
            stuck=False,
            pend=False,
            clean=True,
        )
        for name, value in outcome.items():
            setattr(spec, name, value)
        model.build(spec)
        built += 1

    avery_age = (window.as_of - SHOWCASE_BY_KEY["active_hmo"].date_of_birth).days // 365
    preventive = "99395" if avery_age < 40 else "99396"
    claim(
        "active_hmo",
        RIVERSIDE,
        "Alvarez",
        150,
        ((preventive, 1, "", "1"), ("36415", 1, "", "1"), ("80061", 1, "", "1")),
        ("Z0000",),
    )
    claim("active_hmo", RIVERSIDE, "Alvarez", 45, (("99213", 1, "", "1"),), ("J069",))
    # Sent the same day; no claim is adjudicated within two days of arriving, so still open.
    claim(
        "active_hmo",
        RIVERSIDE,
        "Alvarez",
        2,
        (("99214", 1, "", "1,2"),),
        ("I10", "E785"),
        submit_lag=0,
    )
    claim("dependent_child", RIVERSIDE, "Brooks", 60, (("99213", 1, "", "1"),), ("H6690",))

    terminated = _coverage_ended(window.as_of).toordinal()
    claim(
        "terminated",
        RIVERSIDE,
        "Okafor",
        as_of - terminated + 40,
        (("99214", 1, "", "1,2"),),
        ("I10", "E785"),
    )
    claim(
        "terminated",
        RIVERSIDE,
        "Okafor",
        as_of - terminated - 16,
        (("99213", 1, "", "1"),),
        ("M5450",),
    )

    sofia = showcase["deductible_met"]
    model.carry_over_deductible(
        sofia,
        PPO_PLAN_PK,
        window.plan_year,
        deductible=PLANS_BY_PK[PPO_PLAN_PK].deductible_cents,
        out_of_pocket=SHOWCASE_OUTSIDE_OOP,
    )
    if as_of - 40 >= year_start:
        claim(
            "deductible_met",
            RIVERSIDE,
            "Kowalski",
            40,
            (("99214", 1, "", "1"), ("36415", 1, "", "1"), ("80053", 1, "", "1")),
            ("E039",),
        )

    # Weekly therapy in this plan year, as far as the year so far allows; the rest of the
    # visits were used at another clinic, so the accumulator shows the limit reached.
    ethan = showcase["visit_limit"]
    therapy_days = [
        days_before
        for days_before in range(35, 35 + 7 * 8, 7)
        if as_of - days_before >= max(year_start, first_day)
    ]
    for number, days_before in enumerate(sorted(therapy_days, reverse=True)):
        lines: tuple[Line, ...] = (
            (("97161", 1, "", "1"),)
            if number == 0
            else (("97110", 2, "", "1"), ("97140", 1, "", "1"))
        )
        claim("visit_limit", RIVERSIDE, "Reilly", days_before, lines, ("M5450",))
    used = model.visits.get((ethan, HMO_PLAN_PK, window.plan_year, _PT), 0)
    model.carry_over_visits(
        ethan,
        HMO_PLAN_PK,
        window.plan_year,
        _PT,
        max((PT_VISIT_LIMIT or 0) - used, 0),
    )

    claim("two_coverages", RIVERSIDE, "Chen", 70, (("99213", 1, "", "1"),), ("E039",))

    claim("cardiology_pended", RIVERSIDE, "Kowalski", 120, (("99214", 1, "", "1"),), ("I10",))
    claim(
        "cardiology_pended",
        LAKESIDE,
        "Meyers",
        75,
        (("99244", 1, "", "1,2"), ("93000", 1, "", "1")),
        ("R0789", "I10"),
    )
    claim(
        "cardiology_pended",
        LAKESIDE,
        "Meyers",
        21,
        (("93306", 1, "", "1"), ("93015", 1, "", "2")),
        ("R0789", "I2510"),
        pend=True,
        stuck=True,
        pend_note="Pended for examiner review: medical records requested.",
    )

    claim(
        "prior_auth_denied",
        LAKESIDE,
        "Petrova",
        50,
        (("93306", 1, "", "1"),),
        ("I5022",),
        authorized=False,
    )
    return built


# ---------------------------------------------------------------------- documentation


def render_demo_docs() -> str:
    """docs/demo-data.md, generated from the constants the seed uses (a test keeps it current)."""
    out: list[str] = [
        "# Demo data",
        "",
        "<!-- Generated by `python -m storage.seed.demo --docs` from storage/seed/; "
        "do not edit by hand. -->",
        "",
        "`python main.py seed --demo` (or `make run` on an empty database) loads a fictional "
        "data set: two practices, their clinicians, four benefit plans, about 5,000 members, "
        "the demo accounts below and about 50,000 claims with service dates in the 18 months "
        "before the seed date. Everything is generated from a fixed random seed, so seeding "
        "on the same date gives the same rows; dates move with the seed date, which is why "
        "the stories below are told relative to it. The test suite seeds the same practices, "
        "plans, accounts and showcase members with fewer random members and claims.",
        "",
        "All names, identifiers and addresses are invented. NPIs carry valid check digits; "
        "phone numbers use the 555-01xx range reserved for fiction.",
        "",
        "## Demo accounts",
        "",
        f"Every account's password is `{DEMO_PASSWORD}`.",
        "",
        "| Email | Name | Role | Practice |",
        "| --- | --- | --- | --- |",
    ]
    practice_names = {spec.key: spec.name for spec in DEMO_PRACTICES}
    for account in DEMO_ACCOUNTS:
        practice = practice_names[account.practice_key] if account.practice_key else "(plan staff)"
        out.append(f"| {account.email} | {account.full_name} | {account.role.label} | {practice} |")
    out += [
        "",
        "## Showcase members",
        "",
        "Created by hand (not drawn at random), so their member IDs, dates of birth and "
        "stories are the same in every demo database. Search eligibility with member ID + DOB.",
        "",
        "| Member ID | Date of birth | Name | Plan | What it shows |",
        "| --- | --- | --- | --- | --- |",
    ]
    for member in SHOWCASE:
        out.append(
            f"| {member.member_id} | {member.date_of_birth.isoformat()} | "
            f"{member.first_name} {member.last_name} | {member.plan_code} | {member.shows} |"
        )
    out += ["", "## Practices", ""]
    for spec in DEMO_PRACTICES:
        out += [
            f"### {spec.name}",
            "",
            f"- TIN: {spec.tin}",
            f"- Group NPI: {spec.group_npi}",
            f"- Phone: {spec.phone}",
            "",
            "| Location | Address | Place of service |",
            "| --- | --- | --- |",
        ]
        for location in spec.locations:
            out.append(
                f"| {location.name} | {location.address_line}, {location.city}, "
                f"{location.state} {location.postal_code} | {location.place_of_service} |"
            )
        out += [
            "",
            "| Provider | Specialty | Taxonomy | NPI | Location |",
            "| --- | --- | --- | --- | --- |",
        ]
        for provider in spec.providers:
            accepting = "" if provider.accepting_new_patients else " (not accepting new patients)"
            out.append(
                f"| {provider.first_name} {provider.last_name}, {provider.credential} | "
                f"{provider.specialty}{accepting} | {provider.taxonomy_code} | {provider.npi} | "
                f"{spec.locations[provider.location].name} |"
            )
        out.append("")
    out += [
        "## Benefit plans",
        "",
        "Plan years start in January. Preventive care is free on every plan; advanced imaging "
        "needs prior authorization on every plan, as do the procedure codes flagged for it "
        "(echocardiogram, stress test, heart catheterisation, MRI/CT).",
        "",
        "| Code | Name | Product | Deductible (ind./fam.) | Out-of-pocket max (ind./fam.) | "
        "PCP / specialist copay | Coinsurance | PT visits per year | Timely filing |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for plan in PLANS:
        primary = plan.benefits[ServiceCategory.PRIMARY_CARE]
        specialist = plan.benefits[ServiceCategory.SPECIALIST]
        imaging = plan.benefits[ServiceCategory.IMAGING]
        therapy = plan.benefits[ServiceCategory.PHYSICAL_THERAPY]
        copays = (
            f"${primary[0]} / ${specialist[0]}"
            if primary[0] != "0"
            else "none (deductible, then coinsurance)"
        )
        out.append(
            f"| {plan.code} | {plan.name} | {plan.product} | "
            f"${plan.individual_deductible:,} / ${plan.family_deductible:,} | "
            f"${plan.individual_oop_max:,} / ${plan.family_oop_max:,} | {copays} | "
            f"{imaging[1]} % | {therapy[3]} | {plan.timely_filing_days} days |"
        )
    out += [
        "",
        "## What the claims look like",
        "",
        "- Service dates cover the 18 months before the seed date, busiest on weekdays. "
        "Claims reach the plan a few days after the visit (a few weeks for some), are "
        "finalized one to three weeks later and paid in each practice's weekly EFT "
        "(Riverside on Tuesdays, Lakeside on Thursdays).",
        "- About 11 % of adjudicated claims are denied in full the first time, spread over "
        "CARCs 16, 50, 11, 96, 204, 18 (duplicates), 197 (no prior authorization), 27 "
        "(coverage terminated), 29 (timely filing), 119 (visit limit), 242 and 22; some are "
        "corrected and resubmitted as replacement claims (frequency code 7). About 1 % are "
        "rejected at the front end with a plain-language reason.",
        "- Every adjudicated line balances: billed = allowed + CO-45 (or the denial's CO "
        "adjustment), and allowed = paid + deductible (PR-1) + coinsurance (PR-2) + copay "
        "(PR-3). Claim totals are the sums of their lines; a remittance's total is the sum of "
        "its claims' payments. Deductible and visit accumulators are what the claims add up to "
        "(plus, for two showcase members, what was met at outside providers).",
        "- Open balances fall in every A/R bucket: recent claims are still received, accepted, "
        "in process or pended; a steady few older claims are still pended; patient balances "
        "are partly paid, older ones more often.",
        "- Status events carry 277 codes: A1/20 received, A2/20 accepted, A7 rejected, P1/20 "
        "in process, P2/20 pended, F1/3 paid, F2/1 denied, F1/65 remitted with payment.",
        "- A claim's billing and rendering provider are the same clinician; the practice's "
        "TIN and group NPI are on the practice.",
        "",
        "## Benchmark databases",
        "",
        "`python main.py seed --claims 1000000` builds a benchmark-size database with the same "
        "claim model: the two demo practices plus one generated practice per 100,000 claims "
        "(three family-medicine groups to each cardiology group), one member per 10 claims, "
        "and the claims with their lines, adjustments, diagnoses and status events. It has no "
        "demo accounts or showcase members. Run on a database that already holds the demo, it "
        "appends: the demo's practices get the extra claims, so the demo accounts see them. "
        "`pytest tests/bench/bench_seed.py -o python_files='bench_*.py' -s` measures it.",
        "",
    ]
    return "\n".join(out)


DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "demo-data.md"


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--docs"]:
        DOCS_PATH.parent.mkdir(exist_ok=True)
        DOCS_PATH.write_text(render_demo_docs(), encoding="utf-8")
        print(f"wrote {DOCS_PATH}")
    else:
        print("usage: python -m storage.seed.demo --docs")
