"""SqliteStore: the embedded default state store (one process; survives restarts).

stdlib sqlite3 in WAL mode on one dedicated worker thread: calls are serialized in the order
they are made and the event loop never waits on disk. Each public call is one transaction, so
``claim_and_enqueue`` writes the claim and its outbox rows together or not at all. The layout
mirrors the Redis store: one ``entries`` table where ``dead`` says which index a row is in.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from service.model import Alert
from service.state.base import DeadLetter, FeedState, OutboxEntry, StateUnavailable
from service.state.sqlite_schema import SCHEMA_VERSION, connect, sqlite_path, transaction

__all__ = ["SCHEMA_VERSION", "SqliteStore", "sqlite_path"]

T = TypeVar("T")

_ENTRY_COLS = "channel, alert, next_attempt, created_at, attempts, last_error, reason, died_at"
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
_CLAIM_SWEEP = 3600.0  # seconds (caller's clock) between sweeps of expired claims


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        channel=row["channel"],
        alert=Alert.from_json(row["alert"]),
        next_attempt=row["next_attempt"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        last_error=row["last_error"],
    )


class SqliteStore:
    """StateStore on one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str, *, seen_ttl: float, seen_max: int, dedup_ttl: float) -> None:
        self._path = path
        self._seen_ttl = seen_ttl
        self._seen_max = seen_max
        self._dedup_ttl = dedup_ttl
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wirewatch-sqlite")
        self._db: sqlite3.Connection | None = None
        self._last_sweep = float("-inf")
        self._closed = False

    @classmethod
    def from_url(cls, url: str, *, seen_ttl: float, seen_max: int, dedup_ttl: float) -> SqliteStore:
        return cls(sqlite_path(url), seen_ttl=seen_ttl, seen_max=seen_max, dedup_ttl=dedup_ttl)

    async def open(self) -> SqliteStore:
        """Create the folder, the file and the schema; check the schema version."""
        await self._run(lambda db: None)
        return self

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on the worker thread, inside one transaction."""

        def call() -> T:
            try:
                if self._db is None:
                    self._db = connect(self._path)
                with transaction(self._db):
                    return fn(self._db)
            except (sqlite3.OperationalError, OSError) as exc:
                raise StateUnavailable(f"state db {self._path}: {exc}") from None

        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        """Close the database; a second close does nothing."""
        if self._closed:
            return
        self._closed = True

        def shut() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await asyncio.get_running_loop().run_in_executor(self._pool, shut)
        self._pool.shutdown(wait=True)

    # feeds

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

    # seen items

    async def unseen(self, feed_id: str, item_ids: Sequence[str], now: float) -> list[str]:
        if not item_ids:
            return []
        cutoff = now - self._seen_ttl

        def fresh(db: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            for part in _chunks(list(dict.fromkeys(item_ids))):
                sql = (
                    "SELECT item_id FROM seen WHERE feed_id = ? AND seen_at > ? "
                    f"AND item_id IN ({_marks(len(part))})"
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

    # dedup + outbox

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

    async def _select(self, where: str, params: Sequence[Any], order: str) -> list[sqlite3.Row]:
        sql = f"SELECT id, {_ENTRY_COLS} FROM entries WHERE {where} ORDER BY {order}"
        return await self._run(lambda db: db.execute(sql, params).fetchall())

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

    async def pending(self, channel: str | None = None) -> list[OutboxEntry]:
        where, params = ("dead = 0 AND channel = ?", (channel,)) if channel else ("dead = 0", ())
        return [_entry(r) for r in await self._select(where, params, "next_attempt, id")]

    async def _update(self, sql: str, head: Sequence[Any], entry_ids: Sequence[str]) -> int:
        """Run ``sql`` (ending in ``id = ?``) once per id in one transaction; rows changed."""
        if not entry_ids:
            return 0

        def write(db: sqlite3.Connection) -> int:
            before = db.total_changes
            db.executemany(sql, [(*head, i) for i in dict.fromkeys(entry_ids)])
            return db.total_changes - before

        return await self._run(write)

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


def _put(db: sqlite3.Connection, entries: Sequence[OutboxEntry]) -> None:
    """Insert or replace entries as pending (a same-id dead letter is replaced too)."""
    db.executemany(
        "INSERT OR REPLACE INTO entries (id, channel, alert, created_at, next_attempt, "
        "attempts, last_error, dead) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        [
            (
                e.id,
                e.channel,
                e.alert.to_json(),
                e.created_at,
                e.next_attempt,
                e.attempts,
                e.last_error,
            )
            for e in entries
        ],
    )
