"""The Stories role (signatures, leads, thread refs) against SQLite, fakeredis and Redis.

Every time is an injected UNIX second. Fingerprints hold bytes that are not UTF-8, as real ones
do. A randomized sequence of adds and lookups must agree with ``MemoryStoryIndex``, the
reference of the lookup/add semantics.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.state.base import FullStore
from service.state.keys import Keys
from service.state.redis import RedisStore
from service.state.stories import STORY_TTL, StoryLead
from service.stories import MemoryStoryIndex, StoryEntry

if TYPE_CHECKING:
    from tests.conftest import StoreFactory


def entry(ref: str, seen_at: float, story: str | None = None) -> StoryEntry:
    return StoryEntry(ref, story or f"story-{ref}", seen_at, b"\xff\x00fp|" + ref.encode())


async def refs(store: FullStore, bands: list[int], since: float = 0.0, limit: int = 10) -> list[str]:
    return [e.ref for e in await store.story_lookup(bands, since, limit)]


async def stored_entries(store: FullStore, factory: StoreFactory, candidates: list[str]) -> set[str]:
    """Which of ``candidates`` are physically stored (not just not returned): a row in SQLite,
    a key in Redis."""
    if isinstance(store, RedisStore):
        keys = Keys(store._prefix)
        return {ref for ref in candidates if await store._r.exists(keys.story_entry(ref))}
    with sqlite3.connect(factory._db_path) as db:
        return {r[0] for r in db.execute("SELECT ref FROM story_entry")} & set(candidates)


# signatures: lookup and add

LOOKUPS = [
    ([1, 2, 3], 0.0, 10, ["a", "b", "c"]),  # most shared bands first
    ([1], 0.0, 10, ["c", "b", "a"]),  # then newest
    ([2, 3, 9], 0.0, 10, ["a", "d", "b"]),  # a shares two; d and b one each, d newer
    ([1, 2, 3], 15.0, 10, ["b", "c"]),  # since
    ([1, 2, 3], 20.0, 10, ["b", "c"]),  # since is inclusive
    ([1, 2, 3], 0.0, 2, ["a", "b"]),  # limit
    ([1, 2, 3], 0.0, 0, []),
    ([7], 0.0, 10, []),
    ([], 0.0, 10, []),
]


@pytest.mark.parametrize(("bands", "since", "limit", "expected"), LOOKUPS)
async def test_lookup_most_shared_bands_then_newest(
    store: FullStore, bands: list[int], since: float, limit: int, expected: list[str]
) -> None:
    await store.story_add(entry("a", 10.0), [1, 2, 3], 1000.0)
    await store.story_add(entry("b", 20.0), [1, 2], 1000.0)
    await store.story_add(entry("c", 30.0), [1], 1000.0)
    await store.story_add(entry("d", 40.0), [9], 1000.0)
    assert await refs(store, bands, since, limit) == expected


async def test_lookup_returns_the_entry_as_stored(store: FullStore) -> None:
    stored = StoryEntry("ref-1", "story-ü", 1_700_000_000.125, bytes(range(256)))
    await store.story_add(stored, [5, 6], 1_700_172_800.0)
    assert await store.story_lookup([6], 1_700_000_000.125, 5) == [stored]


async def test_band_keys_use_all_64_bits(store: FullStore) -> None:
    top, high, low = 2**64 - 1, 2**63, 2**63 - 1
    await store.story_add(entry("wide", 10.0), [top, high], 1000.0)
    await store.story_add(entry("narrow", 20.0), [low, 0], 1000.0)
    assert await refs(store, [top]) == ["wide"]
    assert await refs(store, [high]) == ["wide"]
    assert await refs(store, [low, top, high]) == ["wide", "narrow"]
    assert await refs(store, [2**64 - 2, 1]) == []


async def test_adding_a_stored_ref_keeps_the_first(store: FullStore) -> None:
    await store.story_add(entry("a", 10.0, "s1"), [1], 1000.0)
    await store.story_add(entry("a", 20.0, "s2"), [1, 5], 2000.0)
    assert await store.story_lookup([1, 5], 0.0, 10) == [entry("a", 10.0, "s1")]
    assert await store.story_lookup([5], 0.0, 10) == []  # the second add wrote no band either


@pytest.mark.parametrize(("later", "kept"), [(199.0, True), (200.0, False)])
async def test_expired_entries_are_not_returned_and_are_deleted(
    store_factory: StoreFactory, later: float, kept: bool
) -> None:
    store = await store_factory.open()
    await store.story_add(entry("old", 100.0), [1, 2], 200.0)
    await store.story_add(entry("new", later), [1, 3], later + 100.0)  # a band shared with "old"
    found = await refs(store, [1, 2, 3])
    assert found == (["new", "old"] if kept else ["new"])
    assert await stored_entries(store, store_factory, ["old", "new"]) == ({"old", "new"} if kept else {"new"})


async def test_an_expired_ref_is_stored_anew(store: FullStore) -> None:
    await store.story_add(entry("a", 100.0, "s1"), [1, 2], 200.0)
    await store.story_add(entry("b", 300.0), [1], 400.0)
    await store.story_add(entry("a", 300.0, "s2"), [2], 400.0)
    assert await store.story_lookup([2], 250.0, 10) == [entry("a", 300.0, "s2")]


@dataclass(frozen=True)
class Add:
    ref: str
    at: float
    bands: list[int]


@dataclass(frozen=True)
class Lookup:
    bands: list[int]
    since: float
    limit: int


TTL = 40
_runs = itertools.count()


@st.composite
def story_steps(draw: st.DrawFn) -> list[Add | Lookup]:
    """Adds (a few refs, so some repeat; a short lifetime, so some expire) and lookups."""
    steps: list[Add | Lookup] = []
    now = 0.0
    for _ in range(draw(st.integers(1, 25))):
        bands = draw(st.lists(st.integers(0, 9), min_size=1, max_size=5, unique=True))
        if draw(st.booleans()):
            now += draw(st.integers(1, 15))
            steps.append(Add(draw(st.sampled_from("abcdefg")), now, bands))
        else:
            since = now - draw(st.integers(0, TTL - 1))  # within the lifetime, as a window is
            steps.append(Lookup(bands, since, draw(st.integers(1, 6))))
    return steps


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=story_steps())
async def test_agrees_with_the_memory_index(store: FullStore, steps: list[Add | Lookup]) -> None:
    run = next(_runs)  # each example in its own refs, bands and time: the store is not emptied
    base, shift = 1e6 * (run + 1), 100 * (run + 1)
    memory = MemoryStoryIndex(merge_every=8)
    for step in steps:
        keys = [shift + b for b in step.bands]
        if isinstance(step, Add):
            stored = entry(f"{run}-{step.ref}", base + step.at, f"s{step.at}")
            await memory.add(stored, keys, stored.seen_at + TTL)
            await store.story_add(stored, keys, stored.seen_at + TTL)
        else:
            expected = await memory.lookup(keys, base + step.since, step.limit)
            assert await store.story_lookup(keys, base + step.since, step.limit) == expected


# leads

A, B, C = "ww-a", "ww-b", "ww-c"
LEAD_STEPS = [  # (alert key, last_seen) asked in turn with window 50 -> (key, last_seen) returned
    ((A, 100.0), (A, 100.0)),  # no lead yet: the first taker wins
    ((B, 120.0), (A, 120.0)),  # another key within the window: the lead, seen later
    ((A, 130.0), (A, 120.0)),  # the lead's own key again: unchanged (a repeated poll)
    ((C, 110.0), (A, 120.0)),  # an older sighting never moves last_seen back
    ((B, 170.0), (A, 170.0)),  # exactly the window later: still the same story
    ((C, 220.1), (C, 220.1)),  # quiet for longer than the window: the story starts again
    ((A, 230.0), (C, 230.0)),
]


async def test_lead_rule_step_by_step(store: FullStore) -> None:
    for (key, seen), (want_key, want_seen) in LEAD_STEPS:
        lead = await store.story_lead("floods", "story-1", StoryLead(key, f"title {key}", seen), 50.0)
        assert lead == StoryLead(want_key, f"title {want_key}", want_seen), (key, seen)


async def test_leads_are_per_watchlist_and_story(store: FullStore) -> None:
    first = StoryLead(A, "Flood in Town", 100.0)
    assert await store.story_lead("floods", "s1", first, 50.0) == first
    other = StoryLead(B, "Quake", 101.0)
    assert await store.story_lead("quakes", "s1", other, 50.0) == other
    assert await store.story_lead("floods", "s2", other, 50.0) == other
    assert await store.story_lead("floods", "s1", StoryLead(C, "x", 99.0), 50.0) == first


async def test_concurrent_takers_agree_on_one_lead(store: FullStore) -> None:
    takers = [StoryLead(f"ww-{n}", f"title {n}", 100.0) for n in range(12)]
    leads = await asyncio.gather(*(store.story_lead("floods", "s", t, 50.0) for t in takers))
    assert len(set(leads)) == 1 and leads[0] in takers


async def test_leads_and_thread_refs_expire_story_ttl_after_their_last_touch(
    store_factory: StoreFactory,
) -> None:
    store = await store_factory.open()
    await store.story_lead("floods", "s1", StoryLead(A, "t", 0.0), 50.0)
    await store.set_thread_refs("slack", {A: "ts-1"}, now=0.0)
    if isinstance(store, RedisStore):  # Redis keeps its own clock: the keys' time to live
        keys = Keys(store._prefix)
        for key in (keys.story_lead("floods", "s1"), keys.thread_ref("slack", A)):
            assert STORY_TTL * 1000 - 60_000 < await store._r.pttl(key) <= STORY_TTL * 1000
        return
    await store.story_lead("floods", "s2", StoryLead(B, "t", STORY_TTL + 1), 50.0)
    await store.set_thread_refs("slack", {B: "ts-2"}, now=STORY_TTL + 1)
    assert await store.thread_refs("slack", [A, B]) == {B: "ts-2"}
    with sqlite3.connect(store_factory._db_path) as db:
        assert [r[0] for r in db.execute("SELECT story_id FROM story_lead")] == ["s2"]


# thread refs


async def test_thread_refs_keep_the_first_and_read_a_subset(store: FullStore) -> None:
    await store.set_thread_refs("matrix", {A: "$event-1", B: "$event-2"}, now=100.0)
    await store.set_thread_refs("matrix", {A: "$event-9", C: "$event-3"}, now=200.0)
    await store.set_thread_refs("matrix", {}, now=200.0)
    assert await store.thread_refs("matrix", [A, C, "ww-none"]) == {A: "$event-1", C: "$event-3"}
    assert await store.thread_refs("matrix", [B, B]) == {B: "$event-2"}
    assert await store.thread_refs("email", [A, B]) == {}
    assert await store.thread_refs("matrix", []) == {}
