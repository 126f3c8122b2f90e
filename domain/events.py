"""A tiny in-process publish/subscribe bus: jobs announce claim changes, pages listen."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Message = TypeVar("Message")


@dataclass(frozen=True)
class ClaimsChanged:
    """Claims whose status moved. Ids only: a message may be logged or kept, so no PHI."""

    claim_ids: frozenset[int]
    practice_ids: frozenset[int]

    @classmethod
    def of(cls, claim_ids: Iterable[int], practice_ids: Iterable[int]) -> ClaimsChanged:
        return cls(frozenset(claim_ids), frozenset(practice_ids))

    def __bool__(self) -> bool:
        return bool(self.claim_ids)


class Unsubscribe:
    """The handle subscribe() returns: call it (any number of times) to stop listening."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action: Callable[[], None] | None = action
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            action, self._action = self._action, None
        if action is not None:
            action()


class Topic(Generic[Message]):
    """Subscribers are called synchronously in the publisher's thread (the job's worker thread),
    so they must be quick and must not touch the UI: ui.live hands the message over to the
    event loop."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._subscribers: dict[int, Callable[[Message], None]] = {}
        self._next_key = 0

    def subscribe(self, callback: Callable[[Message], None]) -> Unsubscribe:
        with self._lock:
            key = self._next_key
            self._next_key += 1
            self._subscribers[key] = callback
        return Unsubscribe(lambda: self._remove(key))

    def _remove(self, key: int) -> None:
        with self._lock:
            self._subscribers.pop(key, None)

    def publish(self, message: Message) -> int:
        """Deliver to every subscriber; returns how many were called. The callbacks run outside
        the lock so one may (un)subscribe, and a failing one does not starve the others."""
        with self._lock:
            callbacks = list(self._subscribers.values())
        for callback in callbacks:
            try:
                callback(message)
            except Exception:
                log.exception("a %s subscriber failed", self.name)
        return len(callbacks)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


claims_changed: Topic[ClaimsChanged] = Topic("claims_changed")
