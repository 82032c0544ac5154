"""The SQLite store's outbox: dedup claims, queued entries, worker claims, gates, dead letters.

One ``entries`` table where ``dead`` says which index a row is in (the Redis store's two sorted
sets). ``next_attempt`` is when an entry is planned; ``due_at`` is when it may be claimed (the
plan, or the end of a worker's lease while ``token`` holds it). ``gates`` keeps each channel's
earliest next claim (pacing and 429 pauses). Each call is one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from service.model import Alert
from service.state.base import Claim, DeadLetter, OutboxEntry
from service.state.sqlite.db import SqliteBase, marks

_ENTRY_COLS = "channel, alert, next_attempt, created_at, attempts, last_error, reason, died_at, batch"
_CLAIM_SWEEP = 3600.0  # seconds (caller's clock) between sweeps of expired claims
OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (alert_key TEXT PRIMARY KEY, claimed_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_time ON claims (claimed_at);
CREATE TABLE IF NOT EXISTS entries (
  id TEXT PRIMARY KEY, channel TEXT NOT NULL, alert TEXT NOT NULL,
  created_at REAL NOT NULL, next_attempt REAL NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT, dead INTEGER NOT NULL DEFAULT 0, reason TEXT, died_at REAL,
  due_at REAL, token TEXT, batch TEXT
);
CREATE INDEX IF NOT EXISTS entries_by_due ON entries (channel, dead, due_at, id);
CREATE INDEX IF NOT EXISTS entries_by_batch ON entries (batch) WHERE batch IS NOT NULL;
CREATE TABLE IF NOT EXISTS gates (channel TEXT PRIMARY KEY, until REAL NOT NULL);
"""
OUTBOX_MIGRATIONS = {
    2: """
ALTER TABLE entries ADD COLUMN due_at REAL;
UPDATE entries SET due_at = next_attempt;
ALTER TABLE entries ADD COLUMN token TEXT;
ALTER TABLE entries ADD COLUMN batch TEXT;
DROP INDEX IF EXISTS entries_by_channel
""",
}


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        channel=row["channel"],
        alert=Alert.from_json(row["alert"]),
        next_attempt=row["next_attempt"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        batch=row["batch"],
    )


def _put(db: sqlite3.Connection, entries: Sequence[OutboxEntry]) -> None:
    """Insert or replace entries as pending (a same-id dead letter is replaced too)."""
    db.executemany(
        "INSERT OR REPLACE INTO entries (id, channel, alert, created_at, next_attempt, "
        "attempts, last_error, dead, due_at, batch) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        [
            (
                e.id,
                e.channel,
                e.alert.to_json(),
                e.created_at,
                e.next_attempt,
                e.attempts,
                e.last_error,
                e.next_attempt,
                e.batch,
            )
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

    async def claim(
        self, channel: str, now: float, limit: int, *, token: str, lease: float, spacing: float
    ) -> Claim:
        def take(db: sqlite3.Connection) -> Claim:
            sql = (
                f"SELECT id, due_at, {_ENTRY_COLS} FROM entries "
                "WHERE channel = ? AND dead = 0 AND due_at <= ?"
            )
            rows = db.execute(f"{sql} ORDER BY due_at, id LIMIT ?", (channel, now, max(0, limit))).fetchall()
            if not rows:
                return Claim(token, [])
            gate = db.execute("SELECT until FROM gates WHERE channel = ?", (channel,)).fetchone()
            if gate is not None and gate[0] > now:
                return Claim(token, [], float(gate[0]))
            chosen = {r["id"]: r for r in rows}
            for row in rows:  # a stored batch is claimed whole: its members share one due time
                if row["batch"]:
                    more = db.execute(
                        f"{sql} AND batch = ? AND due_at = ?", (channel, now, row["batch"], row["due_at"])
                    )
                    chosen.update((r["id"], r) for r in more)
            if not chosen:
                return Claim(token, [])
            ids = list(chosen)
            db.execute(
                f"UPDATE entries SET due_at = ?, token = ? WHERE id IN ({marks(len(ids))})",
                (now + lease, token, *ids),
            )
            _raise_gate(db, channel, now + spacing)
            ordered = sorted(chosen.values(), key=lambda r: (r["due_at"], r["id"]))
            return Claim(token, [_entry(r) for r in ordered])

        return await self._run(take)

    async def release(self, entry_ids: Sequence[str], token: str) -> None:
        sql = "UPDATE entries SET due_at = next_attempt, token = NULL WHERE dead = 0 AND token = ? AND id = ?"
        await self._update(sql, (token,), entry_ids)

    async def defer(self, entry_ids: Sequence[str], until: float, token: str) -> None:
        sql = (
            "UPDATE entries SET next_attempt = ?, due_at = ?, token = NULL "
            "WHERE dead = 0 AND token = ? AND id = ?"
        )
        await self._update(sql, (until, until, token), entry_ids)

    async def bind_batch(self, entry_ids: Sequence[str], batch: str, token: str) -> None:
        sql = "UPDATE entries SET batch = ? WHERE dead = 0 AND token = ? AND id = ?"
        await self._update(sql, (batch, token), entry_ids)

    async def next_due(self, channel: str) -> float | None:
        def when(db: sqlite3.Connection) -> float | None:
            row = db.execute("SELECT MIN(due_at) FROM entries WHERE channel = ? AND dead = 0", (channel,))
            first = row.fetchone()[0]
            if first is None:
                return None
            gate = db.execute("SELECT until FROM gates WHERE channel = ?", (channel,)).fetchone()
            return max(float(first), float(gate[0])) if gate is not None else float(first)

        return await self._run(when)

    async def ack(self, entry_ids: Sequence[str]) -> None:
        await self._update("DELETE FROM entries WHERE dead = 0 AND id = ?", (), entry_ids)

    async def reschedule(self, entry_ids: Sequence[str], next_attempt: float, error: str, token: str) -> None:
        sql = (
            "UPDATE entries SET attempts = attempts + 1, next_attempt = ?, due_at = ?, last_error = ?, "
            "token = NULL WHERE dead = 0 AND token = ? AND id = ?"
        )
        await self._update(sql, (next_attempt, next_attempt, error, token), entry_ids)

    async def dead_letter(self, entry_ids: Sequence[str], reason: str, now: float, token: str) -> None:
        sql = (
            "UPDATE entries SET dead = 1, reason = ?, died_at = ?, token = NULL "
            "WHERE dead = 0 AND token = ? AND id = ?"
        )
        await self._update(sql, (reason, now, token), entry_ids)

    async def pause(self, channel: str, until: float) -> None:
        await self._run(lambda db: _raise_gate(db, channel, until))


def _raise_gate(db: sqlite3.Connection, channel: str, until: float) -> None:
    db.execute(
        "INSERT INTO gates (channel, until) VALUES (?, ?) "
        "ON CONFLICT (channel) DO UPDATE SET until = MAX(until, excluded.until)",
        (channel, until),
    )


class SqliteOutboxAdmin(SqliteEntries):
    async def dead_letters(self, channel: str | None = None) -> list[DeadLetter]:
        where, params = ("dead = 1 AND channel = ?", (channel,)) if channel else ("dead = 1", ())
        rows = await self._select(where, params, "died_at, id")
        return [DeadLetter(_entry(r), r["reason"] or "", r["died_at"]) for r in rows]

    async def revive(self, entry_ids: Sequence[str], now: float) -> int:
        sql = (
            "UPDATE entries SET dead = 0, attempts = 0, next_attempt = ?, due_at = ?, reason = NULL, "
            "died_at = NULL, token = NULL WHERE dead = 1 AND id = ?"
        )
        return await self._update(sql, (now, now), entry_ids)

    async def drop(self, entry_ids: Sequence[str]) -> int:
        return await self._update("DELETE FROM entries WHERE id = ?", (), entry_ids)

    async def depth(self) -> dict[str, tuple[int, int]]:
        sql = "SELECT channel, SUM(dead = 0), SUM(dead = 1) FROM entries GROUP BY channel ORDER BY channel"
        rows = await self._run(lambda db: db.execute(sql).fetchall())
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}
