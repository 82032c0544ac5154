"""The Redis store's epoch marker and claim restore (see ``Recovery`` in ``state/base.py``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from service.state.redis.base import RedisBase, num

_CHUNK = 1000  # claims per pipeline round trip


class RedisRecovery(RedisBase):
    async def epoch(self) -> str | None:
        with self._guard():
            value = await self._r.get(self._keys.epoch)
        return str(value) if value is not None else None

    async def ensure_epoch(self, candidate: str) -> str:
        with self._guard():
            await self._r.set(self._keys.epoch, candidate, nx=True)
            value = await self._r.get(self._keys.epoch)
        return str(value) if value is not None else candidate

    async def restore_claims(self, alert_keys: Sequence[str], now: float) -> None:
        ttl_ms = max(1, math.ceil(self._dedup_ttl * 1000))
        keys = list(dict.fromkeys(alert_keys))
        with self._guard():
            for start in range(0, len(keys), _CHUNK):
                async with self._r.pipeline(transaction=False) as pipe:
                    for key in keys[start : start + _CHUNK]:
                        pipe.set(self._keys.claim(key), num(now), px=ttl_ms)
                    await pipe.execute()

    async def forget_seen(self, feed_id: str, item_ids: Sequence[str]) -> None:
        if item_ids:
            with self._guard():
                await self._r.zrem(self._keys.seen(feed_id), *item_ids)
