"""``render_status`` over the real stores (SQLite, fakeredis, real Redis): same report from each."""

from __future__ import annotations

import json

from service.cli.status import render_status
from service.state.base import FeedState, FullStore, OutboxEntry
from tests.support.alerts import make_alert

NOW = 1_700_000_000.0


async def test_status_reads_feeds_outbox_and_dead_letters(store: FullStore) -> None:
    wire = FeedState(last_poll=NOW - 60, last_new_item=NOW - 7200, next_poll=NOW + 240)
    down = FeedState(last_poll=NOW - 30, failures=3, backoff_until=NOW + 600, last_error="HTTP 502")
    await store.put_feed("wire", wire)
    await store.put_feed("down", down)
    alerts = [make_alert(key=f"k{i}") for i in range(3)]
    for n, alert in enumerate(alerts):
        entry = OutboxEntry("slack", alert, next_attempt=NOW - 3 + n, created_at=NOW)
        assert await store.claim_and_enqueue(alert.key, [entry], NOW)
    claim = await store.claim("slack", NOW, 1, token="t", lease=60, spacing=0)
    await store.dead_letter([claim.entries[0].id], "HTTP 404 (not retryable)", NOW, claim.token)

    feeds = ["wire", "down", "new"]
    text = await render_status(store, feeds, NOW)
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "1m ago" in rows["wire"] and "2h ago" in rows["wire"] and "in 4m" in rows["wire"]
    assert "backing off 10m, 3 failures" in rows["down"] and "HTTP 502" in rows["down"]
    assert "not polled yet" in rows["new"]
    assert rows["slack"].split() == ["slack", "2", "1"]

    data = json.loads(await render_status(store, feeds, NOW, fmt="json"))
    assert data["channels"] == {"slack": {"pending": 2, "dead": 1}}
    assert [f["feed_id"] for f in data["feeds"]] == ["wire", "down", "new"]
    assert data["feeds"][1]["backing_off"] is True
