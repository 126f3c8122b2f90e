"""The claim list's filters as one value: read from and written to a URL query, so a list view
(and every dashboard number that drills down to it) can be bookmarked and shared."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlencode

from domain.claims import ClaimStatus
from domain.codes import CARC, PLACES_OF_SERVICE
from domain.npi import is_valid_npi

CLAIMS_PATH = "/claims"
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
# Beyond this a page number is a typo or a probe; OFFSET work grows with it.
MAX_PAGE = 100_000

_MEMBER_ID = re.compile(r"^[A-Z0-9-]{3,20}$")
# Letters, spaces and the punctuation names carry (O'Brien, Smith-Jones, "Thompson, Av").
_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[' .,-]){1,59}$")
_CLAIM_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")
_ID = re.compile(r"^[0-9]{1,9}$")
_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
_PRODUCT = re.compile(r"^[A-Z]{2,10}$")
# More ids than any filter bar offers is a hand-made URL; cap the IN list it becomes.
MAX_LISTED = 50
E = TypeVar("E", bound=StrEnum)


class Cohort(StrEnum):
    """The claims behind a revenue-cycle figure (domain.claim_cohorts defines each in SQL and in
    words). Every figure on the reports drills down to one of these, so the list adds up to it."""

    DECIDED = "decided"  # answered: rejected by the front-end edits or adjudicated
    ADJUDICATED = "adjudicated"  # adjudicated at least once
    DENIED = "denied"  # denied in whole at its first adjudication
    CLEAN = "clean"  # accepted on first submission and not denied
    FIRST_PASS = "first_pass"  # noqa: S105 (not a password) accepted and adjudicated with no rejection and no pend
    REMITTED = "remitted"  # carried by an 835 and still standing (not voided)

    @property
    def label(self) -> str:
        return {
            Cohort.DECIDED: "Decided",
            Cohort.ADJUDICATED: "Adjudicated",
            Cohort.DENIED: "Initially denied",
            Cohort.CLEAN: "Clean",
            Cohort.FIRST_PASS: "Resolved on first pass",
            Cohort.REMITTED: "Remitted",
        }[self]


class Owed(StrEnum):
    """Whose balance an A/R figure is: the plan's or the patient's."""

    PLAN = "plan"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return "Owed by the plan" if self is Owed.PLAN else "Owed by patients"


class AgeBucket(StrEnum):
    """A/R aging buckets by days since the date of service, on the as-of date."""

    CURRENT = "0-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    DAYS_91_120 = "91-120"
    OVER_120 = "120+"

    @property
    def label(self) -> str:
        return "121+ days" if self is AgeBucket.OVER_120 else f"{self.value} days"

    @property
    def days(self) -> tuple[int, int | None]:
        """The ages (in whole days) the bucket holds, both ends included; None: no end."""
        return _BUCKET_DAYS[self]

    @classmethod
    def of_age(cls, days: int) -> AgeBucket:
        for bucket in cls:
            low, high = bucket.days
            if days >= low and (high is None or days <= high):
                return bucket
        raise ValueError(f"no bucket holds an age of {days} days")


_BUCKET_DAYS: dict[AgeBucket, tuple[int, int | None]] = {
    AgeBucket.CURRENT: (0, 30),
    AgeBucket.DAYS_31_60: (31, 60),
    AgeBucket.DAYS_61_90: (61, 90),
    AgeBucket.DAYS_91_120: (91, 120),
    AgeBucket.OVER_120: (121, None),
}


# Query keys, in the order they are written; the status and page keys are those the first
# claim list (and the homes' links) already used.
_QUERY_KEYS = {
    "status": "status",
    "service_from": "service_from",
    "service_to": "service_to",
    "submitted_from": "submitted_from",
    "submitted_to": "submitted_to",
    "practice_id": "practice",
    "provider_ids": "provider",
    "provider_npi": "npi",
    "member_id": "member_id",
    "member_name": "patient",
    "claim_number": "claim",
    "carc": "carc",
    "location_ids": "location",
    "products": "product",
    "procedure": "procedure",
    "place_of_service": "pos",
    "cohort": "cohort",
    "owed": "owed",
    "as_of": "as_of",
    "age": "age",
    "sort": "sort",
    "direction": "dir",
    "page": "page",
    "page_size": "size",
}


class SortKey(StrEnum):
    """What the list can be ordered by: each one an index can walk (see claim_queries)."""

    SERVICE_DATE = "service"
    SUBMITTED = "submitted"
    CLAIM_NUMBER = "claim"
    BILLED = "billed"

    @property
    def label(self) -> str:
        return {
            SortKey.SERVICE_DATE: "Service date",
            SortKey.SUBMITTED: "Submitted",
            SortKey.CLAIM_NUMBER: "Claim",
            SortKey.BILLED: "Billed",
        }[self]


class Direction(StrEnum):
    ASCENDING = "asc"
    DESCENDING = "desc"


@dataclass(frozen=True)
class ClaimFilters:
    """Which of the caller's claims to list, in which order, and which page of them.

    `status` is the standing (a remitted claim stands at paid, partially paid or denied). A
    member is named either by member ID (exact) or by a name prefix ("thom", "Thompson, Av");
    a provider by its id or its NPI; a claim number exactly or by prefix. `carc` is the claim's
    denial reason (CARC of the whole-claim denial), which the denial dashboards count.

    The rest serve the reports and their drill-downs: `practice_id` narrows plan staff to one
    practice (for a practice user it can only narrow to nothing); `provider_ids`, `location_ids`
    and `products` (the plan product of the claim's coverage) are any-of lists; `procedure` is
    the claim's principal procedure (its first line's code); `cohort` is the set of claims a
    figure counts; `owed` with `as_of` and `age` is an A/R aging cell: the claims owing that
    party a balance at the end of `as_of`, aged by date of service."""

    status: ClaimStatus | None = None
    service_from: date | None = None
    service_to: date | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    practice_id: int | None = None
    provider_ids: tuple[int, ...] = ()
    provider_npi: str | None = None
    member_id: str | None = None
    member_name: str | None = None
    claim_number: str | None = None
    carc: str | None = None
    location_ids: tuple[int, ...] = ()
    products: tuple[str, ...] = ()
    procedure: str | None = None
    place_of_service: str | None = None
    cohort: Cohort | None = None
    owed: Owed | None = None
    as_of: date | None = None
    age: AgeBucket | None = None
    sort: SortKey = SortKey.SERVICE_DATE
    direction: Direction = Direction.DESCENDING
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> ClaimFilters:
        """Read a URL query; whatever is malformed in a hand-edited URL is dropped, never an
        error, so /claims?service_from=yesterday shows the unfiltered list rather than a 500."""
        keys = _QUERY_KEYS

        def raw(name: str) -> str:
            value = params.get(keys[name], "")
            return value.strip() if isinstance(value, str) else ""

        sort = _enum(SortKey, raw("sort")) or SortKey.SERVICE_DATE
        return cls(
            status=_enum(ClaimStatus, raw("status")),
            service_from=_day(raw("service_from")),
            service_to=_day(raw("service_to")),
            submitted_from=_day(raw("submitted_from")),
            submitted_to=_day(raw("submitted_to")),
            practice_id=int(raw("practice_id")) if _ID.match(raw("practice_id")) else None,
            provider_ids=_ids(raw("provider_ids")),
            provider_npi=raw("provider_npi") if is_valid_npi(raw("provider_npi")) else None,
            member_id=member_id_or_none(raw("member_id")),
            member_name=member_name_or_none(raw("member_name")),
            claim_number=claim_number_or_none(raw("claim_number")),
            carc=raw("carc").upper() if raw("carc").upper() in CARC else None,
            location_ids=_ids(raw("location_ids")),
            products=_listed(raw("products").upper(), _PRODUCT),
            procedure=_matching(raw("procedure").upper(), _PROCEDURE),
            place_of_service=raw("place_of_service")
            if raw("place_of_service") in PLACES_OF_SERVICE
            else None,
            cohort=_enum(Cohort, raw("cohort")),
            owed=_enum(Owed, raw("owed")),
            as_of=_day(raw("as_of")),
            age=_enum(AgeBucket, raw("age")),
            sort=sort,
            direction=_enum(Direction, raw("direction")) or default_direction(sort),
            page=_page(raw("page")),
            page_size=int(raw("page_size"))
            if raw("page_size") in {str(size) for size in PAGE_SIZES}
            else DEFAULT_PAGE_SIZE,
        )

    def to_query(self) -> dict[str, str]:
        """The non-default values as URL query pairs (a default is left out, so the plain list
        stays /claims and equal views have equal URLs)."""
        default = ClaimFilters(direction=default_direction(self.sort))
        query: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None or value == getattr(default, field.name):
                continue
            if isinstance(value, tuple):
                text = ",".join(str(item) for item in value)
            elif isinstance(value, date):
                text = value.isoformat()
            else:
                text = str(value)
            query[_QUERY_KEYS[field.name]] = text
        return query

    def url(self, path: str = CLAIMS_PATH) -> str:
        query = self.to_query()
        return path + (f"?{urlencode(query)}" if query else "")

    # What narrows the list (the status chips aside), for "which filters are active" and to
    # know whether the status counts already give the total.
    @property
    def narrowing(self) -> ClaimFilters:
        """These filters with order and paging taken out: two views with equal `narrowing`
        list the same claims."""
        return replace(
            self,
            sort=SortKey.SERVICE_DATE,
            direction=Direction.DESCENDING,
            page=1,
            page_size=DEFAULT_PAGE_SIZE,
        )

    @property
    def only_status(self) -> bool:
        """True when nothing but the status narrows the list."""
        return replace(self.narrowing, status=None) == ClaimFilters()

    def with_patient(self, text: str) -> ClaimFilters:
        """One box for the patient: a member ID has digits, a name has none."""
        text = text.strip()
        if any(character.isdigit() for character in text):
            return replace(self, member_id=member_id_or_none(text), member_name=None)
        return replace(self, member_id=None, member_name=member_name_or_none(text))

    @property
    def patient_text(self) -> str:
        return self.member_id or self.member_name or ""

    def sorted_by(self, key: SortKey) -> ClaimFilters:
        """A click on a column header: the same key again flips the direction; a new key starts
        in its natural direction. Either way back to page 1."""
        if key == self.sort:
            direction = (
                Direction.ASCENDING
                if self.direction == Direction.DESCENDING
                else Direction.DESCENDING
            )
        else:
            direction = default_direction(key)
        return replace(self, sort=key, direction=direction, page=1)


def default_direction(key: SortKey) -> Direction:
    # Dates and amounts read newest / largest first; claim numbers in their issued order.
    return Direction.ASCENDING if key == SortKey.CLAIM_NUMBER else Direction.DESCENDING


def member_id_or_none(value: str) -> str | None:
    value = value.strip().upper()
    return value if _MEMBER_ID.match(value) else None


def member_name_or_none(value: str) -> str | None:
    value = " ".join(value.split())
    return value if len(value) >= 2 and _NAME.match(value) else None


def claim_number_or_none(value: str) -> str | None:
    value = value.strip().upper()
    return value if _CLAIM_NUMBER.match(value) else None


def _enum(kind: type[E], value: str) -> E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _day(value: str) -> date | None:
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
    # Years a claim can carry; 0001-01-01 and 9999-12-31 are typos that would overflow a range.
    return parsed if parsed and 1900 <= parsed.year <= 2199 else None


def _matching(value: str, pattern: re.Pattern[str]) -> str | None:
    return value if pattern.match(value) else None


def _listed(value: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """A comma-separated list, each item checked, duplicates dropped, sorted (so equal sets
    make equal URLs)."""
    items = {item.strip() for item in value.split(",") if pattern.match(item.strip())}
    return tuple(sorted(items))[:MAX_LISTED]


def _ids(value: str) -> tuple[int, ...]:
    return tuple(sorted(int(item) for item in _listed(value, _ID)))


def _page(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_PAGE else 1
