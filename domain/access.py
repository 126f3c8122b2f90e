"""Opening a page: who the session's user is now, whether their roles open the area, and the
audit event a refusal leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from domain import audit
from domain.auth import actor_for
from domain.practices import Practice
from domain.roles import Area, Role
from domain.scope import Actor
from domain.users import User

PLAN_SIDE_NAME = "Health plan"


@dataclass(frozen=True)
class PageAccess:
    """What the page frame needs: the actor, their verdict for the area and the header's words."""

    actor: Actor
    allowed: bool
    full_name: str
    organisation_name: str

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in sorted(self.actor.roles, key=_role_order)]


def _role_order(role: Role) -> int:
    return list(Role).index(role)


def open_area(
    *,
    session: Session,
    user_id: int,
    area: Area,
    path: str,
    at: datetime,
    source_ip: str = "",
) -> PageAccess | None:
    """Re-read the user on every page load, so a deactivation or a role change takes effect at
    once; None when the user is gone or deactivated (the session is then worthless)."""
    actor = actor_for(session, user_id, source_ip=source_ip)
    if actor is None:
        return None
    user = session.get(User, user_id)
    assert user is not None
    practice = session.get(Practice, actor.practice_id) if actor.practice_id else None
    allowed = actor.may_open(area)
    if not allowed:
        audit.record(
            session,
            action="denied",
            at=at,
            user_id=actor.user_id,
            practice_id=actor.practice_id,
            entity_type="page",
            entity_id=path[:40],
            outcome="refused",
            source_ip=source_ip,
            detail=f"area {area.value}",
        )
    return PageAccess(
        actor=actor,
        allowed=allowed,
        full_name=user.full_name,
        organisation_name=practice.name if practice else PLAN_SIDE_NAME,
    )
