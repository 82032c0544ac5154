"""Watching the state store: a wiped store noticed and repaired; failing use reported to /readyz.

A Redis without persistence that restarts, a FLUSHDB, a failover to an empty replica: the store
answers again, empty. Left alone, the next poll of a feed with ``backfill: none`` primes away
the items whose alerts the wipe took, and with ``backfill: all`` re-sends what was already
delivered. So the service writes a marker (the store's epoch) at start and checks it before
each poll and each delivery pass; when it is gone or changed:

- an error is logged (``state_wiped``) and ``wirewatch_state_wipes_total`` counts it;
- the claims of every alert this process saw delivered are written back, so none repeats;
- the items this process saw are marked seen again, except those with an alert not yet
  delivered; the feed states it last wrote are written back with their validators (ETag,
  Last-Modified, body hash) cleared: each feed stays primed and is fetched and parsed afresh,
  so exactly the items of the alerts the wipe took are new again, and alert again, once.

Memory is bounded: ``keep`` most recent delivered keys, one FeedState per feed and the
``ITEMS_PER_FEED`` newest items seen per feed. Another process on the same store restores its
own knowledge when it notices (each checks the marker).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Protocol

from service import metrics
from service.logs import get_logger
from service.state.base import FeedState, FeedStates, Recovery, SeenSet

log = get_logger(__name__)
KEEP_SENT = 100_000
ITEMS_PER_FEED = 1000  # as many as one parse keeps


class WatchedStore(FeedStates, SeenSet, Recovery, Protocol):
    """What the watch reads and writes back."""


class StateWatch:
    def __init__(self, store: WatchedStore, clock: Callable[[], float], keep: int = KEEP_SENT) -> None:
        self._store = store
        self._clock = clock
        self._keep = keep
        self._epoch: str | None = None
        self._feeds: dict[str, FeedState] = {}
        self._sent: OrderedDict[str, None] = OrderedDict()
        self._items: dict[str, OrderedDict[str, tuple[str, ...]]] = {}
        self._lock = asyncio.Lock()
        self._failing: dict[str, str] = {}  # "poll" | "delivery" -> the last state error it met
        self.repairs = 0  # how many wipes this process repaired; a poll compares before and after

    async def start(self) -> None:
        """Adopt the store's marker (writing one if it has none). May raise StateUnavailable."""
        self._epoch = await self._store.ensure_epoch(uuid.uuid4().hex)

    def feed_written(self, feed_id: str, state: FeedState) -> None:
        self._feeds[feed_id] = replace(state, item_times=list(state.item_times))

    def items_seen(self, feed_id: str, alerts_by_item: dict[str, list[str]]) -> None:
        """Items of ``feed_id`` marked seen, each with the keys of the alerts it queued (or none)."""
        items = self._items.setdefault(feed_id, OrderedDict())
        for item_id, keys in alerts_by_item.items():
            items[item_id] = tuple(keys)
            items.move_to_end(item_id)
        while len(items) > ITEMS_PER_FEED:
            items.popitem(last=False)

    def delivered(self, alert_keys: Iterable[str]) -> None:
        for key in alert_keys:
            self._sent[key] = None
            self._sent.move_to_end(key)
        while len(self._sent) > self._keep:
            self._sent.popitem(last=False)

    def saw(self, role: str, error: str | None) -> None:
        """The result of the latest state-store work of ``role`` (None: it succeeded)."""
        if error is None:
            self._failing.pop(role, None)
        else:
            self._failing[role] = error

    def problem(self) -> str | None:
        """Why the service is not ready as far as the store goes (for /readyz), or None: the
        latest polls or deliveries could not use the store, even if it answers a ping."""
        for role, error in sorted(self._failing.items()):
            return f"state store failing in {role}s: {error}"
        return None

    async def check(self) -> bool:
        """True when a wipe was found (and repaired). Raises StateUnavailable like any store call."""
        if self._epoch is None:  # the store was down at start: adopt its marker now
            await self.start()
            return False
        if await self._store.epoch() == self._epoch:
            return False
        async with self._lock:
            if await self._store.epoch() == self._epoch:
                return False  # another task of this process repaired it meanwhile
            await self._repair()
        return True

    async def resettle(self, feed_id: str, state: FeedState) -> None:
        """A poll of ``feed_id`` overlapped a repair: what it wrote after the wipe (seen marks,
        validators) could hide lost alerts, so settle its items again and clear ``state``'s
        validators before the poll saves it."""
        state.etag = state.last_modified = state.body_hash = None
        await self._resettle_items(feed_id, self._clock())

    async def _resettle_items(self, feed_id: str, now: float) -> None:
        items = self._items.get(feed_id, OrderedDict())
        settled = [i for i, keys in items.items() if all(k in self._sent for k in keys)]
        unsettled = [i for i, keys in items.items() if not all(k in self._sent for k in keys)]
        await self._store.mark_seen(feed_id, settled, now)
        await self._store.forget_seen(feed_id, unsettled)

    async def _repair(self) -> None:
        now = self._clock()
        self._epoch = await self._store.ensure_epoch(uuid.uuid4().hex)
        await self._store.restore_claims(list(self._sent), now)
        for feed_id in self._items:
            await self._resettle_items(feed_id, now)
        for feed_id, state in self._feeds.items():
            await self._store.put_feed(feed_id, replace(state, etag=None, last_modified=None, body_hash=None))
        self.repairs += 1
        metrics.STATE_WIPES.inc()
        log.error(
            "state_wiped",
            error=(
                "the state store lost its data (restarted without persistence, flushed, or failed "
                f"over to an empty copy); restored {len(self._sent)} delivered alert keys and "
                f"{len(self._feeds)} feed states from memory; queued alerts it lost are made again "
                "from their feeds"
            ),
        )
