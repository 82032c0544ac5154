"""A feed first watched today is not "quiet" because its items are old (the bundled sample's case)."""

from __future__ import annotations

from service.feeds.config import Feed
from service.feeds.health import assess
from service.settings import Settings
from service.state.base import FeedState

DAY = 86400.0
FEED = Feed(id="f", url="file:///f.xml", title="f", interval=300, backfill="none", jitter=0, headers={})


def settings() -> Settings:
    return Settings(_env_file=None, health_quiet_factor=6, health_quiet_min=6 * 3600)  # type: ignore[call-arg]


def test_old_items_seen_just_now_are_not_quiet() -> None:
    now = 1_000 * DAY
    state = FeedState(item_times=[now - 700 * DAY, now - 699 * DAY, now - 698 * DAY], last_new_item=now)
    assert assess(FEED, state, now, settings()) is None
    assert state.health is None


def test_silence_counts_from_last_new_item_when_later() -> None:
    now = 1_000 * DAY
    state = FeedState(item_times=[now - 700 * DAY, now - 699 * DAY, now - 698 * DAY], last_new_item=now)
    event = assess(FEED, state, now + 7 * DAY, settings())  # usual gap 1 day: 7 days is quiet
    assert event is not None and event.kind == "quiet"
    assert assess(FEED, state, now + 8 * DAY, settings()) is None  # one alert, not one per poll
