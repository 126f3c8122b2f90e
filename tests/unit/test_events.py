"""The in-process event bus: delivery, unsubscribe handles, failing subscribers, threads."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from domain.events import ClaimsChanged, Topic, claims_changed


def change(*claim_ids: int, practice: int = 1) -> ClaimsChanged:
    return ClaimsChanged.of(claim_ids, {practice})


def test_a_subscriber_receives_what_is_published_until_it_unsubscribes() -> None:
    topic: Topic[ClaimsChanged] = Topic("test")
    received: list[ClaimsChanged] = []
    unsubscribe = topic.subscribe(received.append)

    assert topic.publish(change(1, 2)) == 1
    unsubscribe()
    unsubscribe()  # a second call is harmless
    assert topic.publish(change(3)) == 0

    assert received == [change(1, 2)]
    assert topic.subscriber_count == 0


def test_the_message_is_frozen_and_carries_ids_only() -> None:
    message = change(7, practice=2)
    assert {field.name for field in dataclasses.fields(message)} == {"claim_ids", "practice_ids"}
    assert message.claim_ids == frozenset({7}) and message.practice_ids == frozenset({2})
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.claim_ids = frozenset()  # type: ignore[misc]
    assert not ClaimsChanged.of([], [])


def test_a_failing_subscriber_does_not_starve_the_others(caplog: pytest.LogCaptureFixture) -> None:
    topic: Topic[ClaimsChanged] = Topic("test")
    received: list[ClaimsChanged] = []

    def broken(_: ClaimsChanged) -> None:
        raise RuntimeError("boom")

    topic.subscribe(broken)
    topic.subscribe(received.append)
    topic.publish(change(1))

    assert received == [change(1)]
    assert "subscriber failed" in caplog.text


def test_a_subscriber_may_unsubscribe_itself_while_being_called() -> None:
    topic: Topic[ClaimsChanged] = Topic("test")
    calls: list[int] = []
    handle = None

    def once(_: ClaimsChanged) -> None:
        calls.append(1)
        assert handle is not None
        handle()

    handle = topic.subscribe(once)
    topic.publish(change(1))
    topic.publish(change(2))
    assert calls == [1]


def test_publishing_and_subscribing_from_many_threads_loses_nothing() -> None:
    topic: Topic[ClaimsChanged] = Topic("test")
    lock = threading.Lock()
    received: list[int] = []

    def record(message: ClaimsChanged) -> None:
        with lock:
            received.extend(message.claim_ids)

    topic.subscribe(record)
    start = threading.Barrier(8)

    def publisher(offset: int) -> None:
        start.wait()
        for number in range(200):
            topic.publish(change(offset * 1000 + number))
            # Churn the subscriber list while others publish.
            topic.subscribe(lambda _: None)()

    threads = [threading.Thread(target=publisher, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(received) == sorted(o * 1000 + n for o in range(8) for n in range(200))
    assert topic.subscriber_count == 1


def test_the_claims_topic_is_one_shared_instance() -> None:
    from domain import events

    assert events.claims_changed is claims_changed
    assert claims_changed.name == "claims_changed"
