"""Assign an item to a story: the story of its nearest earlier copy in the window, or a new one.

``assign`` looks up the items that share an LSH band with the new one (seen within the
window, those sharing most bands first, at most ``max_candidates``), confirms each with the
exact weighted overlap, and joins the story of the best one at or above ``threshold`` (on a
tie, the one the index listed first).
Nothing confirmed: the item starts a story whose id is the item's own ref. Either way the item
is then added to the index, so later copies can join through it: a story chains through its
copies, and lives as long as copies keep arriving within the window of each other.

An item is added once: assigning it again (a re-poll, a second watchlist) finds its own entry
among the candidates and returns the same story, with ``matched_ref`` its own ref.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from service.dedup import story_id as link_identity
from service.model import Item
from service.stories.config import StoryConfig
from service.stories.fingerprint import Fingerprint, Fingerprinter
from service.stories.index import StoryEntry, StoryIndex
from service.stories.similarity import overlap_stored


@dataclass(frozen=True, slots=True)
class StoryAssignment:
    """Where an item went: its story, whether it started it, and the copy that decided it."""

    story_id: str
    is_new: bool
    similarity: float  # overlap with matched_ref; 0.0 for a new story
    matched_ref: str | None


def item_ref(item: Item) -> str:
    """A short stable ref for an item: its link identity (``dedup.story_id``) hashed."""
    return hashlib.blake2b(link_identity(item).encode(), digest_size=8).hexdigest()


class StoryClusterer:
    """Story identity over one StoryIndex; ``retention`` is how long entries are kept.

    ``retention`` must be at least the longest window any caller passes (the lead sets it to
    the largest ``story_window`` of all watchlists); it defaults to ``config.window``.
    """

    def __init__(
        self,
        index: StoryIndex,
        config: StoryConfig | None = None,
        *,
        retention: float | None = None,
        fingerprinter: Fingerprinter | None = None,
    ) -> None:
        self.config = config or StoryConfig()
        self.index = index
        self.retention = retention if retention is not None else self.config.window
        self.fingerprinter = fingerprinter or Fingerprinter(self.config)

    async def assign(
        self, item: Item, window: float | None, now: float, *, retention: float | None = None
    ) -> StoryAssignment:
        """The story of ``item`` among items seen in the last ``window`` seconds (None: config);
        the item is kept ``retention`` seconds (None: the clusterer's)."""
        fingerprint = self.fingerprinter.item(item)
        return await self.assign_fingerprint(item_ref(item), fingerprint, window, now, retention=retention)

    async def assign_fingerprint(
        self,
        ref: str,
        fingerprint: Fingerprint,
        window: float | None,
        now: float,
        *,
        retention: float | None = None,
    ) -> StoryAssignment:
        """``assign`` for a ready fingerprint (dry runs and the story-set test use it)."""
        since = now - (window if window is not None else self.config.window)
        candidates = await self.index.lookup(fingerprint.bands, since, self.config.max_candidates)
        decision = self._decide(ref, fingerprint, candidates)
        if decision.matched_ref != ref:
            entry = StoryEntry(ref, decision.story_id, now, fingerprint.to_bytes())
            keep = retention if retention is not None else self.retention
            await self.index.add(entry, fingerprint.bands, now + keep)
        return decision

    def _decide(self, ref: str, fingerprint: Fingerprint, candidates: list[StoryEntry]) -> StoryAssignment:
        config = self.config
        best: tuple[float, StoryEntry] | None = None
        for entry in candidates:  # a later candidate must beat the best so far, not tie
            if entry.ref == ref:
                return StoryAssignment(entry.story_id, entry.story_id == ref, 1.0, ref)
            try:
                score = overlap_stored(
                    fingerprint,
                    entry.fingerprint,
                    number_weight=config.number_weight,
                    min_words=config.min_words,
                )
            except ValueError:  # written by another fingerprint scheme: not comparable
                continue
            if score >= config.threshold and (best is None or score > best[0]):
                best = (score, entry)
        if best is None:
            return StoryAssignment(ref, True, 0.0, None)
        score, entry = best
        return StoryAssignment(entry.story_id, False, score, entry.ref)
