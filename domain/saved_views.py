"""Saved report views: a user's named bookmarks of a report URL (path and query), one of which
may be their home."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import ColumnElement, UniqueConstraint, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from domain.claim_filters import CLAIMS_PATH, ClaimFilters
from domain.roles import Area
from domain.scope import Actor, NotFound
from domain.types import UTCDateTime, utcnow


class SavedView(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # The practice the user belonged to when saving (None for plan staff): a view is only
    # ever listed within the scope it was saved in.
    practice_id: int | None = Field(default=None, foreign_key="practice.id")
    name: str = Field(max_length=80)
    path: str = Field(max_length=60, description="a report page, e.g. /reports/denials")
    query: str = Field(default="", max_length=2000, description="its URL query, without '?'")
    is_home: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


REPORT_PATHS = ("/reports", "/reports/denials", "/reports/aging")
# The pages a view can be saved of, and the area a user must open to be offered it: a view
# saved before a role change is not offered once its page would answer "Not authorized".
SAVEABLE_PATHS: dict[str, Area] = {
    **dict.fromkeys(REPORT_PATHS, Area.DASHBOARDS),
    CLAIMS_PATH: Area.CLAIMS,
}
MAX_NAME_LENGTH = 80
MAX_QUERY_LENGTH = 2000
# Bounds the "Saved views" menu; past this many a list of bookmarks stops being one.
MAX_VIEWS_PER_USER = 50


class SavedViewRefused(ValueError):
    """The view cannot be saved, renamed or set as given; the message says why, for the user."""


@dataclass(frozen=True)
class SavedViewSummary:
    id: int
    name: str
    path: str
    query: str
    is_home: bool

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


def list_views(*, session: Session, actor: Actor) -> list[SavedViewSummary]:
    """The actor's own views, by name, leaving out those whose page their roles no longer open."""
    views = session.exec(_own_views(actor).order_by(func.lower(SavedView.name))).all()
    return [_summary(view) for view in views if _may_open(actor, view.path)]


def save_view(
    *, session: Session, actor: Actor, name: str, path: str, query: str | Mapping[str, str]
) -> SavedViewSummary:
    """Keep the page at `path` with its filters under `name` for the actor (not yet home)."""
    area = SAVEABLE_PATHS.get(path)
    if area is None:
        raise SavedViewRefused("Only the reports and the claim list can be saved as a view.")
    actor.require(area)
    name = _checked_name(session, actor, name)
    count = session.exec(
        select(func.count()).select_from(SavedView).where(SavedView.user_id == actor.user_id)
    ).one()
    if count >= MAX_VIEWS_PER_USER:
        raise SavedViewRefused(
            f"You have {MAX_VIEWS_PER_USER} saved views, the most there can be; delete one "
            "you no longer use to save this one."
        )
    view = SavedView(
        user_id=actor.user_id,
        practice_id=actor.practice_id,
        name=name,
        path=path,
        query=normalised_query(query),
    )
    _flush_unique(session, view, name)
    return _summary(view)


def rename_view(*, session: Session, actor: Actor, view_id: int, name: str) -> SavedViewSummary:
    view = _own_view(session, actor, view_id)
    name = _checked_name(session, actor, name, renaming=view_id)
    view.name = name
    view.updated_at = utcnow()
    _flush_unique(session, view, name)
    return _summary(view)


def delete_view(*, session: Session, actor: Actor, view_id: int) -> None:
    session.delete(_own_view(session, actor, view_id))
    session.flush()


def set_home_view(*, session: Session, actor: Actor, view_id: int | None) -> None:
    """Make this view the actor's home (the one there was stops being it); None: no home
    view, back to the role's own home page."""
    target = _own_view(session, actor, view_id) if view_id is not None else None
    if target is not None and not _may_open(actor, target.path):
        raise SavedViewRefused("Your role does not open this view's page any more.")
    # Across all the user's views, not only this scope's: one home at most per user.
    session.execute(
        update(SavedView)
        .where(col(SavedView.user_id) == actor.user_id, col(SavedView.is_home))
        .values(is_home=False, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if target is not None:
        target.is_home = True
        target.updated_at = utcnow()
    session.flush()


def home_view_url(*, session: Session, actor: Actor) -> str | None:
    """Where "/" takes the actor: their home view's URL, or None for the role's home page."""
    view = session.exec(_own_views(actor).where(col(SavedView.is_home))).first()
    if view is None or not _may_open(actor, view.path):
        return None
    return _summary(view).url


# Member and claim filters can name a patient (a name prefix, a member ID, the claim of one
# visit): a saved view is a reusable, shareable report setting, not a place for PHI, so they
# are never stored. The page number goes too: on a list that grows every day, "page 3" of a
# saved view would show different claims each time it is opened.
def normalised_query(query: str | Mapping[str, str]) -> str:
    """The query as the pages write it: only known filter keys with valid values, in their
    order, defaults left out, PHI-bearing filters and the page number taken out."""
    params = dict(parse_qsl(query.lstrip("?"))) if isinstance(query, str) else dict(query)
    filters = replace(
        ClaimFilters.from_query(params), member_id=None, member_name=None, claim_number=None, page=1
    )
    text = urlencode(filters.to_query())
    if len(text) > MAX_QUERY_LENGTH:
        raise SavedViewRefused(
            "This view has too many filters to save; narrow the lists of providers, "
            "locations or products and try again."
        )
    return text


def _own_views(actor: Actor) -> SelectOfScalar[SavedView]:
    """The actor's own views, saved within their current scope: the owner is the criterion
    (not the practice), so a colleague's views are as invisible as another practice's."""
    return select(SavedView).where(SavedView.user_id == actor.user_id, _same_scope(actor))


def _same_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.practice_id is None:
        return col(SavedView.practice_id).is_(None)
    return col(SavedView.practice_id) == actor.practice_id


def _own_view(session: Session, actor: Actor, view_id: int) -> SavedView:
    view = session.exec(_own_views(actor).where(SavedView.id == view_id)).first()
    if view is None:
        raise NotFound(f"SavedView {view_id}")
    return view


def _may_open(actor: Actor, path: str) -> bool:
    area = SAVEABLE_PATHS.get(path)
    return area is not None and actor.may_open(area)


def _checked_name(session: Session, actor: Actor, name: str, *, renaming: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise SavedViewRefused("Give the view a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise SavedViewRefused(
            f"A view's name can be at most {MAX_NAME_LENGTH} characters ({len(name)} given)."
        )
    # Names differing only in case would look like duplicates in the menu.
    same_name = select(SavedView.id).where(
        SavedView.user_id == actor.user_id, func.lower(SavedView.name) == name.lower()
    )
    if renaming is not None:
        same_name = same_name.where(SavedView.id != renaming)
    if session.exec(same_name).first() is not None:
        raise _duplicate(name)
    return name


def _flush_unique(session: Session, view: SavedView, name: str) -> None:
    """Write the view; a save of the same name from another tab that got there first is the
    same refusal as the check above, and only this write is undone (a savepoint)."""
    try:
        with session.begin_nested():
            session.add(view)
    except IntegrityError:
        raise _duplicate(name) from None


def _duplicate(name: str) -> SavedViewRefused:
    return SavedViewRefused(f"You already have a view named “{name}”. Choose another name.")


def _summary(view: SavedView) -> SavedViewSummary:
    assert view.id is not None
    return SavedViewSummary(
        id=view.id, name=view.name, path=view.path, query=view.query, is_home=view.is_home
    )
