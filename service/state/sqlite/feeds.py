"""The SQLite store's feed state and seen sets."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from service.state.base import FeedState
from service.state.sqlite.db import SqliteBase, chunks, marks

FEEDS_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (feed_id TEXT PRIMARY KEY, state TEXT NOT NULL);
"""
SEEN_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
  feed_id TEXT NOT NULL, item_id TEXT NOT NULL, seen_at REAL NOT NULL,
  PRIMARY KEY (feed_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_by_time ON seen (feed_id, seen_at, item_id);
"""


class SqliteFeeds(SqliteBase):
    async def get_feed(self, feed_id: str) -> FeedState:
        sql = "SELECT state FROM feeds WHERE feed_id = ?"
        row = await self._run(lambda db: db.execute(sql, (feed_id,)).fetchone())
        return FeedState.from_json(row[0]) if row else FeedState()

    async def put_feed(self, feed_id: str, state: FeedState) -> None:
        sql = "INSERT OR REPLACE INTO feeds (feed_id, state) VALUES (?, ?)"
        raw = state.to_json()
        await self._run(lambda db: db.execute(sql, (feed_id, raw)))

    async def list_feeds(self) -> dict[str, FeedState]:
        sql = "SELECT feed_id, state FROM feeds ORDER BY feed_id"
        rows = await self._run(lambda db: db.execute(sql).fetchall())
        return {r[0]: FeedState.from_json(r[1]) for r in rows}


class SqliteSeen(SqliteBase):
    async def unseen(self, feed_id: str, item_ids: Sequence[str], now: float) -> list[str]:
        if not item_ids:
            return []
        cutoff = now - self._seen_ttl

        def fresh(db: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            for part in chunks(list(dict.fromkeys(item_ids))):
                sql = (
                    "SELECT item_id FROM seen WHERE feed_id = ? AND seen_at > ? "
                    f"AND item_id IN ({marks(len(part))})"
                )
                found.update(r[0] for r in db.execute(sql, (feed_id, cutoff, *part)))
            return found

        known = await self._run(fresh)
        return [i for i in item_ids if i not in known]

    async def mark_seen(self, feed_id: str, item_ids: Sequence[str], now: float) -> None:
        if not item_ids:
            return

        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT OR REPLACE INTO seen (feed_id, item_id, seen_at) VALUES (?, ?, ?)",
                [(feed_id, i, now) for i in dict.fromkeys(item_ids)],
            )
            db.execute(
                "DELETE FROM seen WHERE feed_id = ? AND seen_at <= ?",
                (feed_id, now - self._seen_ttl),
            )
            # the newest seen_max survive; ties go the way Redis ranks them (larger id kept)
            edge = db.execute(
                "SELECT seen_at, item_id FROM seen WHERE feed_id = ? "
                "ORDER BY seen_at DESC, item_id DESC LIMIT 1 OFFSET ?",
                (feed_id, self._seen_max),
            ).fetchone()
            if edge is not None:
                db.execute(
                    "DELETE FROM seen WHERE feed_id = ? AND (seen_at < ? OR (seen_at = ? AND item_id <= ?))",
                    (feed_id, edge[0], edge[0], edge[1]),
                )

        await self._run(write)
