"""Reading the audit trail: a practice admin only ever gets their own practice's events (in
SQL), a plan admin gets every practice's and can narrow to one, the filters narrow as they
say, and each look and each export is itself audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from domain.audit import AuditEvent, record
from domain.audit_log import (
    AuditFilters,
    _scoped_events,
    audit_choices,
    export_audit_events,
    search_audit_events,
)
from domain.practices import Practice
from domain.roles import Role
from domain.scope import Actor, NotAuthorized
from domain.users import User

DAY = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
LOOKED_AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@dataclass
class Trail:
    riverside: Practice
    lakeside: Practice
    river_admin: Actor
    lake_admin: Actor
    plan_admin: Actor
    river_biller: User
    lake_biller: User


@pytest.fixture
def trail(session: Session) -> Trail:
    riverside = Practice(name="Riverside", tin="100000001", group_npi="1234567893")
    lakeside = Practice(name="Lakeside", tin="100000002", group_npi="1245319599")
    session.add_all([riverside, lakeside])
    session.flush()
    assert riverside.id is not None and lakeside.id is not None

    def user(email: str, practice_id: int | None) -> User:
        account = User(email=email, full_name=email.split("@")[0].title(), practice_id=practice_id)
        session.add(account)
        session.flush()
        return account

    river_admin = user("admin@river.example", riverside.id)
    lake_admin = user("admin@lake.example", lakeside.id)
    plan_admin = user("planadmin@plan.example", None)
    river_biller = user("biller@river.example", riverside.id)
    lake_biller = user("biller@lake.example", lakeside.id)
    # Riverside: 3 reads by its biller on three days, one refused look; Lakeside: 2 reads.
    for offset in range(3):
        record(
            session,
            action="read",
            at=DAY + timedelta(days=offset),
            user_id=river_biller.id,
            practice_id=riverside.id,
            entity_type="claim",
            entity_id=100 + offset,
            source_ip="10.1.1.1",
        )
    record(
        session,
        action="denied",
        at=DAY,
        user_id=river_biller.id,
        practice_id=riverside.id,
        entity_type="page",
        entity_id="/audit",
        outcome="refused",
    )
    for offset in range(2):
        record(
            session,
            action="read",
            at=DAY + timedelta(days=offset),
            user_id=lake_biller.id,
            practice_id=lakeside.id,
            entity_type="claim",
            entity_id=200 + offset,
        )
    record(session, action="sign_in_failed", at=DAY, outcome="refused", detail="unknown email")
    session.commit()
    admin_roles = frozenset({Role.PRACTICE_ADMIN})
    return Trail(
        riverside=riverside,
        lakeside=lakeside,
        river_admin=Actor(river_admin.id or 0, riverside.id, admin_roles),
        lake_admin=Actor(lake_admin.id or 0, lakeside.id, admin_roles),
        plan_admin=Actor(plan_admin.id or 0, None, frozenset({Role.PLAN_ADMIN})),
        river_biller=river_biller,
        lake_biller=lake_biller,
    )


def _search(session: Session, actor: Actor, **filters: object) -> list[AuditEvent | object]:
    page = search_audit_events(
        session=session, actor=actor, filters=AuditFilters(**filters), at=LOOKED_AT
    )
    return page.rows  # type: ignore[return-value]


def test_a_practice_admin_sees_only_their_practice_in_sql(session: Session, trail: Trail) -> None:
    sql = str(
        _scoped_events(trail.lake_admin, AuditFilters()).compile(
            compile_kwargs={"literal_binds": True}
        )
    )
    assert f"auditevent.practice_id = {trail.lakeside.id}" in sql
    rows = _search(session, trail.lake_admin)
    assert {row.practice_id for row in rows} == {trail.lakeside.id}  # type: ignore[attr-defined]
    assert len(rows) == 2
    # Asking for the other practice by URL, by record id or by user changes nothing.
    assert {
        row.practice_id  # type: ignore[attr-defined]
        for row in _search(session, trail.lake_admin, practice_id=trail.riverside.id)
    } == {trail.lakeside.id}
    assert _search(session, trail.lake_admin, entity_id="100") == []
    assert _search(session, trail.lake_admin, user_id=trail.river_biller.id) == []
    export = export_audit_events(
        session=session, actor=trail.lake_admin, filters=AuditFilters(), at=LOOKED_AT
    )
    assert {row.practice_id for row in export} == {trail.lakeside.id}
    choices = audit_choices(session=session, actor=trail.lake_admin)
    assert {choice.label for choice in choices.users} == {
        "Admin (admin@lake.example)",
        "Biller (biller@lake.example)",
    }
    assert choices.practices == []
    assert "denied" not in choices.actions  # Riverside's refusal is not Lakeside's business


def test_a_plan_admin_sees_every_practice_and_can_narrow_to_one(
    session: Session, trail: Trail
) -> None:
    everything = _search(session, trail.plan_admin)
    assert len(everything) == 7  # both practices and the practice-less failed sign-in
    narrowed = _search(session, trail.plan_admin, practice_id=trail.riverside.id)
    assert {row.practice_id for row in narrowed} == {trail.riverside.id}  # type: ignore[attr-defined]
    assert len(narrowed) == 4
    choices = audit_choices(session=session, actor=trail.plan_admin)
    assert [choice.label for choice in choices.practices] == ["Lakeside", "Riverside"]


def test_other_roles_cannot_read_the_trail(session: Session, trail: Trail) -> None:
    biller = Actor(trail.river_biller.id or 0, trail.riverside.id, frozenset({Role.BILLING}))
    with pytest.raises(NotAuthorized):
        _search(session, biller)
    with pytest.raises(NotAuthorized):
        export_audit_events(session=session, actor=biller, filters=AuditFilters(), at=LOOKED_AT)


def test_filters_narrow_as_they_say(session: Session, trail: Trail) -> None:
    admin = trail.river_admin
    # Dates are whole UTC days, both ends included.
    assert len(_search(session, admin, date_from=date(2026, 11, 21))) == 2
    assert len(_search(session, admin, date_to=date(2026, 11, 20))) == 2
    one_day = _search(session, admin, date_from=date(2026, 11, 21), date_to=date(2026, 11, 21))
    assert [row.entity_id for row in one_day] == ["101"]  # type: ignore[attr-defined]
    # (Each search is itself a "read" of the audit log, by the admin.)
    assert len(_search(session, admin, action="read", user_id=trail.river_biller.id)) == 3
    refused = _search(session, admin, outcome="refused")
    assert [row.action for row in refused] == ["denied"]  # type: ignore[attr-defined]
    assert len(_search(session, admin, entity_type="claim")) == 3
    assert len(_search(session, admin, entity_type="claim", entity_id="102")) == 1
    assert len(_search(session, admin, user_id=trail.river_biller.id)) == 4


def test_rows_are_newest_first_with_who_and_practice(session: Session, trail: Trail) -> None:
    rows = _search(session, trail.plan_admin, practice_id=trail.riverside.id)
    ids = [row.id for row in rows]  # type: ignore[attr-defined]
    assert ids == sorted(ids, reverse=True)
    first = rows[0]
    assert first.user_name == "Biller"  # type: ignore[attr-defined]
    assert first.user_email == "biller@river.example"  # type: ignore[attr-defined]
    assert first.practice_name == "Riverside"  # type: ignore[attr-defined]


def test_pages_of_the_trail(session: Session, trail: Trail) -> None:
    for offset in range(120):
        record(
            session,
            action="read",
            at=DAY,
            practice_id=trail.riverside.id,
            entity_type="member",
            entity_id=offset,
        )
    session.commit()
    filters = AuditFilters(entity_type="member", page=2)
    page = search_audit_events(
        session=session, actor=trail.river_admin, filters=filters, at=LOOKED_AT
    )
    assert (page.page, page.total, page.page_count, len(page.rows)) == (2, 120, 3, 50)
    assert page.has_next
    beyond = search_audit_events(
        session=session,
        actor=trail.river_admin,
        filters=AuditFilters(entity_type="member", page=99),
        at=LOOKED_AT,
    )
    assert beyond.page == 3 and len(beyond.rows) == 20 and not beyond.has_next


def test_each_look_and_each_export_is_audited(session: Session, trail: Trail) -> None:
    search_audit_events(
        session=session,
        actor=trail.river_admin,
        filters=AuditFilters(action="read", page=1),
        at=LOOKED_AT,
    )
    export_audit_events(
        session=session, actor=trail.river_admin, filters=AuditFilters(action="read"), at=LOOKED_AT
    )
    session.commit()
    looks = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.entity_type) == "audit_log")
        .order_by(col(AuditEvent.id))
    ).all()
    assert [(e.action, e.user_id, e.practice_id) for e in looks] == [
        ("read", trail.river_admin.user_id, trail.riverside.id),
        ("export", trail.river_admin.user_id, trail.riverside.id),
    ]
    assert looks[0].detail == "action=read"
    # Riverside's three claim reads and the look just before the export.
    assert looks[1].detail == "4 events; action=read"


def test_filters_round_trip_through_the_url_and_drop_junk() -> None:
    filters = AuditFilters(
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        user_id=12,
        action="claim.eob_pdf",
        outcome="refused",
        entity_type="claim",
        entity_id="4711",
        practice_id=3,
        page=2,
        page_size=100,
    )
    url = filters.url()
    assert url.startswith("/audit?from=2026-11-01&to=2026-11-30&user=12&action=claim.eob_pdf")
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    assert AuditFilters.from_query(query) == filters
    junk = AuditFilters.from_query(
        {
            "from": "yesterday",
            "user": "1 OR 1=1",
            "action": "<script>",
            "outcome": "maybe",
            "record": "x" * 41,
            "page": "-4",
            "size": "7",
        }
    )
    assert junk == AuditFilters()
    assert AuditFilters().url() == "/audit"
