"""The home page: one per role, titled for it, showing what needs that role's attention today."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui

from domain.roles import Area, Role
from domain.scope import Actor
from ui import clock
from ui.format import long_day
from ui.frame import frame, portal_page
from ui.pages import plan_home, practice_home
from ui.theme import Heading


@dataclass(frozen=True)
class Home:
    title: str
    build: Callable[[Actor], Awaitable[None]]


# A user with several roles lands on the first of theirs in this order (the broadest view).
HOMES: dict[Role, Home] = {
    Role.PRACTICE_ADMIN: Home("Practice overview", practice_home.practice_admin_home),
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
