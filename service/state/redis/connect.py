"""From a Redis URL to a client: plain, TLS, a unix socket, or a master found through Sentinel.

Forms (``WIREWATCH_STATE_URL``):

- ``redis://[user:password@]host[:port][/db]``: ``user`` for Redis 6+ ACL users;
- ``rediss://...?ssl_ca_certs=/path/ca.pem`` (TLS; also ``ssl_certfile`` / ``ssl_keyfile`` for
  a client certificate, ``ssl_cert_reqs=none`` to skip verification);
- ``unix:///path/redis.sock?db=N``;
- ``redis+sentinel://[user:password@]host1:26379,host2:26379/<master name>[/db]`` (and
  ``rediss+sentinel://``): the client asks the sentinels for the current master and follows a
  failover; ``?sentinel_password=...`` when the sentinels themselves need one.

Short timeouts and one quick retry on a dropped link, so a dead Redis is noticed in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff

SENTINEL_SCHEMES = ("redis+sentinel", "rediss+sentinel")


@dataclass(frozen=True, slots=True)
class SentinelUrl:
    hosts: list[tuple[str, int]]
    master: str
    db: int
    username: str | None
    password: str | None
    tls: bool
    sentinel_password: str | None


def parse_sentinel(url: str) -> SentinelUrl:
    """The parts of a ``redis+sentinel://`` URL; ValueError says what is missing."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    hosts = []
    for spec in filter(None, netloc.split(",")):
        host, _, port = spec.rpartition(":") if ":" in spec else (spec, "", "26379")
        if not host or not port.isdigit():
            raise ValueError(f"sentinel address {spec!r} is not host:port")
        hosts.append((host.strip("[]"), int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not hosts or not path:
        raise ValueError("expected redis+sentinel://host:26379[,host2:26379]/<master name>[/db]")
    if len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError("after the master name only a database number may follow")
    query = parse_qs(parts.query)
    return SentinelUrl(
        hosts=hosts,
        master=unquote(path[0]),
        db=int(path[1]) if len(path) == 2 else 0,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=parts.scheme.startswith("rediss"),
        sentinel_password=query.get("sentinel_password", [None])[0],
    )


def redis_location(url: str) -> str:
    """host:port/db (or the socket path, or the sentinel master) of a Redis URL, without secrets."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    if parts.scheme in SENTINEL_SCHEMES:
        try:
            found = parse_sentinel(url)
        except ValueError:
            return "sentinel"
        return f"master {found.master} via sentinel {found.hosts[0][0]}:{found.hosts[0][1]}/{found.db}"
    db = parts.path.lstrip("/") or "0"
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}/{db}"


def make_client(url: str, timeout: float) -> tuple[aioredis.Redis, list[aioredis.Redis]]:
    """A client for ``url`` (no I/O yet), and the other clients to close with it (sentinels)."""
    common: dict[str, Any] = {
        "decode_responses": True,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "health_check_interval": 30,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=1),
    }
    if urlsplit(url).scheme not in SENTINEL_SCHEMES:
        return aioredis.Redis.from_url(url, **common), []
    found = parse_sentinel(url)
    sentinel_auth = {"password": found.sentinel_password} if found.sentinel_password else {}
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        found.hosts,
        sentinel_kwargs={"socket_timeout": timeout, "socket_connect_timeout": timeout, **sentinel_auth},
        ssl=found.tls,
        **common,
    )
    client: aioredis.Redis = sentinel.master_for(
        found.master, db=found.db, username=found.username, password=found.password
    )
    return client, list(sentinel.sentinels)
