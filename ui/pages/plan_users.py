"""Plan users: the plan admin invites plan staff (examiners, UM reviewers, credentialing,
other plan admins) by one-time link, changes their roles, deactivates them and issues
password-reset links. It is the Plan administration entry of the navigation; /admin, the
entry's old address, serves it too."""

from __future__ import annotations

from domain.roles import PLAN_ROLES, Area, Role
from ui.frame import frame, portal_page
from ui.user_admin_widgets import StaffAdmin

PATH = "/plan/users"
OLD_PATH = "/admin"


def register() -> None:
    portal_page(PATH)(plan_users_page)
    portal_page(OLD_PATH)(plan_users_page)


async def plan_users_page() -> None:
    async with frame("Plan users", area=Area.PLAN_ADMIN) as actor:
        admin = StaffAdmin(
            actor,
            title="Plan users",
            team_title="Plan staff",
            roles=[role for role in Role if role in PLAN_ROLES],
        )
        await admin.reload()
