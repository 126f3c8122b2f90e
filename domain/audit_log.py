"""Reading the audit trail: filters kept in the URL, a page of events newest first, the filter
choices, and the CSV export's rows, all confined in SQL to what the reader may see.

A practice admin sees the events filed under their practice (their staff's work, and plan
staff's reads of their practice's records); a plan admin sees every event, and may narrow to
one practice. Reading the trail is itself audited: each look and each export is an event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from domain.audit import AuditEvent, record_by
from domain.practices import Practice
from domain.roles import Area
from domain.scope import Actor, within_scope
from domain.users import User

AUDIT_PATH = "/audit"
PAGE_SIZES = (50, 100, 200)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
MAX_PAGE = 100_000
# Counting stops here ("10,000+"): an exact count of a long trail is a scan for a number.
COUNT_CAP = 10_000
# An export larger than this is a job for `python main.py` and the database, not a browser.
EXPORT_LIMIT = 100_000
# What the reader picks from: the audit entity types and actions the app writes are short
# codes ("claim", "claim.eob_pdf"); anything else in a URL is dropped, never a 500.
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,60}$")
_ENTITY_ID = re.compile(r"^[A-Za-z0-9_./:-]{1,40}$")
_ID = re.compile(r"^[0-9]{1,9}$")
OUTCOMES = ("ok", "refused", "failed", "not_found")

_QUERY_KEYS = {
    "date_from": "from",
    "date_to": "to",
    "user_id": "user",
    "action": "action",
    "outcome": "outcome",
    "entity_type": "entity",
    "entity_id": "record",
    "practice_id": "practice",
    "page": "page",
    "page_size": "size",
}


@dataclass(frozen=True)
class AuditFilters:
    """One view of the trail. Dates are UTC calendar days, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None
    action: str | None = None
    outcome: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    practice_id: int | None = None  # plan admin only; ignored for a practice admin
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> AuditFilters:
        """Read a URL query; a value that does not parse is dropped."""

        def text(key: str, pattern: re.Pattern[str]) -> str | None:
            value = (query.get(_QUERY_KEYS[key]) or "").strip()
            return value if pattern.match(value) else None

        def number(key: str) -> int | None:
            value = text(key, _ID)
            return int(value) if value is not None else None

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(query.get(_QUERY_KEYS[key]) or "")
            except ValueError:
                return None

        outcome = text("outcome", _CODE)
        size = number("page_size")
        return cls(
            date_from=day("date_from"),
            date_to=day("date_to"),
            user_id=number("user_id"),
            action=text("action", _CODE),
            outcome=outcome if outcome in OUTCOMES else None,
            entity_type=text("entity_type", _CODE),
            entity_id=text("entity_id", _ENTITY_ID),
            practice_id=number("practice_id"),
            page=min(max(number("page") or 1, 1), MAX_PAGE),
            page_size=size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        )

    def query(self) -> dict[str, str]:
        """The URL query for these filters, defaults left out."""
        pairs: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            default = field.default
            if value is None or value == default:
                continue
            pairs[_QUERY_KEYS[field.name]] = (
                value.isoformat() if isinstance(value, date) else str(value)
            )
        return pairs

    def url(self, path: str = AUDIT_PATH) -> str:
        query = urlencode(self.query())
        return f"{path}?{query}" if query else path

    def first_page(self) -> AuditFilters:
        return replace(self, page=1)

    def described(self) -> str:
        """The filters as the audit detail of a look or an export (ids and codes, no PHI)."""
        query = {k: v for k, v in self.query().items() if k not in ("page", "size")}
        return urlencode(query)[:500]


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    user_id: int | None
    user_name: str
    user_email: str
    practice_id: int | None
    practice_name: str
    action: str
    entity_type: str
    entity_id: str
    outcome: str
    source_ip: str
    detail: str
    sealed: bool


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    page_size: int
    total: int  # capped at COUNT_CAP
    total_capped: bool

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total or (
            self.total_capped and len(self.rows) == self.page_size
        )


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class AuditChoices:
    """What the filter bar offers: the people, actions, record types and practices in scope."""

    users: list[Choice]
    actions: list[str]
    entity_types: list[str]
    practices: list[Choice]  # empty for a practice admin


def _scoped_events(actor: Actor, filters: AuditFilters) -> Select[Any]:
    """The filtered events the actor may read, as SELECT AuditEvent.id ... (no order)."""
    statement = within_scope(select(AuditEvent.id), AuditEvent, actor)
    return _filtered(statement, actor, filters)


def _filtered(statement: Any, actor: Actor, filters: AuditFilters) -> Any:
    if filters.date_from is not None:
        statement = statement.where(col(AuditEvent.occurred_at) >= _start_of(filters.date_from))
    if filters.date_to is not None:
        end = _start_of(filters.date_to + timedelta(days=1))
        statement = statement.where(col(AuditEvent.occurred_at) < end)
    if filters.user_id is not None:
        statement = statement.where(col(AuditEvent.user_id) == filters.user_id)
    if filters.action is not None:
        statement = statement.where(col(AuditEvent.action) == filters.action)
    if filters.outcome is not None:
        statement = statement.where(col(AuditEvent.outcome) == filters.outcome)
    if filters.entity_type is not None:
        statement = statement.where(col(AuditEvent.entity_type) == filters.entity_type)
    if filters.entity_id is not None:
        statement = statement.where(col(AuditEvent.entity_id) == filters.entity_id)
    if filters.practice_id is not None and actor.is_plan_staff:
        statement = statement.where(col(AuditEvent.practice_id) == filters.practice_id)
    return statement


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _rows(
    session: Session, actor: Actor, filters: AuditFilters, *, limit: int, offset: int
) -> list[AuditRow]:
    statement = (
        select(
            AuditEvent,
            col(User.full_name),
            col(User.email),
            col(Practice.name),
        )
        .outerjoin(User, col(User.id) == col(AuditEvent.user_id))
        .outerjoin(Practice, col(Practice.id) == col(AuditEvent.practice_id))
    )
    statement = _filtered(within_scope(statement, AuditEvent, actor), actor, filters)
    statement = statement.order_by(col(AuditEvent.id).desc()).limit(limit).offset(offset)
    return [
        AuditRow(
            id=event.id,
            occurred_at=event.occurred_at,
            user_id=event.user_id,
            user_name=full_name or "",
            user_email=email or "",
            practice_id=event.practice_id,
            practice_name=practice_name or "",
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            outcome=event.outcome,
            source_ip=event.source_ip,
            detail=event.detail,
            sealed=event.seq is not None,
        )
        for event, full_name, email, practice_name in session.exec(statement).all()
    ]


def search_audit_events(
    *, session: Session, actor: Actor, filters: AuditFilters, at: datetime
) -> AuditPage:
    """One page of the trail, newest first; the look is audited after the read, so the page
    shows what was there before it."""
    actor.require(Area.AUDIT_LOG)
    counted = _scoped_events(actor, filters).limit(COUNT_CAP + 1).subquery()
    total = session.exec(select(func.count()).select_from(counted)).one()
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    last_page = max(1, -(-total // filters.page_size))
    page = filters.page if capped else min(filters.page, last_page)
    rows = _rows(
        session, actor, filters, limit=filters.page_size, offset=(page - 1) * filters.page_size
    )
    record_by(
        session,
        actor,
        action="read",
        at=at,
        entity_type="audit_log",
        entity_id=f"page {page}",
        detail=filters.described(),
    )
    return AuditPage(rows, page, filters.page_size, total, capped)


def export_audit_events(
    *, session: Session, actor: Actor, filters: AuditFilters, at: datetime
) -> list[AuditRow]:
    """Every filtered event (up to EXPORT_LIMIT, newest first) for the CSV; the export is an
    audit event of its own, with the filters and the row count."""
    actor.require(Area.AUDIT_LOG)
    rows = _rows(session, actor, filters, limit=EXPORT_LIMIT, offset=0)
    detail = f"{len(rows)} events; {filters.described()}".rstrip("; ")
    record_by(
        session,
        actor,
        action="export",
        at=at,
        entity_type="audit_log",
        entity_id="csv",
        detail=detail[:500],
    )
    return rows


def audit_choices(*, session: Session, actor: Actor) -> AuditChoices:
    """The filter bar's options, each within the actor's scope."""
    actor.require(Area.AUDIT_LOG)
    users = session.exec(
        within_scope(
            select(col(User.id), col(User.full_name), col(User.email)).order_by(
                col(User.full_name)
            ),
            User,
            actor,
        )
    ).all()
    actions = session.exec(
        within_scope(
            select(col(AuditEvent.action)).distinct().order_by(col(AuditEvent.action)),
            AuditEvent,
            actor,
        )
    ).all()
    entity_types = session.exec(
        within_scope(
            select(col(AuditEvent.entity_type))
            .where(col(AuditEvent.entity_type) != "")
            .distinct()
            .order_by(col(AuditEvent.entity_type)),
            AuditEvent,
            actor,
        )
    ).all()
    practices = (
        session.exec(
            select(col(Practice.id), col(Practice.name)).order_by(col(Practice.name))
        ).all()
        if actor.is_plan_staff
        else []
    )
    return AuditChoices(
        users=[Choice(str(user_id), f"{name} ({email})") for user_id, name, email in users],
        actions=list(actions),
        entity_types=list(entity_types),
        practices=[Choice(str(practice_id), name) for practice_id, name in practices],
    )
