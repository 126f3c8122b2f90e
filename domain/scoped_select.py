"""The practice filter of scope.scoped(), applied to column selects (counts, sums, joins)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import SQLModel
from sqlmodel.sql._expression_select_cls import SelectBase

from domain.scope import Actor, scoped

Statement = TypeVar("Statement", bound="SelectBase[*tuple[Any, ...]]")


def within_scope(statement: Statement, model: type[SQLModel], actor: Actor) -> Statement:
    """Add to `statement` exactly the WHERE that scoped(model, actor) has.

    scoped() selects whole rows; aggregates and list rows select columns, so they borrow its
    criterion instead of restating it: one definition of "this practice's data" for all queries.
    """
    criterion = scoped(model, actor).whereclause
    return statement if criterion is None else statement.where(criterion)
