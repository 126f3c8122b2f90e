"""Claim search on SQLite and PostgreSQL: every filter and sort against the same question asked
in Python over all the practice's claims, the practice scope, capped counts, standing counts,
and the URL form of the filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import case, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claim_filters import ClaimFilters, Direction, SortKey
from domain.claim_queries import (
    claim_counts_by_standing,
    list_claims,
    read_claim_eob,
    search_claims,
)
from domain.claims import Claim, ClaimStatus
from domain.members import Member
from domain.practices import Practice, Provider
from domain.roles import Role
from domain.scope import Actor
from domain.users import User

RIVERSIDE = "Riverside Family Medicine"
LAKESIDE = "Lakeside Cardiology"
AT = datetime(2026, 11, 26, 12, tzinfo=UTC)


def practice_actor(session: Session, name: str) -> Actor:
    practice = session.exec(select(Practice).where(Practice.name == name)).one()
    user = session.exec(select(User).where(User.practice_id == practice.id)).first()
    assert user is not None and user.id is not None
    return Actor(user_id=user.id, practice_id=practice.id, roles=frozenset({Role.BILLING}))


def examiner(session: Session) -> Actor:
    user = session.exec(select(User).where(User.email == "examiner@plan.example")).one()
    assert user.id is not None
    return Actor(user_id=user.id, practice_id=None, roles=frozenset({Role.CLAIMS_EXAMINER}))


def standing_of(claim: Claim) -> ClaimStatus:
    if claim.status == ClaimStatus.REMITTED and claim.finalized_as is not None:
        return claim.finalized_as
    return claim.status


def every_id(session: Session, actor: Actor, filters: ClaimFilters) -> list[int]:
    """All pages of a search, in order."""
    ids: list[int] = []
    page = 1
    while True:
        result = search_claims(
            session=session,
            actor=actor,
            filters=replace(filters, page=page, page_size=100),
        )
        ids += [row.claim_id for row in result.rows]
        if not result.has_next:
            assert result.total == len(ids) and not result.total_capped
            return ids
        page += 1


def claims_of(session: Session, practice_id: int | None) -> list[Claim]:
    statement = select(Claim)
    if practice_id is not None:
        statement = statement.where(Claim.practice_id == practice_id)
    return list(session.exec(statement).all())


@pytest.fixture
def db(seeded_engine: Engine) -> Iterator[Session]:
    # Closed before the engine fixture drops the PostgreSQL schema, which an open
    # transaction would block.
    with Session(seeded_engine) as session:
        yield session


def _expected_cases(session: Session, claims: list[Claim]) -> list[tuple[str, ClaimFilters, Any]]:
    members = {member.id: member for member in session.exec(select(Member)).all()}
    providers = {provider.id: provider for provider in session.exec(select(Provider)).all()}
    submitted = sorted(claim.submitted_at for claim in claims if claim.submitted_at)
    services = sorted(claim.service_date_from for claim in claims)
    middle_service = services[len(services) // 2]
    middle_day = submitted[len(submitted) // 2].date()
    some = claims[len(claims) // 3]
    member = members[some.member_fk]
    provider = providers[some.rendering_provider_id]
    denied = next(claim for claim in claims if claim.denial_carc)
    prefix = some.claim_number[:-1]
    name_prefix = member.last_name[:3].lower()
    first_prefix = member.first_name[:2].upper()
    return [
        ("status denied", ClaimFilters(status=ClaimStatus.DENIED),
         lambda c: standing_of(c) == ClaimStatus.DENIED),
        ("status paid", ClaimFilters(status=ClaimStatus.PAID),
         lambda c: standing_of(c) == ClaimStatus.PAID),
        ("status received", ClaimFilters(status=ClaimStatus.RECEIVED),
         lambda c: c.status == ClaimStatus.RECEIVED),
        ("service from", ClaimFilters(service_from=middle_service),
         lambda c: c.service_date_from >= middle_service),
        ("service to", ClaimFilters(service_to=middle_service),
         lambda c: c.service_date_from <= middle_service),
        ("service one day", ClaimFilters(service_from=middle_service, service_to=middle_service),
         lambda c: c.service_date_from == middle_service),
        ("submitted from", ClaimFilters(submitted_from=middle_day),
         lambda c: c.submitted_at is not None and c.submitted_at.date() >= middle_day),
        ("submitted to", ClaimFilters(submitted_to=middle_day),
         lambda c: c.submitted_at is not None and c.submitted_at.date() <= middle_day),
        ("provider id", ClaimFilters(provider_ids=(provider.id,)),
         lambda c: c.rendering_provider_id == provider.id),
        ("provider npi", ClaimFilters(provider_npi=provider.npi),
         lambda c: c.rendering_provider_id == provider.id),
        ("member id", ClaimFilters(member_id=member.member_id),
         lambda c: c.member_fk == member.id),
        ("name prefix, any case", ClaimFilters(member_name=name_prefix),
         lambda c: members[c.member_fk].last_name.lower().startswith(name_prefix)),
        ("last name, first prefix",
         ClaimFilters(member_name=f"{member.last_name.upper()}, {first_prefix}"),
         lambda c: members[c.member_fk].last_name == member.last_name
         and members[c.member_fk].first_name.upper().startswith(first_prefix)),
        ("claim number exact", ClaimFilters(claim_number=some.claim_number),
         lambda c: c.claim_number == some.claim_number),
        ("claim number prefix", ClaimFilters(claim_number=prefix),
         lambda c: c.claim_number.startswith(prefix)),
        ("carc", ClaimFilters(carc=denied.denial_carc),
         lambda c: c.denial_carc == denied.denial_carc),
        ("carc and status and dates",
         ClaimFilters(carc=denied.denial_carc, status=ClaimStatus.DENIED,
                      service_from=services[0], service_to=services[-1]),
         lambda c: c.denial_carc == denied.denial_carc
         and standing_of(c) == ClaimStatus.DENIED),
    ]  # fmt: skip


def test_every_filter_lists_exactly_the_matching_claims_of_the_practice(db: Session) -> None:
    actor = practice_actor(db, RIVERSIDE)
    claims = claims_of(db, actor.practice_id)
    checked = 0
    for name, filters, matches in _expected_cases(db, claims):
        expected = {claim.id for claim in claims if matches(claim)}
        found = every_id(db, actor, filters)
        assert len(found) == len(set(found)), f"{name}: a claim listed twice"
        assert set(found) == expected, name
        checked += bool(expected)
    assert checked >= 14, "the demo data should give most filters something to find"


def _sort_value(key: SortKey) -> Callable[[Claim], Any]:
    return {
        SortKey.SERVICE_DATE: lambda c: (c.service_date_from, c.id),
        SortKey.BILLED: lambda c: (c.total_charge, c.id),
        SortKey.CLAIM_NUMBER: lambda c: c.claim_number,
        SortKey.SUBMITTED: lambda c: (c.submitted_at, c.id),
    }[key]


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("direction", list(Direction))
def test_every_sort_orders_the_pages(db: Session, key: SortKey, direction: Direction) -> None:
    actor = practice_actor(db, RIVERSIDE)
    claims = claims_of(db, actor.practice_id)
    if key == SortKey.SUBMITTED:
        # Where a claim never submitted goes is the database's NULL order; the rest is ours.
        claims = [claim for claim in claims if claim.submitted_at is not None]
        filters = ClaimFilters(sort=key, direction=direction, submitted_from=date(1900, 1, 1))
    else:
        filters = ClaimFilters(sort=key, direction=direction)
    expected = sorted(claims, key=_sort_value(key), reverse=direction == Direction.DESCENDING)
    assert every_id(db, actor, filters) == [claim.id for claim in expected]


def test_a_practice_never_finds_another_practices_claims(db: Session) -> None:
    riverside = practice_actor(db, RIVERSIDE)
    lakeside = practice_actor(db, LAKESIDE)
    theirs = claims_of(db, lakeside.practice_id)[0]
    member = db.get(Member, theirs.member_fk)
    assert member is not None
    for filters in (
        ClaimFilters(claim_number=theirs.claim_number),
        ClaimFilters(provider_ids=(theirs.rendering_provider_id,)),
        ClaimFilters(practice_id=theirs.practice_id),
        ClaimFilters(member_id=member.member_id),
    ):
        found = every_id(db, riverside, filters)
        # A member is the plan's: Riverside may have claims for the same patient, never theirs.
        assert theirs.id not in found
        assert {db.get(Claim, claim_id).practice_id for claim_id in found} <= {  # type: ignore[union-attr]
            riverside.practice_id
        }
        assert theirs.id in every_id(db, lakeside, filters)
    assert every_id(db, riverside, ClaimFilters(claim_number=theirs.claim_number)) == []
    everything = set(every_id(db, riverside, ClaimFilters()))
    assert everything == {claim.id for claim in claims_of(db, riverside.practice_id)}
    # Plan staff see every practice's claims.
    assert len(every_id(db, examiner(db), ClaimFilters())) == len(claims_of(db, None))


def test_the_count_stops_at_its_cap_and_says_so(db: Session) -> None:
    actor = practice_actor(db, RIVERSIDE)
    result = search_claims(session=db, actor=actor, filters=ClaimFilters(), count_cap=5)
    assert result.total_capped and result.total == 5 and result.page_count is None
    assert result.has_next and len(result.rows) == 25
    exact = search_claims(session=db, actor=actor, filters=ClaimFilters(page_size=100))
    assert not exact.total_capped
    assert exact.total == len(claims_of(db, actor.practice_id))


def test_a_page_past_the_end_shows_the_last_page(db: Session) -> None:
    actor = practice_actor(db, RIVERSIDE)
    result = search_claims(session=db, actor=actor, filters=ClaimFilters(page=9999))
    assert result.page == result.page_count and result.rows and not result.has_next


@pytest.mark.parametrize("who", ["riverside", "examiner"])
def test_standing_counts_agree_with_a_plain_group_by(db: Session, who: str) -> None:
    actor = practice_actor(db, RIVERSIDE) if who == "riverside" else examiner(db)
    standing = case(
        (col(Claim.status) == ClaimStatus.REMITTED, col(Claim.finalized_as)),
        else_=col(Claim.status),
    )
    statement = select(standing, func.count()).group_by(standing)
    if actor.practice_id is not None:
        statement = statement.where(Claim.practice_id == actor.practice_id)
    plain = {ClaimStatus(value): number for value, number in db.exec(statement).all()}
    assert claim_counts_by_standing(session=db, actor=actor) == plain


def test_the_listing_takes_its_total_from_the_counts_when_only_a_status_narrows(
    db: Session,
) -> None:
    actor = practice_actor(db, RIVERSIDE)
    listing = list_claims(
        session=db, actor=actor, filters=ClaimFilters(status=ClaimStatus.PAID), at=AT
    )
    assert listing.page.total == listing.counts[ClaimStatus.PAID]
    assert {row.standing for row in listing.page.rows} == {ClaimStatus.PAID}


def test_the_eob_is_read_within_scope_and_audited(db: Session) -> None:
    riverside = practice_actor(db, RIVERSIDE)
    lakeside = practice_actor(db, LAKESIDE)
    claim = claims_of(db, riverside.practice_id)[0]
    assert claim.id is not None
    eob = read_claim_eob(session=db, actor=riverside, claim_id=claim.id, at=AT)
    assert eob is not None and eob.claim.claim_number == claim.claim_number
    assert read_claim_eob(session=db, actor=lakeside, claim_id=claim.id, at=AT) is None
    db.flush()
    events = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "claim.eob_pdf", AuditEvent.entity_id == str(claim.id)
        )
    ).all()
    assert sorted(event.outcome for event in events) == ["not_found", "ok"]
    assert all(claim.claim_number not in event.detail for event in events)


GARBAGE = {
    "status": "bogus",
    "service_from": "yesterday",
    "service_to": "2026-02-30",
    "submitted_from": "0001-01-01",
    "submitted_to": "2026-13-01",
    "provider": "-3",
    "npi": "1234567890",  # fails the check digit
    "member_id": "x",
    "patient": "<script>",
    "claim": "26' OR 1=1",
    "carc": "NOPE",
    "sort": "drop table",
    "dir": "sideways",
    "page": "-1",
    "size": "1000000",
}


def test_malformed_query_values_are_dropped() -> None:
    assert ClaimFilters.from_query(GARBAGE) == ClaimFilters()
    assert ClaimFilters.from_query({"page": "99999999999"}).page == 1


def test_filters_round_trip_through_the_query() -> None:
    filters = ClaimFilters(
        status=ClaimStatus.DENIED,
        service_from=date(2026, 3, 1),
        service_to=date(2026, 3, 31),
        submitted_from=date(2026, 3, 2),
        submitted_to=date(2026, 4, 1),
        provider_ids=(12,),
        member_name="Thompson, Av",
        claim_number="2612",
        carc="197",
        sort=SortKey.BILLED,
        direction=Direction.ASCENDING,
        page=3,
        page_size=50,
    )
    assert ClaimFilters.from_query(filters.to_query()) == filters
    other = ClaimFilters(provider_npi="1003000126", member_id="PT100000101")
    assert ClaimFilters.from_query(other.to_query()) == other
    assert ClaimFilters().url() == "/claims"
    assert ClaimFilters(status=ClaimStatus.PENDED).url() == "/claims?status=pended"
    # The natural direction of a sort is not written out.
    assert ClaimFilters(sort=SortKey.CLAIM_NUMBER, direction=Direction.ASCENDING).url() == (
        "/claims?sort=claim"
    )


def test_the_patient_box_tells_a_member_id_from_a_name() -> None:
    assert ClaimFilters().with_patient("pt100000101").member_id == "PT100000101"
    by_name = ClaimFilters(member_id="PT1").with_patient("  Thomp ")
    assert by_name.member_name == "Thomp" and by_name.member_id is None


def test_a_header_click_sorts_then_flips() -> None:
    first = ClaimFilters(page=4).sorted_by(SortKey.BILLED)
    assert (first.sort, first.direction, first.page) == (SortKey.BILLED, Direction.DESCENDING, 1)
    assert first.sorted_by(SortKey.BILLED).direction == Direction.ASCENDING


def test_submitted_days_are_utc_days(db: Session) -> None:
    actor = practice_actor(db, RIVERSIDE)
    claim = next(c for c in claims_of(db, actor.practice_id) if c.submitted_at)
    assert claim.submitted_at is not None
    the_day = claim.submitted_at.astimezone(UTC).date()
    found = every_id(db, actor, ClaimFilters(submitted_from=the_day, submitted_to=the_day))
    assert claim.id in found
    after = every_id(db, actor, ClaimFilters(submitted_from=the_day + timedelta(days=1)))
    assert claim.id not in after
