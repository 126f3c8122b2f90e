"""The role matrix, attacked: every role x every page and file route of the composed app, and
every role x every action, allowed or refused exactly as domain.roles.ACCESS says.

A refused page answers 403 with the "Not authorized" panel (a file route: 403 "Not authorized")
and leaves an audit event (action "denied", the path as entity). An allowed one answers anything
but 403 (a record id that does not exist gives its not-found page). Actions are the use cases
behind the pages' buttons, called as each role: refused ones raise NotAuthorized and write
nothing. Pages are read from `nicegui.app.routes`, so a page without an area below fails
`test_every_page_has_an_area`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.appeals import decide_appeal, file_appeal
from domain.audit import AuditEvent
from domain.audit_log import AuditFilters, export_audit_events, search_audit_events
from domain.claim_corrections import Purpose, start_correction
from domain.claim_drafts import save_draft
from domain.claim_filters import ClaimFilters
from domain.claim_submission import submit_claim
from domain.claims import Claim, ClaimStatus
from domain.eligibility_service import check_and_keep
from domain.examiner import approve_claim
from domain.remittance_advice import list_remittances
from domain.revenue_cycle import dashboard
from domain.roles import ACCESS, Area, Role
from domain.saved_views import save_view
from domain.scope import Actor, NotAuthorized
from domain.user_admin import deactivate, invite
from storage.attachments import attachment_store
from storage.db import unit_of_work
from tests.factories import make_claim_entry, make_inquiry
from tests.security.routes import portal_routes
from tests.security.victims import MISSING_ID, PDF, actor_of
from tests.ui.journeys import response_texts, sign_in
from ui.nav import NAV

ACCOUNTS = {
    Role.PRACTICE_ADMIN: "admin@riverside.example",
    Role.BILLING: "billing@riverside.example",
    Role.FRONT_DESK: "frontdesk@riverside.example",
    Role.CLINICAL: "clinical@riverside.example",
    Role.CLAIMS_EXAMINER: "examiner@plan.example",
    Role.UM_REVIEWER: "um@plan.example",
    Role.CREDENTIALING: "credentialing@plan.example",
    Role.PLAN_ADMIN: "planadmin@plan.example",
}
# Every route that is not in the navigation table, with the area that guards it.
ROUTE_AREAS: dict[str, Area] = {
    "/claims/upload": Area.CLAIM_ENTRY,
    "/claims/new": Area.CLAIM_ENTRY,
    "/claims/{claim_id}": Area.CLAIMS,
    "/claims/{claim_id}/appeal": Area.CLAIM_ENTRY,
    "/claims/{claim_id}/eob.pdf": Area.CLAIMS,
    "/claims-queue/{claim_id}": Area.CLAIMS_QUEUE,
    "/appeals/attachments/{attachment_id}": Area.CLAIMS,
    "/eligibility/batch": Area.ELIGIBILITY,
    "/eligibility/history": Area.ELIGIBILITY,
    "/eligibility/checks/{check_id}": Area.ELIGIBILITY,
    "/eligibility/checks/{check_id}.pdf": Area.ELIGIBILITY,
    "/remittances/{remittance_id}": Area.REMITTANCES,
    "/remittances/{remittance_id}/835": Area.REMITTANCES,
    "/reports/denials": Area.DASHBOARDS,
    "/reports/aging": Area.DASHBOARDS,
    "/reports/summary.pdf": Area.DASHBOARDS,
    "/account/security": Area.HOME,  # every signed-in user's own MFA and sessions
    "/admin": Area.PLAN_ADMIN,  # the plan users page's old address
    "/audit/export.csv": Area.AUDIT_LOG,
}
# Routes open before or outside a session: sign-in and its steps.
PUBLIC = {
    "/login",
    "/logout",
    "/session/start",
    "/mfa",
    "/login/sso/{name}",
    "/auth/sso/{name}/callback",
    "/invite",  # one-time links: the token is the credential
    "/reset",
}
FILE_ROUTES = re.compile(r"\.pdf$|\.csv$|/835$|^/appeals/attachments/")


def page_areas() -> dict[str, Area]:
    areas = {entry.path: entry.area for entry in NAV}
    areas.update(ROUTE_AREAS)
    return areas


def test_every_page_has_an_area(user: User) -> None:
    areas = page_areas()
    unguarded = [
        route.path
        for route in portal_routes()
        if route.path not in areas and route.path not in PUBLIC
    ]
    assert not unguarded, f"routes with no area in the role matrix: {unguarded}"


def test_the_issues_rules_hold_in_the_table() -> None:
    """Billing never sees clinical notes; clinical staff never see financial dashboards."""
    assert Role.BILLING not in ACCESS[Area.CLINICAL_NOTES]
    assert Role.BILLING not in ACCESS[Area.PRIOR_AUTH]  # where clinical notes are attached
    for financial in (Area.DASHBOARDS, Area.REMITTANCES, Area.CLAIMS, Area.CLAIM_ENTRY):
        assert Role.CLINICAL not in ACCESS[financial], financial


def _url(path: str) -> str:
    return re.sub(r"{\w+}", str(MISSING_ID), path)


@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda role: role.value)
async def test_each_page_is_open_or_refused_as_access_says(
    user: User, demo_db: Engine, role: Role
) -> None:
    await sign_in(user, ACCOUNTS[role])
    started = datetime.now(UTC)
    checked: list[str] = []
    wrong: list[str] = []
    for path, area in sorted(page_areas().items()):
        url = _url(path)
        response = await user.http_client.get(url)
        allowed = role in ACCESS[area]
        checked.append(f"{'open   ' if allowed else 'refused'} {path}")
        if allowed:
            if response.status_code == 403:
                wrong.append(f"{path}: refused, but {role} opens {area}")
            continue
        if response.status_code != 403:
            wrong.append(f"{path}: {response.status_code}, but {role} may not open {area}")
        elif FILE_ROUTES.search(path):
            if response.text != "Not authorized":
                wrong.append(f"{path}: 403 without the plain refusal")
        elif "Not authorized" not in response_texts(response):
            wrong.append(f"{path}: 403 without the Not authorized panel")
    with Session(demo_db) as session:
        denied = {
            event.entity_id
            for event in session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "denied", col(AuditEvent.occurred_at) >= started
                )
            ).all()
        }
    for path, area in page_areas().items():
        if role not in ACCESS[area] and _url(path)[:40] not in denied:
            wrong.append(f"{path}: refused without a 'denied' audit event")
    print(f"\nRole matrix, {role.value}: {len(checked)} pages\n  " + "\n  ".join(checked))
    assert not wrong, "\n".join(wrong)


async def test_clinical_staff_see_no_financial_figures_on_their_home(user: User) -> None:
    await sign_in(user, ACCOUNTS[Role.CLINICAL])
    home = await user.http_client.get("/")
    assert home.status_code == 200
    assert not [text for text in response_texts(home) if "$" in text]
    for path in ("/reports", "/reports/denials", "/reports/aging", "/remittances", "/claims"):
        assert (await user.http_client.get(path)).status_code == 403, path
    assert (await user.http_client.get("/reports/summary.pdf")).status_code == 403


# --- Actions: the use cases behind the buttons ---------------------------------------------


def _own_claim(engine: Engine, status: ClaimStatus, **where: Any) -> int:
    with Session(engine) as session:
        statement = select(Claim.id).where(Claim.practice_id == 1, Claim.status == status)
        for column, value in where.items():
            statement = statement.where(getattr(Claim, column) == value)
        found = session.exec(statement.order_by(col(Claim.id))).first()
    assert found is not None
    return found


def actions(
    engine: Engine,
) -> dict[str, tuple[Area | Callable[[Role], Area], Callable[[Actor], Any]]]:
    """What each button does, as the use case it calls, and the area that must allow it."""
    at = datetime.now(UTC)
    remitted_denied = _own_claim(engine, ClaimStatus.REMITTED, finalized_as=ClaimStatus.DENIED)
    rejected = _own_claim(engine, ClaimStatus.REJECTED)
    pended = _own_claim(engine, ClaimStatus.PENDED)

    def run(use_case: Callable[..., Any], **arguments: Any) -> Callable[[Actor], Any]:
        def call(actor: Actor) -> Any:
            with unit_of_work(engine) as session:
                return use_case(session=session, actor=actor, **arguments)

        return call

    return {
        "submit claim": (Area.CLAIM_ENTRY, run(submit_claim, entry=make_claim_entry(), at=at)),
        "save draft": (Area.CLAIM_ENTRY, run(save_draft, entry=make_claim_entry(), at=at)),
        "correct claim": (
            Area.CLAIM_ENTRY,
            run(start_correction, claim_id=rejected, purpose=Purpose.CORRECT, at=at),
        ),
        "appeal claim": (
            Area.CLAIM_ENTRY,
            run(
                file_appeal,
                claim_id=remitted_denied,
                reason="The notes show the service was medically necessary for the patient.",
                attachments=[("notes.pdf", PDF)],
                store=attachment_store(),
                at=at,
            ),
        ),
        "save view of a report": (
            Area.DASHBOARDS,
            run(save_view, name="Mine", path="/reports", query=""),
        ),
        "save view of the claim list": (
            Area.CLAIMS,
            run(save_view, name="Claims of mine", path="/claims", query=""),
        ),
        "run eligibility check": (
            Area.ELIGIBILITY,
            run(check_and_keep, inquiry=make_inquiry(), at=at),
        ),
        # Plan staff read remittances with the claims they pay (domain/remittance_advice.py).
        "list remittances": (
            lambda role: Area.CLAIMS if role.is_plan_side else Area.REMITTANCES,
            run(list_remittances, at=at),
        ),
        "read dashboard": (
            Area.DASHBOARDS,
            run(dashboard, filters=ClaimFilters(), today=at.date()),
        ),
        # User administration: a practice admin for their practice, the plan admin for plan
        # staff (domain/user_admin.staff_scope); everyone else is refused.
        "invite user": (
            _staff_admin_area,
            run(
                invite,
                email="new.person@example.org",
                full_name="New Person",
                roles={Role.FRONT_DESK},
                at=at,
                link_hours=72,
            ),
        ),
        "deactivate user": (
            _staff_admin_area,
            run(deactivate, user_id=MISSING_ID, at=at),
        ),
        "search audit log": (
            Area.AUDIT_LOG,
            run(search_audit_events, filters=AuditFilters(), at=at),
        ),
        "export audit log": (
            Area.AUDIT_LOG,
            run(export_audit_events, filters=AuditFilters(), at=at),
        ),
        "approve pended claim": (
            Area.CLAIMS_QUEUE,
            run(approve_claim, claim_id=pended, note="", at=at),
        ),
        "decide appeal": (
            Area.CLAIMS_QUEUE,
            run(decide_appeal, appeal_id=MISSING_ID, decision=None, note="", at=at),
        ),
    }


def _staff_admin_area(role: Role) -> Area:
    return Area.PLAN_ADMIN if role.is_plan_side else Area.PRACTICE_USERS


@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda role: role.value)
def test_each_action_is_allowed_or_refused_as_access_says(demo_db: Engine, role: Role) -> None:
    actor = actor_of(demo_db, ACCOUNTS[role])
    wrong: list[str] = []
    rows: list[str] = []
    for name, (guard, act) in actions(demo_db).items():
        area = guard if isinstance(guard, Area) else guard(role)
        allowed = role in ACCESS[area]
        try:
            act(actor)
            refused = False
        except NotAuthorized:
            refused = True
        except Exception:  # another refusal (not found, wrong status): the role got past the guard
            refused = False
        rows.append(f"{'allowed' if allowed else 'refused'} {name}")
        if refused == allowed:
            wrong.append(f"{name}: {'refused' if refused else 'allowed'}, ACCESS says otherwise")
    print(f"\nActions, {role.value}:\n  " + "\n  ".join(rows))
    assert not wrong, "\n".join(wrong)
