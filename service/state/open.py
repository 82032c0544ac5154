"""Pick and open the state store named by ``WIREWATCH_STATE_URL``.

``sqlite:///./var/state.db`` (relative), ``sqlite:////abs/state.db`` or ``sqlite:///:memory:``
open the embedded SqliteStore; ``redis://``, ``rediss://`` and ``unix://`` open the RedisStore.
Anything else is a ValueError naming the accepted forms (never echoing a password).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from service.settings import Settings
from service.state.base import StateStore
from service.state.redis import RedisStore
from service.state.sqlite import SqliteStore, sqlite_path

REDIS_SCHEMES = ("redis", "rediss", "unix")


def build_store(url: str, settings: Settings) -> SqliteStore | RedisStore:
    """The store for ``url``, not yet connected (tests use this to build either one directly)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        return SqliteStore(
            sqlite_path(url),
            seen_ttl=settings.seen_ttl,
            seen_max=settings.seen_max,
            dedup_ttl=settings.dedup_ttl,
        )
    if scheme in REDIS_SCHEMES:
        return RedisStore.from_url(
            url,
            seen_ttl=settings.seen_ttl,
            seen_max=settings.seen_max,
            dedup_ttl=settings.dedup_ttl,
            timeout=settings.state_timeout,
        )
    raise ValueError(
        f"state url: unsupported scheme {scheme + '://' if scheme else '(none)'}; expected "
        "sqlite:///path/to/state.db, redis://host:port/db, rediss://... or unix:///path.sock"
    )


async def open_store(url: str, settings: Settings) -> StateStore:
    """Build the store and make sure it answers (raises StateUnavailable if it does not).

    SQLite creates its folder, file and schema here; Redis is pinged once.
    """
    store = build_store(url, settings)
    try:
        if isinstance(store, SqliteStore):
            await store.open()
        else:
            await store.ping()
    except BaseException:
        await store.close()
        raise
    return store
