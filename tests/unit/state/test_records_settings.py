"""The editors' records: retention from the settings, and a read-only look at an older database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from service.settings import Settings
from service.state.open import open_store, retention_of
from service.state.records import DEFAULT_RETENTION, Retention
from service.state.sqlite.db import CORE_SCHEMA
from service.state.sqlite.feeds import FEEDS_SCHEMA


def test_store_defaults_are_the_settings_defaults() -> None:
    assert retention_of(Settings()) == DEFAULT_RETENTION


def test_retention_comes_from_the_settings(monkeypatch) -> None:
    monkeypatch.setenv("WIREWATCH_ALERT_LOG_TTL", "60")
    monkeypatch.setenv("WIREWATCH_HISTORY_TTL", "259200")
    monkeypatch.setenv("WIREWATCH_HISTORY_MAX", "50")
    assert retention_of(Settings()) == Retention(60.0, 259200.0, 50)


async def test_read_only_over_a_database_from_before_the_records_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # what an earlier Wirewatch wrote: no alert_log, silences, history
        db.executescript(CORE_SCHEMA + FEEDS_SCHEMA + "INSERT INTO schema_version VALUES (1);")
    store = await open_store(f"sqlite:///{path}", Settings(), read_only=True)
    try:
        assert await store.alert_records(0.0) == []
        assert await store.silences() == []
        assert await store.history_feeds() == []
        assert await store.history("feed", 0.0) == []
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"schema_version", "feeds"}
