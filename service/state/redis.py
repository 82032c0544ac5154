"""RedisStore: the shared state store, for several Wirewatch processes on one Redis.

Every multi-key update is one Lua script (``redis_lua.py``), so it is atomic and one round
trip; seen-set updates are one MULTI/EXEC. Key names come from ``keys.py``. A Redis that cannot
be reached raises ``StateUnavailable`` with a one-line message that names host:port/db and
never the password; socket timeouts are short so a dead Redis is noticed in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from service.model import Alert
from service.state import redis_lua
from service.state.base import DeadLetter, FeedState, OutboxEntry, StateUnavailable
from service.state.keys import DEAD, DEFAULT_PREFIX, OUTBOX, Keys

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def redis_location(url: str) -> str:
    """host:port/db (or the socket path) of a Redis URL, without user or password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    db = parts.path.lstrip("/") or "0"
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}/{db}"


def _num(value: float) -> str:
    return repr(float(value))


def _entry_args(entries: Sequence[OutboxEntry]) -> list[str]:
    args: list[str] = []
    for e in entries:
        has_error = e.last_error is not None
        args += [
            e.id,
            e.channel,
            e.alert.to_json(),
            _num(e.created_at),
            _num(e.next_attempt),
            str(e.attempts),
            "1" if has_error else "0",
            e.last_error or "",
        ]
    return args


def _parse(row: list[Any]) -> tuple[OutboxEntry, dict[str, str]]:
    fields = dict(zip(row[1::2], row[2::2], strict=True))
    entry = OutboxEntry(
        channel=fields["channel"],
        alert=Alert.from_json(fields["alert"]),
        next_attempt=float(fields["next_attempt"]),
        created_at=float(fields["created_at"]),
        attempts=int(fields["attempts"]),
        last_error=fields.get("last_error"),
    )
    return entry, fields


class RedisStore:
    """StateStore on Redis (``redis://``, ``rediss://``, ``unix://``)."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        seen_ttl: float,
        seen_max: int,
        dedup_ttl: float,
        prefix: str = DEFAULT_PREFIX,
        location: str = "redis",
        secret: str | None = None,
    ) -> None:
        self._r = client
        self._keys = Keys(prefix)
        self._prefix = prefix
        self._seen_ttl = seen_ttl
        self._seen_max = seen_max
        self._dedup_ttl = dedup_ttl
        self._location = location
        self._secret = secret
        reg = client.register_script
        self._claim = reg(redis_lua.CLAIM_AND_ENQUEUE)
        self._enqueue = reg(redis_lua.ENQUEUE)
        self._load = reg(redis_lua.LOAD)
        self._ack = reg(redis_lua.ACK)
        self._reschedule = reg(redis_lua.RESCHEDULE)
        self._dead = reg(redis_lua.DEAD_LETTER)
        self._revive = reg(redis_lua.REVIVE)
        self._drop = reg(redis_lua.DROP)
        self._depth = reg(redis_lua.DEPTH)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        seen_ttl: float,
        seen_max: int,
        dedup_ttl: float,
        timeout: float = 5.0,
        prefix: str = DEFAULT_PREFIX,
    ) -> RedisStore:
        """Build a store (no I/O yet); short timeouts and one quick retry on a dropped link."""
        client = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=1),
        )
        secret = urlsplit(url).password
        return cls(
            client,
            seen_ttl=seen_ttl,
            seen_max=seen_max,
            dedup_ttl=dedup_ttl,
            prefix=prefix,
            location=redis_location(url),
            secret=secret,
        )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn "Redis went away" into StateUnavailable: one line, no password."""
        try:
            yield
        except _UNREACHABLE as exc:
            detail = " ".join(str(exc).split()) or "no answer"
            if self._secret:
                detail = detail.replace(self._secret, "***")
            msg = f"redis at {self._location} unavailable: {type(exc).__name__}: {detail}"
            raise StateUnavailable(msg) from None

    async def ping(self) -> None:
        with self._guard():
            await self._r.ping()

    async def close(self) -> None:
        await self._r.aclose()

    # feeds

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

    # seen items

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
                pipe.zremrangebyscore(key, "-inf", _num(now - self._seen_ttl))
                pipe.zremrangebyrank(key, 0, -(self._seen_max + 1))
                pipe.pexpire(key, max(1, math.ceil(self._seen_ttl * 1000)))
                await pipe.execute()

    # dedup + outbox

    async def claim_and_enqueue(self, alert_key: str, entries: Sequence[OutboxEntry], now: float) -> bool:
        ttl_ms = max(1, math.ceil(self._dedup_ttl * 1000))
        args = [self._prefix, _num(now), _num(self._dedup_ttl), str(ttl_ms)]
        with self._guard():
            got = await self._claim(keys=[self._keys.claim(alert_key)], args=args + _entry_args(entries))
        return bool(got)

    async def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        if entries:
            with self._guard():
                await self._enqueue(args=[self._prefix, *_entry_args(entries)])

    async def _rows(
        self, part: str, channel: str | None, hi: str = "+inf", limit: int = -1
    ) -> list[list[Any]]:
        args = [self._prefix, part, channel or "", "-inf", hi, str(limit)]
        with self._guard():
            rows: list[list[Any]] = await self._load(args=args)
        return rows

    async def due(self, channel: str, now: float, limit: int) -> list[OutboxEntry]:
        if limit <= 0:
            return []
        rows = await self._rows(OUTBOX, channel, _num(now), limit)
        return [_parse(r)[0] for r in rows]

    async def next_due(self, channel: str) -> float | None:
        with self._guard():
            first = await self._r.zrange(self._keys.outbox(channel), 0, 0, withscores=True)
        return float(first[0][1]) if first else None

    async def pending(self, channel: str | None = None) -> list[OutboxEntry]:
        entries = [_parse(r)[0] for r in await self._rows(OUTBOX, channel)]
        return sorted(entries, key=lambda e: (e.next_attempt, e.id))

    async def ack(self, entry_ids: Sequence[str]) -> None:
        if entry_ids:
            with self._guard():
                await self._ack(args=[self._prefix, *entry_ids])

    async def reschedule(self, entry_ids: Sequence[str], next_attempt: float, error: str) -> None:
        if entry_ids:
            with self._guard():
                await self._reschedule(args=[self._prefix, _num(next_attempt), error, *entry_ids])

    async def dead_letter(self, entry_ids: Sequence[str], reason: str, now: float) -> None:
        if entry_ids:
            with self._guard():
                await self._dead(args=[self._prefix, reason, _num(now), *entry_ids])

    async def dead_letters(self, channel: str | None = None) -> list[DeadLetter]:
        letters = []
        for row in await self._rows(DEAD, channel):
            entry, fields = _parse(row)
            letters.append(DeadLetter(entry, fields.get("reason", ""), float(fields["died_at"])))
        return sorted(letters, key=lambda d: (d.died_at, d.id))

    async def revive(self, entry_ids: Sequence[str], now: float) -> int:
        if not entry_ids:
            return 0
        with self._guard():
            return int(await self._revive(args=[self._prefix, _num(now), *entry_ids]))

    async def drop(self, entry_ids: Sequence[str]) -> int:
        if not entry_ids:
            return 0
        with self._guard():
            return int(await self._drop(args=[self._prefix, *entry_ids]))

    async def depth(self) -> dict[str, tuple[int, int]]:
        with self._guard():
            rows = await self._depth(args=[self._prefix])
        return {ch: (int(p), int(d)) for ch, p, d in sorted(rows) if int(p) or int(d)}
