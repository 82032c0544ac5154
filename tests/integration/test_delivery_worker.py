"""The running worker: one task per channel, so a stalled channel never holds up another, and
``stop(timeout)`` keeps its bound; a state store that goes away is logged, never fatal."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from structlog.testing import capture_logs

from service.delivery import ChannelRoute, Delivery
from service.delivery import worker as delivery_module
from service.notify.webhook import WebhookConfig, WebhookNotifier
from service.state.base import FullStore, OutboxEntry, StateUnavailable
from service.state.redis import RedisStore
from tests.support import HttpReceiver, Reply, closed_port, make_alert, quick_settings
from tests.support.delivery_fakes import ScriptedNotifier, make_entries, make_route
from tests.support.waiting import until

SETTINGS = quick_settings(send_timeout=10.0, retry_base=0.01)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def webhook(name: str, rx: HttpReceiver, http: httpx.AsyncClient) -> ChannelRoute:
    config = WebhookConfig(url=SecretStr(rx.url_for(f"/{name}")))
    return ChannelRoute(name, WebhookNotifier(name, config, http, SETTINGS), config)


async def test_slow_channel_never_delays_the_others(store: FullStore, http: httpx.AsyncClient) -> None:
    async with HttpReceiver(default=Reply.stall(30)) as slow_rx, HttpReceiver() as fast_rx:
        slow, fast = webhook("slow", slow_rx, http), webhook("fast", fast_rx, http)
        now = time.time()
        await store.enqueue(make_entries("slow", now, 2))
        fast_entries = make_entries("fast", now, 3)
        await store.enqueue(fast_entries)
        delivery = Delivery(store, SETTINGS)
        delivery.set_routes([slow, fast])
        started = time.monotonic()
        delivery.start()
        try:

            async def fast_done() -> bool:
                return not await store.pending("fast")

            assert await until(fast_done, within=3.0)
            fast_took = time.monotonic() - started
            assert len(fast_rx.requests) == 3
            assert len(slow_rx.requests) == 1  # the slow send is still in flight ...
            assert len(await store.pending("slow")) == 2  # ... and nothing of it is lost
            assert fast_took < 2.0

            stopping = time.monotonic()
            with capture_logs() as logs:
                await delivery.stop(timeout=0.3)
            assert time.monotonic() - stopping < 1.0
            [said] = [e for e in logs if e["event"] == "shutdown_abandoned_sends"]
            assert said["channels"] == ["slow"] and "sent again on the next start" in said["error"]
        finally:
            await delivery.stop(timeout=0.1)
    sent = sorted(r.json()["data"]["alerts"][0]["key"] for r in fast_rx.requests)
    assert sent == sorted(e.alert.key for e in fast_entries)
    assert len(await store.pending("slow")) == 2  # cut off mid-send: still queued for next time


async def test_stop_lets_a_send_in_flight_finish(store: FullStore, http: httpx.AsyncClient) -> None:
    async with HttpReceiver() as rx:
        rx.script([Reply(200, delay=0.2)])
        route = webhook("desk", rx, http)
        await store.enqueue(make_entries("desk", time.time(), 1))
        delivery = Delivery(store, SETTINGS)
        delivery.set_routes([route])
        delivery.start()
        assert await until(lambda: _true_if(rx.requests), within=2.0)
        stopping = time.monotonic()
        await delivery.stop(timeout=2.0)
        assert time.monotonic() - stopping < 1.0  # returns when the send is done, not at the bound
    assert await store.pending() == []  # the accepted send was acked, not cut off


async def _true_if(value: object) -> bool:
    return bool(value)


async def test_poke_wakes_an_idle_channel(store: FullStore) -> None:
    notifier = ScriptedNotifier()
    route = make_route(notifier)
    delivery = Delivery(store, SETTINGS)
    delivery.set_routes([route])
    delivery.start()
    try:
        await asyncio.sleep(0.05)  # idle: the loop now waits up to IDLE_POLL (5 s)
        await store.enqueue(make_entries("desk", time.time(), 1))
        started = time.monotonic()
        delivery.poke("desk")
        assert await until(lambda: _true_if(notifier.batches), within=2.0)
        assert time.monotonic() - started < 1.0
    finally:
        await delivery.stop(timeout=1.0)


def dead_redis() -> RedisStore:
    url = f"redis://wirewatch:pw-not-for-logs@127.0.0.1:{closed_port()}/0"
    return RedisStore.from_url(url, seen_ttl=10, seen_max=10, dedup_ttl=10, timeout=0.5)


async def test_unreachable_redis_in_one_pass_raises_state_unavailable() -> None:
    store = dead_redis()
    try:
        with pytest.raises(StateUnavailable):
            await Delivery(store, SETTINGS).deliver_due(make_route(ScriptedNotifier()))
    finally:
        await store.close()


async def test_unreachable_redis_is_logged_and_the_loop_keeps_going(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery_module, "IDLE_POLL", 0.02)
    store = dead_redis()
    notifier = ScriptedNotifier()
    delivery = Delivery(store, SETTINGS)
    delivery.set_routes([make_route(notifier)])
    try:
        with capture_logs() as logs:
            delivery.start()
            await asyncio.sleep(0.5)
            tasks = list(delivery._tasks.values())
            assert tasks and not any(t.done() for t in tasks)  # still running
            await delivery.stop(timeout=1.0)
            assert await delivery.drain(timeout=0.2) == 0  # run --once: no crash either
    finally:
        await store.close()
    down = [e for e in logs if e["event"] == "state_unavailable"]
    assert len(down) >= 3  # logged, then tried again, and again
    assert all(e["channel"] == "desk" and e["log_level"] == "error" for e in down)
    assert "pw-not-for-logs" not in repr(logs)
    assert not [e for e in logs if e["event"] == "delivery_loop_error"]
    assert notifier.batches == []


class FlakyStore:
    """A real store that "goes away" for a while: every call raises StateUnavailable when down."""

    def __init__(self, inner: FullStore) -> None:
        self.inner = inner
        self.down = False

    def __getattr__(self, name: str) -> object:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        async def call(*args: object, **kwargs: object) -> object:
            if self.down:
                raise StateUnavailable("redis at 127.0.0.1:6379/15 unavailable: ConnectionError")
            return await attr(*args, **kwargs)

        return call


async def test_worker_resumes_when_the_store_comes_back(
    store: FullStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_module, "IDLE_POLL", 0.02)
    flaky = FlakyStore(store)
    notifier = ScriptedNotifier()
    delivery = Delivery(flaky, SETTINGS)  # type: ignore[arg-type]
    delivery.set_routes([make_route(notifier)])
    delivery.start()
    try:
        flaky.down = True
        await store.enqueue([OutboxEntry("desk", make_alert(), time.time(), time.time())])
        with capture_logs() as logs:
            await asyncio.sleep(0.2)
        assert notifier.batches == [] and any(e["event"] == "state_unavailable" for e in logs)
        flaky.down = False
        assert await until(lambda: _true_if(notifier.batches), within=2.0)
        assert await until(lambda: _empty(store), within=2.0)
    finally:
        await delivery.stop(timeout=1.0)


async def _empty(store: FullStore) -> bool:
    return not await store.pending()


async def test_reloaded_route_is_used_at_once(store: FullStore) -> None:
    """After set_routes (a rules reload) a poke reaches the new notifier without an idle wait."""
    old, new = ScriptedNotifier(), ScriptedNotifier()
    delivery = Delivery(store, SETTINGS)
    delivery.set_routes([make_route(old)])
    delivery.start()
    try:
        await asyncio.sleep(0.05)  # the loop is idle, asleep on the old route
        delivery.set_routes([make_route(new)])
        await asyncio.sleep(0.05)
        await store.enqueue(make_entries("desk", time.time(), 1))
        started = time.monotonic()
        delivery.poke("desk")
        assert await until(lambda: _true_if(new.batches), within=2.0)
        assert time.monotonic() - started < 1.0 and old.batches == []
    finally:
        await delivery.stop(timeout=1.0)
