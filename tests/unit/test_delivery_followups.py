"""Follow-ups in the delivery worker (issue 10): where a channel threads them they go one per
message, after the alerts claimed with them, carrying the message of their story's first alert
(``Batch.roots``) that the worker kept from the receiver's answer; where it cannot thread
(Slack) or is told to hold them (``followups: digest``) they go together in one message.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import SecretStr

from service.delivery import ChannelRoute, Delivery
from service.delivery.message import choose
from service.model import Alert
from service.notify.base import SendResult
from service.notify.slack import SlackConfig
from service.state.base import FullStore, OutboxEntry
from tests.support import quick_settings
from tests.support.alerts import make_followup, make_lead
from tests.support.delivery_fakes import FakeClock, ScriptedNotifier, make_route

SETTINGS = quick_settings(retry_base=0.01)


def entries(alerts: list[Alert], now: float, channel: str = "desk") -> list[OutboxEntry]:
    return [OutboxEntry(channel, a, now, now + i * 0.001) for i, a in enumerate(alerts)]


def slack_route(notifier: Any, **config: Any) -> ChannelRoute:
    url = SecretStr("https://hooks.slack.com/services/T0/B0/X")
    return ChannelRoute("desk", notifier, SlackConfig(webhook_url=url, **config))


def test_threaded_channel_sends_the_first_alert_before_a_copy_claimed_with_it() -> None:
    first = make_lead()
    claimed = entries([make_followup(first), first], 0.0)  # the copy is older in the outbox
    message = choose(make_route(ScriptedNotifier()), claimed)
    assert [a.key for a in message.batch.alerts] == [first.key]


def test_threaded_channel_never_groups_copies() -> None:
    firsts = [make_lead() for n in range(6)]
    copies = [make_followup(f) for f in firsts]
    route = make_route(ScriptedNotifier(), burst_threshold=5)
    grouped = choose(route, entries(copies + firsts, 0.0))
    assert grouped.batch.kind == "group" and [a.key for a in grouped.batch.alerts] == [f.key for f in firsts]
    alone = choose(route, entries(copies, 0.0))
    assert alone.batch.kind == "single" and alone.batch.alerts == (copies[0],)


def test_slack_folds_copies_into_groups() -> None:
    firsts = [make_lead() for n in range(3)]
    copies = [make_followup(f) for f in firsts]
    message = choose(slack_route(ScriptedNotifier(), burst_threshold=5), entries(firsts + copies, 0.0))
    assert message.batch.kind == "group" and len(message.batch.alerts) == 6


def test_digest_mode_groups_copies_on_a_channel_that_could_thread() -> None:
    copies = [make_followup(make_lead()) for n in range(6)]
    route = make_route(ScriptedNotifier(), burst_threshold=5, followups="digest")
    assert not route.threads_followups
    assert choose(route, entries(copies, 0.0)).batch.kind == "group"


async def test_copy_carries_the_message_of_its_first_alert(store: FullStore) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier(script=[SendResult.sent(ref="$first"), SendResult.sent(ref="$copy")])
    first = make_lead()
    await store.enqueue(entries([first, make_followup(first)], clock()))
    delivery = Delivery(store, SETTINGS, clock, random.Random(1))
    assert await delivery.deliver_due(make_route(notifier)) == 2
    sent_first, sent_copy = notifier.batches
    assert dict(sent_first.roots) == {}
    assert dict(sent_copy.roots) == {first.key: "$first"}
    assert await store.thread_refs("desk", [first.key, sent_copy.alerts[0].key]) == {first.key: "$first"}


async def test_copy_threads_under_a_root_kept_by_an_earlier_process(store: FullStore) -> None:
    clock = FakeClock()
    first = make_lead()
    await store.set_thread_refs("desk", {first.key: "$kept"}, clock())
    notifier = ScriptedNotifier()
    await store.enqueue(entries([make_followup(first)], clock()))
    await Delivery(store, SETTINGS, clock, random.Random(1)).deliver_due(make_route(notifier))
    assert dict(notifier.batches[0].roots) == {first.key: "$kept"}


async def test_copy_without_a_known_root_is_still_sent(store: FullStore) -> None:
    clock = FakeClock()
    notifier = ScriptedNotifier()
    await store.enqueue(entries([make_followup(make_lead())], clock()))
    assert await Delivery(store, SETTINGS, clock, random.Random(1)).deliver_due(make_route(notifier)) == 1
    assert dict(notifier.batches[0].roots) == {}


async def test_copy_waits_for_a_first_alert_that_is_still_queued(store: FullStore) -> None:
    """The receiver failed the first alert; the copy, due first, waits for it (no attempt counted)
    instead of going out unthreaded."""
    clock = FakeClock()
    notifier = ScriptedNotifier(script=[SendResult.retry("HTTP 503")], default=SendResult.sent(ref="$first"))
    first = make_lead()
    copy = make_followup(first)
    await store.enqueue(entries([first, copy], clock()))
    delivery = Delivery(store, SETTINGS, clock, random.Random(1))
    route = make_route(notifier)
    assert await delivery.deliver_due(route) == 0  # the first alert failed, the copy waits
    assert [b.alerts[0].key for b in notifier.batches] == [first.key]
    waiting = {e.alert.key: e for e in await store.pending()}
    assert waiting[copy.key].attempts == 0
    assert waiting[copy.key].next_attempt > waiting[first.key].next_attempt
    clock.advance(waiting[copy.key].next_attempt - clock())
    assert await delivery.deliver_due(route) == 2
    assert [b.alerts[0].key for b in notifier.batches] == [first.key, first.key, copy.key]
    assert dict(notifier.batches[-1].roots) == {first.key: "$first"}
