"""Tenant isolation, attacked: every route that takes an id or a filter, asked for another
practice's records by every role, must answer exactly as it answers for a record that does not
exist, and must name nothing of the other practice.

How (chosen for speed and strictness):
- The routes are read from the composed app (`nicegui.app.routes` after main.py ran), so a route
  added later cannot be forgotten: `test_every_route_with_an_id_or_a_filter_is_attacked` fails
  for a route whose path parameter, query parameter or request-read filters have no source of
  victim values below (or no stated reason why it holds no practice data).
- The attacker is each role of Riverside (practice admin, billing, front desk, clinical), signed
  in once per test through the sign-in page; the victim is Lakeside, whose records are read
  from the test's own demo database, plus records the seed lacks (kept checks, a batch,
  appeals with attachments, drafts, an import, saved views) made through the use cases. Plan
  roles attack what plan staff may not open (drafts, imports, kept checks, others' views).
- Each attempt is a server-rendered GET through the app (`user.http_client`): the status, the
  headers (less Date and Content-Length) and the whole body are compared with the answer for
  id 987654321, after replacing NiceGUI's per-response random ids (client and listener UUIDs).
  No other normalisation: a page for another practice's record that differs from a missing
  record's by one character fails. Every body (PDF text extracted) is also searched for the
  victim's claim numbers, member IDs, patient names, payment numbers, file and view names.
- The audit log is live (it lists the test's own looks): its filtered answers are compared
  by status and searched for the victim's values, not byte for byte.
- Filters (/claims?patient=..., /reports?provider=..., /reports/summary.pdf?location=...) are
  compared with the same filter naming a value that exists nowhere, the two values swapped
  for one placeholder in each body.
- The use cases behind the routes are attacked directly as well (every record x use case x
  role), outcome compared with the missing id's: that is where most of the volume is cheap.
The figures (attempts per route x role, leaks) are printed; run with -s to read them.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from nicegui.testing import User
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from domain.appeals import appeals_of_claim, attachment_for_download, file_appeal, may_appeal
from domain.claim_corrections import Purpose, start_correction
from domain.claim_drafts import delete_draft, load_draft, save_draft
from domain.claim_filters import ClaimFilters
from domain.claim_import_service import read_import
from domain.claim_queries import list_claims, read_claim, read_claim_eob
from domain.eligibility_service import get_check
from domain.examiner import review_claim
from domain.remittance_advice import read_remittance, remittance_advice
from domain.roles import Role
from domain.saved_views import delete_view, rename_view, set_home_view
from domain.scope import Actor
from domain.user_admin import (
    deactivate,
    issue_reset_link,
    reactivate,
    resend_invite,
    revoke_invite,
    set_roles,
)
from storage.attachments import attachment_store
from storage.db import unit_of_work
from tests.factories import make_claim_entry
from tests.security.routes import portal_routes
from tests.security.victims import (
    LAKESIDE,
    MISSING_ID,
    PDF,
    RIVERSIDE,
    Victims,
    actor_of,
    plant_and_collect,
    utc_now,
)
from tests.ui.journeys import sign_in

# --- Where each route's ids and filters come from -------------------------------------------

# Path parameters: which of the victim's records the parameter names.
PATH_IDS: dict[tuple[str, str], str] = {
    ("/claims/{claim_id}", "claim_id"): "claims",
    ("/claims/{claim_id}/appeal", "claim_id"): "claims",
    ("/claims/{claim_id}/eob.pdf", "claim_id"): "claims",
    ("/claims-queue/{claim_id}", "claim_id"): "claims",
    ("/remittances/{remittance_id}", "remittance_id"): "remittances",
    ("/remittances/{remittance_id}/835", "remittance_id"): "remittances",
    ("/eligibility/checks/{check_id}", "check_id"): "checks",
    ("/eligibility/checks/{check_id}.pdf", "check_id"): "checks",
    ("/appeals/attachments/{attachment_id}", "attachment_id"): "attachments",
}
# Path parameters that name no practice record.
PATH_NOT_IDS: dict[tuple[str, str], str] = {
    ("/login/sso/{name}", "name"): "an identity provider of the configuration",
    ("/auth/sso/{name}/callback", "name"): "an identity provider of the configuration",
}
# Query parameters a page declares in its signature, when they name a record.
QUERY_IDS: dict[tuple[str, str], str] = {
    ("/claims/new", "draft"): "drafts",
    ("/claims/new", "correct"): "claims",
    ("/claims/new", "replace"): "claims",
    ("/claims/new", "void"): "claims",
    ("/claims/upload", "import_id"): "imports",
    # Plan staff narrow the queue to one practice (all practices are theirs); a practice
    # role is refused the page whatever the value.
    ("/claims-queue", "practice"): "practice",
}
# Declared query parameters that name no record.
QUERY_NOT_IDS: dict[tuple[str, str], str] = {
    ("/claims-queue", "reason"): "a pend reason code",
    ("/claims-queue", "page"): "a page number",
    ("/claims-queue", "tab"): "a tab name",
    ("/session/start", "n"): "the sign-in's one-time nonce",
    ("/login/sso/{name}", "next"): "a local path to return to",
    # The token is the credential (whoever holds the link may use it); unknown, used, expired
    # and revoked links get one answer (tests of domain/user_admin and the link pages).
    ("/invite", "token"): "a one-time secret, not a record id",
    ("/reset", "token"): "a one-time secret, not a record id",
}
# Pages that read filters off the request: which victim values each filter takes.
REQUEST_FILTERS: dict[str, tuple[str, ...]] = {
    "/claims": ("patient", "member_id", "claim", "provider", "location", "practice"),
    "/reports": ("provider", "location", "practice"),
    "/reports/denials": ("provider", "location", "practice"),
    "/reports/aging": ("provider", "location", "practice"),
    "/reports/summary.pdf": ("provider", "location", "practice"),
    "/eligibility/history": ("member", "batch"),
    # ?record= is not attacked: the attacker's own not-found events name the ids it probed.
    "/audit": ("user", "practice"),
    "/audit/export.csv": ("user", "practice"),
}
# Pages whose content moves on with every request: the audit log lists the very looks the test
# makes (every look is an event). Their answers are compared by status and searched for the
# victim's names (practice, users, claim numbers...), not compared byte for byte.
LIVE_PAGES = {"/audit", "/audit/export.csv"}
# Pages that take the request for something other than practice data.
REQUEST_NOT_FILTERS: dict[str, str] = {
    "/login": "?next= is a local path to return to",
    "/logout": "signs the caller out",
    "/session/start": "starts the session of a sign-in whose nonce it carries",
    "/mfa": "the second step of a sign-in (the pending sign-in is in the session)",
    "/invite": "a one-time link page (the token is its declared parameter)",
    "/reset": "a one-time link page (the token is its declared parameter)",
}

# --- Who attacks ----------------------------------------------------------------------------

PRACTICE_ATTACKERS = {
    Role.PRACTICE_ADMIN: "admin@riverside.example",
    Role.BILLING: "billing@riverside.example",
    Role.FRONT_DESK: "frontdesk@riverside.example",
    Role.CLINICAL: "clinical@riverside.example",
}
PLAN_ATTACKERS = {
    Role.CLAIMS_EXAMINER: "examiner@plan.example",
    Role.UM_REVIEWER: "um@plan.example",
    Role.CREDENTIALING: "credentialing@plan.example",
    Role.PLAN_ADMIN: "planadmin@plan.example",
}
# Records plan staff may not open (they see every practice's claims and remittances by design).
PLAN_STAFF_MAY_NOT_OPEN = {"drafts", "imports", "checks", "views", "users"}
# At least this many attempts per practice role (4 roles: over 10,000 in all with the filters).
MIN_ATTEMPTS_PER_PRACTICE_ROLE = 2_500
# A page costs ~35 ms here: each route takes at most this many records of a kind (spread so
# the routes of a kind cover all of them between them); the use cases take every record.
RECORDS_PER_ROUTE = 90
CONCURRENT_REQUESTS = 2

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_VOLATILE_HEADERS = {"date", "content-length"}
_GENERATED = re.compile(r"Generated [^\n]*")
_ID_FILTERS = {"provider", "location", "practice", "user"}
# The claim list's cohort and A/R filters, asked together with another practice's patient.
SHARED_MEMBER_EXTRAS = ("", "cohort=denied&", "owed=plan&age=0-30&", "owed=patient&")


# --- The routes of the composed app ---------------------------------------------------------


def test_every_route_with_an_id_or_a_filter_is_attacked(user: User) -> None:
    """A new route with a parameter fails here until it is given victim values above."""
    routes = portal_routes()
    assert any(route.path == "/claims/{claim_id}" for route in routes), "app not composed"
    unclassified = []
    for route in routes:
        for name in route.path_params:
            if (route.path, name) not in PATH_IDS and (route.path, name) not in PATH_NOT_IDS:
                unclassified.append(f"{route.path}: path parameter {name}")
        for name in route.query_params:
            if (route.path, name) not in QUERY_IDS and (route.path, name) not in QUERY_NOT_IDS:
                unclassified.append(f"{route.path}: query parameter {name}")
        if (
            route.reads_request
            and not route.path_params
            and route.path not in REQUEST_FILTERS
            and route.path not in REQUEST_NOT_FILTERS
        ):
            unclassified.append(f"{route.path}: reads the request (filters?)")
    assert not unclassified, "routes no isolation attack covers:\n" + "\n".join(unclassified)
    # And nothing listed above is stale: each entry is a route the app serves.
    served = {route.path for route in routes}
    listed = {path for path, _ in PATH_IDS} | {path for path, _ in QUERY_IDS}
    listed |= set(REQUEST_FILTERS)
    assert listed <= served, f"listed but not served: {sorted(listed - served)}"


# --- Comparing answers ----------------------------------------------------------------------


@dataclass
class Tally:
    attempts: Counter[str] = field(default_factory=Counter)
    leaks: list[str] = field(default_factory=list)

    def count(self, label: str) -> None:
        self.attempts[label] += 1

    def leak(self, label: str, detail: str) -> None:
        self.leaks.append(f"{label}: {detail}")

    @property
    def total(self) -> int:
        return sum(self.attempts.values())

    def report(self, title: str) -> str:
        rows = [f"{title}: {self.total:,} attempts, {len(self.leaks)} leaks"]
        rows += [f"  {count:6,}  {label}" for label, count in sorted(self.attempts.items())]
        return "\n".join(rows)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str


def _body(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("application/pdf"):
        text = "\n".join(
            page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages
        )
        return _GENERATED.sub("Generated <when>", text)
    return response.text


def echo_swapped(body: str, key: str, value: str) -> str:
    """The filter value the page echoes (its links' queries, the filter's own input, "No claims
    match patient \"X\"") replaced by a placeholder. A number only where it is the query's
    value (`provider=14`), since bare digits are everywhere in a page; a name or an ID wherever
    it stands as a word of its own."""
    if key in _ID_FILTERS:
        return re.sub(rf"\b{re.escape(key)}={value}(?![0-9])", f"{key}=<value>", body)
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![a-z0-9])", "<value>", body)


def answer(response: httpx.Response, echo: tuple[str, str] | None = None) -> Answer:
    """The response as compared: random ids out, and an echoed filter value swapped out."""
    body = _UUID.sub("<uuid>", _body(response))
    if echo is not None:
        body = echo_swapped(body, *echo)
    headers = tuple(
        sorted(
            (name, value)
            for name, value in response.headers.items()
            if name not in _VOLATILE_HEADERS
        )
    )
    return Answer(response.status_code, headers, body)


def difference(expected: Answer, got: Answer) -> str:
    if expected.status != got.status:
        return f"status {got.status}, a missing record gets {expected.status}"
    if expected.headers != got.headers:
        return f"headers {got.headers} differ from {expected.headers}"
    at = next(
        (i for i, (a, b) in enumerate(zip(expected.body, got.body, strict=False)) if a != b),
        min(len(expected.body), len(got.body)),
    )
    return f"body differs at {at}: {got.body[max(0, at - 80) : at + 120]!r}"


def markers_in(text: str, markers: Iterable[str]) -> list[str]:
    return sorted(marker for marker in markers if marker and marker in text)


# --- The attack over HTTP -------------------------------------------------------------------


class RouteAttack:
    """Every route x victim record for one signed-in user."""

    def __init__(self, user: User, role: Role, victims: Victims, tally: Tally) -> None:
        self.user = user
        self.role = role
        self.victims = victims
        self.tally = tally

    async def get(self, url: str) -> httpx.Response:
        return await self.user.http_client.get(url)

    async def by_id(self, label: str, url_of: Callable[[int | str], str], ids: list[int]) -> None:
        missing = answer(await self.get(url_of(MISSING_ID)))
        other_missing = answer(await self.get(url_of(MISSING_ID + 1)))
        assert missing == other_missing, f"{label}: the missing answer depends on the id"
        markers = self.victims.all_markers | self.victims.amounts
        # A few requests at a time: the pages wait on database threads, so they overlap.
        responses: list[httpx.Response] = []
        for start in range(0, len(ids), CONCURRENT_REQUESTS):
            chunk = ids[start : start + CONCURRENT_REQUESTS]
            responses += await asyncio.gather(*(self.get(url_of(wanted)) for wanted in chunk))
        for wanted, response in zip(ids, responses, strict=True):
            self.tally.count(f"{label} as {self.role.value}")
            got = answer(response)
            if got != missing:
                self.tally.leak(f"{url_of(wanted)} as {self.role}", difference(missing, got))
            elif found := markers_in(_body(response), markers):
                self.tally.leak(f"{url_of(wanted)} as {self.role}", f"names {found}")

    async def by_filter(self, path: str, key: str, values: list[str], placeholder: str) -> None:
        url = f"{path}{'&' if '?' in path else '?'}{key}={{}}"
        missing = answer(await self.get(url.format(placeholder)), echo=(key, placeholder))
        markers = self.victims.all_markers
        for value in values:
            response = await self.get(url.format(value))
            self.tally.count(f"{url.format('')} as {self.role.value}")
            got = answer(response, echo=(key, value))
            if path in LIVE_PAGES and got.status == missing.status:
                pass  # the events listed move on with every request: searched below instead
            elif got != missing:
                self.tally.leak(f"{url.format(value)} as {self.role}", difference(missing, got))
            elif found := markers_in(_body(response), markers - {value}):
                self.tally.leak(f"{url.format(value)} as {self.role}", f"names {found}")

    async def run(self, kinds: set[str] | None = None) -> None:
        wanted = kinds or set(self.victims_by_kind())
        by_kind = self.victims_by_kind()
        offsets: Counter[str] = Counter()
        for (template, param), kind in PATH_IDS.items():
            if kind in wanted:
                await self.by_id(
                    template,
                    lambda value, t=template, p=param: t.replace("{" + p + "}", str(value)),
                    sample(by_kind[kind], offsets),
                )
        for (path, param), kind in QUERY_IDS.items():
            if kind in wanted:
                await self.by_id(
                    f"{path}?{param}=",
                    lambda value, t=path, p=param: f"{t}?{p}={value}",
                    sample(by_kind[kind], offsets),
                )
        if kinds is None:
            await self.filters()
            await self.shared_member_filters()

    def victims_by_kind(self) -> dict[str, list[Any]]:
        found = self.victims
        return {
            "claims": found.claims,
            "remittances": found.remittances,
            "checks": found.checks,
            "attachments": found.attachments,
            "drafts": found.drafts,
            "imports": found.imports,
            "practice": [found.practice_id],
        }

    async def shared_member_filters(self) -> None:
        """Patients and member IDs the two practices share: the attacker may see their own
        claims for them, never one of the victim's (claim numbers, payment numbers)."""
        found = self.victims
        theirs = set(found.own_claim_numbers) | {
            marker
            for key, values in found.markers.items()
            if key.startswith("remittance:")
            for marker in values
        }
        for key, values in (("patient", found.patients[:2]), ("member_id", found.member_ids[:2])):
            for extra, value in itertools.product(SHARED_MEMBER_EXTRAS, values):
                url = f"/claims?{extra}{key}={value}"
                response = await self.get(url)
                self.tally.count(f"/claims?{extra}{key}= (shared member) as {self.role.value}")
                if response.status_code not in (200, 403):
                    self.tally.leak(f"{url} as {self.role}", f"status {response.status_code}")
                elif found_markers := markers_in(response.text, theirs):
                    self.tally.leak(f"{url} as {self.role}", f"names {found_markers}")

    async def filters(self) -> None:
        found = self.victims
        values = {
            "patient": (found.own_patients[:4], "Qqzyxw"),
            "member_id": (found.own_member_ids[:4], "ZZ000000000"),
            "claim": (found.own_claim_numbers[:6], "99999" + "0" * 5),
            "provider": ([str(item) for item in found.providers[:3]], str(MISSING_ID)),
            "location": ([str(item) for item in found.locations], str(MISSING_ID)),
            "practice": ([str(found.practice_id)], str(MISSING_ID)),
            "member": (found.own_member_ids[:6], "ZZ000000000"),
            "batch": (found.batches, "B000000000000000"),
            "user": ([str(item) for item in found.users], str(MISSING_ID)),
        }
        for path, keys in REQUEST_FILTERS.items():
            for key in keys:
                chosen, placeholder = values[key]
                if path.endswith((".pdf", ".csv")):
                    chosen = chosen[:2]  # a PDF costs ~0.2 s: a couple of each kind
                await self.by_filter(path, key, chosen, placeholder)
        # The claim list's cohort and A/R filters together with another practice's patient.
        for extra in ("cohort=denied", "owed=plan&age=0-30", "owed=patient", "status=paid"):
            await self.by_filter(f"/claims?{extra}", "patient", found.own_patients[:1], "Qqzyxw")
            await self.by_filter(
                f"/claims?{extra}", "claim", found.own_claim_numbers[-2:], "99999" + "0" * 5
            )


def sample(ids: list[Any], offsets: Counter[str]) -> list[Any]:
    """At most RECORDS_PER_ROUTE ids, every n-th from an offset that moves on with each route,
    so the routes of one kind together still ask for every record (the use cases take all)."""
    if len(ids) <= RECORDS_PER_ROUTE:
        return ids
    step = -(-len(ids) // RECORDS_PER_ROUTE)
    key = f"{len(ids)}:{ids[0]}"
    offset = offsets[key] % step
    offsets[key] += 1
    return ids[offset::step]


# --- The attack on the use cases ------------------------------------------------------------

_NUMBER = re.compile(r"\b\d+\b")


def outcome(use_case: Callable[..., Any], engine: Engine, **arguments: Any) -> str:
    """What the use case answers, as text: a value or an exception with its message."""
    try:
        with unit_of_work(engine) as session:
            result = use_case(session=session, **arguments)
    except Exception as error:  # the outcome is what is compared
        return f"raised {type(error).__name__}: {error}"
    return f"returned {result!r}"


def use_cases(actor: Actor, at: Any) -> dict[str, tuple[str, Callable[[int], dict[str, Any]], Any]]:
    """name: (record kind, arguments for an id, use case)."""
    entry = make_claim_entry()
    return {
        "read_claim": ("claims", lambda i: {"claim_id": i, "at": at}, read_claim),
        "read_claim_eob": ("claims", lambda i: {"claim_id": i, "at": at}, read_claim_eob),
        "may_appeal": ("claims", lambda i: {"claim_id": i}, may_appeal),
        "appeals_of_claim": ("claims", lambda i: {"claim_id": i, "at": at}, appeals_of_claim),
        "review_claim": ("claims", lambda i: {"claim_id": i, "at": at}, review_claim),
        "start_correction(replace)": (
            "claims",
            lambda i: {"claim_id": i, "purpose": Purpose.REPLACE, "at": at},
            start_correction,
        ),
        "save_draft(corrects)": (
            "claims",
            lambda i: {"entry": entry, "at": at, "corrects_claim_id": i},
            save_draft,
        ),
        "file_appeal": (
            "claims",
            lambda i: {
                "claim_id": i,
                "reason": "The notes show the service was medically necessary for the patient.",
                "attachments": [("notes.pdf", PDF)],
                "store": attachment_store(),
                "at": at,
            },
            file_appeal,
        ),
        "read_remittance": (
            "remittances",
            lambda i: {"remittance_id": i, "at": at},
            read_remittance,
        ),
        "remittance_advice": (
            "remittances",
            lambda i: {"remittance_id": i, "at": at},
            remittance_advice,
        ),
        "get_check": ("checks", lambda i: {"check_id": i, "at": at}, get_check),
        "attachment_for_download": (
            "attachments",
            lambda i: {"attachment_id": i, "at": at},
            attachment_for_download,
        ),
        "load_draft": ("drafts", lambda i: {"draft_id": i, "at": at}, load_draft),
        "save_draft(draft)": (
            "drafts",
            lambda i: {"draft_id": i, "entry": entry, "at": at},
            save_draft,
        ),
        "delete_draft": ("drafts", lambda i: {"draft_id": i, "at": at}, delete_draft),
        "read_import": ("imports", lambda i: {"import_id": i, "at": at}, read_import),
        "rename_view": ("views", lambda i: {"view_id": i, "name": "Mine now"}, rename_view),
        **{
            f"{use_case.__name__}({kind})": (kind, arguments, use_case)
            for kind in ("users", "plan_users")
            for use_case, arguments in (
                (resend_invite, lambda i: {"user_id": i, "at": at, "link_hours": 72}),
                (revoke_invite, lambda i: {"user_id": i, "at": at}),
                (set_roles, lambda i: {"user_id": i, "roles": {Role.BILLING}, "at": at}),
                (issue_reset_link, lambda i: {"user_id": i, "at": at, "link_hours": 72}),
                (reactivate, lambda i: {"user_id": i, "at": at}),
                (deactivate, lambda i: {"user_id": i, "at": at}),
            )
        },
        "set_home_view": ("views", lambda i: {"view_id": i}, set_home_view),
        "delete_view": ("views", lambda i: {"view_id": i}, delete_view),
    }


def attack_use_cases(
    engine: Engine, actor: Actor, role: Role, victims: Victims, tally: Tally, kinds: set[str]
) -> None:
    at = utc_now()
    records = {
        "claims": victims.claims,
        "remittances": victims.remittances,
        "checks": victims.checks,
        "attachments": victims.attachments,
        "drafts": victims.drafts,
        "imports": victims.imports,
        "views": victims.views,
        "users": victims.users,
        "plan_users": victims.plan_users,
    }
    for name, (kind, arguments, use_case) in use_cases(actor, at).items():
        if kind not in kinds:
            continue
        expected = _NUMBER.sub(
            "<n>", outcome(use_case, engine, actor=actor, **arguments(MISSING_ID))
        )
        for record_id in records[kind]:
            got = outcome(use_case, engine, actor=actor, **arguments(record_id))
            tally.count(f"use case {name} as {role.value}")
            if _NUMBER.sub("<n>", got) != expected:
                tally.leak(f"{name}({kind} {record_id}) as {role}", f"{got[:200]} != {expected}")
            elif found := markers_in(got, victims.all_markers | victims.amounts):
                tally.leak(f"{name}({kind} {record_id}) as {role}", f"names {found}")
    # Filters over the claim list (plan staff see every practice's claims by design).
    if "claims" not in kinds:
        return
    for filters in _claim_filters(victims):
        got = outcome(list_claims, engine, actor=actor, filters=filters, at=at)
        tally.count(f"use case list_claims(filter) as {role.value}")
        if got.startswith("returned") and markers_in(got, victims.all_markers):
            tally.leak(f"list_claims({filters}) as {role}", "names the other practice")


def _claim_filters(victims: Victims) -> Iterator[ClaimFilters]:
    for name in victims.own_patients:
        yield ClaimFilters(member_name=name)
    for member_id in victims.own_member_ids:
        yield ClaimFilters(member_id=member_id)
    for number in victims.own_claim_numbers[:50]:
        yield ClaimFilters(claim_number=number)
    yield ClaimFilters(practice_id=victims.practice_id)
    yield ClaimFilters(provider_ids=tuple(victims.providers))
    yield ClaimFilters(location_ids=tuple(victims.locations))


# --- The tests ------------------------------------------------------------------------------


@pytest.fixture
def victims(demo_db: Engine) -> Victims:
    return plant_and_collect(demo_db, victim=LAKESIDE, attacker=RIVERSIDE, at=utc_now())


@pytest.mark.parametrize("role", list(PRACTICE_ATTACKERS), ids=lambda role: role.value)
async def test_another_practices_records_look_missing_to_every_practice_role(
    user: User, demo_db: Engine, victims: Victims, role: Role
) -> None:
    email = PRACTICE_ATTACKERS[role]
    tally = Tally()
    started = time.perf_counter()
    await sign_in(user, email)
    await RouteAttack(user, role, victims, tally).run()
    routes_took = time.perf_counter() - started
    attack_use_cases(
        demo_db,
        actor_of(demo_db, email),
        role,
        victims,
        tally,
        kinds={
            "claims",
            "remittances",
            "checks",
            "attachments",
            "drafts",
            "imports",
            "views",
            "users",
            "plan_users",
        },
    )
    use_cases_took = time.perf_counter() - started - routes_took
    print(
        "\n"
        + tally.report(f"Isolation, {role.value} of {RIVERSIDE} against {LAKESIDE}")
        + f"\n  routes {routes_took:.0f} s, use cases {use_cases_took:.0f} s"
    )
    assert not tally.leaks, "\n".join(tally.leaks[:20])
    assert tally.total >= MIN_ATTEMPTS_PER_PRACTICE_ROLE


@pytest.mark.parametrize("role", list(PLAN_ATTACKERS), ids=lambda role: role.value)
async def test_records_plan_staff_may_not_open_look_missing_to_them(
    user: User, demo_db: Engine, victims: Victims, role: Role
) -> None:
    email = PLAN_ATTACKERS[role]
    tally = Tally()
    await sign_in(user, email)
    await RouteAttack(user, role, victims, tally).run(kinds=PLAN_STAFF_MAY_NOT_OPEN)
    attack_use_cases(
        demo_db, actor_of(demo_db, email), role, victims, tally, kinds=PLAN_STAFF_MAY_NOT_OPEN
    )
    print("\n" + tally.report(f"Isolation, {role.value} against {LAKESIDE}'s own records"))
    assert not tally.leaks, "\n".join(tally.leaks[:20])
    assert tally.total > 0
