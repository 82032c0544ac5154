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
import trustme

from service.state.base import FullStore
from service.state.records import Retention
from service.state.redis import RedisStore
from service.state.sqlite import SqliteStore
from tests.support.redis_server import RedisServer, RedisServerMissing
from tests.support.waiting import free_port

pytest_plugins = ["tests.support.synapse"]  # the session-wide ``synapse`` homeserver fixture

# small limits so the contract tests can cross them with an injected clock
TEST_RETENTION = Retention(alert_log_ttl=1000.0, history_ttl=100.0, history_max=3)
TEST_LIMITS: dict[str, Any] = {
    "seen_ttl": 100.0,
    "seen_max": 5,
    "dedup_ttl": 1000.0,
    "retention": TEST_RETENTION,
}
STORE_KINDS = [
    "sqlite",
    "fakeredis",
    pytest.param("redis", marks=pytest.mark.redis),
    pytest.param("redis-acl", marks=pytest.mark.redis),  # an ACL user allowed only the key prefix
    pytest.param("redis-tls", marks=pytest.mark.redis),  # rediss:// checked against a test CA
]
ACL_PREFIX = "{ww}:"  # a hash tag: every key in one cluster slot (tests/integration/state)


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


@pytest.fixture(scope="session")
def redis_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RedisServer, Path]]:
    """The suite's own redis-server speaking TLS (certificates from a test CA), and the CA file."""
    folder = tmp_path_factory.mktemp("redis-tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    tls_port = free_port()
    extra = [
        "--tls-port", str(tls_port), "--tls-cert-file", str(cert_file), "--tls-key-file", str(key_file),
        "--tls-ca-cert-file", str(ca_file), "--tls-auth-clients", "no",
    ]  # fmt: skip
    try:
        server = RedisServer.start(folder / "data", extra=extra)
    except RedisServerMissing as exc:
        need(str(exc))
        raise
    server.tls_port = tls_port
    try:
        yield server, ca_file
    finally:
        server.stop()


def acl_url(server: RedisServer) -> str:
    """A Redis user that may touch only keys under ACL_PREFIX (and no dangerous command)."""
    admin = redis.Redis(port=server.port)
    admin.execute_command(
        "ACL", "SETUSER", "ww", "reset", "on", ">ww-s3cret", f"~{ACL_PREFIX}*", "&*", "+@all", "-@dangerous"
    )
    admin.close()
    return f"redis://ww:ww-s3cret@127.0.0.1:{server.port}/0"


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
            prefix = ACL_PREFIX if self.kind == "redis-acl" else "wirewatch:"
            store = RedisStore.from_url(self._redis_url, timeout=2.0, prefix=prefix, **opts)
        await store.ping()
        self._opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in self._opened:
            await store.close()


@pytest.fixture(params=STORE_KINDS)
async def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    url = None
    if request.param in ("redis", "redis-acl"):
        url = request.getfixturevalue("redis_url")
        if request.param == "redis-acl":
            url = acl_url(request.getfixturevalue("redis_server"))
    elif request.param == "redis-tls":
        server, ca = request.getfixturevalue("redis_tls")
        with redis.Redis(port=server.port) as admin:
            admin.flushall()
        url = f"rediss://127.0.0.1:{server.tls_port}/0?ssl_ca_certs={ca}"
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


@pytest.fixture(autouse=True, scope="session")
def expansion_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Matching caches term expansions on disk (``WIREWATCH_CACHE_DIR``): in this run's own
    temporary folder, never the user's ~/.cache. Services the tests start inherit it."""
    folder = tmp_path_factory.mktemp("expansion-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("WIREWATCH_CACHE_DIR", str(folder))
    yield folder
    patch.undo()
