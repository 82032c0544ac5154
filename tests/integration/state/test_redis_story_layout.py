"""The Redis stories layout keeps its promises about memory: every key the story scripts write
expires, slices go when their entries can be no longer alive, and a band key with many refs
stays in a listpack-encoded hash (``redis/stories.py``, ``keys.py``).

Against the private redis-server of the test session, on Redis's own clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from service.state.keys import Keys
from service.state.redis import RedisStore
from service.state.redis.stories import BUCKETS, PER_FIELD, SLICES, slice_exponent
from service.stories import StoryEntry

LIFETIME = 0.5


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    opened = RedisStore.from_url(redis_url, seen_ttl=100, seen_max=5, dedup_ttl=100)
    yield opened
    await opened.close()


def entry(n: int, seen_at: float) -> StoryEntry:
    return StoryEntry(f"{n:016x}", f"story-{n}", seen_at, b"\x00fp" + bytes([n % 256]))


async def story_keys(store: RedisStore) -> list[str]:
    return sorted(str(k) for k in await store._r.keys("*story*"))


async def test_every_story_key_has_a_ttl_within_lifetime_and_one_slice(store: RedisStore) -> None:
    now = time.time()
    for n in range(3):
        await store.story_add(entry(n, now), [n, 7 + n * BUCKETS], now + 60.0)
    await store.story_lookup([0, 1, 7], now - 60.0, 10)
    keys = await story_keys(store)
    assert len(keys) == 3 + 1 + 4, keys  # entries, the slices hash, buckets 0, 1, 2 and 7 (shared)
    slice_size = 2 ** slice_exponent(60.0)
    for key in keys:
        assert 59_000 < await store._r.pttl(key) <= (60.0 + slice_size) * 1000, key


async def test_slices_and_entries_are_gone_after_their_lifetime(store: RedisStore) -> None:
    now = time.time()
    for n in range(PER_FIELD + 3):
        await store.story_add(entry(n, now + n / 1000), [1, 2, 3 + n], now + n / 1000 + LIFETIME)
    assert len(await story_keys(store)) > 10
    await asyncio.sleep(LIFETIME * (1 + 1 / SLICES) + 0.2)  # a slice is at most 1/SLICES of one
    assert await story_keys(store) == []


async def test_a_band_with_many_refs_stays_a_listpack_and_finds_them_all(store: RedisStore) -> None:
    count = 5 * PER_FIELD + 2
    for n in range(count):
        await store.story_add(entry(n, 1024.0 + n), [42], 5000.0)
    found = await store.story_lookup([42], 0.0, 100)
    assert [e.ref for e in found] == [f"{n:016x}" for n in reversed(range(count))]
    k = slice_exponent(4000.0)
    bucket = Keys(store._prefix).story_slice(k, int(1024.0 // 2**k), 42 % BUCKETS)
    assert await store._r.object("encoding", bucket) == "listpack"
    assert await store._r.hlen(bucket) == 6  # the band's field and five continuations
