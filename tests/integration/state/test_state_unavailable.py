"""A Redis that is not there: StateUnavailable, quickly, one line, and never the password."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from service.settings import Settings
from service.state.base import StateUnavailable
from service.state.open import open_store
from service.state.redis import RedisStore
from tests.support.alerts import make_entry
from tests.support.waiting import free_port as closed_port

SECRET = "s3cret-Pa55word"


def dead_url() -> str:
    return f"redis://wirewatch:{SECRET}@127.0.0.1:{closed_port()}/0"


async def test_stopped_redis_raises_state_unavailable_quickly() -> None:
    store = RedisStore.from_url(dead_url(), seen_ttl=10, seen_max=10, dedup_ttl=10, timeout=1.0)
    calls = [
        store.ping(),
        store.unseen("f", ["a"], now=1),
        store.mark_seen("f", ["a"], now=1),
        store.claim_and_enqueue("k", [make_entry("k")], now=1),
        store.claim("slack", 1, 5, token="t", lease=1, spacing=0),
        store.depth(),
    ]
    try:
        for call in calls:
            started = time.monotonic()
            with pytest.raises(StateUnavailable) as info:
                await call
            assert time.monotonic() - started < 3
            message = str(info.value)
            assert SECRET not in message and "\n" not in message
            assert message.startswith("redis at 127.0.0.1:")
            assert info.value.__cause__ is None and info.value.__suppress_context__
    finally:
        await store.close()


async def test_open_store_reports_unreachable_redis() -> None:
    settings = Settings(state_timeout=1.0)
    with pytest.raises(StateUnavailable) as info:
        await open_store(dead_url(), settings)
    assert SECRET not in str(info.value)


class Proxy:
    """A loopback TCP forwarder to the test Redis; ``stop`` makes Redis "go away" mid-run."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, up_writer]
        self._tasks += [
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ]

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            dst.close()

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def test_redis_that_goes_away_mid_run(redis_url: str) -> None:
    """A store that worked raises StateUnavailable (not a redis error) once Redis goes away."""
    parts = urlsplit(redis_url)
    if parts.scheme != "redis":
        pytest.skip(f"the forwarding proxy speaks plain TCP only, not {parts.scheme}://")
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo + '@' if userinfo else ''}127.0.0.1:{proxy.port}"
    url = urlunsplit(parts._replace(netloc=netloc))
    store = RedisStore.from_url(url, seen_ttl=10, seen_max=10, dedup_ttl=10, timeout=1.0)
    try:
        assert await store.claim_and_enqueue("k", [make_entry("k")], now=1)
        await proxy.stop()
        started = time.monotonic()
        with pytest.raises(StateUnavailable, match="unavailable"):
            await store.pending()
        assert time.monotonic() - started < 3
    finally:
        await store.close()
