"""The Redis store's silences: ``P silences``, a hash of silence id -> Silence json."""

from __future__ import annotations

from dataclasses import replace

from service.state.records import Silence
from service.state.redis.base import RedisBase


class RedisSilences(RedisBase):
    async def add_silence(self, silence: Silence, now: float) -> None:
        cutoff = now - self._retention.alert_log_ttl
        old = [s.id for s in await self.silences() if s.ends_at < cutoff and s.id != silence.id]
        with self._guard():
            async with self._r.pipeline(transaction=True) as tx:
                tx.hset(self._keys.silences, silence.id, silence.to_json())
                if old:
                    tx.hdel(self._keys.silences, *old)
                await tx.execute()

    async def silences(self) -> list[Silence]:
        with self._guard():
            raw = await self._r.hvals(self._keys.silences)
        return sorted((Silence.from_json(r) for r in raw), key=lambda s: (s.starts_at, s.id))

    async def end_silence(self, silence_id: str, now: float) -> Silence | None:
        with self._guard():
            raw = await self._r.hget(self._keys.silences, silence_id)
        if raw is None:
            return None
        silence = Silence.from_json(raw)
        if silence.ends_at <= now:
            return silence
        ended = replace(silence, ends_at=max(now, silence.starts_at))
        with self._guard():
            await self._r.hset(self._keys.silences, silence_id, ended.to_json())
        return ended
