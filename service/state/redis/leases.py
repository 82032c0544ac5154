"""The Redis store's poll leases (see ``PollLeases`` in ``state/base.py``).

``SET lease:poll:<feed> <token> NX PX <ttl>``: Redis expires a lease whose holder died. The
fenced write compares the token and writes the feed state in one script (``lua.py``).
"""

from __future__ import annotations

import math

from service.state.base import FeedState
from service.state.redis.base import RedisBase


class RedisPollLeases(RedisBase):
    async def lease_poll(self, feed_id: str, token: str, ttl: float, now: float) -> bool:
        with self._guard():
            got = await self._r.set(
                self._keys.poll_lease(feed_id), token, nx=True, px=max(1, math.ceil(ttl * 1000))
            )
        return bool(got)

    async def release_poll(self, feed_id: str, token: str) -> None:
        await self._call("release_lease", [self._keys.poll_lease(feed_id)], [token])

    async def put_feed_fenced(self, feed_id: str, state: FeedState, token: str, now: float) -> bool:
        keys = [self._keys.poll_lease(feed_id), self._keys.feeds]
        return bool(await self._call("put_feed_fenced", keys, [token, feed_id, state.to_json()]))
