"""The FullStore contract (service/state/base.py), checked against SQLite, fakeredis and Redis.

Limits come from ``TEST_LIMITS`` in conftest: seen_ttl=100, seen_max=5, dedup_ttl=1000; every
time is an injected UNIX second, so nothing here sleeps.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from service.state.base import FeedState, FullStore
from tests.support.alerts import make_entry, stored_alert

if TYPE_CHECKING:
    from tests.conftest import StoreFactory


# feeds


async def test_feed_state_round_trip(store: FullStore) -> None:
    assert await store.get_feed("never-polled") == FeedState()
    state = FeedState(
        etag='W/"abc"',
        last_modified="Wed, 01 May 2024 12:00:00 GMT",
        primed=True,
        failures=2,
        backoff_until=1714564800.25,
        item_times=[1.5, 2.5],
        health="failing",
    )
    await store.put_feed("feed-a", state)
    await store.put_feed("feed-b", FeedState(url="https://moved.example/rss"))
    assert await store.get_feed("feed-a") == state
    state.failures = 0
    await store.put_feed("feed-a", state)
    feeds = await store.list_feeds()
    assert feeds == {"feed-a": state, "feed-b": FeedState(url="https://moved.example/rss")}


# seen items


async def test_unseen_then_mark_seen(store: FullStore) -> None:
    assert await store.unseen("f", ["a", "b", "c"], now=1000) == ["a", "b", "c"]
    await store.mark_seen("f", ["a", "b"], now=1000)
    assert await store.unseen("f", ["c", "a", "d", "b"], now=1001) == ["c", "d"]
    assert await store.unseen("other", ["a"], now=1001) == ["a"]
    assert await store.unseen("f", [], now=1001) == []
    await store.mark_seen("f", [], now=1001)


async def test_seen_expires_after_ttl(store: FullStore) -> None:
    await store.mark_seen("f", ["a"], now=1000)
    assert await store.unseen("f", ["a"], now=1099.5) == []
    assert await store.unseen("f", ["a"], now=1100) == ["a"]
    await store.mark_seen("f", ["a"], now=1090)  # seen again: remembered from the new time
    assert await store.unseen("f", ["a"], now=1150) == []
    await store.mark_seen("f", ["b"], now=1300)  # prunes the expired "a"
    assert await store.unseen("f", ["a", "b"], now=1300) == ["a"]


async def test_seen_keeps_the_newest_seen_max(store: FullStore) -> None:
    ids = [f"i{n}" for n in range(8)]
    for n, item_id in enumerate(ids):
        await store.mark_seen("f", [item_id], now=1000 + n)
    assert await store.unseen("f", ids, now=1010) == ["i0", "i1", "i2"]
    await store.mark_seen("f", ["i3", "i8"], now=1020)  # i3 refreshed; the oldest, i4, goes
    assert await store.unseen("f", [*ids, "i8"], now=1021) == ["i0", "i1", "i2", "i4"]


# dedup + outbox


async def test_claim_and_enqueue_is_idempotent(store: FullStore) -> None:
    entries = [make_entry("k1", "slack"), make_entry("k1", "mail")]
    assert await store.claim_and_enqueue("k1", entries, now=100) is True
    again = [make_entry("k1", "slack", at=500), make_entry("k1", "webhook")]
    assert await store.claim_and_enqueue("k1", again, now=101) is False
    pending = await store.pending()
    assert sorted((e.channel, e.next_attempt) for e in pending) == [
        ("mail", 100.0),
        ("slack", 100.0),
    ]
    assert await store.depth() == {"mail": (1, 0), "slack": (1, 0)}
    assert pending[0].alert == stored_alert("k1")


async def test_claim_expires_after_dedup_ttl(store: FullStore) -> None:
    assert await store.claim_and_enqueue("k1", [make_entry("k1")], now=1000)
    assert not await store.claim_and_enqueue("k1", [make_entry("k1", at=1500)], now=1999.5)
    assert await store.claim_and_enqueue("k1", [make_entry("k1", at=2000)], now=2000)
    assert [e.next_attempt for e in await store.pending("slack")] == [2000.0]
    assert not await store.claim_and_enqueue("k1", [make_entry("k1")], now=2001)


async def test_claim_without_entries_still_claims(store: FullStore) -> None:
    assert await store.claim_and_enqueue("k1", [], now=1)
    assert not await store.claim_and_enqueue("k1", [make_entry("k1")], now=2)
    assert await store.pending() == []


async def test_concurrent_claims_exactly_one_wins(store: FullStore) -> None:
    async def claim(n: int) -> bool:
        return await store.claim_and_enqueue("hot", [make_entry("hot", at=float(n))], now=100)

    results = await asyncio.gather(*(claim(n) for n in range(25)))
    assert results.count(True) == 1
    assert len(await store.pending("slack")) == 1


async def hold(store: FullStore, channel: str = "slack", now: float = 10_000.0) -> str:
    """Claim everything due on ``channel`` (as a worker does before it records a result)."""
    claim = await store.claim(channel, now, 1000, token=f"t-{channel}-{now}", lease=1.0, spacing=0.0)
    return claim.token


async def test_claim_is_oldest_first_and_limited(store: FullStore) -> None:
    await store.enqueue(
        [
            make_entry("c", at=30),
            make_entry("a", at=10),
            make_entry("b", at=20),
            make_entry("x", "mail", at=1),
        ]
    )
    assert (await store.claim("slack", 5, 10, token="t0", lease=10, spacing=0)).entries == []
    assert (await store.claim("slack", 99, 0, token="t0", lease=10, spacing=0)).entries == []
    assert (await store.claim("nobody", 99, 5, token="t0", lease=10, spacing=0)).entries == []
    claim = await store.claim("slack", 25, 10, token="t1", lease=100, spacing=0)
    assert (claim.token, [e.alert.key for e in claim.entries]) == ("t1", ["a", "b"])
    again = await store.claim("slack", 30, 10, token="t2", lease=100, spacing=0)
    assert [e.alert.key for e in again.entries] == ["c"], "held entries are not claimed twice"
    assert [e.alert.key for e in await store.pending("slack")] == ["a", "b", "c"]
    assert [e.alert.key for e in await store.pending()] == ["x", "a", "b", "c"]


async def test_a_claim_ends_with_its_lease(store: FullStore) -> None:
    await store.enqueue([make_entry("a", at=10)])
    first = await store.claim("slack", 10, 5, token="dead-worker", lease=60, spacing=0)
    assert [e.alert.key for e in first.entries] == ["a"]
    assert (await store.claim("slack", 69, 5, token="other", lease=60, spacing=0)).entries == []
    assert await store.next_due("slack") == 70.0
    taken = await store.claim("slack", 70, 5, token="other", lease=60, spacing=0)
    assert [e.alert.key for e in taken.entries] == ["a"]
    await store.reschedule([make_entry("a").id], next_attempt=500, error="late", token="dead-worker")
    [entry] = await store.pending()
    assert (entry.attempts, entry.next_attempt) == (0, 10.0), "a stale worker cannot move it"
    await store.reschedule([entry.id], next_attempt=500, error="HTTP 503", token="other")
    [entry] = await store.pending()
    assert (entry.attempts, entry.next_attempt, entry.last_error) == (1, 500.0, "HTTP 503")


async def test_release_gives_entries_back_at_their_plan(store: FullStore) -> None:
    await store.enqueue([make_entry("a", at=10), make_entry("b", at=12)])
    claim = await store.claim("slack", 20, 5, token="t", lease=100, spacing=0)
    await store.release([make_entry("b").id], "someone-else")
    assert await store.next_due("slack") == 120.0
    await store.release([make_entry("b").id], "t")
    assert await store.next_due("slack") == 20.0, "b is due at 12, but the claim's gate (spacing 0) says 20"
    assert [e.alert.key for e in claim.entries] == ["a", "b"]
    assert [
        e.alert.key for e in (await store.claim("slack", 20, 5, token="u", lease=9, spacing=0)).entries
    ] == ["b"]


async def test_defer_moves_a_claimed_entry_without_counting_an_attempt(store: FullStore) -> None:
    await store.enqueue([make_entry("a", at=10)])
    await store.claim("slack", 20, 5, token="t", lease=100, spacing=0)
    await store.defer([make_entry("a").id], 300, "someone-else")
    assert await store.next_due("slack") == 120.0, "only the claim's holder may defer it"
    await store.defer([make_entry("a").id], 300, "t")
    [entry] = await store.pending()
    assert (entry.attempts, entry.next_attempt, entry.last_error) == (0, 300.0, None)
    assert await store.next_due("slack") == 300.0
    assert (await store.claim("slack", 299, 5, token="u", lease=9, spacing=0)).entries == []
    assert [
        e.alert.key for e in (await store.claim("slack", 300, 5, token="u", lease=9, spacing=0)).entries
    ] == ["a"]


async def test_batches_survive_and_come_back_together(store: FullStore) -> None:
    await store.enqueue([make_entry(k, at=10) for k in "wxyz"])
    claim = await store.claim("slack", 10, 10, token="t1", lease=5, spacing=0)
    await store.bind_batch([e.id for e in claim.entries[:3]], "group-k", "t1")
    await store.release([claim.entries[3].id], "t1")
    await store.reschedule([e.id for e in claim.entries[:3]], next_attempt=50, error="timeout", token="t1")
    await store.enqueue([make_entry("new", at=40)])
    early = (await store.claim("slack", 45, 10, token="t2", lease=100, spacing=0)).entries
    assert [e.alert.key for e in early] == ["z", "new"], "the batch is not due yet; the rest is"
    back = await store.claim("slack", 60, 1, token="t3", lease=5, spacing=0)
    assert sorted((e.alert.key, e.batch) for e in back.entries) == [
        ("w", "group-k"),
        ("x", "group-k"),
        ("y", "group-k"),
    ], "limit 1 still brings every member of the batch"


async def test_gate_spaces_claims_and_pause_closes_it(store: FullStore) -> None:
    await store.enqueue([make_entry(k, at=1) for k in "abc"])
    one = await store.claim("slack", 10, 1, token="t1", lease=100, spacing=2.0)
    assert [e.alert.key for e in one.entries] == ["a"]
    shut = await store.claim("slack", 11, 1, token="t2", lease=100, spacing=2.0)
    assert (shut.entries, shut.wait_until) == ([], 12.0)
    assert await store.next_due("slack") == 12.0
    assert [
        e.alert.key for e in (await store.claim("slack", 12, 1, token="t3", lease=100, spacing=2)).entries
    ] == ["b"]
    await store.pause("slack", 40.0)
    await store.pause("slack", 30.0)  # a pause never shortens another
    assert (await store.claim("slack", 39, 1, token="t4", lease=100, spacing=0)).wait_until == 40.0
    assert await store.next_due("slack") == 40.0
    assert [
        e.alert.key for e in (await store.claim("slack", 40, 1, token="t5", lease=100, spacing=0)).entries
    ] == ["c"]
    assert (await store.claim("mail", 39, 1, token="t6", lease=1, spacing=0)).wait_until is None


async def test_next_due(store: FullStore) -> None:
    assert await store.next_due("slack") is None
    await store.enqueue([make_entry("a", at=50.5), make_entry("b", at=20.25)])
    assert await store.next_due("slack") == 20.25
    await store.ack([make_entry("b").id])
    assert await store.next_due("slack") == 50.5
    assert await store.next_due("mail") is None


async def test_reschedule_counts_attempts_and_keeps_the_payload(store: FullStore) -> None:
    entry = make_entry("k1", at=100)
    await store.enqueue([entry])
    token = await hold(store, now=100)
    await store.reschedule([entry.id, "unknown@slack"], next_attempt=160.5, error="HTTP 503", token=token)
    token = await hold(store, now=160.5)
    await store.reschedule([entry.id], next_attempt=220.5, error="timeout", token=token)
    assert (await store.claim("slack", 200, 5, token="x", lease=1, spacing=0)).entries == []
    [got] = (await store.claim("slack", 220.5, 5, token="y", lease=1, spacing=0)).entries
    assert (got.attempts, got.next_attempt, got.last_error) == (2, 220.5, "timeout")
    assert (got.alert, got.created_at, got.id) == (entry.alert, 100.0, entry.id)


async def test_ack_removes_only_what_it_names(store: FullStore) -> None:
    a, b = make_entry("a"), make_entry("b")
    await store.enqueue([a, b])
    await store.ack([a.id, "unknown@slack"])
    await store.ack([])
    assert [e.id for e in await store.pending()] == [b.id]
    await store.dead_letter([b.id], "HTTP 404", now=5, token=await hold(store))
    await store.ack([b.id])  # a dead letter leaves only by revive or drop
    assert [d.id for d in await store.dead_letters()] == [b.id]


async def test_dead_letter_moves_with_reason(store: FullStore) -> None:
    a, b, m = make_entry("a"), make_entry("b"), make_entry("m", "mail")
    await store.enqueue([a, b, m])
    await store.reschedule([a.id], next_attempt=150, error="HTTP 500", token=await hold(store, now=100))
    slack, mail = await hold(store, now=200), await hold(store, "mail", now=200)
    await store.dead_letter([a.id], "HTTP 404 not found", now=200, token=slack)
    await store.dead_letter([m.id], "HTTP 404 not found", now=200, token="not-the-holder")
    await store.dead_letter([m.id], "HTTP 404 not found", now=200, token=mail)
    assert [e.id for e in await store.pending()] == [b.id]
    dead = await store.dead_letters()
    assert [(d.id, d.reason, d.died_at) for d in dead] == [
        (a.id, "HTTP 404 not found", 200.0),
        (m.id, "HTTP 404 not found", 200.0),
    ]
    assert dead[0].entry.attempts == 1 and dead[0].entry.last_error == "HTTP 500"
    assert [d.id for d in await store.dead_letters("mail")] == [m.id]
    assert await store.depth() == {"slack": (1, 1), "mail": (0, 1)}


async def test_revive_resets_attempts_and_makes_due(store: FullStore) -> None:
    a, b = make_entry("a", at=10), make_entry("b", at=10)
    await store.enqueue([a, b])
    await store.reschedule([a.id], next_attempt=900, error="HTTP 500", token=await hold(store, now=10))
    await store.dead_letter([a.id], "too many attempts", now=950, token=await hold(store, now=950))
    assert await store.revive([a.id, b.id, "unknown@slack"], now=1000) == 1  # b is not dead
    assert await store.dead_letters() == []
    pending = {e.id: (e.attempts, e.next_attempt) for e in await store.pending()}
    assert pending == {a.id: (0, 1000.0), b.id: (0, 10.0)}
    due = (await store.claim("slack", 1000, 5, token="t", lease=1, spacing=0)).entries
    assert {e.id for e in due} == {a.id, b.id}


async def test_drop_works_on_outbox_and_dead_letters(store: FullStore) -> None:
    a, b, c = make_entry("a"), make_entry("b"), make_entry("c")
    await store.enqueue([a, b, c])
    token = await hold(store)
    await store.dead_letter([b.id], "HTTP 400", now=1, token=token)
    assert await store.drop([a.id, b.id, "unknown@slack"]) == 2
    assert await store.drop([a.id]) == 0
    assert [e.id for e in await store.pending()] == [c.id]
    assert await store.dead_letters() == []
    assert await store.depth() == {"slack": (1, 0)}


async def test_enqueue_replaces_same_id(store: FullStore) -> None:
    await store.enqueue([make_entry("a", at=10)])
    await store.dead_letter([make_entry("a").id], "HTTP 400", now=11, token=await hold(store))
    await store.enqueue([make_entry("a", at=20), make_entry("b", at=30)])
    assert [(e.alert.key, e.next_attempt) for e in await store.pending()] == [
        ("a", 20.0),
        ("b", 30.0),
    ]
    assert await store.dead_letters() == []


async def test_depth_per_channel(store: FullStore) -> None:
    assert await store.depth() == {}
    await store.enqueue([make_entry("a"), make_entry("b"), make_entry("a", "mail")])
    token = await hold(store)
    await store.release([make_entry("a").id], token)
    await store.dead_letter([make_entry("b").id], "HTTP 400", now=1, token=token)
    assert await store.depth() == {"slack": (1, 1), "mail": (1, 0)}
    await store.drop([make_entry("a", "mail").id])
    assert await store.depth() == {"slack": (1, 1)}


async def test_everything_survives_close_and_reopen(store_factory: StoreFactory) -> None:
    first = await store_factory.open()
    await first.put_feed("feed-a", FeedState(etag="e1", primed=True))
    await first.mark_seen("feed-a", ["x", "y"], now=1000)
    await first.claim_and_enqueue("k1", [make_entry("k1"), make_entry("k1", "mail")], now=1000)
    await first.dead_letter(
        [make_entry("k1", "mail").id], "HTTP 401", now=1001, token=await hold(first, "mail")
    )
    await first.close()

    second = await store_factory.open()
    assert await second.get_feed("feed-a") == FeedState(etag="e1", primed=True)
    assert await second.unseen("feed-a", ["x", "y", "z"], now=1002) == ["z"]
    assert not await second.claim_and_enqueue("k1", [make_entry("k1", "other")], now=1002)
    assert [e.alert for e in await second.pending()] == [stored_alert("k1")]
    assert [(d.id, d.reason) for d in await second.dead_letters()] == [("k1@mail", "HTTP 401")]


async def test_epoch_is_written_once(store: FullStore) -> None:
    assert await store.epoch() is None
    assert await store.ensure_epoch("first") == "first"
    assert await store.ensure_epoch("second") == "first", "an existing marker is never replaced"
    assert await store.epoch() == "first"


async def test_restored_claims_hold_dedup(store: FullStore) -> None:
    await store.restore_claims(["k1", "k2", "k1"], now=500)
    await store.restore_claims([], now=500)
    assert not await store.claim_and_enqueue("k1", [make_entry("k1")], now=600)
    assert not await store.claim_and_enqueue("k2", [make_entry("k2")], now=1499)
    assert await store.claim_and_enqueue("k2", [make_entry("k2")], now=1500), "dedup_ttl 1000 from 500"
    assert await store.claim_and_enqueue("k3", [make_entry("k3")], now=600)


async def test_forget_seen_makes_items_new_again(store: FullStore) -> None:
    await store.mark_seen("f", ["a", "b", "c"], now=10)
    await store.forget_seen("f", ["b", "zz"])
    await store.forget_seen("f", [])
    assert await store.unseen("f", ["a", "b", "c"], now=11) == ["b"]


async def test_poll_lease_is_one_holder_at_a_time(store: FullStore) -> None:
    assert await store.lease_poll("wire", "a", ttl=30, now=100)
    assert not await store.lease_poll("wire", "b", ttl=30, now=101)
    assert await store.lease_poll("other", "b", ttl=30, now=101), "leases are per feed"
    await store.release_poll("wire", "b")  # not the holder: nothing happens
    assert not await store.lease_poll("wire", "b", ttl=30, now=102)
    await store.release_poll("wire", "a")
    assert await store.lease_poll("wire", "b", ttl=30, now=103)


async def test_fenced_write_needs_the_lease(store: FullStore) -> None:
    assert await store.lease_poll("wire", "a", ttl=30, now=100)
    assert not await store.put_feed_fenced("wire", FeedState(etag="stale"), "b", now=101)
    assert await store.get_feed("wire") == FeedState()
    assert await store.put_feed_fenced("wire", FeedState(etag="fresh"), "a", now=101)
    assert (await store.get_feed("wire")).etag == "fresh"
    assert await store.lease_poll("wire", "c", ttl=30, now=102), "a fenced write releases the lease"
    assert not await store.put_feed_fenced("wire", FeedState(etag="late"), "a", now=103)
    assert (await store.get_feed("wire")).etag == "fresh"


async def test_a_dead_pollers_lease_runs_out(store: FullStore) -> None:
    assert await store.lease_poll("wire", "dead", ttl=0.2, now=100)
    assert not await store.lease_poll("wire", "next", ttl=30, now=100.1)
    await asyncio.sleep(0.25)  # Redis expires leases on its own clock; SQLite on the caller's
    assert await store.lease_poll("wire", "next", ttl=30, now=100.3)
    assert not await store.put_feed_fenced("wire", FeedState(etag="zombie"), "dead", now=100.4)
