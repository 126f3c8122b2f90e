"""Practice users: the practice admin invites staff by one-time link, gives and changes their
roles, deactivates and reactivates them, and issues password-reset links (ui/user_admin_widgets.py
draws the screen; domain/user_admin.py holds the rules and the audit)."""

from __future__ import annotations

from domain.roles import PRACTICE_ROLES, Area, Role
from ui.frame import frame, portal_page
from ui.user_admin_widgets import StaffAdmin

PATH = "/practice/users"


def register() -> None:
    portal_page(PATH)(practice_users_page)


async def practice_users_page() -> None:
    async with frame("Practice users", area=Area.PRACTICE_USERS) as actor:
        admin = StaffAdmin(
            actor,
            title="Practice users",
            team_title="Practice team",
            roles=[role for role in Role if role in PRACTICE_ROLES],
        )
        await admin.reload()
