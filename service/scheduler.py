"""APScheduler wiring: one job per feed at its interval with jitter, never two polls of a feed at once.

The first poll of every feed runs at start. After each poll the job's next run is moved to the
time the poller asked for (``FeedState.next_poll``): the interval plus jitter after a success,
the backoff after a failure (sooner or later than the interval), at least Retry-After after a
429/503. ``poll_feed`` also skips a poll that comes before a backoff ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from service.feeds.config import Feed
from service.logs import get_logger

log = get_logger(__name__)

PollFn = Callable[[Feed], Awaitable[float | None]]  # returns when the feed wants its next poll


class FeedScheduler:
    def __init__(self, poll: PollFn) -> None:
        self._poll = poll
        self._scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={"misfire_grace_time": None})
        self._feeds: dict[str, Feed] = {}

    def start(self, feeds: Sequence[Feed]) -> None:
        self.sync(feeds)
        self._scheduler.start()

    def sync(self, feeds: Sequence[Feed]) -> None:
        """Add, change and remove jobs so there is exactly one per configured feed."""
        wanted = {f.id: f for f in feeds}
        for feed_id in list(self._feeds):
            if feed_id not in wanted:
                self._scheduler.remove_job(feed_id)
                del self._feeds[feed_id]
        for feed in wanted.values():
            old = self._feeds.get(feed.id)
            if old == feed:
                continue
            trigger = IntervalTrigger(seconds=feed.interval, jitter=feed.jitter or None, timezone=UTC)
            self._scheduler.add_job(
                self._run,
                trigger,
                args=[feed.id],
                id=feed.id,
                name=f"poll {feed.id}",
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                next_run_time=datetime.now(UTC),
            )
            self._feeds[feed.id] = feed

    async def _run(self, feed_id: str) -> None:
        feed = self._feeds.get(feed_id)
        if feed is None:
            return
        wanted = await self._poll(feed)
        job = self._scheduler.get_job(feed_id)
        if wanted is None or job is None or job.next_run_time is None:
            return
        job.modify(next_run_time=datetime.fromtimestamp(wanted, UTC))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
