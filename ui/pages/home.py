"""The home page: one per role, titled for it, showing what needs that role's attention today.
A user who made a saved view their home is taken there instead, and a practice admin without one
to the practice dashboard (the manager's home)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi.responses import RedirectResponse
from nicegui import ui

from domain.roles import Area, Role
from domain.saved_views import home_view_url
from domain.scope import Actor
from ui import clock
from ui.data import call
from ui.format import long_day
from ui.frame import PageStop, frame, portal_page
from ui.pages import plan_home, practice_home
from ui.theme import Heading


@dataclass(frozen=True)
class Home:
    title: str
    build: Callable[[Actor], Awaitable[None]]


DASHBOARD_PATH = "/reports"
# A user with several roles lands on the first of theirs in this order (the broadest view). A
# practice admin's home is the dashboard (home_elsewhere), so the role has no entry here.
HOMES: dict[Role, Home] = {
    Role.BILLING: Home("Billing worklist", practice_home.billing_home),
    Role.FRONT_DESK: Home("Front desk today", practice_home.front_desk_home),
    Role.CLINICAL: Home("Patient panel", practice_home.clinical_home),
    Role.PLAN_ADMIN: Home("Plan administration", plan_home.plan_admin_home),
    Role.CLAIMS_EXAMINER: Home("Pended claims", plan_home.claims_examiner_home),
    Role.UM_REVIEWER: Home("Utilization review", plan_home.um_reviewer_home),
    Role.CREDENTIALING: Home("Provider network", plan_home.credentialing_home),
}


def home_for(roles: frozenset[Role]) -> Home | None:
    return next((home for role, home in HOMES.items() if role in roles), None)


def register() -> None:
    portal_page("/")(home_page)


async def home_page() -> None:
    async with frame("Home", area=Area.HOME) as actor:
        elsewhere = await home_elsewhere(actor)
        if elsewhere is not None:
            # A redirect, not a client-side navigation: the browser goes straight there, and
            # the URL bar (and back button) show the view itself.
            raise PageStop(RedirectResponse(elsewhere, status_code=303))
        home = home_for(actor.roles)
        with ui.column().classes("gap-1"):
            Heading(home.title if home else "Welcome").mark("home-title")
            ui.label(long_day(clock.today())).classes("portico-subtitle").mark("today")
        if home is None:
            ui.label("Your account has no role yet. Ask your administrator to assign one.")
            return
        # The numbers are part of the first response (bounded, indexed aggregates): a page that
        # filled in after connecting would fetch component scripts late, and a user who moves
        # on quickly would abort those fetches mid-flight.
        await home.build(actor)


async def home_elsewhere(actor: Actor) -> str | None:
    """The URL "/" opens for this user when it is not the role's home page: their home view
    (only ever a report or claim-list path, checked when saved and again here), else for a
    practice admin the dashboard."""
    url = await call(home_view_url, actor=actor)
    if url is not None:
        return url
    if Role.PRACTICE_ADMIN in actor.roles and actor.may_open(Area.DASHBOARDS):
        return DASHBOARD_PATH
    return None
