"""The Redis store's connection: client, key names, scripts, and "Redis went away" as one error.

A Redis that cannot be reached raises ``StateUnavailable`` with a one-line message that names
host:port/db and never the password; socket timeouts are short so a dead Redis is noticed in
seconds. Every multi-key update is one Lua script (``lua.py``), so it is atomic and one round
trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from service.state.base import StateUnavailable
from service.state.keys import DEFAULT_PREFIX, Keys
from service.state.records import DEFAULT_RETENTION, Retention
from service.state.redis import lua

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def redis_location(url: str) -> str:
    """host:port/db (or the socket path) of a Redis URL, without user or password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    db = parts.path.lstrip("/") or "0"
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}/{db}"


def num(value: float) -> str:
    """A float as Redis and Lua read it back exactly."""
    return repr(float(value))


class RedisBase:
    """One Redis client and the store's key layout; the roles' mixins build on it."""

    shared = True

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        seen_ttl: float,
        seen_max: int,
        dedup_ttl: float,
        retention: Retention = DEFAULT_RETENTION,
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
        self._retention = retention
        self._location = location
        self._secret = secret
        self._scripts: dict[str, AsyncScript] = {
            name: client.register_script(source) for name, source in lua.SCRIPTS.items()
        }

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        seen_ttl: float,
        seen_max: int,
        dedup_ttl: float,
        retention: Retention = DEFAULT_RETENTION,
        timeout: float = 5.0,
        prefix: str = DEFAULT_PREFIX,
    ) -> Any:
        """Build a store (no I/O yet); short timeouts and one quick retry on a dropped link."""
        client = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=1),
        )
        return cls(
            client,
            seen_ttl=seen_ttl,
            seen_max=seen_max,
            dedup_ttl=dedup_ttl,
            retention=retention,
            prefix=prefix,
            location=redis_location(url),
            secret=urlsplit(url).password,
        )

    @property
    def location(self) -> str:
        return f"redis at {self._location}"

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

    async def _call(self, script: str, keys: list[str] | None = None, args: list[Any] | None = None) -> Any:
        """Run one of ``lua.SCRIPTS`` (prefix first in ARGV), guarded."""
        with self._guard():
            return await self._scripts[script](keys=keys or [], args=[self._prefix, *(args or [])])

    async def open(self) -> None:
        await self.ping()

    async def ping(self) -> None:
        with self._guard():
            await self._r.ping()

    async def close(self) -> None:
        await self._r.aclose()
