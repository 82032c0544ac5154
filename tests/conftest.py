"""Shared fixtures: a flushed test Redis, the state store over every backend, ../shared.

Redis: ``WIREWATCH_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379``); when the URL names no
database, ``WIREWATCH_TEST_REDIS_DB`` (default 15) is used, and that database is FLUSHed before
and after each test. No Redis answering: a skip with the reason locally, a failure under CI=true.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import fakeredis
import pytest
import redis

from service.state.base import StateStore
from service.state.redis import RedisStore, redis_location
from service.state.sqlite import SqliteStore

# small limits so the contract tests can cross them with an injected clock
TEST_LIMITS: dict[str, Any] = {"seen_ttl": 100.0, "seen_max": 5, "dedup_ttl": 1000.0}
STORE_KINDS = ["sqlite", "fakeredis", pytest.param("redis", marks=pytest.mark.redis)]


def redis_test_url() -> str:
    raw = os.environ.get("WIREWATCH_TEST_REDIS_URL") or "redis://127.0.0.1:6379"
    parts = urlsplit(raw)
    if parts.scheme in ("redis", "rediss") and not parts.path.strip("/") and "db=" not in parts.query:
        db = os.environ.get("WIREWATCH_TEST_REDIS_DB", "15")
        raw = urlunsplit(parts._replace(path=f"/{db}"))
    return raw


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis database for this test only, empty before and after."""
    url = redis_test_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        client.close()
        where = redis_location(url)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but no Redis answers at {where}: start redis-server first")
        pytest.skip(f"no Redis at {where}: set WIREWATCH_TEST_REDIS_URL or start redis-server")
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


class StoreFactory:
    """Opens stores of one backend over the same data, so a test can close and reopen."""

    def __init__(self, kind: str, tmp_path: Path, redis_url: str | None) -> None:
        self.kind = kind
        self._db_path = str(tmp_path / "var" / "state.db")
        self._redis_url = redis_url
        self._server = fakeredis.FakeServer()
        self._opened: list[StateStore] = []

    async def open(self, **limits: Any) -> StateStore:
        opts = {**TEST_LIMITS, **limits}
        store: StateStore
        if self.kind == "sqlite":
            store = await SqliteStore(self._db_path, **opts).open()
        elif self.kind == "fakeredis":
            client = fakeredis.FakeAsyncRedis(server=self._server, decode_responses=True)
            store = RedisStore(client, **opts)
        else:
            assert self._redis_url is not None
            store = RedisStore.from_url(self._redis_url, timeout=2.0, **opts)
        await store.ping()
        self._opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in self._opened:
            await store.close()


@pytest.fixture(params=STORE_KINDS)
async def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    factory = StoreFactory(request.param, tmp_path, url)
    try:
        yield factory
    finally:
        await factory.close_all()


@pytest.fixture
async def store(store_factory: StoreFactory) -> StateStore:
    """One open store (sqlite file, fakeredis, real Redis) with TEST_LIMITS."""
    return await store_factory.open()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared material (../shared next to the project)."""
    path = (Path(__file__).resolve().parents[1] / ".." / "shared").resolve()
    if not path.is_dir():
        pytest.skip(f"shared material not found at {path} (expected ../shared next to the project)")
    return path


@pytest.fixture(autouse=True, scope="session")
def expansion_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Matching caches term expansions on disk (``WIREWATCH_CACHE_DIR``): in this run's own
    temporary folder, never the user's ~/.cache. Services the tests start inherit it."""
    folder = tmp_path_factory.mktemp("expansion-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("WIREWATCH_CACHE_DIR", str(folder))
    yield folder
    patch.undo()
