"""The SQLite store's poll leases (see ``PollLeases`` in ``state/base.py``).

One process owns a SQLite file (``lock.py``), so these leases only ever meet that process's own
polls; they keep the same contract as Redis so the pipeline has one code path.
"""

from __future__ import annotations

import sqlite3

from service.state.base import FeedState
from service.state.sqlite.db import SqliteBase

LEASES_SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, token TEXT NOT NULL, until REAL NOT NULL);
"""


class SqlitePollLeases(SqliteBase):
    async def lease_poll(self, feed_id: str, token: str, ttl: float, now: float) -> bool:
        def take(db: sqlite3.Connection) -> bool:
            name = f"poll:{feed_id}"
            row = db.execute("SELECT until FROM leases WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] > now:
                return False
            db.execute("INSERT OR REPLACE INTO leases VALUES (?, ?, ?)", (name, token, now + ttl))
            return True

        return await self._run(take)

    async def release_poll(self, feed_id: str, token: str) -> None:
        sql = "DELETE FROM leases WHERE name = ? AND token = ?"
        await self._run(lambda db: db.execute(sql, (f"poll:{feed_id}", token)))

    async def put_feed_fenced(self, feed_id: str, state: FeedState, token: str, now: float) -> bool:
        raw = state.to_json()

        def write(db: sqlite3.Connection) -> bool:
            name = f"poll:{feed_id}"
            row = db.execute("SELECT token, until FROM leases WHERE name = ?", (name,)).fetchone()
            if row is None or row[0] != token or row[1] <= now:
                return False
            db.execute("INSERT OR REPLACE INTO feeds (feed_id, state) VALUES (?, ?)", (feed_id, raw))
            db.execute("DELETE FROM leases WHERE name = ?", (name,))
            return True

        return await self._run(write)
