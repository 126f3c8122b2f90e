"""Stored XSS, attacked in a real browser: a corpus of payloads saved into every free-text field
the portal keeps, then every page that shows them opened in Chromium; not one may run.

Each payload, if it ever ran, would call `__xss(N)` (defined by an init script before any page
script) or `alert(N)` (caught as a dialog event). The portal has to escape what it shows: the
test gives the page no CSP to lean on (it counts `securitypolicyviolation` events separately and
requires none, so a header that blocked a payload instead of the escaping would be noticed).

The payloads go straight into the test portal's database (seed-type fields: names of members,
practices, locations, providers and users; claim notes and rejection reasons; appeal reasons and
attachment file names; draft summaries; saved-view names; import file names and rejection
reasons; remittance payment numbers), as a use case would store them: the use cases clean
file names and trim text, but store names and reasons as typed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from domain.claim_entry import entry_to_json
from tests.e2e.harness import home_heading, page_drawn, running_portal, sign_in
from tests.factories import make_claim_entry

# Each {n} is the payload's own number, so a hit says which payload ran.
TEMPLATES = (
    "<script>__xss({n})</script>",
    "<img src=x onerror=__xss({n})>",
    "<svg onload=__xss({n})>",
    "<svg><script>__xss({n})</script></svg>",
    "javascript:__xss({n})",
    '" onmouseover="__xss({n})" x="',
    "' onfocus='__xss({n})' autofocus='",
    '"><img src=x onerror=__xss({n})>',
    "</script><script>__xss({n})</script>",
    "{{{{constructor.constructor('__xss({n})')()}}}}",
    "{{{{$el.ownerDocument.defaultView.__xss({n})}}}}",
    "${{__xss({n})}}",
    "#{{__xss({n})}}",
    "[x](javascript:__xss({n}))",
    "&lt;img src=x onerror=__xss({n})&gt;",
    "&#60;script&#62;__xss({n})&#60;/script&#62;",
    "<iframe srcdoc='<script>parent.__xss({n})</script>'>",
    '<a href="javascript:__xss({n})">x</a>',
    "<details open ontoggle=__xss({n})>",
    "<body onload=__xss({n})>",
    "\u202e<img src=x onerror=__xss({n})>",
    "\uff1cscript\uff1e__xss({n})\uff1c/script\uff1e",  # fullwidth < and >
    "<style>@import 'javascript:__xss({n})'</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    "<input autofocus onfocus=alert({n})>",
)
PAYLOADS = [template.format(n=number) for number, template in enumerate(TEMPLATES, start=1)]

HOOK = """
window.__xss_hits = [];
window.__xss = (n) => { window.__xss_hits.push(n); };
window.__csp_violations = 0;
document.addEventListener('securitypolicyviolation', () => { window.__csp_violations += 1; });
"""


def _payload(number: int) -> str:
    return PAYLOADS[number % len(PAYLOADS)]


def _plant(database: Path) -> dict[str, object]:
    """Write the payloads into every free-text field; return ids the pages need."""
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    db = sqlite3.connect(database)
    try:
        cur = db.cursor()
        fields = 0
        for row, (member_id,) in enumerate(cur.execute("SELECT id FROM member").fetchall()):
            cur.execute(
                "UPDATE member SET first_name = ?, last_name = ? WHERE id = ?",
                (_payload(row), _payload(row + 1), member_id),
            )
        fields += 2
        for table, columns in (
            ("practice", ("name",)),
            ("location", ("name", "address_line")),
            ("provider", ("first_name", "last_name", "specialty")),
            ("user", ("full_name",)),
            ("claimstatusevent", ("note",)),
        ):
            ids = [row[0] for row in cur.execute(f'SELECT id FROM "{table}"').fetchall()]
            for row, record_id in enumerate(ids):
                assignments = ", ".join(f"{column} = ?" for column in columns)
                cur.execute(
                    f'UPDATE "{table}" SET {assignments} WHERE id = ?',
                    (*[_payload(row + offset) for offset, _ in enumerate(columns)], record_id),
                )
            fields += len(columns)
        cur.execute(
            "UPDATE claim SET rejection_reason = ? WHERE status = 'rejected'", (_payload(3),)
        )
        fields += 1
        for row, (remittance_id,) in enumerate(cur.execute("SELECT id FROM remittance").fetchall()):
            cur.execute(
                "UPDATE remittance SET payment_number = ? WHERE id = ?",
                (f"{_payload(row)}#{remittance_id}", remittance_id),
            )
        fields += 1
        riverside = cur.execute("SELECT id FROM practice ORDER BY id").fetchone()[0]
        billing = cur.execute(
            "SELECT id FROM user WHERE email = 'billing@riverside.example'"
        ).fetchone()[0]
        denied = cur.execute(
            "SELECT id FROM claim WHERE practice_id = ? AND status = 'remitted' "
            "AND finalized_as = 'denied' ORDER BY id DESC",
            (riverside,),
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO appeal (practice_id, claim_id, reason, filed_by, filed_at, status, "
            "decision_note) VALUES (?, ?, ?, ?, ?, 'open', ?)",
            (riverside, denied, " ".join(PAYLOADS), billing, at, _payload(4)),
        )
        appeal_id = cur.lastrowid
        for number, payload in enumerate(PAYLOADS):
            cur.execute(
                "INSERT INTO appealattachment (appeal_id, practice_id, original_name, "
                "stored_name, content_type, size_bytes, sha256, uploaded_at) "
                "VALUES (?, ?, ?, ?, 'application/pdf', 10, ?, ?)",
                (appeal_id, riverside, f"{payload}.pdf", f"xss{number}.pdf", "0" * 64, at),
            )
        fields += 3
        for payload in PAYLOADS[:20]:
            cur.execute(
                "INSERT INTO savedview (user_id, practice_id, name, path, query, is_home, "
                "created_at, updated_at) VALUES (?, ?, ?, '/reports', '', 0, ?, ?)",
                (billing, riverside, payload, at, at),
            )
        fields += 1
        entry = entry_to_json(
            make_claim_entry(member_id=_payload(5), patient_control_number=_payload(6))
        )
        cur.execute(
            "INSERT INTO claimdraft (practice_id, created_by, created_at, updated_at, summary, "
            "entry_json) VALUES (?, ?, ?, ?, ?, ?)",
            (riverside, billing, at, at, _payload(7), entry),
        )
        draft_id = cur.lastrowid
        fields += 1
        rejections = [
            {"ordinal": n, "locator": f"row {n}", "account": payload, "reason": payload}
            for n, payload in enumerate(PAYLOADS, start=1)
        ]
        cur.execute(
            "INSERT INTO claimimport (practice_id, user_id, file_name, file_sha256, "
            "file_format, received_at, finished_at, total_claims, processed, accepted, "
            "rejected, rejections_json) VALUES (?, ?, ?, ?, 'csv', ?, ?, ?, ?, 0, ?, ?)",
            (
                riverside,
                billing,
                _payload(8),
                "1" * 64,
                at,
                at,
                len(PAYLOADS),
                len(PAYLOADS),
                len(PAYLOADS),
                json.dumps(rejections),
            ),
        )
        import_id = cur.lastrowid
        fields += 3
        pended = cur.execute("SELECT id FROM claim WHERE status = 'pended' ORDER BY id").fetchone()
        rejected = cur.execute(
            "SELECT id FROM claim WHERE status = 'rejected' AND practice_id = ? ORDER BY id",
            (riverside,),
        ).fetchone()
        remittance = cur.execute(
            "SELECT id FROM remittance WHERE practice_id = ? ORDER BY id DESC", (riverside,)
        ).fetchone()
        db.commit()
    finally:
        db.close()
    return {
        "fields": fields,
        "denied": denied,
        "draft": draft_id,
        "import": import_id,
        "pended": pended[0] if pended else None,
        "rejected": rejected[0] if rejected else None,
        "remittance": remittance[0],
    }


def _plant_audit(database: Path) -> int:
    """Audit events whose free text carries the payloads, written through domain.audit (the
    events are hash-chained, so rows are never inserted around it)."""
    from domain.audit import record
    from storage.db import make_engine, unit_of_work

    engine = make_engine(f"sqlite:///{database}")
    try:
        with unit_of_work(engine) as session:
            for number, payload in enumerate(PAYLOADS):
                record(
                    session,
                    action=f"read {payload}"[:40],
                    at=datetime.now(UTC),
                    user_id=1 + number % 4,
                    practice_id=1,
                    entity_type="claim",
                    entity_id=payload[:40],
                    source_ip=payload[:45],
                    detail=payload,
                )
    finally:
        engine.dispose()
    return 4


def _plant_check(database: Path) -> int:
    """A kept eligibility check of a member whose names are payloads (the answer is kept whole,
    names included, and reprinted on the check's own page)."""
    from datetime import timedelta

    from sqlmodel import select

    from domain.eligibility import EligibilityInquiry
    from domain.eligibility_service import check_and_keep
    from domain.members import Member
    from domain.scope import Actor
    from domain.users import User, UserRole
    from storage.db import make_engine, unit_of_work

    engine = make_engine(f"sqlite:///{database}")
    try:
        with unit_of_work(engine) as session:
            user = session.exec(
                select(User).where(User.email == "frontdesk@riverside.example")
            ).one()
            roles = session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all()
            assert user.id is not None
            actor = Actor(user_id=user.id, practice_id=user.practice_id, roles=frozenset(roles))
            member = session.exec(select(Member).order_by(Member.id)).first()  # type: ignore[arg-type]
            assert member is not None
            kept = check_and_keep(
                session,
                actor=actor,
                inquiry=EligibilityInquiry(
                    date_of_service=datetime.now(UTC).date() - timedelta(days=1),
                    date_of_birth=member.date_of_birth,
                    member_id=member.member_id,
                ),
                at=datetime.now(UTC),
            )
    finally:
        engine.dispose()
    return kept.check_id


@pytest.fixture(scope="module")
def planted(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, object]]]:
    folder = tmp_path_factory.mktemp("xss")
    database = folder / "portico.db"
    shutil.copyfile(demo_template, database)
    ids = _plant(database)
    ids["fields"] = int(ids["fields"]) + _plant_audit(database)  # type: ignore[call-overload]
    ids["check"] = _plant_check(database)
    with running_portal(f"sqlite:///{database}", folder / "portal.log") as base_url:
        yield base_url, ids


def _visit(page: Page, path: str, hits: list[str]) -> int:
    """Open the page, let it draw, hover and focus what is there; return how many payloads it
    shows as text."""
    page.goto(path)
    page_drawn(page)
    for element in page.locator("a, button, td, .q-item").all()[:60]:
        try:
            element.hover(timeout=300)
        except Exception:  # covered or off screen: hovering is a bonus, not the test
            break
    page.wait_for_timeout(200)  # a timer-driven payload (onfocus, ontoggle) gets its turn
    ran = page.evaluate("window.__xss_hits")
    violations = page.evaluate("window.__csp_violations")
    if ran:
        hits.append(f"{path}: payloads {sorted(set(ran))} ran")
    if violations:
        hits.append(f"{path}: {violations} CSP violations (the page must escape, not rely on CSP)")
    body = page.content()
    return sum(
        1
        for payload in PAYLOADS
        if _escaped_text(payload) in body or payload in page.inner_text("body")
    )


def _escaped_text(payload: str) -> str:
    return payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _positive_control(page: Page) -> None:
    """The hook does catch a payload that runs (so the zero below means something)."""
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=__xss(0)>')")
    page.wait_for_function("window.__xss_hits.includes(0)")
    page.evaluate("window.__xss_hits = []")


def _context(browser: Browser, base_url: str, dialogs: list[str]) -> Page:
    context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(20_000)
    context.add_init_script(HOOK)
    page = context.new_page()
    page.on(
        "dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss())
    )
    return page


def test_no_stored_payload_runs_on_any_page(
    browser: Browser, planted: tuple[str, dict[str, object]]
) -> None:
    base_url, ids = planted
    visits = {
        "billing@riverside.example": [
            "/",
            "/claims",
            "/claims?status=rejected",
            "/claims?status=denied",
            f"/claims/{ids['denied']}",
            f"/claims/{ids['rejected']}",
            f"/claims/new?draft={ids['draft']}",
            f"/claims/new?correct={ids['rejected']}",
            f"/claims/upload?import_id={ids['import']}",
            "/claims/upload",
            "/remittances",
            f"/remittances/{ids['remittance']}",
            "/reports",
            "/reports/denials",
            "/reports/aging",
            "/eligibility/history",
            f"/eligibility/checks/{ids['check']}",
        ],
        "admin@riverside.example": ["/practice/users", "/reports", "/audit"],
        "examiner@plan.example": [
            "/",
            "/claims-queue",
            "/claims-queue?tab=appeals",
            f"/claims-queue/{ids['pended']}",
            f"/claims/{ids['denied']}",
        ],
        "planadmin@plan.example": ["/reports", "/claims", "/audit", "/plan/users"],
    }
    hits: list[str] = []
    dialogs: list[str] = []
    shown = 0
    pages = 0
    for email, paths in visits.items():
        page = _context(browser, base_url, dialogs)
        sign_in(page, email)
        home_heading(page)
        for path in paths:
            shown += _visit(page, path, hits)
            pages += 1
        _positive_control(page)
        if email == "billing@riverside.example":
            page.goto("/reports")
            page_drawn(page)
            page.get_by_role("button", name="Saved views").click()
            page.wait_for_timeout(500)
            shown += sum(1 for payload in PAYLOADS if payload in page.inner_text("body"))
            ran = page.evaluate("window.__xss_hits")
            if ran:
                hits.append(f"saved views menu: payloads {sorted(set(ran))} ran")
        page.context.close()
    print(
        f"\nXSS: {len(PAYLOADS)} payloads x {ids['fields']} fields x {pages} pages; "
        f"payload texts seen on pages: {shown}; ran: {len(hits)}; dialogs: {len(dialogs)}"
    )
    assert not hits and not dialogs, "\n".join(hits + dialogs)
    assert shown >= len(PAYLOADS), "the payloads were not on the pages: the test saw nothing"
