"""Every PollFailure reason, produced for real and counted under its own metric label.

The reason is decided where the failure is raised (fetch.py / poll.py), never by searching the
error text: a feed named ``capetown-news`` whose server refuses connections is ``connect``,
not ``too_large`` because its name contains "cap".
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.feeds import poll as poll_module
from service.feeds.client import make_baseline_client, make_client
from service.feeds.config import Feed
from service.feeds.fetch import PollFailure
from service.feeds.poll import PollOutcome, poll_feed
from service.settings import Settings
from service.state.base import FeedState
from tests.support.feed_server import FeedServer, running
from tests.support.settings import closed_port, quick_settings

NOW = 1_700_000_000.0
UNRESOLVABLE = "feeds.wirewatch-test.invalid"


def settings() -> Settings:
    return quick_settings(
        connect_timeout=1.0, read_timeout=0.3, fetch_timeout=3.0, max_feed_bytes=1 << 20, max_redirects=3
    )


@asynccontextmanager
async def raw_server(reply: bytes) -> AsyncIterator[int]:
    """A loopback TCP server that answers every connection with ``reply`` and hangs up."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``UNRESOLVABLE`` fails to resolve without asking any DNS server (traffic stays local)."""
    real = socket.getaddrinfo

    def fake(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == UNRESOLVABLE:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


Scenario = Callable[[str, Path], Awaitable[str]]  # (feed server base url, tmp) -> feed url


async def _path(base: str, _tmp: Path, name: str) -> str:
    return f"{base}/{name}"


def at(name: str) -> Scenario:
    return lambda base, tmp: _path(base, tmp, name)


async def refused(_base: str, _tmp: Path) -> str:
    return f"http://127.0.0.1:{closed_port()}/feed"


async def unresolvable(_base: str, _tmp: Path) -> str:
    return f"http://{UNRESOLVABLE}/feed"


async def missing_file(_base: str, tmp: Path) -> str:
    return (tmp / "no-such-feed.xml").as_uri()


REASONS: list[tuple[PollFailure, str, Scenario]] = [
    (PollFailure.HTTP, "http_500", at("broken")),
    (PollFailure.GONE, "gone", at("gone")),
    (PollFailure.RATE_LIMITED, "rate_limited", at("limited")),
    (PollFailure.TIMEOUT, "timeout", at("stall")),
    (PollFailure.TOO_LARGE, "too_large", at("huge")),
    (PollFailure.REDIRECTS, "redirects", at("loop")),
    (PollFailure.CONNECT, "connect", refused),
    (PollFailure.DNS, "dns", unresolvable),
    (PollFailure.ENCODING, "encoding", at("brotli")),
    (PollFailure.FILE, "file", missing_file),
]


async def poll(url: str, make: Callable[[Settings], httpx.AsyncClient], feed_id: str) -> PollOutcome:
    s = settings()
    feed = Feed(id=feed_id, url=url, title=feed_id, interval=300.0, backfill="none", jitter=0.0, headers={})
    async with make(s) as client:
        return await poll_feed(feed, FeedState(), client, s, NOW, random.Random(3))


@pytest.mark.parametrize("make", [make_client, make_baseline_client], ids=["fast", "baseline"])
@pytest.mark.parametrize(("reason", "label", "scenario"), REASONS, ids=[r[1] for r in REASONS])
async def test_each_failure_has_its_reason(
    tmp_path: Path, no_dns: None, make: Any, reason: PollFailure, label: str, scenario: Scenario
) -> None:
    async with running(FeedServer(str(tmp_path / "secret"))) as base:
        outcome = await poll(await scenario(base, tmp_path), make, "capetown-news")
    assert outcome.reason is reason, outcome.error
    assert outcome.metric_reason == label
    assert outcome.error is not None and outcome.error.startswith("feed capetown-news: ")


@pytest.mark.parametrize("make", [make_client, make_baseline_client], ids=["fast", "baseline"])
async def test_tls_to_a_plain_http_server_is_tls(tmp_path: Path, make: Any) -> None:
    async with running(FeedServer(str(tmp_path / "secret"))) as base:
        outcome = await poll(base.replace("http://", "https://") + "/plain", make, "f")
    assert outcome.reason is PollFailure.TLS, outcome.error
    assert outcome.metric_reason == "tls"


@pytest.mark.parametrize("make", [make_client, make_baseline_client], ids=["fast", "baseline"])
async def test_a_garbled_answer_is_network(make: Any) -> None:
    async with raw_server(b"SPEAKING NOT HTTP\r\n\r\n") as port:
        outcome = await poll(f"http://127.0.0.1:{port}/feed", make, "f")
    assert outcome.reason is PollFailure.NETWORK, outcome.error
    assert outcome.metric_reason == "network"


async def test_a_bug_of_ours_is_unexpected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(poll_module, "parse_body", broken)
    async with running(FeedServer(str(tmp_path / "secret"))) as base:
        outcome = await poll(f"{base}/plain", make_client, "f")
    assert outcome.reason is PollFailure.UNEXPECTED
    assert outcome.error is not None and "RuntimeError" in outcome.error


def test_every_reason_is_covered() -> None:
    covered = {r for r, _, _ in REASONS} | {PollFailure.TLS, PollFailure.NETWORK, PollFailure.UNEXPECTED}
    assert covered == set(PollFailure)
