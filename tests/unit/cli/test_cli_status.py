"""``render_status`` against an in-memory store that keeps the FullStore read contract."""

from __future__ import annotations

import json

import pytest

from service.cli.status import render_status
from service.state.base import FeedState

NOW = 1_700_000_000.0


class FakeStore:
    """Only what status reads: list_feeds and depth."""

    def __init__(self, feeds: dict[str, FeedState], depth: dict[str, tuple[int, int]]) -> None:
        self._feeds, self._depth = feeds, depth

    async def list_feeds(self) -> dict[str, FeedState]:
        return dict(self._feeds)

    async def depth(self) -> dict[str, tuple[int, int]]:
        return dict(self._depth)


FEEDS = ["healthy", "flaky", "gone", "fresh"]
STATES = {
    "healthy": FeedState(last_poll=NOW - 120, last_ok=NOW - 120, last_new_item=NOW - 3 * 3600,
                         next_poll=NOW + 180),  # fmt: skip
    "flaky": FeedState(last_poll=NOW - 60, failures=6, backoff_until=NOW + 1800,
                       next_poll=NOW + 1800, health="failing",
                       last_error="GET https://u:hunter2@x.example/f.xml: HTTP 503\nmore"),
    "gone": FeedState(last_poll=NOW - 86400, disabled_reason="410 Gone"),
}  # fmt: skip
DEPTH = {"slack": (3, 1), "console": (0, 0)}


async def test_text_report_shows_feeds_and_channels() -> None:
    text = await render_status(FakeStore(STATES, DEPTH), FEEDS, NOW)  # type: ignore[arg-type]
    lines = text.splitlines()
    row = {line.split()[0]: line for line in lines if line.split() and line.split()[0] in
           {"healthy", "flaky", "gone", "fresh", "slack", "console"}}  # fmt: skip
    assert "2m ago" in row["healthy"] and "3h ago" in row["healthy"] and "in 3m" in row["healthy"]
    assert "ok" in row["healthy"]
    assert "backing off 30m, 6 failures, failing" in row["flaky"]
    assert "HTTP 503" in row["flaky"] and "hunter2" not in text and "more" not in row["flaky"]
    assert "disabled (410 Gone)" in row["gone"]
    assert "never" in row["fresh"] and "not polled yet" in row["fresh"]
    assert row["slack"].split() == ["slack", "3", "1"]
    assert row["console"].split() == ["console", "0", "0"]
    assert lines[0] == "Feeds (4)" and "LAST POLL" in lines[1]


async def test_json_report_has_the_same_facts() -> None:
    raw = await render_status(FakeStore(STATES, DEPTH), FEEDS, NOW, fmt="json")  # type: ignore[arg-type]
    data = json.loads(raw)
    by_id = {f["feed_id"]: f for f in data["feeds"]}
    assert list(by_id) == ["healthy", "flaky", "gone", "fresh"]
    assert by_id["flaky"]["backing_off"] is True and by_id["flaky"]["failures"] == 6
    assert by_id["flaky"]["backoff_until"] == "2023-11-14T22:43:20+00:00"
    assert by_id["healthy"]["backing_off"] is False and by_id["healthy"]["backoff_until"] is None
    assert by_id["gone"]["disabled_reason"] == "410 Gone"
    assert by_id["fresh"]["last_poll"] is None
    assert data["channels"] == {
        "console": {"pending": 0, "dead": 0},
        "slack": {"pending": 3, "dead": 1},
    }
    assert "hunter2" not in raw


async def test_empty_outbox_and_unknown_format() -> None:
    text = await render_status(FakeStore({}, {}), [], NOW)  # type: ignore[arg-type]
    assert "Feeds (0)" in text and "empty" in text
    with pytest.raises(ValueError, match="unknown status format"):
        await render_status(FakeStore({}, {}), [], NOW, fmt="yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("next_poll", "stale"),
    [(NOW + 60, False), (NOW - 30, False), (NOW - 119, False), (NOW - 121, True), (NOW - 7200, True)],
)
async def test_a_poll_long_overdue_is_stale_not_ok(next_poll: float, stale: bool) -> None:
    """Polls that cannot write their state (disk full) leave the last state behind: its planned
    next poll passes and no newer one is recorded. That must not read as "ok"."""
    state = FeedState(last_poll=next_poll - 300, last_ok=next_poll - 300, next_poll=next_poll)
    text = await render_status(FakeStore({"wire": state}, {}), ["wire"], NOW)  # type: ignore[arg-type]
    data = json.loads(await render_status(FakeStore({"wire": state}, {}), ["wire"], NOW, fmt="json"))  # type: ignore[arg-type]
    row = next(line for line in text.splitlines() if line.startswith("wire"))
    assert ("stale: no poll recorded" in row) is stale and (" ok " in row + " ") is (not stale)
    assert data["feeds"][0]["stale"] is stale
