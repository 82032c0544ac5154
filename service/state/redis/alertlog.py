"""The Redis store's alert log: ``P alerts``, a sorted set of AlertRecord json by time."""

from __future__ import annotations

from collections.abc import Sequence

from service.state.records import AlertRecord
from service.state.redis.base import RedisBase, num


class RedisAlertLog(RedisBase):
    async def record_alerts(self, records: Sequence[AlertRecord], now: float) -> None:
        if not records:
            return
        key = self._keys.alerts
        with self._guard():
            async with self._r.pipeline(transaction=True) as tx:
                tx.zadd(key, {r.to_json(): r.at for r in records})
                tx.zremrangebyscore(key, "-inf", "(" + num(now - self._retention.alert_log_ttl))
                await tx.execute()

    async def alert_records(
        self, since: float, *, watchlist: str | None = None, channel: str | None = None
    ) -> list[AlertRecord]:
        with self._guard():
            raw: list[str] = await self._r.zrevrangebyscore(  # type: ignore[assignment]
                self._keys.alerts, "+inf", num(since)
            )
        records = [AlertRecord.from_json(r) for r in raw]
        return [
            r
            for r in records
            if (watchlist is None or r.watchlist == watchlist) and (channel is None or r.channel == channel)
        ]
