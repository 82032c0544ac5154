"""The pipeline's story step (issue 10) on a real store (SQLite, fakeredis, Redis): a copy of a
story already alerted on a watchlist is queued as a follow-up to the channels that want it, when
they want it; the first item of a story per watchlist is an alert; a copy after the story's
window starts it again; placing an item again (a poll repeated after a crash) decides the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from service import metrics
from service.pipeline import Pipeline
from service.rules import load_rules
from service.state.base import FeedState, FullStore

if TYPE_CHECKING:
    from tests.conftest import StoreFactory
from tests.support import quick_settings
from tests.support.delivery_fakes import T0, FakeClock
from tests.support.rundir import RunDir, make_rundir
from tests.support.story_feeds import StoryItem, load_story_items, write_everything_watchlist, write_outlets

CHANNELS = """
channels:
  thread: {type: console}
  held: {type: console, followups: digest, followup_hold: 5m}
  quiet: {type: console, followups: "off"}
  slack: {type: slack, webhook_url: "https://hooks.slack.com/services/T0/B0/X", followup_hold: 2m}
"""
ALL = ["thread", "held", "quiet", "slack"]


@pytest.fixture
async def store(store_factory: StoreFactory) -> FullStore:
    """A store that remembers seen items and sent alerts for days (the clock jumps by hours)."""
    return await store_factory.open(seen_ttl=30 * 86400.0, dedup_ttl=30 * 86400.0)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as c:
        yield c


def story(name: str) -> list[StoryItem]:
    return [i for i in load_story_items()[0] if i.story == name]


def rundir(tmp: Path, items: list[StoryItem], channels: list[str], window: str | None = None) -> RunDir:
    rd = make_rundir(tmp)
    rd.write("channels.yaml", CHANNELS)
    write_outlets(rd, items)
    write_everything_watchlist(rd, channels)
    if window is not None:
        path = rd.rules / "watchlists" / "everything.yaml"
        path.write_text(path.read_text() + f"story_window: {window}\n")
    return rd


async def poll_all(
    rd: RunDir, store: FullStore, client: httpx.AsyncClient, clock: FakeClock, **env: object
) -> None:
    rules = load_rules(rd.rules)
    pipeline = Pipeline(quick_settings(**env), store, client, rules, clock=clock)
    for feed in rules.feeds:  # one outlet at a time: arrival order is the feed order
        report = await pipeline.poll(feed)
        assert report.status != "error", report.error


async def test_copy_is_queued_per_channel_as_its_followups_say(
    tmp_path: Path, store: FullStore, client: httpx.AsyncClient
) -> None:
    items = story("idlib-market-strike")[:2]
    rd = rundir(tmp_path, items, ALL)
    clock = FakeClock()
    counters = [
        metrics.FOLLOWUPS_SUPPRESSED.labels(channel="quiet"),
        metrics.FOLLOWUPS_QUEUED.labels(channel="thread"),
        metrics.STORIES.labels(watchlist="everything"),
        metrics.STORY_COPIES.labels(watchlist="everything"),
    ]
    before = [c._value.get() for c in counters]
    await poll_all(rd, store, client, clock)
    pending = await store.pending()
    by_kind = {(e.channel, e.alert.kind): e for e in pending}
    assert {c for c, k in by_kind if k == "match"} == set(ALL)
    assert {c for c, k in by_kind if k == "also_reported"} == {"thread", "held", "slack"}
    first = by_kind[("thread", "match")].alert
    for channel, delay in [("thread", 0.0), ("held", 300.0), ("slack", 120.0)]:
        copy = by_kind[(channel, "also_reported")]
        assert copy.next_attempt == pytest.approx(T0 + delay), channel
        assert copy.alert.story == first.key and copy.alert.story_title == items[0].title
        assert copy.alert.item.link == items[1].link
    assert first.story == first.key
    assert [c._value.get() - b for c, b in zip(counters, before, strict=True)] == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("window", "gap", "kinds"),
    [
        (None, 47 * 3600.0, ["match", "also_reported"]),  # default 48 h
        (None, 49 * 3600.0, ["match", "match"]),
        ("2h", 3600.0, ["match", "also_reported"]),
        ("2h", 3 * 3600.0, ["match", "match"]),
    ],
)
async def test_story_window_per_watchlist(
    tmp_path: Path,
    store: FullStore,
    client: httpx.AsyncClient,
    window: str | None,
    gap: float,
    kinds: list[str],
) -> None:
    items = story("idlib-market-strike")[:2]
    rd = rundir(tmp_path, items[:1], ["thread"], window)
    clock = FakeClock()
    await poll_all(rd, store, client, clock)
    clock.advance(gap)
    rd2 = rundir(tmp_path / "later", items, ["thread"], window)
    await poll_all(rd2, store, client, clock)
    pending = sorted(await store.pending(), key=lambda e: e.created_at)
    assert [e.alert.kind for e in pending] == kinds


async def test_stories_off_alerts_every_copy(
    tmp_path: Path, store: FullStore, client: httpx.AsyncClient
) -> None:
    items = story("idlib-market-strike")
    rd = rundir(tmp_path, items, ["thread"])
    await poll_all(rd, store, client, FakeClock(), stories=False)
    pending = await store.pending()
    assert len(pending) == len(items) and {e.alert.kind for e in pending} == {"match"}
    assert {e.alert.story for e in pending} == {""}


async def test_copy_matched_by_another_watchlist_is_its_first_alert(
    tmp_path: Path, store: FullStore, client: httpx.AsyncClient
) -> None:
    items = story("idlib-market-strike")[:2]
    rd = rundir(tmp_path, items, ["thread"])
    rd.write("watchlists/vegetables.yaml", "keywords: [vegetable]\nchannels: [held]\n")
    (rd.rules / "outlet-0.xml").write_text(
        (rd.rules / "outlet-0.xml").read_text().replace("vegetable", "fruit"), encoding="utf-8"
    )
    await poll_all(rd, store, client, FakeClock())
    kinds = sorted((e.alert.watchlist, e.alert.kind) for e in await store.pending())
    assert kinds == [("everything", "also_reported"), ("everything", "match"), ("vegetables", "match")]


async def test_placing_again_after_a_crash_decides_the_same(
    tmp_path: Path, store: FullStore, client: httpx.AsyncClient
) -> None:
    items = story("idlib-market-strike")[:3]
    rd = rundir(tmp_path, items, ["thread"])
    clock = FakeClock()
    await poll_all(rd, store, client, clock)
    before = sorted((e.alert.key, e.alert.kind, e.alert.story) for e in await store.pending())
    for outlet in ("outlet-0", "outlet-1", "outlet-2"):
        await store.forget_seen(outlet, [i.link for i in items])  # as if the polls died before mark_seen
        await store.put_feed(outlet, FeedState(primed=True))
    clock.advance(60)
    await poll_all(rd, store, client, clock)
    after = sorted((e.alert.key, e.alert.kind, e.alert.story) for e in await store.pending())
    assert after == before and [k for _, k, _ in before].count("match") == 1
