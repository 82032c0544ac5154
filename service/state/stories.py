"""The ``Stories`` role of the state stores (issue 10): story signatures, the alert that
started each story per watchlist (its lead), and where each first alert went on each channel.

SQLite (``sqlite/stories.py``) and Redis (``redis/stories.py``) implement it; the contract suite
(``tests/integration/state/test_state_stories_contract.py``) holds both to it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

_TIME = struct.Struct("<d")


@dataclass(frozen=True, slots=True)
class StoryEntry:
    """One clustered item as stored (``service/stories`` makes them): its ref, its story, when
    it was seen, its fingerprint."""

    ref: str
    story_id: str
    seen_at: float
    fingerprint: bytes  # Fingerprint.to_bytes()

    def to_bytes(self) -> bytes:
        """One value for a key-value store: seen_at, story id, then the fingerprint."""
        story = self.story_id.encode()
        return _TIME.pack(self.seen_at) + bytes([len(story)]) + story + self.fingerprint

    @classmethod
    def from_bytes(cls, ref: str, data: bytes) -> StoryEntry:
        (seen_at,) = _TIME.unpack_from(data)
        size = data[_TIME.size]
        start = _TIME.size + 1
        return cls(ref, data[start : start + size].decode(), seen_at, data[start + size :])


@dataclass(frozen=True, slots=True)
class StoryLead:
    """The alert that started a story for one watchlist: its key and its item's title, and
    when a copy of the story was last seen (a story lives while copies keep coming)."""

    alert_key: str
    title: str
    last_seen: float


STORY_TTL = 8 * 86400.0  # leads and thread refs outlive the longest story_window (7 days)


class Stories(Protocol):
    """Story signatures (the StoryIndex of ``service/stories``), the alert that started each
    story per watchlist, and where each first alert went (the message to thread under).

    The pipeline looks up and adds signatures and takes leads; the delivery worker writes and
    reads thread refs.
    """

    async def story_lookup(self, bands: Sequence[int], since: float, limit: int) -> list[StoryEntry]:
        """Entries sharing a band key, seen at or after ``since``: most shared bands, then newest."""

    async def story_add(self, entry: StoryEntry, bands: Sequence[int], expires_at: float) -> None:
        """Store ``entry`` under ``bands`` until ``expires_at``; a ref already stored is kept."""

    async def story_lead(
        self, watchlist: str, story_id: str, candidate: StoryLead, window: float
    ) -> StoryLead:
        """The lead of ``story_id`` on ``watchlist``, taken atomically.

        No lead, or one last seen more than ``window`` before ``candidate.last_seen``:
        ``candidate`` becomes the lead (the story starts again for this watchlist) and is
        returned. Otherwise the stored lead is returned with ``last_seen`` moved to
        ``candidate.last_seen`` (never back). Asking again with the lead's own key returns it
        unchanged, so a poll repeated after a crash decides the same way. Kept ``STORY_TTL``
        after ``last_seen``.
        """

    async def set_thread_refs(self, channel: str, refs: dict[str, str], now: float) -> None:
        """Remember, per alert key, the message that carried it on ``channel`` (a Matrix
        event id, an email Message-ID), for ``STORY_TTL``; an existing ref is kept."""

    async def thread_refs(self, channel: str, alert_keys: Sequence[str]) -> dict[str, str]:
        """The refs stored for these alert keys on ``channel`` (keys without one are absent)."""
