"""The SQLite store's silences: one row each, kept until alert_log_ttl after they end."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from service.state.records import Silence
from service.state.sqlite.db import SqliteBase

SILENCES_SCHEMA = """
CREATE TABLE IF NOT EXISTS silences (
  id TEXT PRIMARY KEY, starts_at REAL NOT NULL, ends_at REAL NOT NULL, silence TEXT NOT NULL
);
"""


class SqliteSilences(SqliteBase):
    async def add_silence(self, silence: Silence, now: float) -> None:
        cutoff = now - self._retention.alert_log_ttl

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO silences (id, starts_at, ends_at, silence) VALUES (?, ?, ?, ?)",
                (silence.id, silence.starts_at, silence.ends_at, silence.to_json()),
            )
            db.execute("DELETE FROM silences WHERE ends_at < ?", (cutoff,))

        await self._run(write)

    async def silences(self) -> list[Silence]:
        sql = "SELECT silence FROM silences ORDER BY starts_at, id"
        rows = await self._read("silences", lambda db: db.execute(sql).fetchall())
        return [Silence.from_json(r[0]) for r in rows]

    async def end_silence(self, silence_id: str, now: float) -> Silence | None:
        def end(db: sqlite3.Connection) -> Silence | None:
            row = db.execute("SELECT silence FROM silences WHERE id = ?", (silence_id,)).fetchone()
            if row is None:
                return None
            silence = Silence.from_json(row[0])
            if silence.ends_at <= now:
                return silence
            ended = replace(silence, ends_at=max(now, silence.starts_at))
            db.execute(
                "UPDATE silences SET ends_at = ?, silence = ? WHERE id = ?",
                (ended.ends_at, ended.to_json(), silence_id),
            )
            return ended

        return await self._run(end)
