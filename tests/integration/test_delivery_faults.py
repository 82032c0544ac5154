"""Delivery against receivers that misbehave as real ones do (issue 11, items 1-3).

Real stores (SQLite, fakeredis, real Redis), a real webhook notifier, a real HTTP receiver on
127.0.0.1 with a policy, real time kept short by small timeouts:

1. a receiver that answers a burst after the send timeout, while more news arrives: every
   alert reaches it under one message key only (a message is retried as itself);
2. a receiver that answers 429 with Retry-After: the whole channel waits, not just the alert;
3. a receiver that always answers after the timeout: copies carry one key, attempts back off,
   and the dead letter says the receiver may have it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from service.delivery import ChannelRoute, Delivery
from service.notify.webhook import WebhookConfig, WebhookNotifier
from service.settings import Settings
from service.state.base import FullStore
from tests.support import HttpReceiver, Received, Reply, quick_settings
from tests.support.delivery_fakes import make_entries
from tests.support.waiting import until


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def hook(rx: HttpReceiver, http: httpx.AsyncClient, settings: Settings, **config: Any) -> ChannelRoute:
    cfg = WebhookConfig(url=SecretStr(rx.url_for("/hook")), **config)
    return ChannelRoute("hook", WebhookNotifier("hook", cfg, http, settings), cfg)


def keys_per_alert(requests: list[Received]) -> dict[str, set[str]]:
    """alert key -> every message key (webhook-id) it reached the receiver under."""
    seen: dict[str, set[str]] = {}
    for request in requests:
        for alert in request.json()["data"]["alerts"]:
            seen.setdefault(alert["key"], set()).add(request.headers["webhook-id"])
    return seen


async def test_a_group_is_retried_as_the_same_message(store: FullStore, http: httpx.AsyncClient) -> None:
    """Issue 11.1: a burst of 7 answered after the send timeout, 3 more items meanwhile."""
    settings = quick_settings(send_timeout=0.3, retry_base=0.2, retry_max=1.0)

    def late_first(request: Received) -> Reply:
        return Reply(200, "late", delay=0.6) if len(rx.requests) == 1 else Reply(200)

    async with HttpReceiver(decide=late_first) as rx:
        route = hook(rx, http, settings, burst_threshold=5, max_group=20)
        first = make_entries("hook", time.time(), 7)
        await store.enqueue(first)
        delivery = Delivery(store, settings)
        delivery.set_routes([route])
        delivery.start()
        try:
            assert await until(lambda: _retried(store), 5), "the first attempt did not fail"
            later = make_entries("hook", time.time(), 3)  # due now, while the group waits to retry
            await store.enqueue(later)  # no poke: another process or a reload queued them
            assert await until(lambda: _empty(store), 10), "outbox did not drain"
        finally:
            await delivery.stop(2)
        seen = keys_per_alert(rx.requests)
    twice = sorted(k for k, ids in seen.items() if len(ids) > 1)
    assert set(seen) == {e.alert.key for e in first + later}, "every alert reached the receiver"
    assert twice == [], f"{len(twice)} alerts reached the receiver under two message keys"
    first_keys = {e.alert.key for e in first}
    assert any({a["key"] for a in r.json()["data"]["alerts"]} == first_keys for r in rx.requests[1:])


def rate_limiter(window: float) -> Callable[[Received], Reply]:
    """429 with Retry-After for ``window`` seconds after the first request, then 200."""
    start: list[float] = []

    def decide(request: Received) -> Reply:
        if not start:
            start.append(request.at)
        left = window - (request.at - start[0])
        if left > 0:
            return Reply(429, "slow down", {"Retry-After": str(max(1, round(left)))})
        return Reply(200)

    return decide


async def test_429_pauses_the_whole_channel(store: FullStore, http: httpx.AsyncClient) -> None:
    """Issue 11.2: after a 429 with Retry-After the channel sends nothing until the time given."""
    settings = quick_settings(send_timeout=1.0, retry_base=0.1, retry_max=5.0)
    window = 2.0
    async with HttpReceiver(decide=rate_limiter(window)) as rx:
        route = hook(rx, http, settings, burst_threshold=50, rate_limit=100)
        entries = make_entries("hook", time.time(), 10)
        await store.enqueue(entries)
        delivery = Delivery(store, settings)
        delivery.set_routes([route])
        delivery.start()
        try:
            assert await until(lambda: _empty(store), 15), "outbox did not drain"
        finally:
            await delivery.stop(2)
        statuses = [status for _, status in rx.answers]
        in_window = [r for r in rx.requests if r.at - rx.requests[0].at < window]
    assert statuses.count(429) == 1, f"{statuses.count(429)} answers of 429"
    assert len(in_window) == 1, f"{len(in_window)} requests inside the Retry-After window"
    assert len(keys_per_alert(rx.requests)) == 10


async def test_a_receiver_answering_after_the_timeout(store: FullStore, http: httpx.AsyncClient) -> None:
    """Issue 11.3: same key every attempt, attempts back off, the dead letter says what happened."""
    settings = quick_settings(send_timeout=10.0, retry_base=0.3, retry_max=5.0, max_attempts=3)
    async with HttpReceiver(default=Reply(200, "late", delay=0.5)) as rx:
        route = hook(rx, http, settings, send_timeout=0.2)  # the channel's own timeout wins
        [entry] = make_entries("hook", time.time(), 1)
        await store.enqueue([entry])
        delivery = Delivery(store, settings)
        delivery.set_routes([route])
        delivery.start()
        try:
            assert await until(lambda: _dead(store), 10), "never dead-lettered"
        finally:
            await delivery.stop(2)
        [dead] = await store.dead_letters()
        ids = {r.headers["webhook-id"] for r in rx.requests}
        gaps = [b.at - a.at for a, b in zip(rx.requests, rx.requests[1:], strict=False)]
    assert len(rx.requests) == 3 and ids == {entry.alert.key}
    assert "timed out; the receiver may have it" in dead.reason, dead.reason
    assert gaps[0] >= 0.2 + 0.15 and gaps[1] >= 0.2 + 0.3, f"attempts did not back off: {gaps}"


async def _retried(store: FullStore) -> bool:
    return any(e.attempts for e in await store.pending())


async def _empty(store: FullStore) -> bool:
    return not await store.pending()


async def _dead(store: FullStore) -> bool:
    return bool(await store.dead_letters())
