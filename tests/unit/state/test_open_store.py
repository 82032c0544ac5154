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
from service.state.redis.connect import parse_sentinel
from service.state.sqlite import SCHEMA_VERSION, SqliteStore, sqlite_path
from service.state.sqlite.db import connect
from service.state.sqlite.stories import STORIES_SCHEMA
from service.stories import StoryEntry
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
        ("redis+sentinel://:hunter2@127.0.0.1:26379", "master name"),
        ("redis+sentinel://127.0.0.1:x/desk", "not host:port"),
        ("redis+sentinel://127.0.0.1:26379/desk/zero", "database number"),
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


def test_sentinel_urls() -> None:
    found = parse_sentinel("rediss+sentinel://ww:pw@10.0.0.1:26379,[::1]:26380/desk/3?sentinel_password=sp")
    assert found.hosts == [("10.0.0.1", 26379), ("::1", 26380)]
    assert (found.master, found.db, found.username, found.password) == ("desk", 3, "ww", "pw")
    assert (found.tls, found.sentinel_password) == (True, "sp")
    assert parse_sentinel("redis+sentinel://s1/desk").hosts == [("s1", 26379)]
    shown = redis_location("redis+sentinel://ww:pw@s1:26379,s2:26379/desk/2?sentinel_password=sp")
    assert shown == "master desk via sentinel s1:26379/2"
    store = build_store("redis+sentinel://ww:pw@s1:26379/desk/2?sentinel_password=sp", Settings())
    assert isinstance(store, RedisStore) and "pw" not in store.location and "sp" not in store.location


async def test_a_version_2_database_from_before_the_stories_gains_their_tables(tmp_path: Path) -> None:
    """New tables need no migration: the schema creates what is missing, the version stays."""
    path = tmp_path / "v2.db"
    connect(str(path), SqliteStore.schema.replace(STORIES_SCHEMA, "")).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO feeds VALUES ('wire', ?)", (FeedState(etag="e").to_json(),))
        assert not {"story_entry", "story_band", "story_lead", "thread_ref"} & tables(db)
    reader = await open_store(f"sqlite:///{path}", Settings(), read_only=True)  # an older file, as is
    try:
        assert await reader.story_lookup([1], 0.0, 5) == []
        assert await reader.thread_refs("slack", ["k"]) == {}
    finally:
        await reader.close()
    store = SqliteStore(str(path), seen_ttl=1, seen_max=1, dedup_ttl=1)
    await store.open()
    try:
        assert (await store.get_feed("wire")).etag == "e"
        await store.story_add(StoryEntry("r", "r", 1.0, b"fp"), [1], 100.0)
        assert [e.ref for e in await store.story_lookup([1], 0.0, 5)] == ["r"]
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        assert {"story_entry", "story_band", "story_lead", "thread_ref"} <= tables(db)
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)] == [(2,)]


def tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
