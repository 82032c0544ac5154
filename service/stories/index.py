"""What the clusterer needs from storage: the StoryIndex protocol and its entry.

Two calls per clustered item, each one round trip (a Redis script, an SQLite transaction):

- ``lookup(bands, since, limit)``: entries that share at least one band key with the new item
  and were seen at or after ``since``, most shared band keys first (then newest), at most
  ``limit``. A copy shares most of its bands; an item that shares one is usually a chance
  collision on a frequent word, so the limit keeps the likely copies and bounds the cost.
- ``add(entry, bands, expires_at)``: remember the entry under its band keys until
  ``expires_at``. Adding a ref that is already stored changes nothing (the first assignment
  of an item wins, so a re-poll or a second watchlist never moves it to another story).

Layouts the lead can build on (bytes per item measured by ``bench/story_bench.py``):

- SQLite: ``story_entry(ref TEXT PRIMARY KEY, story_id TEXT, seen_at REAL, expires_at REAL,
  fingerprint BLOB)`` and ``story_band(band INTEGER, ref TEXT, seen_at REAL)`` with an index on
  ``(band, seen_at)``; band keys fit INTEGER (63 bits); lookup is one ``SELECT ref,
  count(*) ... WHERE band IN (...) AND seen_at >= ? GROUP BY ref ORDER BY 2 DESC, seen_at DESC
  LIMIT ?`` joined to ``story_entry``. Expiry: ``DELETE ... WHERE expires_at
  < now`` now and then.
- Redis: every key under one hash tag (``P story:{s}:...``) so one script touches one slot:
  ``P story:{s}:entry:<ref>`` a string (expiry, seen_at, story id, fingerprint bytes) with
  ``PX``, and band keys as fields of small time-sliced hashes ``P story:{s}:b:<k>:<slice>:
  <band % buckets>`` (value: the refs added under that band in that slice), each expiring when
  its slice's entries can have expired; a key per band key (a ZSET) took 3.5x the memory
  (``state/redis/stories.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from service.state.stories import StoryEntry

__all__ = ["StoryEntry", "StoryIndex"]


class StoryIndex(Protocol):
    """Story signatures with expiry: SQLite and Redis in the state stores, memory for tests."""

    async def lookup(self, bands: Sequence[int], since: float, limit: int) -> list[StoryEntry]:
        """Entries sharing a band key, seen at or after ``since``: most shared bands, then newest."""

    async def add(self, entry: StoryEntry, bands: Sequence[int], expires_at: float) -> None:
        """Store ``entry`` under ``bands`` until ``expires_at``; a ref already stored is kept."""
