"""Feed health: one alert when a feed starts failing or goes quiet, one when it recovers.

Miniflux silently stops polling a feed after a few errors; Wirewatch keeps polling (with
backoff) and tells a person instead, once per episode rather than once per poll.

Rules (pure, clock passed in, ``state.health`` is the only memory):

- failing: ``state.failures >= health_failures`` consecutive failed polls, or the feed was
  disabled by the poller (``disabled_reason``, e.g. 410 Gone).
- quiet: the feed polls fine but its newest item is older than
  ``max(health_quiet_factor * usual_gap, health_quiet_min)``, where ``usual_gap`` is the median
  gap between its recent items' published times (at least 3 needed; fewer -> never quiet).
- ``assess`` returns an event only on a transition: ok -> failing, ok -> quiet, quiet -> failing
  (a new problem), failing -> recovered (a poll succeeded: ``failures == 0``), quiet -> recovered
  (a new item). It records the new condition in ``state.health``; the caller saves the state
  and enqueues ``health_alert(...)`` to ``settings.health_channel``.
- failing -> quiet is reported as recovered; the next assessment then finds it quiet.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from service.feeds.config import Feed
from service.logs import redact_url
from service.model import Alert, Item
from service.settings import Settings
from service.state.base import FeedState

HealthKind = Literal["failing", "quiet", "recovered"]
WATCHLIST = "feed-health"
MIN_ITEMS_FOR_CADENCE = 3
_MAX_ERROR_CHARS = 200


@dataclass(frozen=True, slots=True)
class HealthEvent:
    """A change in a feed's health, with what a person needs to judge it."""

    feed_id: str
    kind: HealthKind
    at: float
    failures: int = 0
    last_error: str | None = None
    quiet_for: float | None = None  # seconds since the newest item
    usual_gap: float | None = None  # median seconds between items
    previous: str | None = None  # for "recovered": "failing" or "quiet"


def usual_gap(item_times: list[float]) -> float | None:
    """Median gap between consecutive published times; None with fewer than 3 items."""
    times = sorted(set(item_times))
    if len(times) < MIN_ITEMS_FOR_CADENCE:
        return None
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    return float(statistics.median(gaps))


def quiet_for(state: FeedState, now: float, settings: Settings) -> tuple[float, float] | None:
    """(seconds of silence, usual gap) when the feed counts as quiet, else None.

    Silence runs from the newest item's date or from when Wirewatch last saw a new item,
    whichever is later: a feed first watched today, or one whose items carry stale dates, is
    not "quiet" for what happened before Wirewatch saw it.
    """
    gap = usual_gap(state.item_times)
    if gap is None:
        return None
    silence = now - max(max(state.item_times), state.last_new_item or 0.0)
    limit = max(settings.health_quiet_factor * gap, settings.health_quiet_min)
    return (silence, gap) if silence > limit else None


def _failing(state: FeedState, settings: Settings) -> bool:
    return state.disabled_reason is not None or state.failures >= max(1, settings.health_failures)


def assess(feed: Feed, state: FeedState, now: float, settings: Settings) -> HealthEvent | None:
    """The transition this poll caused, if any; updates ``state.health`` to match."""
    current = state.health
    if _failing(state, settings):
        if current == "failing":
            return None
        state.health = "failing"
        error = state.disabled_reason or state.last_error
        return HealthEvent(feed.id, "failing", now, failures=state.failures, last_error=error)
    if current == "failing":
        if state.failures > 0:  # still failing now and then: stay put until a poll succeeds
            return None
        state.health = None
        return HealthEvent(feed.id, "recovered", now, previous="failing")
    quiet = quiet_for(state, now, settings)
    if quiet is not None:
        if current == "quiet":
            return None
        state.health = "quiet"
        return HealthEvent(feed.id, "quiet", now, quiet_for=quiet[0], usual_gap=quiet[1])
    if current == "quiet":
        state.health = None
        return HealthEvent(feed.id, "recovered", now, previous="quiet")
    return None


def human_duration(seconds: float) -> str:
    """``2d``, ``3h``, ``1.5h``, ``45m``, ``30s``: the largest unit, at most one decimal."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size:
            value = round(seconds / size, 1)
            return f"{value:g}{unit}"
    return f"{max(0.0, seconds):.0f}s"


def describe(feed: Feed, event: HealthEvent) -> str:
    """The one-line title a person reads in the channel."""
    name = feed.title if feed.title and feed.title != feed.id else feed.id
    if event.kind == "failing":
        if event.failures:
            text = f"Feed '{name}' is failing: {event.failures} polls in a row"
        else:
            text = f"Feed '{name}' is failing"
        if event.last_error:
            error = event.last_error.strip().splitlines()[0] if event.last_error.strip() else ""
            if len(error) > _MAX_ERROR_CHARS:
                error = error[: _MAX_ERROR_CHARS - 1] + "…"
            text += f" (last error: {error})"
        return text
    if event.kind == "quiet":
        silence = human_duration(event.quiet_for or 0.0)
        usual = human_duration(event.usual_gap or 0.0)
        return f"Feed '{name}' has been quiet for {silence} (usually every {usual})"
    return f"Feed '{name}' recovered"


def health_alert(feed: Feed, event: HealthEvent, now: float) -> Alert:
    """An Alert for ``settings.health_channel``; its key is unique to this occurrence."""
    key = f"feed-health:{feed.id}:{event.kind}:{int(event.at * 1000)}"
    when = datetime.fromtimestamp(now, UTC)
    title = describe(feed, event)
    item = Item(
        id=key,
        feed_id=feed.id,
        title=title,
        link=redact_url(feed.url),
        published=when,
        summary=title,
        content="",
        feed_title=feed.title,
    )
    return Alert(
        key=key,
        watchlist=WATCHLIST,
        item=item,
        matched={},
        snippet="",
        created_at=when,
        kind="feed_health",
    )
