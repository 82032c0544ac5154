"""The editors' records (alert log, silences, item history) against SQLite, fakeredis and Redis.

Limits come from ``TEST_RETENTION`` in conftest: alert_log_ttl=1000, history_ttl=100,
history_max=3; every time is an injected UNIX second.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from service.model import Item
from service.state.base import FullStore
from service.state.records import AlertRecord, Silence
from tests.support.alerts import stored_alert

if TYPE_CHECKING:
    from tests.conftest import StoreFactory


def record(key: str, at: float, channel: str = "slack", **fields: Any) -> AlertRecord:
    return replace(AlertRecord.of(stored_alert(key), channel, "sent", at, batch_key=key), **fields)


def item(n: int, feed: str = "feed-a", **fields: Any) -> Item:
    base = Item(
        id=f"guid-{n}",
        feed_id=feed,
        title=f"Título {n} — ünïcode",
        link=f"https://news.example/{n}",
        published=datetime(2024, 5, 1, 12, n % 60, tzinfo=UTC),
        summary="Rivers rose " * 200,  # 2,400 characters: kept cut to 1,000
        content="the content is not kept",
        categories=("weather",),
    )
    return replace(base, **fields)


# alert log


async def test_alert_log_round_trip_newest_first_and_filters(store: FullStore) -> None:
    first = record("k1", 100.0)
    silenced = record("k2", 200.0, "mail", outcome="silenced", silence_id="s-1", batch_key=None)
    other = record("k3", 300.0, watchlist="quakes")
    await store.record_alerts([first, silenced], now=200.0)
    await store.record_alerts([other], now=300.0)
    await store.record_alerts([], now=300.0)
    assert await store.alert_records(0.0) == [other, silenced, first]
    assert await store.alert_records(200.0) == [other, silenced]
    assert await store.alert_records(0.0, watchlist="floods") == [silenced, first]
    assert await store.alert_records(0.0, channel="mail") == [silenced]
    assert await store.alert_records(0.0, watchlist="floods", channel="slack") == [first]
    assert await store.alert_records(301.0) == []
    assert first.title == "Flood in Town" and first.feed_title == "feed-a"
    assert first.published == datetime(2024, 5, 1, 12, 0, tzinfo=UTC).timestamp()


async def test_alert_log_forgets_after_its_ttl(store: FullStore) -> None:
    await store.record_alerts([record("old", 100.0)], now=100.0)
    await store.record_alerts([record("new", 1150.0)], now=1150.0)  # 100 is now > 1000 s old
    assert [r.alert_key for r in await store.alert_records(0.0)] == ["new"]


# silences


def silence(sid: str, start: float, end: float, channel: str | None = None) -> Silence:
    return Silence(sid, "floods", channel, start, end, "liveblog running", "desk")


async def test_silences_add_list_and_end(store: FullStore) -> None:
    assert await store.silences() == []
    later, now = silence("s-2", 500.0, 900.0, "slack"), silence("s-1", 100.0, 7300.0)
    await store.add_silence(later, now=100.0)
    await store.add_silence(now, now=100.0)
    assert await store.silences() == [now, later]
    ended = await store.end_silence("s-1", now=200.0)
    assert ended == replace(now, ends_at=200.0)
    assert await store.end_silence("s-1", now=300.0) == ended  # ending twice changes nothing
    assert await store.end_silence("s-404", now=300.0) is None
    assert await store.silences() == [ended, later]
    assert await store.end_silence("s-2", now=300.0) == replace(later, ends_at=500.0)  # before it began


async def test_ended_silences_are_forgotten_after_the_log_ttl(store: FullStore) -> None:
    await store.add_silence(silence("s-old", 0.0, 100.0), now=0.0)
    await store.add_silence(silence("s-kept", 0.0, 500.0), now=0.0)
    await store.add_silence(silence("s-new", 1200.0, 1300.0), now=1200.0)  # 100 < 1200 - 1000
    assert [s.id for s in await store.silences()] == ["s-kept", "s-new"]


def test_silence_active_and_covers() -> None:
    s = silence("s", 100.0, 200.0, "slack")
    assert [s.active(t) for t in (99.9, 100.0, 199.9, 200.0)] == [False, True, True, False]
    assert s.covers("floods", "slack") and not s.covers("floods", "mail") and not s.covers("x", "slack")
    assert silence("s", 0, 1).covers("floods", "anything")


# item history


async def test_history_round_trip_keeps_title_summary_link_feed_published(store: FullStore) -> None:
    assert await store.history_feeds() == []
    await store.record_items("feed-a", [item(1), item(2, published=None, categories=())], now=1000.0)
    await store.record_items("feed-b", [item(3, feed="feed-b")], now=1001.0)
    assert await store.history_feeds() == ["feed-a", "feed-b"]
    got = await store.history("feed-a", since=0.0)
    assert sorted((h.item.id, h.seen_at) for h in got) == [("guid-1", 1000.0), ("guid-2", 1000.0)]
    kept = {h.item.id: h.item for h in got}
    for n, original in ((1, item(1)), (2, item(2, published=None, categories=()))):
        assert kept[f"guid-{n}"] == replace(original, summary=original.summary[:1000], content="")
    assert await store.history("feed-a", since=1000.5) == []
    assert await store.history("nowhere", since=0.0) == []


async def test_history_keeps_the_newest_history_max_per_feed(store: FullStore) -> None:
    for n in range(5):
        await store.record_items("feed-a", [item(n)], now=1000.0 + n)
    await store.record_items("feed-b", [item(9, feed="feed-b")], now=1000.0)
    assert [h.item.id for h in await store.history("feed-a", 0.0)] == ["guid-2", "guid-3", "guid-4"]
    assert [h.item.id for h in await store.history("feed-b", 0.0)] == ["guid-9"]


async def test_history_forgets_items_older_than_its_ttl(store: FullStore) -> None:
    await store.record_items("feed-a", [item(1)], now=1000.0)
    await store.record_items("feed-a", [item(2)], now=1150.0)  # item 1 is 150 s old: gone
    assert [h.item.id for h in await store.history("feed-a", 0.0)] == ["guid-2"]


async def test_history_reports_each_item_once(store: FullStore) -> None:
    await store.record_items("feed-a", [item(1)], now=1000.0)
    await store.record_items("feed-a", [item(1, title="edited later")], now=1010.0)  # a replay after a crash
    [kept] = await store.history("feed-a", 0.0)
    assert (kept.item.title, kept.seen_at) == (item(1).title, 1000.0)


async def test_records_survive_reopening(store_factory: StoreFactory) -> None:
    writer = await store_factory.open()
    await writer.record_alerts([record("k1", 100.0)], now=100.0)
    await writer.add_silence(silence("s-1", 100.0, 200.0), now=100.0)
    await writer.record_items("feed-a", [item(1)], now=100.0)
    await writer.close()
    reader = await store_factory.open()
    assert [r.alert_key for r in await reader.alert_records(0.0)] == ["k1"]
    assert [s.id for s in await reader.silences()] == ["s-1"]
    assert [h.item.id for h in await reader.history("feed-a", 0.0)] == ["guid-1"]
