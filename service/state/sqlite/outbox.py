"""The SQLite store's outbox: dedup claims, queued entries, dead letters.

One ``entries`` table where ``dead`` says which index a row is in (the Redis store's two
sorted sets); ``claim_and_enqueue`` writes the claim and its rows in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from service.model import Alert
from service.state.base import DeadLetter, OutboxEntry
from service.state.sqlite.db import SqliteBase

_ENTRY_COLS = "channel, alert, next_attempt, created_at, attempts, last_error, reason, died_at"
_CLAIM_SWEEP = 3600.0  # seconds (caller's clock) between sweeps of expired claims
OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (alert_key TEXT PRIMARY KEY, claimed_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_time ON claims (claimed_at);
CREATE TABLE IF NOT EXISTS entries (
  id TEXT PRIMARY KEY, channel TEXT NOT NULL, alert TEXT NOT NULL,
  created_at REAL NOT NULL, next_attempt REAL NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT, dead INTEGER NOT NULL DEFAULT 0, reason TEXT, died_at REAL
);
CREATE INDEX IF NOT EXISTS entries_by_channel ON entries (channel, dead, next_attempt, id);
"""


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        channel=row["channel"],
        alert=Alert.from_json(row["alert"]),
        next_attempt=row["next_attempt"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        last_error=row["last_error"],
    )


def _put(db: sqlite3.Connection, entries: Sequence[OutboxEntry]) -> None:
    """Insert or replace entries as pending (a same-id dead letter is replaced too)."""
    db.executemany(
        "INSERT OR REPLACE INTO entries (id, channel, alert, created_at, next_attempt, "
        "attempts, last_error, dead) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        [
            (e.id, e.channel, e.alert.to_json(), e.created_at, e.next_attempt, e.attempts, e.last_error)
            for e in entries
        ],
    )


class SqliteEntries(SqliteBase):
    """Reading rows of the entries table, shared by the worker's and the admin's roles."""

    async def _select(self, where: str, params: Sequence[Any], order: str) -> list[sqlite3.Row]:
        sql = f"SELECT id, {_ENTRY_COLS} FROM entries WHERE {where} ORDER BY {order}"
        return await self._run(lambda db: db.execute(sql, params).fetchall())

    async def pending(self, channel: str | None = None) -> list[OutboxEntry]:
        where, params = ("dead = 0 AND channel = ?", (channel,)) if channel else ("dead = 0", ())
        return [_entry(r) for r in await self._select(where, params, "next_attempt, id")]


class SqliteOutbox(SqliteEntries):
    _last_sweep = float("-inf")

    async def claim_and_enqueue(self, alert_key: str, entries: Sequence[OutboxEntry], now: float) -> bool:
        def claim(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT claimed_at FROM claims WHERE alert_key = ?", (alert_key,)).fetchone()
            if row is not None and row[0] + self._dedup_ttl > now:
                return False
            if now - self._last_sweep >= _CLAIM_SWEEP:
                db.execute("DELETE FROM claims WHERE claimed_at <= ?", (now - self._dedup_ttl,))
                self._last_sweep = now
            db.execute("INSERT OR REPLACE INTO claims VALUES (?, ?)", (alert_key, now))
            _put(db, entries)
            return True

        return await self._run(claim)

    async def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        if entries:
            await self._run(lambda db: _put(db, entries))

    async def due(self, channel: str, now: float, limit: int) -> list[OutboxEntry]:
        if limit <= 0:
            return []
        where = "channel = ? AND dead = 0 AND next_attempt <= ?"
        rows = await self._select(where, (channel, now, limit), "next_attempt, id LIMIT ?")
        return [_entry(r) for r in rows]

    async def next_due(self, channel: str) -> float | None:
        sql = "SELECT MIN(next_attempt) FROM entries WHERE channel = ? AND dead = 0"
        row = await self._run(lambda db: db.execute(sql, (channel,)).fetchone())
        return None if row[0] is None else float(row[0])

    async def ack(self, entry_ids: Sequence[str]) -> None:
        await self._update("DELETE FROM entries WHERE dead = 0 AND id = ?", (), entry_ids)

    async def reschedule(self, entry_ids: Sequence[str], next_attempt: float, error: str) -> None:
        sql = (
            "UPDATE entries SET attempts = attempts + 1, next_attempt = ?, last_error = ? "
            "WHERE dead = 0 AND id = ?"
        )
        await self._update(sql, (next_attempt, error), entry_ids)

    async def dead_letter(self, entry_ids: Sequence[str], reason: str, now: float) -> None:
        sql = "UPDATE entries SET dead = 1, reason = ?, died_at = ? WHERE dead = 0 AND id = ?"
        await self._update(sql, (reason, now), entry_ids)


class SqliteOutboxAdmin(SqliteEntries):
    async def dead_letters(self, channel: str | None = None) -> list[DeadLetter]:
        where, params = ("dead = 1 AND channel = ?", (channel,)) if channel else ("dead = 1", ())
        rows = await self._select(where, params, "died_at, id")
        return [DeadLetter(_entry(r), r["reason"] or "", r["died_at"]) for r in rows]

    async def revive(self, entry_ids: Sequence[str], now: float) -> int:
        sql = (
            "UPDATE entries SET dead = 0, attempts = 0, next_attempt = ?, reason = NULL, "
            "died_at = NULL WHERE dead = 1 AND id = ?"
        )
        return await self._update(sql, (now,), entry_ids)

    async def drop(self, entry_ids: Sequence[str]) -> int:
        return await self._update("DELETE FROM entries WHERE id = ?", (), entry_ids)

    async def depth(self) -> dict[str, tuple[int, int]]:
        sql = "SELECT channel, SUM(dead = 0), SUM(dead = 1) FROM entries GROUP BY channel ORDER BY channel"
        rows = await self._run(lambda db: db.execute(sql).fetchall())
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}
