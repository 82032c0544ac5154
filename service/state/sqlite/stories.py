"""The SQLite store's stories: signatures (entries and their band keys), leads, thread refs.

- ``story_entry``: one row per clustered item, with its band keys packed in ``bands`` so an
  expired entry's band rows are deleted by primary key (no second index on ``story_band``).
- ``story_band``: one row per (band key, entry); its primary key ``(band, seen_at, ref)`` is the
  lookup's index (WITHOUT ROWID: the table is that index, stored once).
- ``story_lead``: the alert that started a story per watchlist; ``thread_ref``: the message that
  carried an alert on a channel.

Band keys are stored as signed 64-bit integers (SQLite's INTEGER): the fingerprint's keys are 63
bits, and a wider key is folded into the signed range rather than refused. Expired rows go at
each write of their kind, through an index on their expiry, so a write removes about as many
rows as it adds.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence

from service.state.sqlite.db import SqliteBase, chunks, marks
from service.state.stories import STORY_TTL, StoryEntry, StoryLead

STORIES_SCHEMA = """
CREATE TABLE IF NOT EXISTS story_entry (
  ref TEXT PRIMARY KEY, story_id TEXT NOT NULL, seen_at REAL NOT NULL, expires_at REAL NOT NULL,
  fingerprint BLOB NOT NULL, bands BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_entry_by_expiry ON story_entry (expires_at);
CREATE TABLE IF NOT EXISTS story_band (
  band INTEGER NOT NULL, seen_at REAL NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (band, seen_at, ref)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS story_lead (
  watchlist TEXT NOT NULL, story_id TEXT NOT NULL, alert_key TEXT NOT NULL, title TEXT NOT NULL,
  last_seen REAL NOT NULL, PRIMARY KEY (watchlist, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_lead_by_time ON story_lead (last_seen);
CREATE TABLE IF NOT EXISTS thread_ref (
  channel TEXT NOT NULL, alert_key TEXT NOT NULL, ref TEXT NOT NULL, expires_at REAL NOT NULL,
  PRIMARY KEY (channel, alert_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS thread_ref_by_expiry ON thread_ref (expires_at);
"""

# The limit applies to the hits before they are joined to their entries (a band row carries its
# entry's seen_at, and an entry and its band rows leave together), so only the answer's
# fingerprints are read: a lookup sharing a frequent band no longer reads every hit's entry.
_LOOKUP = """
SELECT e.ref, e.story_id, e.seen_at, e.fingerprint FROM (
  SELECT ref, count(*) AS shared, max(seen_at) AS seen FROM story_band
  WHERE band IN ({marks}) AND seen_at >= ? GROUP BY ref ORDER BY shared DESC, seen DESC, ref LIMIT ?
) AS hit JOIN story_entry AS e ON e.ref = hit.ref
ORDER BY hit.shared DESC, hit.seen DESC, e.ref
"""

_THREAD_REFS = "SELECT alert_key, ref FROM thread_ref WHERE channel = ? AND alert_key IN ({marks})"


def signed(band: int) -> int:
    """A band key (up to 64 bits unsigned) as the signed 64-bit integer SQLite stores."""
    return band - (1 << 64) if band >= 1 << 63 else band


def _pack(bands: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(bands)}q", *bands)


def _unpack(blob: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(blob) // 8}q", blob)


def next_lead(stored: StoryLead | None, candidate: StoryLead, window: float) -> StoryLead:
    """The rule of ``Stories.story_lead`` on plain values (the Redis script spells it in Lua):
    the candidate starts the story when there is no lead or the lead's story went quiet for
    longer than ``window``; the lead's own key changes nothing; anything else keeps the lead
    and moves its last_seen forward."""
    if stored is None or stored.last_seen < candidate.last_seen - window:
        return candidate
    if stored.alert_key == candidate.alert_key or stored.last_seen >= candidate.last_seen:
        return stored
    return StoryLead(stored.alert_key, stored.title, candidate.last_seen)


class SqliteStories(SqliteBase):
    async def story_lookup(self, bands: Sequence[int], since: float, limit: int) -> list[StoryEntry]:
        keys = list(dict.fromkeys(signed(b) for b in bands))
        if not keys or limit <= 0:
            return []
        sql = _LOOKUP.format(marks=marks(len(keys)))
        rows = await self._read("story_entry", lambda db: db.execute(sql, (*keys, since, limit)).fetchall())
        return [StoryEntry(r[0], r[1], r[2], r[3]) for r in rows]

    async def story_add(self, entry: StoryEntry, bands: Sequence[int], expires_at: float) -> None:
        keys = list(dict.fromkeys(signed(b) for b in bands))

        def write(db: sqlite3.Connection) -> None:
            _expire_entries(db, entry.seen_at)
            added = db.execute(
                "INSERT OR IGNORE INTO story_entry VALUES (?, ?, ?, ?, ?, ?)",
                (entry.ref, entry.story_id, entry.seen_at, expires_at, entry.fingerprint, _pack(keys)),
            ).rowcount
            if added:
                rows = [(k, entry.seen_at, entry.ref) for k in keys]
                db.executemany("INSERT OR IGNORE INTO story_band VALUES (?, ?, ?)", rows)

        await self._run(write)

    async def story_lead(
        self, watchlist: str, story_id: str, candidate: StoryLead, window: float
    ) -> StoryLead:
        def take(db: sqlite3.Connection) -> StoryLead:
            db.execute("DELETE FROM story_lead WHERE last_seen < ?", (candidate.last_seen - STORY_TTL,))
            row = db.execute(
                "SELECT alert_key, title, last_seen FROM story_lead WHERE watchlist = ? AND story_id = ?",
                (watchlist, story_id),
            ).fetchone()
            stored = StoryLead(row[0], row[1], row[2]) if row is not None else None
            lead = next_lead(stored, candidate, window)
            if lead != stored:
                db.execute(
                    "INSERT OR REPLACE INTO story_lead VALUES (?, ?, ?, ?, ?)",
                    (watchlist, story_id, lead.alert_key, lead.title, lead.last_seen),
                )
            return lead

        return await self._run(take)

    async def set_thread_refs(self, channel: str, refs: dict[str, str], now: float) -> None:
        rows = [(channel, key, ref, now + STORY_TTL) for key, ref in refs.items()]

        def write(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM thread_ref WHERE expires_at <= ?", (now,))
            db.executemany("INSERT OR IGNORE INTO thread_ref VALUES (?, ?, ?, ?)", rows)

        await self._run(write)

    async def thread_refs(self, channel: str, alert_keys: Sequence[str]) -> dict[str, str]:
        def read(db: sqlite3.Connection) -> list[tuple[str, str]]:
            found: list[tuple[str, str]] = []
            for part in chunks(list(dict.fromkeys(alert_keys))):
                sql = _THREAD_REFS.format(marks=marks(len(part)))
                found += [(r[0], r[1]) for r in db.execute(sql, (channel, *part))]
            return found

        return dict(await self._read("thread_ref", read))


def _expire_entries(db: sqlite3.Connection, now: float) -> None:
    """Delete the entries whose expiry has passed at ``now``, and their band rows by key."""
    rows = db.execute("SELECT ref, seen_at, bands FROM story_entry WHERE expires_at <= ?", (now,)).fetchall()
    if not rows:
        return
    bands = [(k, seen_at, ref) for ref, seen_at, blob in rows for k in _unpack(blob)]
    db.executemany("DELETE FROM story_band WHERE band = ? AND seen_at = ? AND ref = ?", bands)
    db.execute("DELETE FROM story_entry WHERE expires_at <= ?", (now,))
