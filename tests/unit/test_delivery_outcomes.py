"""What happens to an outbox entry after a send: ack, retry with backoff, or a dead letter with a reason.

Driven one pass at a time (``deliver_due``) with a clock the test moves, over every real store.
"""

from __future__ import annotations

import random

import pytest

from service import metrics
from service.delivery import Delivery, retry_delay
from service.notify.base import SendResult
from service.state.base import FullStore
from tests.support import quick_settings
from tests.support.delivery_fakes import FakeClock, ScriptedNotifier, keys, make_entries, make_route

SETTINGS = quick_settings(retry_base=0.01, retry_max=60.0, max_attempts=12)


def delivered_count(channel: str) -> float:
    value = metrics.REGISTRY.get_sample_value("wirewatch_alerts_delivered_total", {"channel": channel})
    return value or 0.0


async def test_accepted_alert_is_acked_and_counted(store: FullStore) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier()
    route = make_route(notifier, name="ack-desk")
    entries = make_entries("ack-desk", clock(), 1)
    await store.enqueue(entries)
    before = delivered_count("ack-desk")

    sent = await Delivery(store, SETTINGS, clock, random.Random(1)).deliver_due(route)

    assert sent == 1
    assert keys(notifier.batches[0].alerts) == [entries[0].alert.key]
    assert notifier.batches[0].kind == "single"
    assert await store.pending("ack-desk") == [] and await store.dead_letters() == []
    assert delivered_count("ack-desk") == before + 1


async def test_notifier_that_raises_is_retried_never_lost(store: FullStore) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier(script=[RuntimeError("boom with https://hooks.example/secret")])
    route = make_route(notifier)
    [entry] = make_entries("desk", clock(), 1)
    await store.enqueue([entry])
    delivery = Delivery(store, SETTINGS, clock, random.Random(1))

    assert await delivery.deliver_due(route) == 0
    [pending] = await store.pending("desk")
    assert pending.attempts == 1
    assert pending.last_error == "internal error: RuntimeError"  # the class only, never the message
    assert pending.next_attempt > clock()

    clock.advance(1.0)
    assert await delivery.deliver_due(route) == 1
    assert notifier.delivered_keys == [entry.alert.key, entry.alert.key]
    assert await store.pending() == [] and await store.dead_letters() == []


@pytest.mark.parametrize(
    ("result", "least", "most"),
    [
        # peer said when: never sooner than Retry-After
        (SendResult.retry("slack: 429 Too Many Requests", retry_after=30.0), 30.0, 30.0),
        (SendResult.retry("webhook: 503 Service Unavailable", retry_after=2.5), 2.5, 2.5),
        # no Retry-After: first backoff is retry_base with jitter in [50%, 100%]
        (SendResult.retry("webhook: 500 Internal Server Error"), 0.005, 0.01),
        (SendResult.retry("email: timeout (TimeoutError)"), 0.005, 0.01),
        # an absurd Retry-After is held to retry_max
        (SendResult.retry("matrix: 429", retry_after=86400.0), 60.0, 60.0),
    ],
    ids=["429-retry-after", "503-retry-after", "500", "timeout", "retry-after-capped"],
)
async def test_retryable_failure_backs_off_then_delivers_once(
    store: FullStore, result: SendResult, least: float, most: float
) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier(script=[result])
    route = make_route(notifier)
    [entry] = make_entries("desk", clock(), 1)
    await store.enqueue([entry])
    delivery = Delivery(store, SETTINGS, clock, random.Random(7))

    assert await delivery.deliver_due(route) == 0
    [pending] = await store.pending("desk")
    assert pending.attempts == 1 and pending.last_error == result.reason
    assert least <= pending.next_attempt - clock() <= most

    clock.advance(least / 2)  # not due yet: nothing is sent early
    assert await delivery.deliver_due(route) == 0 and len(notifier.batches) == 1

    clock.now = pending.next_attempt
    assert await delivery.deliver_due(route) == 1
    clock.advance(3600)
    assert await delivery.deliver_due(route) == 0
    assert notifier.delivered_keys == [entry.alert.key] * 2  # one failure, then exactly one delivery
    assert await store.pending() == [] and await store.dead_letters() == []


async def test_attempts_grow_and_backoff_doubles(store: FullStore) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier(default=SendResult.retry("webhook: 502 Bad Gateway"))
    route = make_route(notifier)
    await store.enqueue(make_entries("desk", clock(), 1))
    delivery = Delivery(store, SETTINGS, clock, random.Random(3))
    delays = []
    for attempt in range(1, 6):
        await delivery.deliver_due(route)
        [pending] = await store.pending("desk")
        assert pending.attempts == attempt
        delays.append(pending.next_attempt - clock())
        clock.now = pending.next_attempt
    for n, delay in enumerate(delays):
        full = 0.01 * 2**n
        assert full / 2 <= delay <= full + 1e-9


@pytest.mark.parametrize(
    ("attempts", "retry_after", "least", "most"),
    [
        (1, None, 1.0, 2.0),
        (2, None, 2.0, 4.0),
        (4, None, 8.0, 16.0),
        (20, None, 50.0, 100.0),  # capped by retry_max
        (1, 30.0, 30.0, 30.0),
        (4, 5.0, 8.0, 16.0),  # backoff already longer than Retry-After
        (1, 500.0, 100.0, 100.0),  # Retry-After held to retry_max
    ],
)
def test_retry_delay_table(attempts: int, retry_after: float | None, least: float, most: float) -> None:
    settings = quick_settings(retry_base=2.0, retry_max=100.0)
    for seed in range(20):
        delay = retry_delay(attempts, settings, retry_after, random.Random(seed))
        assert least <= delay <= most


async def test_permanent_failure_is_dead_at_once_with_reason(store: FullStore) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier(default=SendResult.fail("webhook: 404 Not Found"))
    route = make_route(notifier)
    [entry] = make_entries("desk", clock(), 1)
    await store.enqueue([entry])

    assert await Delivery(store, SETTINGS, clock, random.Random(1)).deliver_due(route) == 0

    assert len(notifier.batches) == 1
    assert await store.pending() == []
    [dead] = await store.dead_letters("desk")
    assert dead.id == entry.id and dead.reason == "webhook: 404 Not Found" and dead.died_at == clock()


@pytest.mark.parametrize(
    ("channel_limit", "settings_limit", "sends"),
    [(2, 12, 2), (None, 3, 3), (1, 12, 1)],
    ids=["channel-max_attempts", "settings-max_attempts", "one-attempt"],
)
async def test_max_attempts_dead_letters_with_reason(
    store: FullStore, channel_limit: int | None, settings_limit: int, sends: int
) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier(default=SendResult.retry("webhook: 500 Internal Server Error"))
    route = make_route(notifier, max_attempts=channel_limit)
    [entry] = make_entries("desk", clock(), 1)
    await store.enqueue([entry])
    delivery = Delivery(store, SETTINGS.model_copy(update={"max_attempts": settings_limit}), clock)

    for _ in range(sends):  # the last failed send dead-letters at once, no extra backoff wait
        await delivery.deliver_due(route)
        clock.advance(120)

    assert len(notifier.batches) == sends
    assert await store.pending() == []
    [dead] = await store.dead_letters("desk")
    assert dead.reason == (f"gave up after {sends} attempts (last error: webhook: 500 Internal Server Error)")


@pytest.mark.parametrize(
    ("channel_age", "settings_age", "limit"),
    [(60.0, 86400.0, 60.0), (None, 300.0, 300.0)],
    ids=["channel-max_age", "settings-max_alert_age"],
)
async def test_max_age_dead_letters_with_reason(
    store: FullStore, channel_age: float | None, settings_age: float, limit: float
) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier(script=[SendResult.retry("slack: 503", retry_after=limit * 2)])
    route = make_route(notifier, max_age=channel_age)
    [entry] = make_entries("desk", clock(), 1)
    await store.enqueue([entry])
    delivery = Delivery(
        store, SETTINGS.model_copy(update={"max_alert_age": settings_age, "retry_max": 86400.0}), clock
    )

    await delivery.deliver_due(route)  # fails, comes back only after max_age has passed
    clock.now = (await store.pending("desk"))[0].next_attempt
    await delivery.deliver_due(route)

    assert len(notifier.batches) == 1  # the stale alert was not sent again
    [dead] = await store.dead_letters("desk")
    assert dead.reason == f"older than {limit:g}s (last error: slack: 503)"


async def test_stale_alert_is_never_sent(store: FullStore) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier()
    route = make_route(notifier, max_age=60)
    await store.enqueue(make_entries("desk", clock(), 2))
    clock.advance(61)

    assert await Delivery(store, SETTINGS, clock).deliver_due(route) == 0

    assert notifier.batches == []
    dead = await store.dead_letters("desk")
    assert [d.reason for d in dead] == ["older than 60s", "older than 60s"]
