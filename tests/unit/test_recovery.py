"""StateWatch on a real store (SQLite, fakeredis, Redis): a wipe is noticed once and repaired
from what this process knows: delivered keys claimed again, settled items seen again, feeds
primed with their validators cleared."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from service import metrics
from service.recovery import StateWatch
from service.state.base import FeedState, FullStore
from service.state.redis import RedisStore
from service.state.sqlite import SqliteStore
from tests.support.alerts import make_entry


@pytest.mark.parametrize("store_factory", ["sqlite", "fakeredis"], indirect=True)
async def test_a_wipe_is_repaired_once_from_memory(store_factory: object) -> None:
    store: FullStore = await store_factory.open()  # type: ignore[attr-defined]
    watch = StateWatch(store, clock=lambda: 1000.0)
    await watch.start()
    assert await watch.check() is False
    state = FeedState(etag='"v1"', last_modified="x", body_hash="h", primed=True, last_ok=900.0)
    await store.put_feed("wire", state)
    watch.feed_written("wire", state)
    watch.items_seen("wire", {"old": [], "sent": ["k-sent"], "pending": ["k-pending"]})
    watch.delivered(["k-sent"])

    before = metrics.STATE_WIPES._value.get()
    await store.ensure_epoch("x")  # nothing changes while the marker is ours
    assert await watch.check() is False
    await _forget_epoch(store)
    with capture_logs() as logs:
        assert await watch.check() is True
        assert await watch.check() is False, "repaired once, not on every check"
    assert metrics.STATE_WIPES._value.get() == before + 1
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["state_wiped"]
    restored = await store.get_feed("wire")
    assert restored.primed and restored.last_ok == 900.0
    assert (restored.etag, restored.last_modified, restored.body_hash) == (None, None, None)
    assert await store.unseen("wire", ["old", "sent", "pending", "new"], now=1001) == ["pending", "new"]
    assert not await store.claim_and_enqueue("k-sent", [make_entry("k-sent")], now=1001)
    assert await store.claim_and_enqueue("k-pending", [make_entry("k-pending")], now=1001)


async def _forget_epoch(store: FullStore) -> None:
    """The marker goes as a wipe takes it (SQLite: its row; Redis: its key)."""
    if isinstance(store, SqliteStore):
        await store._run(lambda db: db.execute("DELETE FROM meta"))
    else:
        assert isinstance(store, RedisStore)
        await store._r.delete(store._keys.epoch)
