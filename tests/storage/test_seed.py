"""The demo and bulk seeds: deterministic, money-exact, realistic, true to their documentation.

Also: the demo refuses a database that has data, and the bulk seed appends to one.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.auth import actor_for, authenticate
from domain.claims import TRANSITIONS, ClaimStatus
from domain.models import (
    BenefitAccumulator,
    BenefitPlan,
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatusEvent,
    Coverage,
    Member,
    PlanBenefit,
    Practice,
    Provider,
    Remittance,
    User,
    UserRole,
    VisitAccumulator,
)
from domain.npi import is_valid_npi
from storage.db import make_engine
from storage.migrate import upgrade_to_head
from storage.seed import SeedRefused, database_is_empty
from storage.seed.bulk import seed_bulk
from storage.seed.demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DOCS_PATH,
    SHOWCASE,
    SMALL,
    render_demo_docs,
    seed_demo,
)
from storage.seed.directory import DEMO_PRACTICES
from storage.seed.loader import BulkWriter, _sqlite_timestamp, new_batch

AS_OF = date(2026, 11, 26)
OPEN = {ClaimStatus.RECEIVED, ClaimStatus.ACCEPTED, ClaimStatus.IN_PROCESS, ClaimStatus.PENDED}
FINAL = {ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED}
ZERO = Decimal("0.00")


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_demo(engine, scale=SMALL, as_of=AS_OF)
    return engine


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(scope="module", params=_backends())
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One small demo per database, seeded once and shared by the tests that only read it
    (the `engine` fixture is per test; seeding for each reading test would triple the time)."""
    if request.param == "sqlite":
        shared = make_engine(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'demo.db'}")
        upgrade_to_head(shared)
        seed_demo(shared, scale=SMALL, as_of=AS_OF)
        yield shared
        shared.dispose()
        return
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    shared = make_engine(url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}")
    upgrade_to_head(shared)
    seed_demo(shared, scale=SMALL, as_of=AS_OF)
    yield shared
    shared.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db(demo: Engine) -> Iterator[Session]:
    with Session(demo) as session:
        yield session
        session.rollback()


def _digest(engine: Engine) -> str:
    """A hash of every seeded table's rows as the models read them (Decimal, date, UTC time),
    so it is the same whichever database holds them. Password hashes are salted: left out."""
    tables = (Claim, ClaimLine, ClaimLineAdjustment, ClaimDiagnosis, ClaimStatusEvent,
              Remittance, Member, Coverage, BenefitAccumulator, VisitAccumulator,
              Provider)  # fmt: skip
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for model in tables:
            table = model.__table__  # type: ignore[attr-defined]
            for row in connection.execute(sa_select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_as_of_gives_the_same_rows(demo: Engine, tmp_path: Path) -> None:
    # The second copy is always SQLite, so on PostgreSQL this also proves both hold the same.
    other = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    upgrade_to_head(other)
    seed_demo(other, scale=SMALL, as_of=AS_OF)
    try:
        assert _digest(other) == _digest(demo)
    finally:
        other.dispose()


def test_a_different_as_of_moves_the_claims_window(demo: Engine, tmp_path: Path) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'later.db'}")
    upgrade_to_head(other)
    seed_demo(other, scale=SMALL, as_of=AS_OF + timedelta(days=30))
    try:
        with other.connect() as connection:
            latest = connection.execute(text("SELECT MAX(service_date_from) FROM claim")).scalar()
        assert str(latest) == str(AS_OF + timedelta(days=29))
        assert _digest(other) != _digest(demo)
    finally:
        other.dispose()


def _lines_by_claim(db: Session) -> dict[int, list[ClaimLine]]:
    lines: dict[int, list[ClaimLine]] = defaultdict(list)
    for line in db.exec(select(ClaimLine).order_by(ClaimLine.id)).all():
        lines[line.claim_id].append(line)
    return lines


def _adjustments_by_line(db: Session) -> dict[int, list[ClaimLineAdjustment]]:
    found: dict[int, list[ClaimLineAdjustment]] = defaultdict(list)
    for adjustment in db.exec(select(ClaimLineAdjustment)).all():
        found[adjustment.claim_line_id].append(adjustment)
    return found


def _claims(db: Session) -> list[Claim]:
    return list(db.exec(select(Claim).order_by(Claim.id)).all())


def assert_money_balances(db: Session) -> int:
    """Every line and claim balances to the cent; returns how many lines were checked."""
    lines = _lines_by_claim(db)
    adjustments = _adjustments_by_line(db)
    checked = 0
    for claim in _claims(db):
        claim_lines = lines[claim.id]
        assert claim_lines, f"claim {claim.id} has no lines"
        adjudicated = claim.finalized_as is not None
        for line in claim_lines:
            checked += 1
            cas = adjustments[line.id]
            amounts = [line.charge_amount, line.allowed_amount, line.paid_amount]
            assert all(amount.as_tuple().exponent == -2 for amount in amounts)
            if not adjudicated:
                assert not cas and line.allowed_amount == ZERO and line.paid_amount == ZERO
                continue
            contractual = sum((a.amount for a in cas if a.group_code == "CO"), ZERO)
            by_carc = {a.carc: a.amount for a in cas if a.group_code == "PR"}
            assert line.charge_amount == line.allowed_amount + contractual, line
            assert line.allowed_amount == (
                line.paid_amount
                + line.deductible_amount
                + line.coinsurance_amount
                + line.copay_amount
            ), line
            assert by_carc.get("1", ZERO) == line.deductible_amount
            assert by_carc.get("2", ZERO) == line.coinsurance_amount
            assert by_carc.get("3", ZERO) == line.copay_amount
            assert all(a.amount > ZERO for a in cas)
            denials = [a for a in cas if a.group_code == "CO" and a.carc != "45"]
            if denials:  # a denied line: the whole charge is the denial's CO adjustment
                assert line.allowed_amount == ZERO and denials[0].amount == line.charge_amount
        assert claim.total_charge == sum((line.charge_amount for line in claim_lines), ZERO)
        assert claim.allowed_amount == sum((line.allowed_amount for line in claim_lines), ZERO)
        assert claim.paid_amount == sum((line.paid_amount for line in claim_lines), ZERO)
        assert claim.patient_responsibility == sum(
            (line.patient_responsibility for line in claim_lines), ZERO
        )
        assert ZERO <= claim.patient_paid_amount <= claim.patient_responsibility
    return checked


def test_every_line_and_claim_balances_to_the_cent(db: Session) -> None:
    assert assert_money_balances(db) > SMALL.claims


def test_remittances_total_their_claims(db: Session) -> None:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    practices: dict[int, set[int]] = defaultdict(set)
    for claim in _claims(db):
        if claim.remittance_id is not None:
            assert claim.status == ClaimStatus.REMITTED
            totals[claim.remittance_id] += claim.paid_amount
            practices[claim.remittance_id].add(claim.practice_id)
        else:
            assert claim.status != ClaimStatus.REMITTED
    remittances = list(db.exec(select(Remittance)).all())
    assert remittances
    for remittance in remittances:
        assert remittance.total_paid == totals[remittance.id]
        assert practices[remittance.id] == {remittance.practice_id}
        assert remittance.payment_number.startswith("EFT")


def test_outcomes_look_like_a_real_payer(db: Session) -> None:
    claims = _claims(db)
    adjudicated = [claim for claim in claims if claim.finalized_as is not None]
    denied = [claim for claim in adjudicated if claim.initially_denied]
    rate = len(denied) / len(adjudicated)
    assert 0.08 <= rate <= 0.14, f"initial denial rate {rate:.1%}"
    carcs = Counter(claim.denial_carc for claim in denied)
    assert len(carcs) >= 6 and carcs.most_common(1)[0][1] < len(denied) / 2
    for claim in denied:
        assert claim.finalized_as == ClaimStatus.DENIED and claim.paid_amount == ZERO
        assert claim.denial_carc
    statuses = Counter(claim.status for claim in claims)
    # (A claim is "received" for hours at most, so a small seed may catch none.)
    for status in (*OPEN - {ClaimStatus.RECEIVED}, ClaimStatus.REMITTED, ClaimStatus.REJECTED):
        assert statuses[status], f"no {status.value} claims"
    rejected = [claim for claim in claims if claim.status == ClaimStatus.REJECTED]
    assert len(rejected) < len(claims) * 0.03
    assert all(claim.rejection_reason and claim.finalized_as is None for claim in rejected)
    lag = [
        (claim.finalized_at.date() - claim.service_date_from).days
        for claim in adjudicated
        if claim.finalized_at
    ]
    assert 3 <= sum(lag) / len(lag) <= 40  # days from visit to adjudication
    replacements = [claim for claim in claims if claim.frequency_code == "7"]
    by_id = {claim.id: claim for claim in claims}
    for replacement in replacements:
        original = by_id[replacement.original_claim_id or 0]
        assert original.initially_denied and original.member_fk == replacement.member_fk


def _age_bucket(days: int) -> str:
    return "0-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else (
        "91-120" if days <= 120 else "120+")  # fmt: skip


def test_open_balances_fall_in_every_ar_bucket(db: Session) -> None:
    insurance: Counter[str] = Counter()
    patient: Counter[str] = Counter()
    for claim in _claims(db):
        bucket = _age_bucket((AS_OF - claim.service_date_from).days)
        if claim.status in OPEN:
            insurance[bucket] += 1
        if claim.patient_responsibility > claim.patient_paid_amount:
            patient[bucket] += 1
    buckets = {"0-30", "31-60", "61-90", "91-120", "120+"}
    assert set(insurance) == buckets, insurance
    assert set(patient) == buckets, patient
    assert insurance["0-30"] > insurance["31-60"]  # most open claims are recent


def test_timelines_only_take_allowed_steps(db: Session) -> None:
    events: dict[int, list[ClaimStatusEvent]] = defaultdict(list)
    query = select(ClaimStatusEvent).order_by(ClaimStatusEvent.claim_id, ClaimStatusEvent.id)
    for event in db.exec(query).all():
        events[event.claim_id].append(event)
    cutoff = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
    for claim in _claims(db):
        timeline = events[claim.id]
        assert timeline[0].status == ClaimStatus.RECEIVED
        assert timeline[0].occurred_at == claim.submitted_at
        current = ClaimStatus.DRAFT
        for previous, event in zip([None, *timeline], timeline, strict=False):
            assert event.status in TRANSITIONS[current], (claim.id, current, event.status)
            assert event.occurred_at.tzinfo is not None and event.occurred_at < cutoff
            assert event.occurred_at.utcoffset() == timedelta(0)
            assert event.transaction_id
            if previous is not None:
                assert event.occurred_at > previous.occurred_at
            current = event.status
        assert claim.status == current and claim.status_changed_at == timeline[-1].occurred_at
        finals = [event for event in timeline if event.status in FINAL]
        assert claim.finalized_as == (finals[0].status if finals else None)
        assert claim.service_date_from <= claim.submitted_at.date()  # type: ignore[union-attr]
        codes = {event.status: event.category_code for event in timeline}
        assert codes.get(ClaimStatus.RECEIVED) == "A1"
        assert codes.get(ClaimStatus.ACCEPTED, "A2") == "A2"
        assert codes.get(ClaimStatus.PENDED, "P2") == "P2"
        assert codes.get(ClaimStatus.REJECTED, "A7") == "A7"


def test_identifiers_and_pointers_are_valid(db: Session) -> None:
    for practice in db.exec(select(Practice)).all():
        assert is_valid_npi(practice.group_npi) and len(practice.tin) == 9
    providers = list(db.exec(select(Provider)).all())
    assert 18 <= len(providers) <= 24
    assert all(is_valid_npi(provider.npi) for provider in providers)
    diagnoses: dict[int, set[int]] = defaultdict(set)
    for diagnosis in db.exec(select(ClaimDiagnosis)).all():
        assert diagnosis.icd10_code.isalnum() and "." not in diagnosis.icd10_code
        assert 3 <= len(diagnosis.icd10_code) <= 7
        diagnoses[diagnosis.claim_id].add(diagnosis.sequence)
    for claim_id, sequences in diagnoses.items():
        assert sequences == set(range(1, len(sequences) + 1)), claim_id
    for claim_id, lines in _lines_by_claim(db).items():
        assert [line.line_number for line in lines] == list(range(1, len(lines) + 1))
        for line in lines:
            pointers = [int(pointer) for pointer in line.diagnosis_pointers.split(",")]
            assert 1 <= len(pointers) <= 4
            assert set(pointers) <= diagnoses[claim_id], (claim_id, line.diagnosis_pointers)


def _member(db: Session, member_id: str) -> Member:
    return db.exec(select(Member).where(Member.member_id == member_id)).one()


def _member_claims(db: Session, member: Member) -> list[Claim]:
    query = select(Claim).where(Claim.member_fk == member.id).order_by(Claim.service_date_from)
    return list(db.exec(query).all())


def _claim_lines(db: Session, claim: Claim) -> list[ClaimLine]:
    return list(db.exec(select(ClaimLine).where(ClaimLine.claim_id == claim.id)).all())


def _coverages(db: Session, member: Member) -> list[Coverage]:
    query = (
        select(Coverage).where(Coverage.member_fk == member.id).order_by(Coverage.coverage_order)
    )
    return list(db.exec(query).all())


def _plan(db: Session, coverage: Coverage) -> BenefitPlan:
    plan = db.get(BenefitPlan, coverage.plan_id)
    assert plan is not None
    return plan


def _provider_name(db: Session, provider_pk: int | None) -> str:
    provider = db.get(Provider, provider_pk) if provider_pk else None
    return provider.last_name if provider else ""


def _practice_name(db: Session, practice_pk: int) -> str:
    practice = db.get(Practice, practice_pk)
    assert practice is not None
    return practice.name


def _check_showcase(db: Session, as_of: date) -> None:
    """Each documented story holds, whatever the seed date."""
    plan_year = as_of.year

    def active_hmo(member: Member) -> None:
        (coverage,) = _coverages(db, member)
        assert _plan(db, coverage).product == "HMO" and coverage.is_active_on(as_of)
        assert _provider_name(db, coverage.pcp_provider_id) == "Alvarez"
        claims = _member_claims(db, member)
        assert any(claim.status == ClaimStatus.REMITTED for claim in claims)
        assert claims[-1].status in OPEN
        lines = [line for claim in claims for line in _claim_lines(db, claim)]
        assert Decimal("20.00") in {line.copay_amount for line in lines}

    def dependent_child(member: Member) -> None:
        (coverage,) = _coverages(db, member)
        assert member.relationship == "child" and member.family_id == "PT1000001"
        assert _provider_name(db, coverage.pcp_provider_id) == "Brooks"

    def terminated(member: Member) -> None:
        (coverage,) = _coverages(db, member)
        assert coverage.termination_date and coverage.termination_date < as_of
        assert not coverage.is_active_on(as_of)
        late = [
            c for c in _member_claims(db, member) if c.service_date_from > coverage.termination_date
        ]
        assert late and all(claim.denial_carc == "27" for claim in late)

    def deductible_met(member: Member) -> None:
        (coverage,) = _coverages(db, member)
        plan = _plan(db, coverage)
        accumulator = db.exec(
            select(BenefitAccumulator).where(
                BenefitAccumulator.member_fk == member.id,
                BenefitAccumulator.plan_year == plan_year,
            )
        ).one()
        assert accumulator.deductible_met == plan.individual_deductible == Decimal("1500.00")
        for claim in _member_claims(db, member):
            if claim.service_date_from.year == plan_year:
                assert all(line.deductible_amount == ZERO for line in _claim_lines(db, claim))

    def visit_limit(member: Member) -> None:
        (coverage,) = _coverages(db, member)
        limit = db.exec(
            select(PlanBenefit.visit_limit).where(
                PlanBenefit.plan_id == coverage.plan_id,
                PlanBenefit.service_category == "physical_therapy",
            )
        ).one()
        used = db.exec(
            select(VisitAccumulator.visits_used).where(
                VisitAccumulator.member_fk == member.id,
                VisitAccumulator.plan_year == plan_year,
                VisitAccumulator.service_category == "physical_therapy",
            )
        ).one()
        assert used == limit == 20

    def two_coverages(member: Member) -> None:
        coverages = _coverages(db, member)
        assert [coverage.coverage_order for coverage in coverages] == [1, 2]
        assert all(coverage.is_active_on(as_of) for coverage in coverages)
        assert [_plan(db, coverage).product for coverage in coverages] == ["EPO", "PPO"]

    def not_yet_effective(member: Member) -> None:
        (coverage,) = _coverages(db, member)
        assert coverage.effective_date > as_of and not coverage.is_active_on(as_of)
        assert not _member_claims(db, member)

    def cardiology_pended(member: Member) -> None:
        lakeside = [
            claim
            for claim in _member_claims(db, member)
            if _practice_name(db, claim.practice_id) == "Lakeside Cardiology"
        ]
        pended = [claim for claim in lakeside if claim.status == ClaimStatus.PENDED]
        assert len(pended) == 1 and _provider_name(db, pended[0].rendering_provider_id) == "Meyers"
        assert any(claim.finalized_as == ClaimStatus.PAID for claim in lakeside)

    def prior_auth_denied(member: Member) -> None:
        (claim,) = _member_claims(db, member)
        assert _practice_name(db, claim.practice_id) == "Lakeside Cardiology"
        assert claim.initially_denied and claim.denial_carc == "197"
        assert claim.finalized_as == ClaimStatus.DENIED and claim.status == ClaimStatus.REMITTED

    checks: dict[str, Callable[[Member], None]] = {
        check.__name__: check
        for check in (active_hmo, dependent_child, terminated, deductible_met, visit_limit,
                      two_coverages, not_yet_effective, cardiology_pended, prior_auth_denied)
    }  # fmt: skip
    assert set(checks) == {member.key for member in SHOWCASE}, "every showcase story is tested"
    for showcase in SHOWCASE:
        member = _member(db, showcase.member_id)
        assert member.date_of_birth == showcase.date_of_birth
        assert (member.first_name, member.last_name) == (showcase.first_name, showcase.last_name)
        assert _plan(db, _coverages(db, member)[0]).code == showcase.plan_code
        checks[showcase.key](member)


def test_showcase_members_show_what_the_docs_say(db: Session) -> None:
    _check_showcase(db, AS_OF)


@pytest.mark.parametrize("as_of", [date(2027, 1, 2), date(2027, 3, 1), date.today()], ids=str)
def test_showcase_stories_hold_on_any_seed_date(as_of: date, tmp_path: Path) -> None:
    # Early January leaves no room in the plan year for claims: the stories must still hold.
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade_to_head(engine)
    seed_demo(engine, scale=SMALL, as_of=as_of)
    try:
        with Session(engine) as session:
            _check_showcase(session, as_of)
            assert_money_balances(session)
    finally:
        engine.dispose()


def test_demo_accounts_sign_in_with_their_roles(db: Session) -> None:
    practices = {practice.name: practice.id for practice in db.exec(select(Practice)).all()}
    keys = {spec.key: practices[spec.name] for spec in DEMO_PRACTICES}
    users = {user.email: user for user in db.exec(select(User)).all()}
    assert sorted(users) == sorted(account.email for account in DEMO_ACCOUNTS)
    # Hashed once and shared, so verifying it for two accounts verifies it for all.
    assert len({user.password_hash for user in users.values()}) == 1
    at = datetime(2026, 11, 26, 9, tzinfo=UTC)
    for account in (DEMO_ACCOUNTS[0], DEMO_ACCOUNTS[-1]):
        assert authenticate(db, email=account.email, password=DEMO_PASSWORD, at=at) is not None
    assert authenticate(db, email=DEMO_ACCOUNTS[0].email, password="wrong", at=at) is None
    db.rollback()  # the sign-ins' audit events are not part of the seed
    for account in DEMO_ACCOUNTS:
        user = users[account.email]
        actor = actor_for(db, user.id or 0)
        assert actor is not None and actor.roles == frozenset({account.role}), account.email
        assert actor.practice_id == (keys[account.practice_key] if account.practice_key else None)
        assert len(user.full_name.split()) >= 2
    assert len(db.exec(select(UserRole)).all()) == len(DEMO_ACCOUNTS)


def test_seeding_twice_is_refused(engine: Engine) -> None:
    assert database_is_empty(engine)
    seed_demo(engine, scale=SMALL, as_of=AS_OF)
    assert not database_is_empty(engine)
    with pytest.raises(SeedRefused, match="already has practices"):
        seed_demo(engine, scale=SMALL, as_of=AS_OF)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM claim")).scalar() == SMALL.claims


def _table_counts(engine: Engine, names: list[str]) -> dict[str, int]:
    with engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.quote
        return {
            name: int(connection.execute(text(f"SELECT COUNT(*) FROM {quote(name)}")).scalar() or 0)
            for name in names
        }


def test_bulk_seed_writes_what_it_reports(engine: Engine) -> None:
    summary = seed_bulk(engine, claims=3000, as_of=AS_OF, batch_size=700)
    assert summary.claims == summary.rows["claim"] == 3000
    assert summary.members == summary.rows["member"] == 300
    assert _table_counts(engine, list(summary.rows)) == summary.rows
    assert summary.rows["claimline"] > 3000 and summary.rows["claimstatusevent"] > 3 * 3000
    with Session(engine) as session:
        assert_money_balances(session)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").first() is None
    with pytest.raises(SeedRefused):  # the demo never lands on top of other data
        seed_demo(engine, scale=SMALL, as_of=AS_OF)


def test_bulk_seed_appends_to_the_demo(seeded: Engine) -> None:
    summary = seed_bulk(seeded, claims=2000, as_of=AS_OF)
    counts = _table_counts(seeded, ["practice", "provider", "procedurecode", "claim", "member"])
    # The demo's practices and reference data are reused, not duplicated.
    assert counts["practice"] == 2 and counts["provider"] == 20 and counts["procedurecode"] == 45
    assert counts["claim"] == SMALL.claims + 2000
    assert counts["member"] == SMALL.members + summary.members
    with Session(seeded) as session:
        assert_money_balances(session)
        # New rows made by the app still get fresh ids (PostgreSQL sequences were moved on).
        practice = Practice(name="Added later", tin="123456789", group_npi="2000000008")
        session.add(practice)
        session.commit()
        assert practice.id == 3


def test_a_parallel_bulk_seed_writes_the_same_rows(engine: Engine, tmp_path: Path) -> None:
    inline = make_engine(f"sqlite:///{tmp_path / 'inline.db'}")
    upgrade_to_head(inline)
    try:
        forked = seed_bulk(engine, claims=2500, as_of=AS_OF, batch_size=600, parallel=True)
        single = seed_bulk(inline, claims=2500, as_of=AS_OF, batch_size=600, parallel=False)
        assert forked.parallel and not single.parallel
        assert forked.rows == single.rows
        assert _digest(engine) == _digest(inline)
    finally:
        inline.dispose()


def test_the_fast_sqlite_timestamp_text_is_sqlalchemys() -> None:
    processor = ClaimStatusEvent.__table__.c.occurred_at.type._cached_bind_processor(  # type: ignore[attr-defined]
        sqlite_dialect.dialect()
    )
    fast = _sqlite_timestamp(processor)
    eastern = timezone(timedelta(hours=-5))
    moments = [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2024, 2, 29, 12, 0, 1, 5, tzinfo=UTC),
        datetime(2026, 6, 30, 22, 30, tzinfo=eastern),
        *(datetime(2025, 5, 1, tzinfo=UTC) + timedelta(seconds=s * 7919) for s in range(500)),
    ]
    for moment in moments:
        assert fast(moment) == processor(moment), moment
    with pytest.raises(ValueError, match="naive"):
        fast(datetime(2026, 1, 1))


def test_bulk_path_stores_exactly_what_the_orm_stores(engine: Engine) -> None:
    created = datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC)
    with Session(engine) as session:
        session.add(Practice(id=1, name="P", tin="111111111", group_npi="1", created_at=created))
        session.commit()
        session.add(
            Remittance(
                id=1,
                practice_id=1,
                payment_number="ORM",
                payment_date=date(2026, 3, 4),
                total_paid=Decimal("1234.56"),
                created_at=created,
            )
        )
        session.commit()
    batch = new_batch()
    batch["remittance"].append(
        {
            "id": 2,
            "practice_id": 1,
            "payment_number": "BULK",
            "payment_method": "ACH",
            "payment_date": date(2026, 3, 4),
            "total_paid": 123456,  # cents: Money's storage form
            "recovered_amount": 0,
            "recovered_reference": "",
            "created_at": created,
        }
    )
    with engine.begin() as connection:
        BulkWriter(connection).write(batch)
    with engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT payment_method, payment_date, total_paid, created_at"
            " FROM remittance ORDER BY id"
        ).all()
    assert stored[0] == stored[1]


def test_demo_docs_match_the_seed() -> None:
    assert DOCS_PATH.read_text(encoding="utf-8") == render_demo_docs(), (
        "docs/demo-data.md is stale: run `python -m storage.seed.demo --docs`"
    )
