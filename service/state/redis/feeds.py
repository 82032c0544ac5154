"""The Redis store's feed state (one hash) and seen sets (a sorted set per feed)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from service.state.base import FeedState
from service.state.redis.base import RedisBase, num


class RedisFeeds(RedisBase):
    async def get_feed(self, feed_id: str) -> FeedState:
        with self._guard():
            raw = await self._r.hget(self._keys.feeds, feed_id)
        return FeedState.from_json(raw) if raw else FeedState()

    async def put_feed(self, feed_id: str, state: FeedState) -> None:
        with self._guard():
            await self._r.hset(self._keys.feeds, feed_id, state.to_json())

    async def list_feeds(self) -> dict[str, FeedState]:
        with self._guard():
            raw = await self._r.hgetall(self._keys.feeds)
        return {str(k): FeedState.from_json(v) for k, v in sorted(raw.items())}


class RedisSeen(RedisBase):
    async def unseen(self, feed_id: str, item_ids: Sequence[str], now: float) -> list[str]:
        if not item_ids:
            return []
        with self._guard():
            scores = await self._r.zmscore(self._keys.seen(feed_id), list(item_ids))
        cutoff = now - self._seen_ttl
        return [i for i, s in zip(item_ids, scores, strict=True) if s is None or s <= cutoff]

    async def mark_seen(self, feed_id: str, item_ids: Sequence[str], now: float) -> None:
        if not item_ids:
            return
        key = self._keys.seen(feed_id)
        with self._guard():
            async with self._r.pipeline(transaction=True) as pipe:
                pipe.zadd(key, dict.fromkeys(item_ids, now))
                pipe.zremrangebyscore(key, "-inf", num(now - self._seen_ttl))
                pipe.zremrangebyrank(key, 0, -(self._seen_max + 1))
                pipe.pexpire(key, max(1, math.ceil(self._seen_ttl * 1000)))
                await pipe.execute()
