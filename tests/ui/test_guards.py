"""Role guards on the server, and navigation that offers only what the roles may open."""

from __future__ import annotations

import pytest
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.audit import AuditEvent
from domain.roles import ACCESS, Area, Role
from tests.ui.journeys import DEMO_ACCOUNTS, response_texts, sign_in, visible_texts
from ui.nav import NAV


async def test_front_desk_opening_claims_is_refused_and_audited(
    user: User, demo_db: Engine
) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    response = await user.http_client.get("/claims")
    assert response.status_code == 403
    assert "Not authorized" in response_texts(response)
    assert "CLM-" not in response.text
    with Session(demo_db) as session:
        refusals = session.exec(
            select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.outcome == "refused")
        ).all()
    assert [(event.entity_type, event.entity_id) for event in refusals] == [("page", "/claims")]
    assert refusals[0].user_id is not None


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("clinical@riverside.example", "/claims"),
        ("billing@riverside.example", "/practice/users"),
        ("um@plan.example", "/claims"),
        ("examiner@plan.example", "/admin"),
        ("admin@riverside.example", "/claims-queue"),
    ],
)
async def test_areas_outside_the_role_are_refused(user: User, email: str, path: str) -> None:
    await sign_in(user, email)
    response = await user.http_client.get(path)
    assert response.status_code == 403
    assert "Not authorized" in response_texts(response)


async def test_signed_out_pages_send_the_browser_to_sign_in(user: User) -> None:
    response = await user.http_client.get("/claims/1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/claims/1"


@pytest.mark.parametrize("email", list(DEMO_ACCOUNTS))
async def test_navigation_lists_exactly_the_areas_the_role_opens(user: User, email: str) -> None:
    await sign_in(user, email)
    role = Role(DEMO_ACCOUNTS[email])
    for entry in NAV:
        if role in ACCESS[entry.area]:
            await user.should_see(marker=f"nav-{entry.area.value}")
        else:
            await user.should_not_see(marker=f"nav-{entry.area.value}")


async def test_claims_are_not_in_the_front_desks_navigation(user: User) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    await user.should_not_see(marker=f"nav-{Area.CLAIMS.value}")
    await user.should_see(marker=f"nav-{Area.ELIGIBILITY.value}")


async def test_a_coming_soon_area_is_open_to_its_roles(user: User) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    user.find(marker=f"nav-{Area.REFERRALS.value}").click()
    await user.should_see(marker="coming-soon", retries=30)
    assert "Not authorized" not in visible_texts(user)
