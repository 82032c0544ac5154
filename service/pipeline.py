"""One poll of one feed: lease, fetch, parse, new items, match, story, dedup, enqueue, remember.

Order matters for "nothing lost, nothing twice": alerts are claimed and queued *before* their
items are marked seen, so a crash between the two re-processes the items on the next poll and
the dedup claim stops them being queued twice. A matched item is placed in its story first
(``stories/desk.py``): per watchlist, the story's first item is an alert (``kind: match``) and
a near-duplicate from any feed is a follow-up (``kind: also_reported``) queued only to the
channels whose ``followups`` want it; placing an item again after a crash decides the same way.
The new items then go to the item history (for ``wirewatch replay``); losing that write in a
crash costs a replay one poll's items, never an alert.

Several processes may share one store (replicas on one Redis): a poll first takes the feed's
lease, so one process polls a feed at a time; a scheduled poll of a feed that another process
polled meanwhile (its ``next_poll`` is still ahead) is skipped and rescheduled to that time; and
the poll's feed state is written only while its lease is still its own (fencing), so each feed
is polled once per interval across every replica, and a replica that dies mid-poll hands the
feed over when its lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx

from service import metrics
from service.dedup import alert_key
from service.feeds.config import Feed
from service.feeds.health import assess, health_alert
from service.feeds.poll import poll_feed
from service.logs import get_logger
from service.model import Alert, DateSource, Item
from service.queueing import entries_for, first_attempt, make_alert
from service.recovery import StateWatch
from service.rules import Rules
from service.settings import Settings
from service.state.base import FeedState, OutboxEntry, PollStore, StateUnavailable
from service.stories.config import StoryConfig
from service.stories.desk import Placement, StoryDesk

log = get_logger(__name__)

ITEM_TIMES_KEPT = 50
LEASE_FACTOR = 2.5  # a poll lease lasts this many fetch timeouts (a fetch and a parse, each bounded by it)
LEASED_RETRY = 10.0  # another process is polling the feed: look again this much later
EARLY = 0.25  # a scheduled poll this close to the feed's next_poll is due (timer slack)


@dataclass(slots=True)
class PollReport:
    feed_id: str
    status: str
    new_items: int = 0
    primed: int = 0
    alerts: list[Alert] = field(default_factory=list)
    error: str | None = None
    next_poll: float | None = None


class Pipeline:
    """Holds what a poll needs; ``rules`` may be swapped on reload between polls."""

    def __init__(
        self,
        settings: Settings,
        store: PollStore,
        client: httpx.AsyncClient,
        rules: Rules,
        on_queued: Callable[[str], None] = lambda channel: None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        watch: StateWatch | None = None,
    ) -> None:
        self.settings = settings
        self._watch = watch
        self.store = store
        self.client = client
        self.rules = rules
        self._on_queued = on_queued
        self._clock = clock
        self._rng = rng or random.Random()
        self._limit = asyncio.Semaphore(settings.max_connections)
        self._lease_ttl = LEASE_FACTOR * settings.fetch_timeout  # a fetch, a parse in the child, margin
        self.stories = (
            StoryDesk(store, StoryConfig(threshold=settings.story_threshold)) if settings.stories else None
        )

    async def poll_all(self, feeds: Sequence[Feed] | None = None) -> list[PollReport]:
        """Poll feeds concurrently (bounded by ``max_connections``); one feed's trouble stays its own."""
        chosen = list(self.rules.feeds if feeds is None else feeds)
        return list(await asyncio.gather(*(self.poll(feed) for feed in chosen)))

    async def poll_next(self, feed: Feed) -> float | None:
        """One scheduled poll, made only when the feed is due (another process may have polled
        it already); returns when the feed wants its next one (the scheduler's hook)."""
        return (await self.poll(feed, when_due=True)).next_poll

    async def poll(self, feed: Feed, *, when_due: bool = False) -> PollReport:
        """Poll ``feed`` under its lease (one poller at a time across processes)."""
        async with self._limit:
            token = uuid.uuid4().hex
            try:
                if not await self.store.lease_poll(feed.id, token, self._lease_ttl, self._clock()):
                    return PollReport(feed.id, "leased", next_poll=self._clock() + LEASED_RETRY)
                report = await self._poll(feed, token, when_due)
            except StateUnavailable as exc:
                log.error("state_unavailable", feed_id=feed.id, error=str(exc))
                self._saw(str(exc))
                await self._release(feed.id, token)
                return PollReport(feed.id, "error", error=str(exc))
            except Exception as exc:  # a bug must cost one poll, not the service
                log.exception("poll_crashed", feed_id=feed.id, error=repr(exc))
                await self._release(feed.id, token)
                return PollReport(feed.id, "error", error=repr(exc))
            self._saw(None)
            return report

    async def _release(self, feed_id: str, token: str) -> None:
        """Give the lease back after a failed poll (best effort: it expires anyway)."""
        with contextlib.suppress(StateUnavailable):
            await self.store.release_poll(feed_id, token)

    def _saw(self, error: str | None) -> None:
        if self._watch is not None:
            self._watch.saw("poll", error)

    async def _poll(self, feed: Feed, token: str, when_due: bool) -> PollReport:
        repairs = self._watch.repairs if self._watch is not None else 0
        if self._watch is not None:
            await self._watch.check()  # a wiped store is repaired before it misleads this poll
            repairs = self._watch.repairs
        state = await self.store.get_feed(feed.id)
        now = self._clock()
        if when_due and state.next_poll is not None and state.next_poll > now + EARLY:
            await self.store.release_poll(feed.id, token)  # polled meanwhile (by another process)
            return PollReport(feed.id, "not_due", next_poll=state.next_poll)
        outcome = await poll_feed(feed, state, self.client, self.settings, now, self._rng)
        report = PollReport(feed.id, outcome.status, error=outcome.error)
        metrics.POLLS.labels(feed_id=feed.id, result=outcome.status).inc()
        if outcome.http_status is not None:
            metrics.HTTP_RESPONSES.labels(code=str(outcome.http_status)).inc()
        if outcome.metric_reason is not None:
            metrics.POLL_ERRORS.labels(feed_id=feed.id, reason=outcome.metric_reason).inc()
        if outcome.items is not None:
            await self._process(feed, state, outcome.items, now, report)
        await self._health(feed, state, now)
        if self._watch is not None and self._watch.repairs != repairs:
            await self._watch.resettle(feed.id, state)  # the store was wiped while this poll ran
        if not await self.store.put_feed_fenced(feed.id, state, token, self._clock()):
            log.warning(
                "poll_lease_lost",
                feed_id=feed.id,
                error=f"feed {feed.id}: the poll outlived its lease; another poller's state stands",
            )
        elif self._watch is not None:
            self._watch.feed_written(feed.id, state)
        report.next_poll = state.next_poll
        return report

    async def _process(
        self, feed: Feed, state: FeedState, items: list[Item], now: float, report: PollReport
    ) -> None:
        fresh_ids = set(await self.store.unseen(feed.id, [i.id for i in items], now))
        fresh = [i for i in items if i.id in fresh_ids]
        if not fresh:
            state.primed = True
            return
        alertable = fresh if state.primed else self._backfill(feed, fresh, now)
        if not state.primed:
            report.primed = len(fresh) - len(alertable)
            log.info("feed_primed", feed_id=feed.id, primed=report.primed, alerting=len(alertable))
        keys: dict[str, list[str]] = {i.id: [] for i in fresh}  # item -> keys of the alerts it made
        for item in alertable:
            report.alerts.extend(await self._alert(feed, item, now, keys[item.id]))
        await self.store.mark_seen(feed.id, [i.id for i in fresh], now)
        if self._watch is not None:
            self._watch.items_seen(feed.id, keys)
        await self.store.record_items(feed.id, fresh, now)
        state.primed = True
        report.new_items = len(fresh)
        metrics.ITEMS_NEW.labels(feed_id=feed.id).inc(len(fresh))
        state.last_new_item = now
        times = [i.published.timestamp() for i in fresh if i.published and i.date_source is DateSource.FEED]
        state.item_times = sorted(set(state.item_times) | set(times))[-ITEM_TIMES_KEPT:]

    def _backfill(self, feed: Feed, items: list[Item], now: float) -> list[Item]:
        """First poll of a feed: alert on nothing (``none``), everything, or items newer than a duration.

        An item the feed gave no readable date is new to us: a duration never drops it.
        """
        if feed.backfill == "all":
            return items
        if feed.backfill == "none":
            return []
        cutoff = now - float(feed.backfill)
        return [i for i in items if _undated(i) or (i.published and i.published.timestamp() >= cutoff)]

    async def _alert(self, feed: Feed, item: Item, now: float, keys: list[str]) -> list[Alert]:
        """Queue the item's alerts (one per matching watchlist, deduplicated by key; a copy of a
        story already alerted is a follow-up); every key it makes is added to ``keys``, queued
        now or already claimed."""
        matches = self.rules.matcher.match(item)
        if not matches:
            return []
        item = replace(item, feed_title=feed.title)
        made = {m.watchlist: alert_key(m.watchlist, item) for m in matches}
        placements = await self._place(item, made, now)
        queued: list[Alert] = []
        created = datetime.fromtimestamp(now, UTC)
        for match in matches:
            metrics.MATCHES.labels(watchlist=match.watchlist).inc()
            key = made[match.watchlist]
            alert = make_alert(match, item, key, created, placements.get(match.watchlist))
            entries = entries_for(
                alert, self.rules.routes[match.watchlist], self.rules.channels, now, self._clock
            )
            if not entries:
                continue
            keys.append(alert.key)
            if await self.store.claim_and_enqueue(alert.key, entries, now):
                queued.append(alert)
                self._queued(alert, entries)
            else:
                log.debug(
                    "alert_duplicate",
                    watchlist=alert.watchlist,
                    alert_key=alert.key,
                    feed_id=item.feed_id,
                )
        return queued

    async def _place(self, item: Item, keys: dict[str, str], now: float) -> dict[str, Placement]:
        """Each matching watchlist's story for ``item`` (``keys``: watchlist -> the alert key
        the item makes there); none when stories are off."""
        if self.stories is None:
            return {}
        placements = await self.stories.place(item, keys, self.rules.story_windows, now)
        for watchlist, placement in placements.items():
            counter = metrics.STORY_COPIES if placement.followup else metrics.STORIES
            counter.labels(watchlist=watchlist).inc()
        return placements

    def _queued(self, alert: Alert, entries: Sequence[OutboxEntry]) -> None:
        for entry in entries:
            metrics.ALERTS_QUEUED.labels(channel=entry.channel).inc()
            if alert.is_followup:
                metrics.FOLLOWUPS_QUEUED.labels(channel=entry.channel).inc()
            self._on_queued(entry.channel)
        log.info(
            "alert_queued",
            watchlist=alert.watchlist,
            alert_key=alert.key,
            kind=alert.kind,
            story=alert.story or None,
            feed_id=alert.item.feed_id,
            channels=[e.channel for e in entries],
        )

    async def _health(self, feed: Feed, state: FeedState, now: float) -> None:
        event = assess(feed, state, now, self.settings)
        metrics.FEED_HEALTHY.labels(feed_id=feed.id).set(0 if state.health else 1)
        if event is None:
            return
        alert = health_alert(feed, event, now)
        log.warning("feed_health", feed_id=feed.id, error=alert.item.title)
        channel = self.settings.health_channel
        if channel and channel in self.rules.channels:
            config = self.rules.channels[channel]
            await self.store.enqueue([OutboxEntry(channel, alert, first_attempt(config, now), now)])
            metrics.ALERTS_QUEUED.labels(channel=channel).inc()
            self._on_queued(channel)


def _undated(item: Item) -> bool:
    """The feed gave no date we could read (or a record from before ``date_source``, with none)."""
    return item.date_source is DateSource.FIRST_SEEN or item.published is None
