"""Every key the Redis store writes can live in one Redis Cluster slot.

With a hash tag in the prefix (``WIREWATCH_REDIS_PREFIX={ww}:``) every key of every role hashes
to the same slot, so each multi-key script finds all its keys on one node (and each script call
names a key of that slot, for a cluster client to route it). Checked by running every role of
the store against a real Redis and hashing the keys it left, as a Redis Cluster would.
"""

from __future__ import annotations

from redis.crc import key_slot

from service.state.base import FeedState
from service.state.redis import RedisStore
from service.state.stories import StoryLead
from service.stories import StoryEntry
from tests.support.alerts import make_entry

PREFIX = "{ww}:"


async def test_every_key_hashes_to_the_prefix_slot(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url, seen_ttl=100, seen_max=5, dedup_ttl=100, prefix=PREFIX)
    try:
        await store.open()
        await store.ensure_epoch("e")
        await store.put_feed("wire", FeedState(etag="x"))
        await store.lease_poll("wire", "t", ttl=30, now=1)
        await store.mark_seen("wire", ["a", "b"], now=1)
        await store.claim_and_enqueue("k1", [make_entry("k1"), make_entry("k1", "mail")], now=1)
        await store.claim_and_enqueue("k2", [make_entry("k2")], now=1)
        claim = await store.claim("slack", 200, 5, token="t", lease=10, spacing=1)
        await store.bind_batch([e.id for e in claim.entries], "group-1", "t")
        await store.dead_letter([make_entry("k1").id], "HTTP 400", now=2, token="t")
        await store.pause("mail", 500)
        await store.restore_claims(["k3"], now=3)
        await store.story_add(StoryEntry("r1", "r1", 4.0, b"fp"), [7, 2**64 - 1], expires_at=100)
        await store.story_lookup([7, 8], since=0, limit=5)
        await store.story_lead("floods", "r1", StoryLead("k1", "title", 4.0), window=50)
        await store.set_thread_refs("slack", {"k1": "ts-1", "k2": "ts-2"}, now=4)
        await store.thread_refs("slack", ["k1", "k2"])
        keys = [str(k) for k in await store._r.keys("*")]
    finally:
        await store.close()
    assert len(keys) >= 15 and all(k.startswith(PREFIX) for k in keys), keys
    assert {key_slot(k.encode()) for k in keys} == {key_slot(PREFIX.encode())}, keys


async def test_story_keys_share_one_slot_without_a_hash_tag_in_the_prefix(redis_url: str) -> None:
    """A plain prefix: the story keys still share a slot (their own ``{s}`` tag), so each story
    script and each MGET of thread refs stays on one node."""
    store = RedisStore.from_url(redis_url, seen_ttl=100, seen_max=5, dedup_ttl=100)
    try:
        await store.story_add(StoryEntry("r1", "r1", 4.0, b"fp"), [7, 9], expires_at=100)
        await store.story_lead("floods", "r1", StoryLead("k1", "title", 4.0), window=50)
        await store.set_thread_refs("slack", {"k1": "ts-1"}, now=4)
        keys = [str(k) for k in await store._r.keys("*story*")]
    finally:
        await store.close()
    # entry, slices, a slice hash per bucket of 7 and 9, lead, thread ref
    assert len(keys) == 6 and len({key_slot(k.encode()) for k in keys}) == 1, keys
