"""Who is asking, and the one helper that confines every practice-data query to their practice.

Pages never build queries themselves (import-linter forbids ui from importing sqlalchemy); they
call use cases that start from `scoped()` or `get_scoped()`, so the practice filter is always in
the SQL and a record of another practice is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy import Select as SQLSelect
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from domain.roles import Area, Role, may_open

T = TypeVar("T", bound=SQLModel)
Statement = TypeVar("Statement", bound=SQLSelect[*tuple[Any, ...]])


class NotFound(LookupError):
    """The record does not exist for this caller (missing, or another practice's: same answer)."""


class NotAuthorized(PermissionError):
    pass


@dataclass(frozen=True)
class Actor:
    user_id: int
    practice_id: int | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    source_ip: str = ""

    @property
    def is_plan_staff(self) -> bool:
        return self.practice_id is None and any(role.is_plan_side for role in self.roles)

    def may_open(self, area: Area) -> bool:
        return may_open(self.roles, area)

    def require(self, area: Area) -> None:
        if not self.may_open(area):
            raise NotAuthorized(area.value)


def practice_criterion(model: type[SQLModel], actor: Actor) -> ColumnElement[bool] | None:
    """The WHERE that confines `model` to the actor's practice (None: plan staff see all).

    A practice user without a practice gets a criterion that matches nothing, not everything.
    """
    if actor.is_plan_staff:
        return None
    practice_column = model.practice_id  # type: ignore[attr-defined]
    if actor.practice_id is None:
        return practice_column == -1  # type: ignore[no-any-return]
    return practice_column == actor.practice_id  # type: ignore[no-any-return]


def scoped(model: type[T], actor: Actor) -> SelectOfScalar[T]:
    """SELECT model WHERE practice_id = the actor's practice (plan staff: every practice)."""
    return within_scope(select(model), model, actor)


def within_scope(statement: Statement, model: type[SQLModel], actor: Actor) -> Statement:
    """Add the practice criterion to any statement over `model`: counts, sums, column lists
    and joins use the same one definition of "this practice's data" as whole-row selects."""
    criterion = practice_criterion(model, actor)
    return statement if criterion is None else statement.where(criterion)


def get_scoped(session: Session, model: type[T], record_id: int, actor: Actor) -> T:
    """Fetch one record by id within the actor's scope, or raise NotFound."""
    statement = scoped(model, actor).where(model.id == record_id)  # type: ignore[attr-defined]
    found = session.exec(statement).first()
    if found is None:
        raise NotFound(f"{model.__name__} {record_id}")
    return found
