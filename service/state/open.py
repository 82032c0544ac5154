"""Pick and open the state store named by ``WIREWATCH_STATE_URL``.

``sqlite:///./var/state.db`` (relative), ``sqlite:////abs/state.db`` or ``sqlite:///:memory:``
open the embedded SqliteStore; ``redis://host[:port][/db]``, ``rediss://...`` and
``unix:///path.sock[?db=N]`` open the RedisStore. Anything else, or a URL of a known scheme that
is malformed (``redis:/127.0.0.1/11`` has no host and would silently mean localhost, db 0), is a
``BadStateUrl`` naming the accepted forms, never echoing a password.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from service.logs import get_logger, scrub_text
from service.settings import Settings
from service.state.base import BadStateUrl, FullStore, StateUnavailable
from service.state.records import Retention
from service.state.redis import RedisStore
from service.state.redis.connect import SENTINEL_SCHEMES, parse_sentinel
from service.state.sqlite import SqliteStore, sqlite_path

log = get_logger(__name__)

REDIS_SCHEMES = ("redis", "rediss", "unix", *SENTINEL_SCHEMES)
FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db, redis://host:port/db, "
    "rediss://host:port/db, unix:///path/to/redis.sock?db=N or "
    "redis+sentinel://host:26379/master-name/db"
)


def check_redis_url(url: str) -> None:
    """Raise BadStateUrl unless ``url`` names a host (or socket) and, if any, a numeric db."""
    parts = urlsplit(url)
    if parts.scheme in SENTINEL_SCHEMES:
        try:
            parse_sentinel(url)
        except ValueError as exc:
            raise BadStateUrl(f"state url {scrub_text(url)!r}: {exc}") from None
        return
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number or out of range)
    except ValueError:
        raise BadStateUrl(
            f"state url {scrub_text(url)!r}: the port is not a number from 1 to 65535"
        ) from None
    db_text = parse_qs(parts.query).get("db", [""])[0]
    if parts.scheme == "unix":
        if not parts.path or parts.netloc:
            raise BadStateUrl(f"state url {scrub_text(url)!r}: expected unix:///path/to/redis.sock?db=N")
    else:
        if not parts.hostname:
            raise BadStateUrl(
                f"state url {scrub_text(url)!r}: no host; expected {parts.scheme}://host:port/db "
                "(two slashes after the scheme)"
            )
        db_text = parts.path.strip("/") or db_text
    if db_text and not db_text.isdigit():
        raise BadStateUrl(f"state url {scrub_text(url)!r}: the database must be a number, got {db_text!r}")


def retention_of(settings: Settings) -> Retention:
    return Retention(settings.alert_log_ttl, settings.history_ttl, settings.history_max)


def build_store(
    url: str, settings: Settings, *, read_only: bool = False, exclusive: bool = False
) -> FullStore:
    """The store for ``url``, not yet connected; ``read_only`` never creates or changes anything
    (SQLite opens the file as it is; Redis is only read by the callers that ask for it);
    ``exclusive`` (the service) makes a single-process store refuse a second process."""
    scheme = urlsplit(url).scheme.lower()
    retention = retention_of(settings)
    if scheme == "sqlite":
        return SqliteStore(
            sqlite_path(url),
            seen_ttl=settings.seen_ttl,
            seen_max=settings.seen_max,
            dedup_ttl=settings.dedup_ttl,
            retention=retention,
            read_only=read_only,
            exclusive=exclusive,
        )
    if scheme in REDIS_SCHEMES:
        check_redis_url(url)
        store: RedisStore = RedisStore.from_url(
            url,
            seen_ttl=settings.seen_ttl,
            seen_max=settings.seen_max,
            dedup_ttl=settings.dedup_ttl,
            retention=retention,
            timeout=settings.state_timeout,
            prefix=settings.redis_prefix,
        )
        return store
    shown = scheme + "://" if scheme else "(none)"
    raise BadStateUrl(f"state url: unsupported scheme {shown}; expected {FORMS}")


async def open_store(
    url: str,
    settings: Settings,
    *,
    read_only: bool = False,
    exclusive: bool = False,
    tolerate_down: bool = False,
) -> FullStore:
    """Build the store and open it (SQLite creates its folder, file and schema; Redis is pinged).

    ``tolerate_down``: a shared store (Redis) that does not answer at start is returned anyway,
    with an error logged, so a long-running service can start not ready and recover when the
    store comes back; the embedded store never tolerates it (a broken file will not heal).
    Raises BadStateUrl, StateInUse or StateUnavailable otherwise.
    """
    store = build_store(url, settings, read_only=read_only, exclusive=exclusive)
    try:
        await store.open()
    except StateUnavailable as exc:
        if tolerate_down and store.shared:
            log.error("state_unavailable", error=str(exc), hint="not ready until the state store answers")
            return store
        await store.close()
        raise
    except BaseException:
        await store.close()
        raise
    return store
