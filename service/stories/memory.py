"""StoryIndex in memory, compact enough for a window of 100,000 items (tests, bench, dry runs).

Band keys live in two layers, like a small LSM tree: the newest pairs in a dict (fast to add),
the rest in two sorted numpy arrays (12 bytes a pair instead of ~100 for a dict entry), merged
when the dict holds ``merge_every`` pairs. Expired entries are dropped from the entry table as
time passes and from the arrays at each merge; a lookup never returns an entry older than
``since``, so what is not yet purged is never seen. Times are the caller's (``now``), so tests
drive expiry with their own clock.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from service.stories.index import StoryEntry

_NO_KEYS: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)


class MemoryStoryIndex:
    """A StoryIndex in this process; not shared, not persistent. Not thread-safe (one event loop)."""

    def __init__(self, *, merge_every: int = 1 << 17) -> None:
        self._merge_every = merge_every
        self._entries: dict[int, StoryEntry] = {}  # slot -> entry
        self._slots: dict[str, int] = {}  # ref -> slot
        self._order: deque[tuple[float, int]] = deque()  # (expires_at, slot) in insertion order
        self._next_slot = 0
        self._recent: dict[int, int | list[int]] = {}
        self._recent_pairs = 0
        self._keys = _NO_KEYS
        self._key_slots = _NO_KEYS

    def __len__(self) -> int:
        return len(self._entries)

    async def lookup(self, bands: Sequence[int], since: float, limit: int) -> list[StoryEntry]:
        found: Counter[int] = Counter()
        for key in bands:
            hit = self._recent.get(key)
            if isinstance(hit, int):
                found[hit] += 1
            elif hit is not None:
                found.update(hit)
        keys = self._keys
        if len(keys) and bands:
            query = np.asarray(bands, dtype=np.int64)
            left = np.searchsorted(keys, query, "left")
            present = keys[np.minimum(left, len(keys) - 1)] == query  # most band keys are absent
            if present.any():
                query, left = query[present], left[present]
                right = np.searchsorted(keys, query, "right")
                for a, b in zip(left.tolist(), right.tolist(), strict=True):
                    found.update(self._key_slots[a:b].tolist())
        entries = self._entries
        ranked = [
            (n, e) for s, n in found.items() if (e := entries.get(s)) is not None and e.seen_at >= since
        ]
        best = heapq.nlargest(limit, ranked, key=lambda ne: (ne[0], ne[1].seen_at))
        return [e for _, e in best]

    async def add(self, entry: StoryEntry, bands: Sequence[int], expires_at: float) -> None:
        self._expire(entry.seen_at)  # first: an expired ref is not stored, so it is added anew
        if entry.ref in self._slots:
            return
        slot = self._next_slot
        self._next_slot += 1
        self._entries[slot] = entry
        self._slots[entry.ref] = slot
        self._order.append((expires_at, slot))
        recent = self._recent
        for key in bands:
            hit = recent.get(key)
            if hit is None:
                recent[key] = slot
            elif isinstance(hit, int):
                recent[key] = [hit, slot]
            else:
                hit.append(slot)
        self._recent_pairs += len(bands)
        if self._recent_pairs >= self._merge_every:
            self.merge()

    def _expire(self, now: float) -> None:
        """Forget entries whose expiry has passed (their band pairs go at the next merge)."""
        order = self._order
        while order and order[0][0] <= now:
            _, slot = order.popleft()
            entry = self._entries.pop(slot, None)
            if entry is not None:
                del self._slots[entry.ref]

    def merge(self) -> None:
        """Move the dict layer into the sorted arrays, dropping pairs of forgotten entries."""
        pairs = [(k, s) for k, hit in self._recent.items() for s in ((hit,) if isinstance(hit, int) else hit)]
        self._recent = {}
        self._recent_pairs = 0
        keys = np.fromiter((k for k, _ in pairs), dtype=np.int64, count=len(pairs))
        slots = np.fromiter((s for _, s in pairs), dtype=np.int64, count=len(pairs))
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order]
        at = np.searchsorted(self._keys, keys, "right")
        self._keys = np.insert(self._keys, at, keys)
        self._key_slots = np.insert(self._key_slots, at, slots)
        oldest = min(self._entries, default=self._next_slot)
        if len(self._key_slots) and int(self._key_slots.min()) < oldest:
            live = self._key_slots >= oldest
            self._keys, self._key_slots = self._keys[live], self._key_slots[live]

    def pairs(self) -> int:
        """Band pairs held (both layers), for measurements."""
        return len(self._keys) + self._recent_pairs
