"""Each role's home shows real, scoped numbers, and clinical staff never see money."""

from __future__ import annotations

from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.claims import Claim, ClaimStatus
from domain.practices import Practice
from domain.users import User as PortalUser
from tests.ui.journeys import PATIENCE, see, sign_in, submit_sign_in, table_rows, visible_texts


def count_claims(engine: Engine, *, status: ClaimStatus, practice_name: str | None = None) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(Claim).where(Claim.status == status)
        if practice_name:
            statement = statement.join(Practice, col(Practice.id) == Claim.practice_id).where(
                Practice.name == practice_name
            )
        return session.exec(statement).one()


async def test_clinical_staff_see_their_panel_and_no_money(user: User) -> None:
    await sign_in(user, "clinical@riverside.example")
    await see(user, marker="kpi-attributed")
    await user.should_see(marker="provider-panels")
    texts = visible_texts(user)
    assert not [text for text in texts if "$" in text], "clinical home shows a dollar amount"
    await user.should_not_see(marker="kpi-plan-ar")


async def test_billing_home_counts_its_own_practice(user: User, demo_db: Engine) -> None:
    rejected = count_claims(
        demo_db, status=ClaimStatus.REJECTED, practice_name="Lakeside Cardiology"
    )
    await sign_in(user, "billing@lakeside.example")
    await see(user, marker="kpi-plan-ar")
    await user.should_see(marker="kpi-patient-ar")
    plan_owed = user.find(marker="kpi-plan-ar").elements.pop().text
    assert plan_owed.startswith("$") and plan_owed[-3] == "."
    if rejected:
        await user.should_see(marker="status-count-rejected", content=f"{rejected:,}")
    await user.should_see(marker="needs-action")
    await user.should_see(marker="recent-remittances")


async def test_practice_admin_lands_on_the_dashboard(user: User) -> None:
    await sign_in(user, "admin@riverside.example")
    await see(user, marker="report-title")
    await user.should_see(marker="report-kpis")


async def test_practice_admin_sees_the_team_under_practice_users(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, "admin@riverside.example")
    await user.open("/practice/users")
    await see(user, marker="team-table")
    emails = {row["email"] for row in table_rows(user, "team-table")}
    assert "billing@riverside.example" in emails
    assert not {email for email in emails if str(email).endswith("lakeside.example")}


async def test_front_desk_sees_today_and_the_eligibility_shortcut(user: User) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    await see(user, marker="kpi-attributed")
    await user.should_see(marker="today")
    await user.should_see(marker="eligibility-shortcut")


async def test_claims_examiner_sees_the_pended_queue_across_practices(
    user: User, demo_db: Engine
) -> None:
    pended = count_claims(demo_db, status=ClaimStatus.PENDED)
    await sign_in(user, "examiner@plan.example")
    await see(user, marker="kpi-pended", content=f"{pended:,}")
    if pended:
        rows = table_rows(user, "pended-table")
        assert 0 < len(rows) <= 5
        assert all(str(row["href"]).startswith("/claims/") for row in rows)


async def test_um_reviewer_gets_an_honest_empty_queue(user: User) -> None:
    await sign_in(user, "um@plan.example")
    await see(user, marker="um-empty")


async def test_credentialing_counts_the_network(user: User, demo_db: Engine) -> None:
    await sign_in(user, "credentialing@plan.example")
    await see(user, marker="kpi-providers")
    await user.should_see(marker="credentialing-empty")


async def test_plan_admin_sees_todays_sign_in_failures(user: User, demo_db: Engine) -> None:
    await user.open("/login")
    await submit_sign_in(user, "billing@riverside.example", "wrong-password")
    await see(user, marker="sign-in-error")
    with Session(demo_db) as session:
        users = session.exec(select(func.count()).select_from(PortalUser)).one()
    await sign_in(user, "planadmin@plan.example")
    await user.should_see(marker="kpi-sign-in-failures", retries=PATIENCE)
    failures = int(user.find(marker="kpi-sign-in-failures").elements.pop().text.replace(",", ""))
    assert failures >= 1
    await user.should_see(marker="kpi-users", content=f"{users:,}")
