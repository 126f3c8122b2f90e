"""Practice users: the practice's accounts and their roles, for its admin. Invitations, role
changes and deactivation come with the security work (issue #6); until then the list is
read-only. (This was the practice admin's home before the dashboard became it.)"""

from __future__ import annotations

from domain.practice_worklists import TeamMember, practice_team
from domain.roles import Area
from ui.data import call
from ui.format import count, moment
from ui.frame import frame, portal_page
from ui.theme import Heading
from ui.widgets import Column, card, data_table

PATH = "/practice/users"


def register() -> None:
    portal_page(PATH)(practice_users_page)


async def practice_users_page() -> None:
    async with frame("Practice users", area=Area.PRACTICE_USERS) as actor:
        Heading("Practice users").mark("practice-users-title")
        team = await call(practice_team, actor=actor)
        _team(team)


def _team(team: list[TeamMember]) -> None:
    with card(
        "Practice team",
        subtitle=f"{count(len(team))} users and their roles",
        marker="practice-team",
    ):
        data_table(
            [
                Column("full_name", "Name"),
                Column("email", "Email address"),
                Column("roles", "Roles"),
                Column("state", "Status"),
                Column("last_sign_in", "Last sign-in"),
            ],
            [
                {
                    "id": index,
                    "full_name": member.full_name,
                    "email": member.email,
                    "roles": ", ".join(role.label for role in member.roles),
                    "state": "Active" if member.is_active else "Deactivated",
                    "last_sign_in": moment(member.last_sign_in_at) or "Never",
                }
                for index, member in enumerate(team)
            ],
            marker="team-table",
            label="Practice team",
        )
