"""Shared fixtures: a private test Redis, the state store over every backend, ../shared, Synapse.

Redis: the session starts its own ``redis-server`` (``tests/support/redis_server.py``) on a free
loopback port in a temporary folder, and every test that asks for ``redis_url`` gets database 0
of that server, flushed before and after. No test ever connects to a Redis it did not start.
No ``redis-server`` binary: a skip with the reason locally, a failure under CI=true.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import fakeredis
import pytest
import redis

from service.state.base import FullStore
from service.state.records import Retention
from service.state.redis import RedisStore
from service.state.sqlite import SqliteStore
from tests.support.redis_server import RedisServer, RedisServerMissing

pytest_plugins = ["tests.support.synapse"]  # the session-wide ``synapse`` homeserver fixture

# small limits so the contract tests can cross them with an injected clock
TEST_RETENTION = Retention(alert_log_ttl=1000.0, history_ttl=100.0, history_max=3)
TEST_LIMITS: dict[str, Any] = {
    "seen_ttl": 100.0,
    "seen_max": 5,
    "dedup_ttl": 1000.0,
    "retention": TEST_RETENTION,
}
STORE_KINDS = ["sqlite", "fakeredis", pytest.param("redis", marks=pytest.mark.redis)]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def need(reason: str) -> None:
    """Skip with ``reason`` locally; under CI=true a missing prerequisite is a failure."""
    if in_ci():
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """The suite's own redis-server (started on first use, stopped at the end)."""
    try:
        server = RedisServer.start(tmp_path_factory.mktemp("redis"))
    except RedisServerMissing as exc:
        need(str(exc))
        raise  # unreachable: need() raises
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """Database 0 of the suite's private Redis, empty before and after this test."""
    if not redis_server.ping():  # a test that stopped it: bring it back for the next one
        redis_server.stop()
        redis_server.restart()
    url = redis_server.url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    client.flushall()
    try:
        yield url
    finally:
        try:
            client.flushall()
        finally:
            client.close()


class StoreFactory:
    """Opens stores of one backend over the same data, so a test can close and reopen."""

    def __init__(self, kind: str, tmp_path: Path, redis_url: str | None) -> None:
        self.kind = kind
        self._db_path = str(tmp_path / "var" / "state.db")
        self._redis_url = redis_url
        self._server = fakeredis.FakeServer()
        self._opened: list[FullStore] = []

    async def open(self, **limits: Any) -> FullStore:
        opts = {**TEST_LIMITS, **limits}
        store: FullStore
        if self.kind == "sqlite":
            store = SqliteStore(self._db_path, **opts)
            await store.open()
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
async def store(store_factory: StoreFactory) -> FullStore:
    """One open store (sqlite file, fakeredis, real Redis) with TEST_LIMITS."""
    return await store_factory.open()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def state_url(request: pytest.FixtureRequest) -> str | None:
    """For tests of the real CLI on both stores: None (the run folder's own SQLite file, see
    ``tests/support/rundir.py``) or the suite's private Redis, flushed around the test."""
    return str(request.getfixturevalue("redis_url")) if request.param == "redis" else None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared material (../shared next to the project)."""
    path = (Path(__file__).resolve().parents[1] / ".." / "shared").resolve()
    if not path.is_dir():
        pytest.skip(f"shared material not found at {path} (expected ../shared next to the project)")
    return path
