"""The SQLite store's epoch marker and claim restore (see ``Recovery`` in ``state/base.py``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from service.state.sqlite.db import SqliteBase

META_SCHEMA = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


class SqliteRecovery(SqliteBase):
    async def epoch(self) -> str | None:
        row = await self._run(lambda db: db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone())
        return str(row[0]) if row else None

    async def ensure_epoch(self, candidate: str) -> str:
        def ensure(db: sqlite3.Connection) -> str:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)", (candidate,))
            return str(db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])

        return await self._run(ensure)

    async def restore_claims(self, alert_keys: Sequence[str], now: float) -> None:
        if alert_keys:
            rows = [(key, now) for key in dict.fromkeys(alert_keys)]
            await self._run(lambda db: db.executemany("INSERT OR REPLACE INTO claims VALUES (?, ?)", rows))

    async def forget_seen(self, feed_id: str, item_ids: Sequence[str]) -> None:
        if item_ids:
            sql = "DELETE FROM seen WHERE feed_id = ? AND item_id = ?"
            await self._update(sql, (feed_id,), item_ids)
