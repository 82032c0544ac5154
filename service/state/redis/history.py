"""The Redis store's item history: ``P history:<feed_id>``, item json scored by first sight.

One MULTI/EXEC per write adds the items, drops those older than history_ttl and beyond the
newest history_max, and sets the key (and ``P history-feeds``) to expire history_ttl after
this write, so a feed removed from feeds.yaml leaves nothing behind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from service.model import Item
from service.state.records import HistoryItem, first_sightings, history_item, history_json
from service.state.redis.base import RedisBase, num


class RedisHistory(RedisBase):
    async def record_items(self, feed_id: str, items: Sequence[Item], now: float) -> None:
        if not items:
            return
        key, feeds = self._keys.history(feed_id), self._keys.history_feeds
        ttl = self._retention.history_ttl
        ttl_ms = max(1, math.ceil(ttl * 1000))
        with self._guard():
            async with self._r.pipeline(transaction=True) as tx:
                tx.zadd(key, {history_json(i): now for i in items})
                tx.zremrangebyscore(key, "-inf", "(" + num(now - ttl))
                tx.zremrangebyrank(key, 0, -(self._retention.history_max + 1))
                tx.pexpire(key, ttl_ms)
                tx.sadd(feeds, feed_id)
                tx.pexpire(feeds, ttl_ms)
                await tx.execute()

    async def history_feeds(self) -> list[str]:
        with self._guard():
            feeds: set[str] = await self._r.smembers(self._keys.history_feeds)  # type: ignore[assignment]
        return sorted(feeds)

    async def history(self, feed_id: str, since: float) -> list[HistoryItem]:
        with self._guard():
            rows: list[tuple[str, float]] = await self._r.zrangebyscore(  # type: ignore[assignment]
                self._keys.history(feed_id), num(since), "+inf", withscores=True
            )
        return first_sightings([history_item(raw, float(score)) for raw, score in rows])
