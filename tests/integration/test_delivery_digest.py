"""An email digest across a schedule tick, on a clock the test moves, to a real SMTP receiver.

Entries are queued the way the pipeline queues them (``first_attempt(config, now)``), so they
fall due at the channel's next cron tick: nothing leaves before it, one message with every alert
leaves at it, an empty tick sends nothing, and a refused digest (451) keeps every alert queued
and sends them all together on the next try.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from service.delivery import ChannelRoute, Delivery
from service.notify.console import ConsoleConfig
from service.notify.email import EmailConfig, EmailNotifier
from service.queueing import first_attempt
from service.state.base import FullStore, OutboxEntry
from tests.support import SmtpReceiver, make_alert, quick_settings
from tests.support.delivery_fakes import FakeClock

NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC).timestamp()
TICK = datetime(2024, 5, 2, 7, 0, tzinfo=UTC).timestamp()  # "0 7 * * *" after NOON
NEXT_TICK = TICK + 86400


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


def digest_route(smtp: SmtpReceiver) -> ChannelRoute:
    config = EmailConfig(to=["desk@example.org"], mode="digest", schedule="0 7 * * *", timezone="UTC")
    settings = quick_settings(smtp_port=smtp.port, retry_base=0.01, send_timeout=5)
    return ChannelRoute("morning", EmailNotifier("morning", config, settings), config)


async def queue(store: FullStore, route: ChannelRoute, now: float, n: int) -> list[str]:
    """Queue ``n`` alerts as the pipeline would at ``now``; returns their titles."""
    alerts = [make_alert() for _ in range(n)]
    await store.enqueue([OutboxEntry(route.name, a, first_attempt(route.config, now), now) for a in alerts])
    return [a.item.title for a in alerts]


def body(smtp: SmtpReceiver, index: int) -> str:
    part = smtp.messages[index].get_body(("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


@pytest.mark.parametrize(
    ("config", "now", "due"),
    [
        (ConsoleConfig(), NOON, NOON),  # immediate channels: now
        (EmailConfig(to=["a@b.org"]), NOON, NOON),
        (EmailConfig(to=["a@b.org"], mode="digest", schedule="0 7 * * *"), NOON, TICK),
        (EmailConfig(to=["a@b.org"], mode="digest", schedule="0 7 * * *"), TICK, NEXT_TICK),  # strictly after
        (EmailConfig(to=["a@b.org"], mode="digest", schedule="0 7 * * *"), TICK - 1, TICK),
        (  # 07:00 in Berlin is 05:00 UTC in summer time
            EmailConfig(to=["a@b.org"], mode="digest", schedule="0 7 * * *", timezone="Europe/Berlin"),
            NOON,
            TICK - 2 * 3600,
        ),
        (EmailConfig(to=["a@b.org"], mode="digest", schedule="*/15 * * * *"), NOON + 1, NOON + 900),
    ],
)
def test_first_attempt(config: ConsoleConfig | EmailConfig, now: float, due: float) -> None:
    assert first_attempt(config, now) == due


async def test_digest_waits_for_its_tick_then_sends_one_message(store: FullStore, smtp: SmtpReceiver) -> None:
    route = digest_route(smtp)
    clock = FakeClock(NOON)
    delivery = Delivery(store, quick_settings(retry_base=0.01), clock, random.Random(1))
    titles = await queue(store, route, NOON, 2) + await queue(store, route, NOON + 3600, 3)

    clock.now = TICK - 1  # before the tick nothing is sent
    assert await delivery.deliver_due(route) == 0
    assert smtp.attempts == 0 and len(await store.pending("morning")) == 5

    clock.now = TICK  # at the tick: one digest with every alert
    assert await delivery.deliver_due(route) == 5
    assert smtp.attempts == 1 and len(smtp.messages) == 1
    text = body(smtp, 0)
    assert all(title in text for title in titles)
    assert smtp.envelopes[0][1] == ["desk@example.org"]
    assert await store.pending() == [] and await store.dead_letters() == []

    late = await queue(store, route, TICK + 60, 1)  # after the tick: waits for the next one
    assert (await store.pending("morning"))[0].next_attempt == NEXT_TICK
    clock.now = NEXT_TICK - 1
    assert await delivery.deliver_due(route) == 0
    clock.now = NEXT_TICK
    assert await delivery.deliver_due(route) == 1
    assert len(smtp.messages) == 2 and late[0] in body(smtp, 1)


async def test_empty_digest_is_not_sent(store: FullStore, smtp: SmtpReceiver) -> None:
    route = digest_route(smtp)
    clock = FakeClock(TICK)
    delivery = Delivery(store, quick_settings(), clock)
    for when in (TICK, NEXT_TICK, NEXT_TICK + 86400):
        clock.now = when
        assert await delivery.deliver_due(route) == 0
    assert smtp.attempts == 0


async def test_refused_digest_keeps_every_alert_and_resends_them_together(
    store: FullStore, smtp: SmtpReceiver
) -> None:
    route = digest_route(smtp)
    clock = FakeClock(NOON)
    delivery = Delivery(store, quick_settings(retry_base=0.01), clock, random.Random(1))
    titles = await queue(store, route, NOON, 4)
    smtp.refuse_next(1, code=451)

    clock.now = TICK
    assert await delivery.deliver_due(route) == 0
    pending = await store.pending("morning")
    assert smtp.attempts == 1 and smtp.messages == []
    assert len(pending) == 4 and {e.attempts for e in pending} == {1}
    assert {e.last_error for e in pending} == {"email: 451 4.7.1 try again later"}
    assert len({e.next_attempt for e in pending}) == 1  # they stay together

    clock.now = pending[0].next_attempt
    assert await delivery.deliver_due(route) == 4
    assert smtp.attempts == 2 and len(smtp.messages) == 1
    assert all(title in body(smtp, 0) for title in titles)
    assert await store.pending() == [] and await store.dead_letters() == []
