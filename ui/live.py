"""Live sections: a tab re-reads and re-draws its claim data soon after a ClaimsChanged for it."""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from nicegui import Client, background_tasks, ui

from domain.events import ClaimsChanged, Unsubscribe, claims_changed
from domain.scope import Actor

log = logging.getLogger(__name__)

T = TypeVar("T")

# A publish wakes every live section at once (call_soon_threadsafe into its event loop); the
# timer is the safety net that also ends with the tab: if a wake-up were ever lost, the next
# poll, a few integer comparisons with no database or websocket traffic, still finds the change.
POLL_SECONDS = 1.0
# How many messages a slow tab can fall behind by before it simply re-reads (see since()).
CHANGE_LOG_SIZE = 1024


class ChangeLog:
    """The messages the bus delivered, numbered, in a bounded window.

    Why a log that tabs read rather than the message pushed into each client: the bus calls back
    in the job's worker thread, where no NiceGUI element may be touched. The thread only numbers
    the message and nudges the event loop; each tab then reads what it missed on the loop, and a
    tab that was busy or asleep loses nothing."""

    def __init__(self, size: int = CHANGE_LOG_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: deque[tuple[int, ClaimsChanged]] = deque(maxlen=size)
        self._sequence = 0

    @property
    def sequence(self) -> int:
        with self._lock:
            return self._sequence

    def record(self, change: ClaimsChanged) -> None:
        with self._lock:
            self._sequence += 1
            self._entries.append((self._sequence, change))

    def since(self, seen: int) -> tuple[int, list[ClaimsChanged] | None]:
        """The newest number, and the messages after `seen` (None: some already fell out of
        the window, so the caller cannot tell what changed and should re-read)."""
        with self._lock:
            if seen == self._sequence:
                return seen, []
            if not self._entries or self._entries[0][0] > seen + 1:
                return self._sequence, None
            return self._sequence, [change for number, change in self._entries if number > seen]


CHANGES = ChangeLog()
_subscription: Unsubscribe | None = None
_subscription_lock = threading.Lock()


def install() -> None:
    """Feed the change log from the bus, once per process (NiceGUI's test harness re-runs main.py
    for every test in one process, so this must be idempotent)."""
    global _subscription
    with _subscription_lock:
        if _subscription is None:
            _subscription = claims_changed.subscribe(_record_and_wake)


_LIVE: weakref.WeakSet[LiveSection] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


def _record_and_wake(change: ClaimsChanged) -> None:
    """Runs in the publisher's thread: number the change, then wake each live section in its own
    event loop (call_soon_threadsafe is the one safe way into a loop from another thread)."""
    CHANGES.record(change)
    with _LIVE_LOCK:
        sections = list(_LIVE)
    for section in sections:
        section.wake_threadsafe()


@dataclass(frozen=True)
class Interest:
    """Which changes a section shows: a practice's (None: every practice, for plan staff), and
    optionally one claim's."""

    practice_id: int | None
    claim_id: int | None = None

    @classmethod
    def of(cls, actor: Actor, claim_id: int | None = None) -> Interest:
        if actor.is_plan_staff:
            return cls(None, claim_id)
        # A practice user without a practice sees no claims, so no change concerns them.
        return cls(actor.practice_id if actor.practice_id is not None else -1, claim_id)

    def concerns(self, change: ClaimsChanged) -> bool:
        if self.claim_id is not None and self.claim_id not in change.claim_ids:
            return False
        return self.practice_id is None or self.practice_id in change.practice_ids


# The sections of each open tab by client id, for tests to inspect; an entry goes when its
# client is deleted (a weak map would not do: a section's closures reach its client's elements).
_SECTIONS: dict[str, list[LiveSection]] = {}


def sections_of(client: Client) -> list[LiveSection]:
    return list(_SECTIONS.get(client.id, []))


def _forget(client_id: str) -> None:
    for section in _SECTIONS.pop(client_id, []):
        section.stop()


class LiveSection:
    """One live part of one tab: its interest, its timer, and counts the tests read."""

    def __init__(self, interest: Interest, changes: ChangeLog = CHANGES) -> None:
        self.interest = interest
        self.changes = changes
        # Taken before the first read, so a change committed while the page loads is not lost.
        self.seen = changes.sequence
        self.polls = 0
        self.refreshes = 0
        self.timer: ui.timer | None = None
        self._reload: Callable[[], Awaitable[None]] | None = None
        self._client: Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._polling = asyncio.Lock()

    def start(self, reload: Callable[[], Awaitable[None]]) -> None:
        """Follow changes from now on, in the current client (the timer dies with it)."""
        install()
        self._reload = reload
        client = ui.context.client
        self._client = client
        self._loop = asyncio.get_running_loop()
        self.timer = ui.timer(POLL_SECONDS, self.poll)
        if client.id not in _SECTIONS:
            client.on_delete(lambda: _forget(client.id))
        _SECTIONS.setdefault(client.id, []).append(self)
        with _LIVE_LOCK:
            _LIVE.add(self)

    def stop(self) -> None:
        """The tab is gone: no more wake-ups (its timer went with its elements)."""
        with _LIVE_LOCK:
            _LIVE.discard(self)
        self._client = None
        self._reload = None

    def wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed() or self._client is None or self._client.is_deleted:
            return
        try:
            loop.call_soon_threadsafe(self._wake)
        except RuntimeError:  # the loop closed in between: the app is stopping
            return

    def _wake(self) -> None:
        if self._client is not None and not self._client.is_deleted:
            background_tasks.create(self.poll(), name="live section")

    async def poll(self) -> None:
        """From the timer or a wake-up; the lock keeps a tab to one re-read at a time, and a
        change that lands during a re-read is found by the poll waiting on the lock."""
        async with self._polling:
            self.polls += 1
            before = self.seen
            newest, changes = self.changes.since(before)
            if newest == before:
                return
            self.seen = newest
            if changes is not None and not any(self.interest.concerns(c) for c in changes):
                return
            if self._reload is None:  # stopped while this poll waited
                return
            try:
                await self._reload()
            except Exception:
                # Keep what the tab shows and try again at the next poll rather than fail the
                # page while, say, the database restarts.
                self.seen = before
                log.warning("live refresh failed; retrying", exc_info=True)
                return
            self.refreshes += 1


async def live_section(
    actor: Actor,
    load: Callable[[], Awaitable[T]],
    draw: Callable[[T], None],
    *,
    claim_id: int | None = None,
) -> LiveSection:
    """Draw `draw(await load())` now, and again whenever a change concerning `actor` (and
    `claim_id`, when given) is published: `load` re-queries off the event loop (ui.data.call),
    and only this section's elements are replaced, so the URL's filters and the scroll position
    stay as they are. Each tab gets its own refreshable and timer."""
    section = LiveSection(Interest.of(actor, claim_id))

    # Defined per call: a module-level refreshable would be shared by every client.
    @ui.refreshable
    def drawn(data: T) -> None:
        draw(data)

    drawn(await load())

    async def reload() -> None:
        drawn.refresh(await load())

    section.start(reload)
    return section
