"""The delivery worker's editors' hooks on a real store (SQLite, fakeredis, Redis): silences hold
alerts back at send time and the alert log records what was sent, only after the channel took it."""

from __future__ import annotations

import random
from typing import Any

import pytest

from service.delivery import Delivery
from service.notify.base import SendResult
from service.state.base import FullStore
from service.state.records import Silence
from tests.support import quick_settings
from tests.support.delivery_fakes import T0, FakeClock, ScriptedNotifier, make_entries, make_route

SETTINGS = quick_settings(retry_base=0.01, max_attempts=3)
HOUR = 3600.0


def silence(start: float, end: float, watchlist: str = "quiet", channel: str | None = None) -> Silence:
    return Silence(f"s-{int(start)}-{watchlist}", watchlist, channel, start, end, "liveblog", "desk")


async def run(store: FullStore, clock: FakeClock, notifier: ScriptedNotifier, **route: Any) -> Delivery:
    delivery = Delivery(store, SETTINGS, clock, random.Random(1))
    await delivery.deliver_due(make_route(notifier, **route))
    return delivery


# (silence start, silence end, queued at, channel) relative to T0; sent at T0 + 1 h
CASES = [
    pytest.param(-HOUR, 2 * HOUR, 0.0, None, True, id="active-now"),
    pytest.param(0.5 * HOUR, 2 * HOUR, 0.0, None, True, id="added-while-the-flood-waits"),
    pytest.param(-HOUR, 0.5 * HOUR, 0.0, None, True, id="queued-during-a-silence-since-ended"),
    pytest.param(-2 * HOUR, -HOUR, 0.0, None, False, id="ended-before-queued"),
    pytest.param(2 * HOUR, 3 * HOUR, 0.0, None, False, id="not-begun"),
    pytest.param(-HOUR, 2 * HOUR, 0.0, "desk", True, id="this-channel"),
    pytest.param(-HOUR, 2 * HOUR, 0.0, "other", False, id="another-channel"),
]


@pytest.mark.parametrize(("start", "end", "queued", "channel", "held"), CASES)
async def test_a_silence_holds_back_what_it_covers(
    store: FullStore, start: float, end: float, queued: float, channel: str | None, held: bool
) -> None:
    clock = FakeClock(T0 + HOUR)
    quiet = make_entries("desk", T0 + queued, 2, watchlist="quiet")
    loud = make_entries("desk", T0 + queued, 1, watchlist="loud")
    await store.enqueue([*quiet, *loud])
    rule = silence(T0 + start, T0 + end, channel=channel)
    await store.add_silence(rule, now=T0)
    notifier = ScriptedNotifier()
    await run(store, clock, notifier)

    sent_keys = {a.key for b in notifier.batches for a in b.alerts}
    quiet_keys = {e.alert.key for e in quiet}
    assert (quiet_keys & sent_keys == set()) is held and loud[0].alert.key in sent_keys
    assert await store.pending() == []  # held back is gone from the outbox too: never sent later
    log = {r.alert_key: r for r in await store.alert_records(0.0)}
    assert set(log) == quiet_keys | {loud[0].alert.key}
    for key in quiet_keys:
        expected = ("silenced", rule.id, None) if held else ("sent", None, log[key].batch_key)
        assert (log[key].outcome, log[key].silence_id, log[key].batch_key) == expected
    assert log[loud[0].alert.key].outcome == "sent" and log[loud[0].alert.key].at == clock.now


async def test_sent_is_recorded_only_after_the_channel_accepted(store: FullStore) -> None:
    clock = FakeClock()
    entries = make_entries("desk", clock.now, 1)
    await store.enqueue(entries)
    notifier = ScriptedNotifier(script=[SendResult.retry("webhook: 503"), SendResult.sent()])
    await run(store, clock, notifier)
    assert await store.alert_records(0.0) == []  # a failed try records nothing
    clock.advance(60)
    await run(store, clock, notifier)
    [record] = await store.alert_records(0.0)
    assert (record.alert_key, record.outcome, record.channel) == (entries[0].alert.key, "sent", "desk")
    assert record.batch_key == notifier.batches[-1].key and record.at == clock.now


async def test_a_group_is_one_message_in_the_log(store: FullStore) -> None:
    clock = FakeClock()
    entries = make_entries("desk", clock.now, 7)
    await store.enqueue(entries)
    notifier = ScriptedNotifier()
    await run(store, clock, notifier, burst_threshold=5)
    [batch] = notifier.batches
    records = await store.alert_records(0.0)
    assert sorted(r.alert_key for r in records) == sorted(e.alert.key for e in entries)
    assert {r.batch_key for r in records} == {batch.key} and batch.kind == "group"


async def test_dead_letters_are_counted(store: FullStore) -> None:
    clock = FakeClock()
    await store.enqueue(make_entries("desk", clock.now, 2))
    notifier = ScriptedNotifier(default=SendResult.fail("webhook: 404 Not Found"))
    delivery = await run(store, clock, notifier)
    assert delivery.dead_lettered == 2 and len(await store.dead_letters()) == 2
    assert await store.alert_records(0.0) == []
