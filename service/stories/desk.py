"""The pipeline's story step: which story a matched item is, and for each watchlist that matched
it whether it starts the story there (an alert) or is a copy of one already alerted (a follow-up).

Story identity is the clusterer's, over the state store's signatures (``Stories``), so every
replica and every restart sees the same stories. The lead, the alert that started a story for
a watchlist, is taken atomically per (watchlist, story): of two copies polled at once by two
replicas one is the alert, the other its follow-up. Asking again for an item that is already
placed gives the same answer (the clusterer keeps an item's first story; a lead asked for with
its own key is returned unchanged), so a poll repeated after a crash queues the same alerts and
dedup keeps each to one.

Within a process placements are made one at a time (feeds are polled concurrently, and two
copies placed at once would each find no story and both start one); across replicas two copies
placed in the same instant can still start two stories (documented in README).

Only items some watchlist matched are clustered: an item nobody alerts on cannot start or
continue a story anyone reads, and the stream's other items cost nothing here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from service.model import Item
from service.state.stories import Stories, StoryLead
from service.stories.clusterer import StoryAssignment, StoryClusterer
from service.stories.config import StoryConfig
from service.stories.index import StoryEntry


@dataclass(frozen=True, slots=True)
class Placement:
    """An item's place in a story for one watchlist: the story's first alert, and whether this
    item is a copy of it."""

    story: str  # the key of the alert that started the story on this watchlist
    story_title: str
    followup: bool


class StoreStoryIndex:
    """The clusterer's StoryIndex over a state store's ``Stories`` role."""

    def __init__(self, store: Stories) -> None:
        self._store = store

    async def lookup(self, bands: Sequence[int], since: float, limit: int) -> list[StoryEntry]:
        return await self._store.story_lookup(bands, since, limit)

    async def add(self, entry: StoryEntry, bands: Sequence[int], expires_at: float) -> None:
        await self._store.story_add(entry, bands, expires_at)


class StoryDesk:
    """Places matched items in stories; one per pipeline, sharing the pipeline's store."""

    def __init__(self, store: Stories, config: StoryConfig | None = None) -> None:
        self._store = store
        self.clusterer = StoryClusterer(StoreStoryIndex(store), config)
        self._one_at_a_time = asyncio.Lock()

    async def place(
        self, item: Item, keys: Mapping[str, str], windows: Mapping[str, float], now: float
    ) -> dict[str, Placement]:
        """Per watchlist in ``keys`` (watchlist -> the alert key the item makes there): the
        item's story and whether it is a follow-up. ``windows`` has each watchlist's
        ``story_window`` (more is fine); signatures are kept for the longest of the item's."""
        if not keys:
            return {}
        longest = max(windows[w] for w in keys)
        async with self._one_at_a_time:
            assignment = await self.clusterer.assign(item, longest, now, retention=longest)
            return {w: await self._lead(w, key, item, assignment, windows[w], now) for w, key in keys.items()}

    async def _lead(
        self, watchlist: str, key: str, item: Item, assignment: StoryAssignment, window: float, now: float
    ) -> Placement:
        candidate = StoryLead(key, item.title, now)
        lead = await self._store.story_lead(watchlist, assignment.story_id, candidate, window)
        return Placement(lead.alert_key, lead.title, lead.alert_key != key)
