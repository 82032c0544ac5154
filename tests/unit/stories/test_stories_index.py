"""The in-memory StoryIndex (both layers, expiry) and the clusterer's promises over it."""

from __future__ import annotations

import pytest

from service.model import Item
from service.stories import MemoryStoryIndex, StoryClusterer, StoryConfig, StoryEntry, item_ref


def entry(ref: str, seen_at: float, story: str | None = None) -> StoryEntry:
    return StoryEntry(ref, story or ref, seen_at, b"fp-" + ref.encode())


@pytest.mark.parametrize("merge_every", [1 << 17, 3])  # dict layer only; merged arrays as well
async def test_lookup_by_any_shared_band_most_shared_then_newest(merge_every: int) -> None:
    index = MemoryStoryIndex(merge_every=merge_every)
    await index.add(entry("a", 10.0), [1, 2, 3], 1000.0)
    await index.add(entry("b", 20.0), [3, 4], 1000.0)
    await index.add(entry("c", 30.0), [5], 1000.0)
    await index.add(entry("d", 40.0), [2, 5], 1000.0)
    assert [e.ref for e in await index.lookup([3, 5], 0.0, 10)] == ["d", "c", "b", "a"]
    assert [e.ref for e in await index.lookup([2], 0.0, 10)] == ["d", "a"]
    assert [e.ref for e in await index.lookup([2, 5], 0.0, 10)] == ["d", "c", "a"]  # d shares two
    assert [e.ref for e in await index.lookup([1, 2, 3, 5], 0.0, 10)] == ["a", "d", "c", "b"]
    assert [e.ref for e in await index.lookup([3, 5], 25.0, 10)] == ["d", "c"]  # since
    assert [e.ref for e in await index.lookup([3, 5], 0.0, 2)] == ["d", "c"]  # limit
    assert await index.lookup([99], 0.0, 10) == []
    assert await index.lookup([], 0.0, 10) == []


async def test_a_ref_is_added_once() -> None:
    index = MemoryStoryIndex()
    await index.add(entry("a", 10.0, "s1"), [1], 1000.0)
    await index.add(entry("a", 20.0, "s2"), [2], 1000.0)
    assert await index.lookup([1, 2], 0.0, 10) == [entry("a", 10.0, "s1")]
    assert len(index) == 1


async def test_expired_entries_are_forgotten_and_merged_away() -> None:
    index = MemoryStoryIndex(merge_every=4)
    await index.add(entry("old", 0.0), [1, 2], 100.0)
    await index.add(entry("mid", 50.0), [1], 150.0)
    await index.add(entry("new", 120.0), [1, 3], 220.0)  # expires "old"
    assert [e.ref for e in await index.lookup([1, 2], 0.0, 10)] == ["new", "mid"]
    assert len(index) == 2
    await index.add(entry("late", 200.0), [4, 5, 6, 7], 300.0)  # expires "mid", merges
    assert [e.ref for e in await index.lookup([1, 2, 3], 0.0, 10)] == ["new"]
    assert index.pairs() == 2 + 4  # "new" and "late"; the pairs of "old" and "mid" are gone


async def test_an_expired_ref_is_added_anew() -> None:
    index = MemoryStoryIndex()
    await index.add(entry("a", 0.0, "s1"), [1], 100.0)
    await index.add(entry("a", 100.0, "s2"), [2], 200.0)  # "a" expired at 100: not kept any more
    assert await index.lookup([1, 2], 0.0, 10) == [entry("a", 100.0, "s2")]
    assert len(index) == 1


def item(n: int, title: str, summary: str) -> Item:
    return Item(f"id-{n}", f"feed-{n}", title, f"https://example.org/{n}", None, summary, "")


COPY = (
    "Quake of magnitude 5.6 hits Malatya",
    "A quake of magnitude 5.6 hit Malatya province on Wednesday, injuring 23.",
)
OTHER = (
    "Quake of magnitude 5.2 hits Malatya",
    "A quake of magnitude 5.2 hit Malatya province on Saturday, injuring 4.",
)


async def test_assign_joins_copies_keeps_others_apart_and_is_idempotent() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex(), StoryConfig())
    first = await clusterer.assign(item(1, *COPY), None, 1000.0)
    assert first.is_new and first.story_id == item_ref(item(1, *COPY)) and first.matched_ref is None
    copy = await clusterer.assign(
        item(2, COPY[0] + " - Reuters", "ANKARA (Reuters) - " + COPY[1]), None, 1060.0
    )
    assert (copy.story_id, copy.is_new, copy.matched_ref) == (first.story_id, False, first.story_id)
    assert copy.similarity == 1.0
    other = await clusterer.assign(item(3, *OTHER), None, 1120.0)
    assert other.is_new and other.story_id != first.story_id
    again = await clusterer.assign(item(2, *COPY), 3600.0, 1180.0)  # a second watchlist, same item
    assert (again.story_id, again.is_new) == (first.story_id, False)


async def test_window_bounds_joining_and_chains_extend_a_story() -> None:
    clusterer = StoryClusterer(MemoryStoryIndex(), StoryConfig(), retention=10 * 3600.0)
    first = await clusterer.assign(item(1, *COPY), None, 0.0)
    second = await clusterer.assign(item(2, *COPY), 3600.0, 3000.0)  # within 1 h of the first
    third = await clusterer.assign(item(3, *COPY), 3600.0, 6000.0)  # 1 h 40 after the first
    assert first.story_id == second.story_id == third.story_id
    assert third.matched_ref == item_ref(item(2, *COPY))
    late = await clusterer.assign(item(4, *COPY), 3600.0, 6000.0 + 3601.0)
    assert late.is_new


async def test_a_signature_of_another_scheme_is_never_a_copy() -> None:
    """Stored by a build with other fingerprints (a SCHEME bump): skipped, not a crash."""
    index = MemoryStoryIndex()
    clusterer = StoryClusterer(index)
    text = "Air strikes hit a crowded market in Idlib on Monday, killing 12 people, rescuers said."
    first = Item("a", "wire", "Air strikes hit Idlib market", "https://a.test/1", None, text, "")
    bands = clusterer.fingerprinter.item(first).bands
    await index.add(StoryEntry("old", "old", 100.0, b"\x01\x00\x00\x00\x00"), bands, 1e9)
    assert (await clusterer.assign(first, None, 200.0)).is_new
