"""The SQLite store's item history: one row per item as first seen, bounded per feed.

The row keeps the compact JSON of ``records.history_json``; the pipeline writes only items it
had not seen, so an item appears once (a repeat after a crash is dropped when read).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from service.model import Item
from service.state.records import HistoryItem, first_sightings, history_item, history_json
from service.state.sqlite.db import SqliteBase

HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY, feed_id TEXT NOT NULL, seen_at REAL NOT NULL, item TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_by_feed ON history (feed_id, seen_at);
CREATE INDEX IF NOT EXISTS history_by_time ON history (seen_at);
"""


class SqliteHistory(SqliteBase):
    async def record_items(self, feed_id: str, items: Sequence[Item], now: float) -> None:
        if not items:
            return
        rows = [(feed_id, now, history_json(i)) for i in items]
        cutoff = now - self._retention.history_ttl
        keep = self._retention.history_max

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT INTO history (feed_id, seen_at, item) VALUES (?, ?, ?)", rows)
            db.execute("DELETE FROM history WHERE seen_at < ?", (cutoff,))  # every feed, removed ones too
            edge = db.execute(
                "SELECT seen_at, id FROM history WHERE feed_id = ? "
                "ORDER BY seen_at DESC, id DESC LIMIT 1 OFFSET ?",
                (feed_id, keep),
            ).fetchone()
            if edge is not None:
                db.execute(
                    "DELETE FROM history WHERE feed_id = ? AND (seen_at < ? OR (seen_at = ? AND id <= ?))",
                    (feed_id, edge[0], edge[0], edge[1]),
                )

        await self._run(write)

    async def history_feeds(self) -> list[str]:
        sql = "SELECT DISTINCT feed_id FROM history ORDER BY feed_id"
        rows = await self._read("history", lambda db: db.execute(sql).fetchall())
        return [r[0] for r in rows]

    async def history(self, feed_id: str, since: float) -> list[HistoryItem]:
        sql = "SELECT seen_at, item FROM history WHERE feed_id = ? AND seen_at >= ? ORDER BY seen_at, id"
        rows = await self._read("history", lambda db: db.execute(sql, (feed_id, since)).fetchall())
        return first_sightings([history_item(r[1], r[0]) for r in rows])
