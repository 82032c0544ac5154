"""poll_feed against a real, misbehaving HTTP server on 127.0.0.1, with both client kinds.

Each bad case must end as an outcome (never an exception) with a one-line error naming the
feed, a logged event, a sensible next poll, and the process well under 400 MB.
"""

from __future__ import annotations

import random
import resource
import time
from collections.abc import AsyncIterator, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from service.feeds.client import make_baseline_client, make_client
from service.feeds.config import Feed
from service.feeds.poll import PollOutcome, poll_feed
from service.settings import Settings
from service.state.base import FeedState
from tests.support.feed_server import FeedServer, running
from tests.support.settings import closed_port, quick_settings

NOW = 1_700_000_000.0
CLIENTS = [make_client, make_baseline_client]


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "fetch_timeout": 3.0,
        "max_feed_bytes": 1 << 20,
        "backoff_base": 60.0,
        "backoff_max": 3600.0,
        "max_redirects": 3,
    }
    values.update(overrides)
    return quick_settings(**values)


def feed(url: str, feed_id: str = "f1") -> Feed:
    return Feed(id=feed_id, url=url, title=feed_id, interval=300.0, backfill="none", jitter=10.0, headers={})


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[FeedServer, str]]:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    srv = FeedServer(str(secret))
    async with running(srv) as base:
        yield srv, base


@pytest.fixture(params=CLIENTS, ids=["fast", "baseline"])
def make(request: pytest.FixtureRequest) -> Callable[[Settings], httpx.AsyncClient]:
    factory: Callable[[Settings], httpx.AsyncClient] = request.param
    return factory


async def poll(
    make: Callable[[Settings], httpx.AsyncClient],
    url: str,
    state: FeedState | None = None,
    now: float = NOW,
    **overrides: Any,
) -> tuple[PollOutcome, FeedState, list[MutableMapping[str, Any]]]:
    state = state if state is not None else FeedState()
    s = settings(**overrides)
    async with make(s) as client:
        with capture_logs() as logs:
            outcome = await poll_feed(feed(url), state, client, s, now, random.Random(7))
    return outcome, state, logs


def assert_clear_error(outcome: PollOutcome, logs: list[MutableMapping[str, Any]], *words: str) -> None:
    assert outcome.items is None
    assert outcome.error is not None and outcome.error.startswith("feed f1: ")
    assert "\n" not in outcome.error and "Traceback" not in outcome.error
    for word in words:
        assert word in outcome.error
    assert any(e.get("feed_id") == "f1" and e.get("error") == outcome.error for e in logs)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 400 * 1024


async def test_etag_then_304_is_not_parsed(server: tuple[FeedServer, str], make: Any) -> None:
    srv, base = server
    first, state, _ = await poll(make, f"{base}/etag")
    assert first.status == "new" and first.items is not None
    assert [i.id for i in first.items] == ["good-1", "good-2"]
    assert state.etag == '"v1"' and state.last_ok == NOW and state.next_poll is not None
    assert NOW + 300 <= state.next_poll <= NOW + 310
    second, state, _ = await poll(make, f"{base}/etag", state, NOW + 300)
    assert (second.status, second.items, second.http_status) == ("not_modified", None, 304)
    assert srv.requests[-1].headers["If-None-Match"] == '"v1"'
    assert srv.requests[-1].headers["User-Agent"].startswith("Wirewatch/")


async def test_same_body_without_validators_is_not_parsed(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    first, state, _ = await poll(make, f"{base}/plain")
    assert first.status == "new" and state.body_hash
    second, state, _ = await poll(make, f"{base}/plain", state)
    assert (second.status, second.items) == ("unchanged", None)


async def test_gzip_body_is_decoded(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    outcome, _, _ = await poll(make, f"{base}/gzipped")
    assert outcome.items is not None and len(outcome.items) == 2


async def test_permanent_redirect_is_remembered(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    outcome, state, logs = await poll(make, f"{base}/moved")
    assert outcome.status == "new"
    assert state.url == f"{base}/etag"
    assert any(e["event"] == "feed_moved" and e["feed_id"] == "f1" for e in logs)
    again, state, _ = await poll(make, f"{base}/moved", state)
    assert again.status == "not_modified"


async def test_temporary_redirect_is_followed_not_remembered(
    server: tuple[FeedServer, str], make: Any
) -> None:
    _, base = server
    outcome, state, _ = await poll(make, f"{base}/temporary")
    assert outcome.status == "new" and state.url is None


async def test_redirect_loop_is_an_error(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    outcome, _, logs = await poll(make, f"{base}/loop")
    assert_clear_error(outcome, logs, "redirects")


async def test_410_disables_the_feed_until_its_url_changes(server: tuple[FeedServer, str], make: Any) -> None:
    srv, base = server
    outcome, state, logs = await poll(make, f"{base}/gone")
    assert (outcome.status, outcome.http_status) == ("gone", 410)
    assert outcome.error and "410 Gone" in outcome.error and "f1" in outcome.error
    assert state.disabled_reason == outcome.error
    assert any(e["event"] == "feed_gone" and e["log_level"] == "error" for e in logs)
    skipped, state, _ = await poll(make, f"{base}/gone", state, NOW + 600)
    assert skipped.status == "skipped" and srv.hits["gone"] == 1
    moved, state, _ = await poll(make, f"{base}/etag", state, NOW + 900)
    assert moved.status == "new" and state.disabled_reason is None


async def test_429_honours_retry_after(server: tuple[FeedServer, str], make: Any) -> None:
    srv, base = server
    outcome, state, logs = await poll(make, f"{base}/limited")
    assert (outcome.status, outcome.http_status) == ("rate_limited", 429)
    assert state.backoff_until == NOW + 120
    assert state.next_poll is not None and state.next_poll >= NOW + 300
    assert any(e["event"] == "feed_rate_limited" for e in logs)
    skipped, _, _ = await poll(make, f"{base}/limited", state, NOW + 60)
    assert skipped.status == "skipped" and srv.hits["limited"] == 1


async def test_503_retry_after_date_is_capped(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    outcome, state, _ = await poll(make, f"{base}/unavailable")
    assert outcome.status == "rate_limited"
    assert state.backoff_until == NOW + 3600  # backoff_max


async def test_500_backs_off_exponentially_and_keeps_trying(
    server: tuple[FeedServer, str], make: Any
) -> None:
    _, base = server
    state = FeedState()
    now = NOW
    waits = []
    for _ in range(10):
        outcome, state, logs = await poll(make, f"{base}/broken", state, now)
        assert_clear_error(outcome, logs, "HTTP 500")
        assert state.backoff_until is not None
        waits.append(state.backoff_until - now)
        now = state.backoff_until
    assert state.failures == 10 and state.disabled_reason is None
    assert 30 <= waits[0] <= 60 and all(w <= 3600 for w in waits)
    assert waits[-1] >= 1800  # reached the cap, still polling
    ok, state, _ = await poll(make, f"{base}/etag", state, now)
    assert ok.status == "new" and state.failures == 0 and state.backoff_until is None


async def test_connection_refused_is_an_error(make: Any) -> None:
    outcome, state, logs = await poll(make, f"http://127.0.0.1:{closed_port()}/feed")
    assert_clear_error(outcome, logs, "cannot connect")
    assert state.failures == 1


@pytest.mark.parametrize("path", ["huge", "huge-chunked"])
async def test_body_over_the_cap(server: tuple[FeedServer, str], make: Any, path: str) -> None:
    _, base = server
    outcome, _, logs = await poll(make, f"{base}/{path}")
    assert_clear_error(outcome, logs, "cap")


async def test_gzip_bomb_stops_at_the_cap(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    outcome, _, logs = await poll(make, f"{base}/bomb")
    assert_clear_error(outcome, logs, "cap", "decompression")


async def test_stalled_server_hits_the_read_timeout(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    started = time.monotonic()
    outcome, _, logs = await poll(make, f"{base}/stall", read_timeout=0.3)
    assert time.monotonic() - started < 2
    assert_clear_error(outcome, logs, "timed out")


async def test_dripping_server_hits_the_total_timeout(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    started = time.monotonic()
    outcome, _, logs = await poll(make, f"{base}/drip", fetch_timeout=0.5)
    assert time.monotonic() - started < 2
    assert_clear_error(outcome, logs, "0.5s")


async def test_billion_laughs_over_http(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    outcome, _, _ = await poll(make, f"{base}/laughs")
    assert outcome.items is not None
    (item,) = outcome.items
    assert item.id == "laugh" and len(item.title) < 100 and len(item.summary) < 100
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 400 * 1024


async def test_external_entity_over_http(server: tuple[FeedServer, str], make: Any) -> None:
    _, base = server
    outcome, _, _ = await poll(make, f"{base}/xxe")
    assert outcome.items is not None
    assert all("TOP-SECRET" not in i.title + i.summary for i in outcome.items)


async def test_large_body_parses_in_a_child_process(server: tuple[FeedServer, str]) -> None:
    _, base = server
    outcome, _, _ = await poll(make_client, f"{base}/big")
    assert outcome.items is not None and len(outcome.items) == 1000
    assert outcome.items[-1].id == "big-999"


async def test_url_change_resets_what_was_learned(server: tuple[FeedServer, str]) -> None:
    _, base = server
    state = FeedState(
        configured_url="https://old.example/feed",
        url="https://old.example/moved",
        etag='"old"',
        body_hash="abc",
        disabled_reason="gone",
        failures=3,
        backoff_until=NOW + 9999,
    )
    outcome, state, _ = await poll(make_client, f"{base}/etag", state)
    assert outcome.status == "new"
    assert state.configured_url == f"{base}/etag" and state.url is None
    assert state.etag == '"v1"' and state.failures == 0


async def test_error_messages_hide_query_strings(make: Any) -> None:
    url = f"http://127.0.0.1:{closed_port()}/feed?token=SECRET123"
    outcome, state, logs = await poll(make, url)
    assert outcome.error and "SECRET123" not in outcome.error
    assert "SECRET123" not in repr(logs) and "SECRET123" not in (state.last_error or "")
