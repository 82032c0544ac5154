"""open_store / build_store: URL forms, folder creation, schema version, key prefix, bad URLs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import fakeredis
import pytest

from service.settings import Settings
from service.state.base import BadStateUrl, FeedState, StateUnavailable
from service.state.open import build_store, open_store
from service.state.redis import RedisStore, redis_location
from service.state.sqlite import SCHEMA_VERSION, SqliteStore, sqlite_path
from tests.support.alerts import make_entry


async def test_relative_sqlite_url_creates_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = await open_store("sqlite:///./var/deep/state.db", Settings())
    try:
        await store.mark_seen("f", ["a"], now=1)
        assert (tmp_path / "var" / "deep" / "state.db").is_file()
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "var" / "deep" / "state.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


async def test_absolute_and_memory_sqlite_urls(tmp_path: Path) -> None:
    assert sqlite_path(f"sqlite:///{tmp_path}/s.db") == f"{tmp_path}/s.db"
    assert sqlite_path("sqlite:///./var/state.db") == "./var/state.db"
    store = await open_store("sqlite:///:memory:", Settings())
    try:
        assert isinstance(store, SqliteStore)
        await store.mark_seen("f", ["a"], now=1)
        assert await store.unseen("f", ["a", "b"], now=2) == ["b"]
    finally:
        await store.close()
        await store.close()  # closing twice is harmless


@pytest.mark.parametrize(
    "url",
    ["postgres://user:hunter2@db/state", "state.db", "sqlite:///", "sqlite://relative.db"],
)
async def test_unsupported_urls_are_a_clear_value_error(url: str) -> None:
    with pytest.raises(ValueError) as info:
        await open_store(url, Settings())
    assert "hunter2" not in str(info.value)
    assert "sqlite:///" in str(info.value)


async def test_redis_urls_build_a_redis_store_without_io() -> None:
    for url in ("redis://127.0.0.1:1/2", "rediss://h:6380/0", "unix:///run/redis.sock?db=3"):
        store = build_store(url, Settings())
        assert isinstance(store, RedisStore)
        await store.close()


def test_redis_location_never_shows_the_password() -> None:
    assert redis_location("redis://u:pw@example:6380/4") == "example:6380/4"
    assert redis_location("redis://:pw@example") == "example:6379/0"
    assert redis_location("unix://:pw@/run/redis.sock") == "unix:/run/redis.sock"


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    fresh = SqliteStore(str(path), seen_ttl=1, seen_max=1, dedup_ttl=1)
    await fresh.open()
    await fresh.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    store = SqliteStore(str(path), seen_ttl=1, seen_max=1, dedup_ttl=1)
    with pytest.raises(StateUnavailable, match="newer than this Wirewatch"):
        await store.open()
    await store.close()


async def test_every_redis_key_carries_the_prefix() -> None:
    client = fakeredis.FakeAsyncRedis(decode_responses=True)
    store = RedisStore(client, seen_ttl=100, seen_max=5, dedup_ttl=100, prefix="ww-test:")
    await store.put_feed("f", FeedState())
    await store.mark_seen("f", ["a"], now=1)
    await store.claim_and_enqueue("k", [make_entry("k"), make_entry("k", "mail")], now=1)
    claim = await store.claim("mail", 200, 5, token="t", lease=10, spacing=1)
    await store.dead_letter([make_entry("k", "mail").id], "x", now=2, token=claim.token)
    await store.pause("slack", 300)
    keys = sorted(str(k) for k in await client.keys("*"))  # str already: decode_responses
    assert keys and all(k.startswith("ww-test:") for k in keys)
    assert {"ww-test:claim:k", "ww-test:dead:mail", "ww-test:gate:mail", "ww-test:gate:slack"} <= set(keys)
    await store.close()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis:/127.0.0.1/11", "no host"),
        ("redis:///0", "no host"),
        ("rediss://:hunter2@/0", "no host"),
        ("redis://127.0.0.1:6379/eleven", "must be a number"),
        ("redis://127.0.0.1:99999/0", "port"),
        ("unix://host/run/redis.sock", "unix:///path"),
        ("unix:///run/redis.sock?db=x", "must be a number"),
    ],
)
def test_malformed_redis_urls_are_errors_not_defaults(url: str, says: str) -> None:
    with pytest.raises(BadStateUrl) as info:
        build_store(url, Settings())
    assert says in str(info.value)
    assert "hunter2" not in str(info.value)


async def test_read_only_never_creates_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/var/state.db"
    with pytest.raises(StateUnavailable, match="no state database at"):
        await open_store(url, Settings(), read_only=True)
    assert not (tmp_path / "var").exists()
    writer = await open_store(url, Settings())
    await writer.put_feed("f", FeedState(etag="e"))
    reader = await open_store(url, Settings(), read_only=True)
    try:
        assert (await reader.get_feed("f")).etag == "e"
    finally:
        await reader.close()
        await writer.close()


V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE entries (
  id TEXT PRIMARY KEY, channel TEXT NOT NULL, alert TEXT NOT NULL,
  created_at REAL NOT NULL, next_attempt REAL NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT, dead INTEGER NOT NULL DEFAULT 0, reason TEXT, died_at REAL
);
CREATE INDEX entries_by_channel ON entries (channel, dead, next_attempt, id);
"""


async def test_a_version_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    """Outbox rows written by the previous release are claimed and delivered after the upgrade."""
    path = tmp_path / "old.db"
    entry = make_entry("k1", at=50)
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        db.execute(
            "INSERT INTO entries (id, channel, alert, created_at, next_attempt, attempts) "
            "VALUES (?, ?, ?, ?, ?, 2)",
            (entry.id, entry.channel, entry.alert.to_json(), 50.0, 50.0),
        )
    store = SqliteStore(str(path), seen_ttl=1, seen_max=1, dedup_ttl=1)
    await store.open()
    try:
        claim = await store.claim("slack", 60, 5, token="t", lease=5, spacing=0)
        assert [(e.id, e.attempts, e.batch) for e in claim.entries] == [(entry.id, 2, None)]
        await store.ack([entry.id])
        assert await store.pending() == []
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
