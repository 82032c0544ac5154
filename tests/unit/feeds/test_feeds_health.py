"""Feed health with an injected clock: one alert per episode, one recovery, nothing in between."""

from __future__ import annotations

import pytest

from service.feeds.config import Feed
from service.feeds.health import HealthEvent, assess, health_alert, human_duration, usual_gap
from service.settings import Settings
from service.state.base import FeedState

HOUR = 3600.0
DAY = 86400.0


def feed(url: str = "https://news.example/feed.xml") -> Feed:
    return Feed(id="news", url=url, title="news", interval=300.0, backfill="none", jitter=0.0, headers={})


def settings(**kw: object) -> Settings:
    base: dict[str, object] = {
        "health_failures": 5,
        "health_quiet_factor": 6.0,
        "health_quiet_min": 6 * HOUR,
    }
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


class Clock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def poll(state: FeedState, ok: bool, clock: Clock, error: str = "HTTP 503") -> None:
    """What the poller does to the state on each poll (the lead's code keeps these fields)."""
    clock.advance(300)
    state.last_poll = clock.now
    if ok:
        state.failures, state.last_ok, state.last_error = 0, clock.now, None
    else:
        state.failures += 1
        state.last_error = error


def test_repeated_failures_raise_one_alert_then_one_recovered() -> None:
    clock, state, s, f = Clock(), FeedState(), settings(), feed()
    events: list[HealthEvent] = []
    for _ in range(12):
        poll(state, ok=False, clock=clock, error="connect timeout after 10s")
        event = assess(f, state, clock.now, s)
        if event:
            events.append(event)
    assert [e.kind for e in events] == ["failing"]
    assert events[0].failures == 5 and state.health == "failing"
    alert = health_alert(f, events[0], clock.now)
    assert alert.kind == "feed_health" and alert.watchlist == "feed-health"
    assert alert.item.title == (
        "Feed 'news' is failing: 5 polls in a row (last error: connect timeout after 10s)"
    )
    for _ in range(3):
        poll(state, ok=True, clock=clock)
        event = assess(f, state, clock.now, s)
        if event:
            events.append(event)
    assert [e.kind for e in events] == ["failing", "recovered"]
    assert events[1].previous == "failing" and state.health is None
    assert health_alert(f, events[1], clock.now).item.title == "Feed 'news' recovered"


def test_fewer_failures_than_threshold_never_alert() -> None:
    clock, state, s, f = Clock(), FeedState(), settings(), feed()
    for round_ in range(5):
        for _ in range(4):
            poll(state, ok=False, clock=clock)
            assert assess(f, state, clock.now, s) is None
        poll(state, ok=True, clock=clock)
        assert assess(f, state, clock.now, s) is None, round_


def test_a_second_episode_gets_its_own_alert_with_a_new_key() -> None:
    clock, state, s, f = Clock(), FeedState(), settings(health_failures=2), feed()
    keys = []
    for _ in range(2):
        for ok in (False, False, True):
            poll(state, ok=ok, clock=clock)
            event = assess(f, state, clock.now, s)
            if event:
                keys.append(health_alert(f, event, clock.now).key)
    assert len(keys) == 4 and len(set(keys)) == 4


def test_disabled_feed_counts_as_failing() -> None:
    clock, s, f = Clock(), settings(), feed()
    state = FeedState(disabled_reason="410 Gone")
    event = assess(f, state, clock.now, s)
    assert event is not None and event.kind == "failing"
    assert "(last error: 410 Gone)" in health_alert(f, event, clock.now).item.title
    assert assess(f, state, clock.advance(60), s) is None


def items_every(gap: float, count: int, newest: float) -> list[float]:
    return [newest - gap * i for i in range(count)][::-1]


def test_quiet_feed_raises_one_alert_then_recovers_on_a_new_item() -> None:
    clock, s, f = Clock(), settings(), feed()
    state = FeedState(item_times=items_every(3 * HOUR, 10, clock.now), last_ok=clock.now)
    events = []
    for _ in range(24 * 4):  # four days of hourly assessments, no new items
        clock.advance(HOUR)
        state.last_ok = clock.now
        event = assess(f, state, clock.now, s)
        if event:
            events.append((clock.now, event))
    assert [e.kind for _, e in events] == ["quiet"]
    first_at, quiet = events[0]
    assert quiet.usual_gap == pytest.approx(3 * HOUR)
    assert quiet.quiet_for is not None and quiet.quiet_for > 18 * HOUR  # 6 x 3h
    assert first_at - max(state.item_times) <= 19 * HOUR
    later = health_alert(f, HealthEvent("news", "quiet", clock.now, quiet_for=2 * DAY,
                                        usual_gap=3 * HOUR), clock.now)  # fmt: skip
    assert later.item.title == "Feed 'news' has been quiet for 2d (usually every 3h)"
    state.item_times = [*state.item_times, clock.now - 60][-50:]
    event = assess(f, state, clock.now, s)
    assert event is not None and event.kind == "recovered" and event.previous == "quiet"
    assert assess(f, state, clock.advance(HOUR), s) is None


def test_quiet_never_before_quiet_min_and_needs_three_items() -> None:
    clock = Clock()
    s = settings(health_quiet_min=DAY)
    state = FeedState(item_times=items_every(60.0, 5, clock.now))  # usually every minute
    assert assess(feed(), state, clock.advance(23 * HOUR), s) is None
    assert assess(feed(), state, clock.advance(2 * HOUR), s) is not None
    sparse = FeedState(item_times=[clock.now - 30 * DAY, clock.now - 29 * DAY])
    assert assess(feed(), sparse, clock.now, s) is None


def test_failing_wins_over_quiet_and_recovery_needs_a_good_poll() -> None:
    clock, s, f = Clock(), settings(health_failures=2), feed()
    state = FeedState(item_times=items_every(HOUR, 5, clock.now - 10 * DAY))
    event = assess(f, state, clock.now, s)
    assert event is not None and event.kind == "quiet"
    poll(state, ok=False, clock=clock)
    poll(state, ok=False, clock=clock)
    event = assess(f, state, clock.now, s)
    assert event is not None and event.kind == "failing"
    poll(state, ok=True, clock=clock)
    event = assess(f, state, clock.now, s)
    assert event is not None and event.kind == "recovered"
    event = assess(f, state, clock.now, s)  # still no new items: quiet again, once
    assert event is not None and event.kind == "quiet"


@pytest.mark.parametrize(
    ("times", "expected"),
    [([], None), ([1.0, 2.0], None), ([0.0, 10.0, 30.0], 15.0), ([40.0, 0.0, 10.0, 20.0], 10.0)],
)
def test_usual_gap_is_the_median_of_sorted_gaps(times: list[float], expected: float | None) -> None:
    assert usual_gap(times) == expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "30s"), (90, "1.5m"), (3 * HOUR, "3h"), (2 * DAY, "2d"), (36 * HOUR, "1.5d")],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_alert_link_carries_no_credentials_and_keys_are_unique_per_occurrence() -> None:
    f = feed("https://user:pw@news.example:8443/feed.xml?token=abc#x")
    a = health_alert(f, HealthEvent("news", "failing", 100.0, failures=5), 100.0)
    b = health_alert(f, HealthEvent("news", "failing", 200.0, failures=5), 200.0)
    assert a.item.link == "https://news.example:8443/feed.xml"
    assert a.key != b.key and a.key.startswith("feed-health:news:failing:")
    assert "pw" not in a.to_json() and "token" not in a.to_json()
