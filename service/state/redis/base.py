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
from urllib.parse import parse_qs, urlsplit

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoPermissionError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

from service.state.base import StateUnavailable
from service.state.keys import DEFAULT_PREFIX, Keys
from service.state.records import DEFAULT_RETENTION, Retention
from service.state.redis import lua
from service.state.redis.connect import make_client, redis_location

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, NoPermissionError, ReadOnlyError)
"""Redis gone, or refusing us (wrong password, an ACL that forbids a key or command, a replica
that a failover demoted): the caller keeps going and says why in one line."""


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
        secrets: list[str] | None = None,
    ) -> None:
        self._r = client
        self._keys = Keys(prefix)
        self._prefix = prefix
        self._seen_ttl = seen_ttl
        self._seen_max = seen_max
        self._dedup_ttl = dedup_ttl
        self._retention = retention
        self._location = location
        self._secrets = secrets or []
        self._companions: list[aioredis.Redis] = []  # closed with the store (sentinel clients)
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
        """Build a store for ``url`` (any form ``connect.py`` reads); no I/O yet."""
        parts = urlsplit(url)
        secrets = [parts.password, *parse_qs(parts.query).get("sentinel_password", [])]
        client, companions = make_client(url, timeout)
        store = cls(
            client,
            seen_ttl=seen_ttl,
            seen_max=seen_max,
            dedup_ttl=dedup_ttl,
            retention=retention,
            prefix=prefix,
            location=redis_location(url),
            secrets=[x for x in secrets if x],
        )
        store._companions = companions
        return store

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
            for secret in self._secrets:
                detail = detail.replace(secret, "***")
            msg = f"redis at {self._location} unavailable: {type(exc).__name__}: {detail}"
            raise StateUnavailable(msg) from None

    async def _call(self, script: str, keys: list[str] | None = None, args: list[Any] | None = None) -> Any:
        """Run one of ``lua.SCRIPTS`` (prefix first in ARGV), guarded. A script that names no key
        gets the prefix's anchor key, so a cluster client routes it to the slot of the prefix
        (with a hash tag in the prefix every key a script builds is in that slot)."""
        with self._guard():
            return await self._scripts[script](
                keys=keys or [self._keys.channels], args=[self._prefix, *(args or [])]
            )

    async def open(self) -> None:
        await self.ping()

    async def ping(self) -> None:
        with self._guard():
            await self._r.ping()

    async def close(self) -> None:
        await self._r.aclose()
        for other in self._companions:
            await other.aclose()
