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
        keys = [str(k) for k in await store._r.keys("*")]
    finally:
        await store.close()
    assert len(keys) >= 10 and all(k.startswith(PREFIX) for k in keys), keys
    assert {key_slot(k.encode()) for k in keys} == {key_slot(PREFIX.encode())}, keys
