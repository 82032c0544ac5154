"""Bursts become grouped messages; a channel's rate limit spaces its sends.

Grouping is decided on what is due at the moment of each send: more than ``burst_threshold``
due alerts leave as one ``group`` of at most ``max_group``; the rest go one by one.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from service.delivery import ChannelRoute, Delivery
from service.notify.base import SendResult
from service.notify.config import ChannelBase
from service.notify.slack import SlackConfig
from service.state.base import FullStore
from service.state.sqlite import SqliteStore
from tests.support import quick_settings
from tests.support.delivery_fakes import FakeClock, ScriptedNotifier, make_entries, make_route

SETTINGS = quick_settings(retry_base=0.01)


@pytest.mark.parametrize(
    ("due", "threshold", "max_group", "expected"),
    [
        (1, 5, 20, [("single", 1)]),
        (5, 5, 20, [("single", 1)] * 5),  # at the threshold: still singles
        (6, 5, 20, [("group", 6)]),  # one over: one group
        (30, 5, 20, [("group", 20), ("group", 10)]),  # a city falls: max_group per message
        (25, 5, 20, [("group", 20)] + [("single", 1)] * 5),  # the tail is under the threshold again
        (10, 3, 4, [("group", 4), ("group", 4), ("single", 1), ("single", 1)]),
        (3, 2, 2, [("group", 2), ("single", 1)]),
    ],
)
async def test_burst_grouping(
    store: FullStore, due: int, threshold: int, max_group: int, expected: list[tuple[str, int]]
) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier()
    route = make_route(notifier, burst_threshold=threshold, max_group=max_group)
    entries = make_entries("desk", clock(), due)
    await store.enqueue(entries)

    assert await Delivery(store, SETTINGS, clock, random.Random(1)).deliver_due(route) == due

    assert [(b.kind, len(b.alerts)) for b in notifier.batches] == expected
    sent = notifier.delivered_keys
    assert sorted(sent) == sorted(e.alert.key for e in entries) and len(set(sent)) == due
    assert await store.pending() == []


async def test_group_key_is_stable_across_retries(store: FullStore) -> None:
    """A retried group carries the same idempotency key, so a receiver can drop the repeat."""
    clock = FakeClock()
    notifier = ScriptedNotifier(script=[SendResult.retry("webhook: 502")])
    route = make_route(notifier, burst_threshold=2, max_group=10)
    await store.enqueue(make_entries("desk", clock(), 4))
    delivery = Delivery(store, SETTINGS, clock, random.Random(1))

    await delivery.deliver_due(route)
    clock.advance(1)
    await delivery.deliver_due(route)

    first, second = notifier.batches
    assert first.kind == second.kind == "group" and first.key == second.key
    assert await store.pending() == []


@pytest.mark.parametrize(
    ("config", "interval"),
    [
        (make_route(None).config, 0.0),  # console: unlimited
        (make_route(None, rate_limit=2).config, 0.5),
        (SlackConfig(webhook_url=SecretStr("http://127.0.0.1/hook")), 1.0),  # Slack default 1/s
        (SlackConfig(webhook_url=SecretStr("http://127.0.0.1/hook"), rate_limit=4), 0.25),
    ],
    ids=["console", "rate-2", "slack-default", "slack-4"],
)
def test_min_interval(config: ChannelBase, interval: float) -> None:
    assert ChannelRoute("x", ScriptedNotifier(), config).min_interval == interval


@pytest.mark.parametrize("n", [1, 2, 5, 9])
async def test_rate_limit_spaces_singles(store: FullStore, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """rate_limit 2/s: n singles need (n-1)/2 s of sleep, measured on a patched asyncio.sleep."""
    clock = FakeClock()
    monkeypatch.setattr(asyncio, "sleep", clock.sleep)
    notifier = ScriptedNotifier()
    route = make_route(notifier, rate_limit=2, burst_threshold=50)
    await store.enqueue(make_entries("desk", clock(), n))
    started = clock()

    assert await Delivery(store, SETTINGS, clock, random.Random(1)).deliver_due(route) == n

    assert [b.kind for b in notifier.batches] == ["single"] * n
    assert sum(clock.slept) >= (n - 1) / 2 - 1e-9
    assert clock() - started >= (n - 1) / 2 - 1e-9
    assert all(gap <= 0.5 + 1e-9 for gap in clock.slept)  # never longer than the rate needs


async def test_rate_limit_in_real_time(tmp_path: Path) -> None:
    """The same promise on the wall clock, small: 3 sends at 4/s take at least 0.5 s."""
    store = SqliteStore(str(tmp_path / "s.db"), seen_ttl=100, seen_max=5, dedup_ttl=100)
    await store.open()
    try:
        notifier = ScriptedNotifier()
        route = make_route(notifier, rate_limit=4, burst_threshold=50)
        await store.enqueue(make_entries("desk", time.time(), 3))
        started = time.monotonic()
        assert await Delivery(store, SETTINGS).deliver_due(route) == 3
        assert time.monotonic() - started >= 0.5 - 0.02
    finally:
        await store.close()


async def test_rate_limit_carries_over_between_passes(
    store: FullStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new alert right after a send still waits its turn (the last send time is per route)."""
    clock = FakeClock()
    monkeypatch.setattr(asyncio, "sleep", clock.sleep)
    notifier = ScriptedNotifier()
    route = make_route(notifier, rate_limit=2)
    delivery = Delivery(store, SETTINGS, clock, random.Random(1))
    await store.enqueue(make_entries("desk", clock(), 1))
    await delivery.deliver_due(route)
    clock.advance(0.1)
    await store.enqueue(make_entries("desk", clock(), 1))
    await delivery.deliver_due(route)
    assert clock.slept == [pytest.approx(0.4)]
