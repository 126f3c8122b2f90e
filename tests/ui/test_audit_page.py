"""The audit log page: a practice admin reads their own practice's events only, a plan admin
every practice's with a practice filter; filters come from the URL; viewing and exporting are
audited; the CSV is safe to open in a spreadsheet; the page and its export are never cached."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent, record
from domain.practices import Practice
from domain.users import User as Account
from storage.db import unit_of_work
from tests.ui.journeys import response_texts, see, sign_in, table_rows

AT = datetime(2026, 11, 26, 14, 5, tzinfo=UTC)


def _practice_id(engine: Engine, prefix: str) -> int:
    with Session(engine) as session:
        practice = session.exec(select(Practice).where(col(Practice.name).startswith(prefix))).one()
        assert practice.id is not None
        return practice.id


def _user_id(engine: Engine, email: str) -> int:
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.email == email)).one()
        assert account.id is not None
        return account.id


def _events(engine: Engine) -> tuple[int, int]:
    """One claim read per practice, with record ids only that practice's event carries."""
    riverside, lakeside = _practice_id(engine, "Riverside"), _practice_id(engine, "Lakeside")
    with unit_of_work(engine) as session:
        record(
            session,
            action="read",
            at=AT,
            user_id=_user_id(engine, "billing@riverside.example"),
            practice_id=riverside,
            entity_type="claim",
            entity_id="777001",
            source_ip="10.0.0.7",
            detail='=HYPERLINK("http://evil.example")',
        )
        record(
            session,
            action="read",
            at=AT,
            user_id=_user_id(engine, "billing@lakeside.example"),
            practice_id=lakeside,
            entity_type="claim",
            entity_id="888001",
        )
    return riverside, lakeside


async def test_a_practice_admin_sees_only_their_practice(user: User, demo_db: Engine) -> None:
    _, lakeside = _events(demo_db)
    await sign_in(user, "admin@riverside.example")
    # Asking for the other practice in the URL changes nothing for a practice admin.
    await user.open(f"/audit?practice={lakeside}")
    await see(user, marker="audit-table")
    rows = table_rows(user, "audit-table")
    records = {row["record"] for row in rows}
    assert "claim 777001" in records
    assert "claim 888001" not in records
    ours = next(row for row in rows if row["record"] == "claim 777001")
    assert ours["email"] == "billing@riverside.example"
    assert ours["source_ip"] == "10.0.0.7"
    await see(user, marker="audit-chain")
    await user.should_not_see(marker="filter-practice")  # plan admins only


async def test_a_plan_admin_sees_every_practice_and_filters_by_url(
    user: User, demo_db: Engine
) -> None:
    _, lakeside = _events(demo_db)
    await sign_in(user, "planadmin@plan.example")
    await user.open("/audit?entity=claim")
    await see(user, marker="audit-table")
    records = {row["record"] for row in table_rows(user, "audit-table")}
    assert {"claim 777001", "claim 888001"} <= records

    await user.open(f"/audit?practice={lakeside}&record=888001")
    await see(user, marker="audit-table")
    rows = table_rows(user, "audit-table")
    assert [row["record"] for row in rows] == ["claim 888001"]
    assert rows[0]["practice"] == "Lakeside Cardiology"


async def test_viewing_and_exporting_are_audited_and_never_cached(
    user: User, demo_db: Engine
) -> None:
    riverside, _ = _events(demo_db)
    await sign_in(user, "admin@riverside.example")
    await user.open("/audit?record=777001")
    await see(user, marker="audit-table")

    page = await user.http_client.get("/audit?record=777001")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    export = await user.http_client.get("/audit/export.csv?record=777001")
    assert export.status_code == 200
    assert export.headers["cache-control"] == "no-store"
    assert export.headers["content-disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row["Record ID"] for row in rows] == ["777001"]
    # A spreadsheet would run this cell as a formula: it is quoted as text.
    assert rows[0]["Detail"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["Email"] == "billing@riverside.example"

    admin = _user_id(demo_db, "admin@riverside.example")
    with Session(demo_db) as session:
        looks = session.exec(
            select(AuditEvent.action, AuditEvent.practice_id, AuditEvent.detail)
            .where(AuditEvent.entity_type == "audit_log", AuditEvent.user_id == admin)
            .order_by(col(AuditEvent.id))
        ).all()
    assert ("read", riverside, "record=777001") in looks
    assert looks[-1] == ("export", riverside, "1 events; record=777001")


async def test_other_roles_are_refused_the_page_and_the_export(user: User, demo_db: Engine) -> None:
    await sign_in(user, "billing@riverside.example")
    page = await user.http_client.get("/audit")
    assert page.status_code == 403
    assert "Not authorized" in response_texts(page)
    export = await user.http_client.get("/audit/export.csv")
    assert export.status_code == 403


async def test_the_session_cookie_is_http_only_and_same_site(user: User) -> None:
    await sign_in(user, "billing@riverside.example")
    response = await user.http_client.get("/login")
    cookies = [
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith("portico_session=")
    ]
    if not cookies:  # the cookie is set when the session changes: sign in over HTTP
        response = await user.http_client.get("/logout")
        cookies = [
            header
            for header in response.headers.get_list("set-cookie")
            if header.startswith("portico_session=")
        ]
    assert cookies, "the session cookie is set"
    attributes = {part.strip().lower() for part in cookies[0].split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes  # development over HTTP; production sets https_only


async def test_a_plan_admin_verifies_the_chain_from_the_page(user: User, demo_db: Engine) -> None:
    _events(demo_db)
    await sign_in(user, "planadmin@plan.example")
    await user.open("/audit")
    await see(user, "Not verified yet (python main.py audit verify).")
    user.find(marker="chain-verify").click()
    await see(user, marker="chain-verdict")
    await user.should_see("intact", retries=50)
    with demo_db.begin() as connection:  # someone with the rights drops the trigger and edits
        connection.exec_driver_sql("DROP TRIGGER auditevent_no_update")
        connection.exec_driver_sql(
            "UPDATE auditevent SET entity_id = '1' WHERE entity_id = '777001'"
        )
        changed = connection.exec_driver_sql(
            "SELECT id, seq FROM auditevent WHERE entity_id = '1' AND entity_type = 'claim'"
        ).one()
    user.find(marker="chain-verify").click()
    await see(user, f"event id {changed.id} (seq {changed.seq}) was changed")


async def test_a_practice_admin_sees_the_verdict_without_a_verify_button(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, "admin@riverside.example")
    await user.open("/audit")
    await see(user, marker="chain-verdict")
    await user.should_not_see(marker="chain-verify")
