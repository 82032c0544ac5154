"""The SQLite store's alert log: one row per alert per channel, sent or silenced."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from service.state.records import AlertRecord
from service.state.sqlite.db import SqliteBase

ALERT_LOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_log (
  id INTEGER PRIMARY KEY, at REAL NOT NULL, channel TEXT NOT NULL, watchlist TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_log_by_time ON alert_log (at);
"""


class SqliteAlertLog(SqliteBase):
    async def record_alerts(self, records: Sequence[AlertRecord], now: float) -> None:
        if not records:
            return
        rows = [(r.at, r.channel, r.watchlist, r.to_json()) for r in records]
        cutoff = now - self._retention.alert_log_ttl

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT INTO alert_log (at, channel, watchlist, record) VALUES (?, ?, ?, ?)", rows)
            db.execute("DELETE FROM alert_log WHERE at < ?", (cutoff,))

        await self._run(write)

    async def alert_records(
        self, since: float, *, watchlist: str | None = None, channel: str | None = None
    ) -> list[AlertRecord]:
        where: list[str] = ["at >= ?"]
        params: list[object] = [since]
        for column, value in (("watchlist", watchlist), ("channel", channel)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT record FROM alert_log WHERE {' AND '.join(where)} ORDER BY at DESC, id DESC"
        rows = await self._read("alert_log", lambda db: db.execute(sql, params).fetchall())
        return [AlertRecord.from_json(r[0]) for r in rows]
