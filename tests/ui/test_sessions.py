"""Server-side sessions: a fresh session at sign-in, and an old cookie or an old tab refused
after sign-out, the idle and absolute timeouts, sign-out-everywhere and deactivation; the idle
warning that lets the user stay; throttled sign-in that never tells whether an email exists."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nicegui import Client, app, core
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.auth import SIGN_IN_FAILED, UNKNOWN_EMAILS
from domain.user_sessions import UserSession, end_all_for_user
from domain.users import User as PortalUser
from storage.settings import get_settings
from tests.ui.journeys import PATIENCE, see, sign_in, submit_sign_in
from ui import clock, idle, session

COOKIE = "portico_session"
BILLING = "billing@riverside.example"


class Clock:
    """The portal's clock (ui/clock.now), moved by the test instead of by waiting."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def portal_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture(autouse=True)
def _fresh_unknown_email_counters() -> Iterator[None]:
    UNKNOWN_EMAILS.clear()
    yield
    UNKNOWN_EMAILS.clear()


def settings(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"PORTICO_{name.upper()}", str(value))
    get_settings.cache_clear()


def cookie_of(user: User) -> str:
    return user.http_client.cookies.get(COOKIE) or ""


def cookie_contents(cookie: str) -> dict[str, str]:
    """What starlette's signed session cookie carries (base64 JSON before the signature)."""
    payload = cookie.split(".", 1)[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


async def get_with(cookie: str, path: str = "/") -> httpx.Response:
    """A request from another browser holding only this cookie (a stolen or kept copy)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(core.app), base_url="http://test"
    ) as browser:
        browser.cookies.set(COOKIE, cookie)
        return await browser.get(path)


def assert_refused(response: httpx.Response, path: str = "/") -> None:
    assert response.status_code == 303
    assert response.headers["location"] == session.login_url(path)


def sessions_of(engine: Engine, email: str) -> list[UserSession]:
    with Session(engine) as db:
        account = db.exec(select(PortalUser).where(PortalUser.email == email)).one()
        return list(
            db.exec(
                select(UserSession)
                .where(UserSession.user_id == account.id)
                .order_by(col(UserSession.id))
            ).all()
        )


def actions(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all())


async def test_sign_in_replaces_the_whole_session_cookie(user: User, demo_db: Engine) -> None:
    await user.open("/login")
    before = cookie_of(user)
    assert before and "sid" not in cookie_contents(before)

    await sign_in(user, BILLING)
    after = cookie_of(user)
    contents = cookie_contents(after)
    assert after != before
    assert contents["id"] != cookie_contents(before)["id"]  # a new NiceGUI browser id too
    (row,) = sessions_of(demo_db, BILLING)
    assert row.token_hash == hashlib.sha256(contents["sid"].encode()).hexdigest()
    assert contents["sid"] not in row.token_hash  # only the hash is stored

    assert_refused(await get_with(before))  # the pre-sign-in cookie is not signed in
    assert (await get_with(after)).status_code == 200
    # Nothing about the session is kept in app.storage.user.
    assert all(not storage for storage in app.storage._users.values())


async def test_a_planted_pending_sign_in_cannot_be_started_without_its_nonce(user: User) -> None:
    await user.open("/login")
    planted = cookie_of(user)  # what an attacker could plant in the victim's browser
    await submit_sign_in(user, BILLING)
    await see(user, marker="home-title")
    response = await get_with(planted, "/session/start?n=guessed")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert_refused(await get_with(planted))


async def test_an_old_cookie_is_refused_after_sign_out(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    kept = cookie_of(user)
    user.find(marker="sign-out").click()
    await see(user, marker="sign-in")
    assert_refused(await get_with(kept))
    assert_refused(await get_with(kept, "/claims"), "/claims")
    (row,) = sessions_of(demo_db, BILLING)
    assert row.end_reason == "sign_out"
    # The home page's reads (its worklist names patients) fall in between; the session's own
    # events are the sign-in and, last, the sign-out.
    session_events = [a for a in actions(demo_db) if a != "read"]
    assert session_events[-2:] == ["sign_in", "sign_out"]


async def test_an_old_cookie_is_refused_after_the_idle_timeout(
    user: User, demo_db: Engine, portal_clock: Clock
) -> None:
    await sign_in(user, BILLING)
    kept = cookie_of(user)
    portal_clock.advance(minutes=14)
    assert (await get_with(kept)).status_code == 200  # a page load is activity
    portal_clock.advance(minutes=14)
    assert (await get_with(kept)).status_code == 200
    portal_clock.advance(minutes=15, seconds=1)
    assert_refused(await get_with(kept))
    (row,) = sessions_of(demo_db, BILLING)
    assert row.end_reason == "idle"
    assert "session_end" in actions(demo_db)
    portal_clock.advance(minutes=-20)  # even if the clock went back, an ended session stays so
    assert_refused(await get_with(kept))


async def test_an_old_cookie_is_refused_after_the_absolute_timeout(
    user: User, demo_db: Engine, portal_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings(monkeypatch, session_idle_minutes=60, session_absolute_hours=2)
    await sign_in(user, BILLING)
    kept = cookie_of(user)
    for _ in range(3):  # busy all along: never idle
        portal_clock.advance(minutes=35)
        assert (await get_with(kept)).status_code == 200
    portal_clock.advance(minutes=15)
    assert_refused(await get_with(kept))
    (row,) = sessions_of(demo_db, BILLING)
    assert row.end_reason == "absolute"


async def test_an_old_cookie_is_refused_after_deactivation(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    kept = cookie_of(user)
    with Session(demo_db) as db:
        account = db.exec(select(PortalUser).where(PortalUser.email == BILLING)).one()
        account.is_active = False
        db.add(account)
        db.commit()
    assert_refused(await get_with(kept))
    (row,) = sessions_of(demo_db, BILLING)
    assert row.end_reason == "deactivated"


async def test_deactivation_ends_open_tabs_at_once(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    kept = cookie_of(user)
    tab = user.client
    assert tab is not None
    with Session(demo_db) as db:
        account = db.exec(select(PortalUser).where(PortalUser.email == BILLING)).one()
        account.is_active = False
        db.add(account)
        account_id = account.id
        assert account_id is not None
        # What the user-admin deactivation does: end the sessions, then kick the tabs.
        assert end_all_for_user(db, account_id, at=clock.now(), reason="deactivated") == 1
        db.commit()
    assert session.kick_user(account_id) == 1
    assert tab.is_deleted and tab.id not in Client.instances
    assert not session.tabs_of(account_id)
    assert_refused(await get_with(kept))
    assert "sessions_ended" in actions(demo_db)


async def test_sign_out_everywhere_ends_every_session_and_tab(
    user: User, demo_db: Engine, create_user: object
) -> None:
    # Another device, signed in as the same person.
    other: User = create_user()  # type: ignore[operator]
    await sign_in(other, BILLING)
    other_cookie = cookie_of(other)
    other_tab = other.client
    assert other_tab is not None

    await sign_in(user, BILLING)
    await user.open("/claims")  # a second tab here (the first is still open)
    assert len(session.tabs_of(sessions_of(demo_db, BILLING)[0].user_id)) == 3
    here = cookie_of(user)
    user.find(marker="sign-out-everywhere").click()
    await see(user, marker="sign-in")

    assert other_tab.is_deleted and other_tab.id not in Client.instances
    assert all(row.ended_at is not None for row in sessions_of(demo_db, BILLING))
    assert {row.end_reason for row in sessions_of(demo_db, BILLING)} == {"everywhere"}
    assert_refused(await get_with(other_cookie))
    assert_refused(await get_with(here))
    assert not session.tabs_of(sessions_of(demo_db, BILLING)[0].user_id)


async def test_the_idle_warning_lets_the_user_stay(
    user: User, demo_db: Engine, portal_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle, "CHECK_SECONDS", 0.1)
    monkeypatch.setattr(idle, "WARNING_TICK_SECONDS", 0.1)
    settings(monkeypatch, session_idle_minutes=15, session_warning_seconds=120)
    await sign_in(user, BILLING)
    await user.should_not_see(marker="idle-stay")

    portal_clock.advance(minutes=13, seconds=30)  # 90 s left: inside the warning
    await see(user, marker="idle-countdown", content="You will be signed out in 90 s")
    user.find(marker="idle-stay").click()
    await user.should_not_see(marker="idle-stay", retries=PATIENCE)
    (row,) = sessions_of(demo_db, BILLING)
    assert row.last_seen_at == portal_clock.at and row.ended_at is None

    portal_clock.advance(minutes=14)  # 14 min after "Stay": still signed in, warned again
    await see(user, marker="idle-stay")
    await user.should_see(marker="home-title")
    assert sessions_of(demo_db, BILLING)[0].ended_at is None


async def test_without_an_answer_the_tab_goes_to_sign_in(
    user: User, demo_db: Engine, portal_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle, "CHECK_SECONDS", 0.1)
    monkeypatch.setattr(idle, "WARNING_TICK_SECONDS", 0.1)
    await sign_in(user, BILLING)
    await user.open("/claims?status=denied")
    await see(user, marker="claims-list")
    portal_clock.advance(minutes=14)
    await see(user, marker="idle-stay")
    portal_clock.advance(minutes=1)
    await see(user, marker="sign-in")
    # The claims tab goes to sign-in and back to its page afterwards; the home tab opened at
    # sign-in is still open in the simulation, and its own watch may get there last ("/").
    assert user.back_history[-1] in {session.login_url("/claims?status=denied"), session.LOGIN}
    (row,) = sessions_of(demo_db, BILLING)
    assert row.end_reason == "idle"


async def test_activity_in_the_tab_keeps_the_session(
    user: User, demo_db: Engine, portal_clock: Clock
) -> None:
    await sign_in(user, BILLING)
    portal_clock.advance(minutes=10)
    client = user.client
    assert client is not None
    # What the page's script sends (throttled) on a key, click or scroll: emitEvent(...).
    (listener,) = [
        listener
        for listener in client.layout._event_listeners.values()
        if listener.type == idle.ACTIVITY_EVENT
    ]
    client.handle_event({"id": client.layout.id, "listener_id": listener.id, "args": []})
    for _ in range(PATIENCE):
        if sessions_of(demo_db, BILLING)[0].last_seen_at == portal_clock.at:
            break
        await asyncio.sleep(0.1)
    assert sessions_of(demo_db, BILLING)[0].last_seen_at == portal_clock.at


async def test_throttled_sign_in_says_the_same_for_unknown_emails(
    user: User, demo_db: Engine, portal_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings(monkeypatch, sign_in_lockout_failures=4, sign_in_lockout_minutes=15)
    messages: dict[str, list[str]] = {}
    for email in (BILLING, "nobody@riverside.example"):
        seen = messages.setdefault(email, [])
        for attempt in range(5):  # 3 failures, one refused unchecked, then (a second later) the 4th
            if attempt == 4:
                portal_clock.advance(seconds=1)
            await user.open("/login")
            await submit_sign_in(user, email, "wrong-password-here")
            await see(user, marker="sign-in-error")
            (label,) = user.find(marker="sign-in-error").elements
            seen.append(label.text)  # type: ignore[attr-defined]
    assert messages[BILLING] == messages["nobody@riverside.example"]
    assert messages[BILLING] == [
        SIGN_IN_FAILED,
        SIGN_IN_FAILED,
        SIGN_IN_FAILED,
        "Too many attempts. Try again in 1 second.",
        "Too many attempts. Try again in 15 minutes.",
    ]
    # Locked: even the right password is refused, without a word about why.
    await user.open("/login")
    await submit_sign_in(user, BILLING)
    await see(user, marker="sign-in-error", content="Too many attempts. Try again in 15 minutes.")
    assert not sessions_of(demo_db, BILLING)
    assert actions(demo_db).count("lockout") == 2
