"""OpsServer on loopback: /healthz, /readyz in both states, /metrics moving after a poll."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from service import metrics
from service.ops.http import OpsServer, parse_addr, store_ready
from service.ops.probe import probe_url
from service.state.base import StateUnavailable

Ready = Callable[[], Awaitable[str | None]]


class Switch:
    """A readiness callback the test flips."""

    def __init__(self) -> None:
        self.reason: str | None = "rules not loaded yet"

    async def __call__(self) -> str | None:
        return self.reason


@pytest.fixture
async def running() -> AsyncIterator[tuple[OpsServer, Switch, httpx.AsyncClient]]:
    switch = Switch()
    server = OpsServer("127.0.0.1:0", switch)
    await server.start()
    assert server.port > 0
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=5) as client:
        yield server, switch, client
    await server.stop()


async def test_healthz_is_always_ok(running: tuple[OpsServer, Switch, httpx.AsyncClient]) -> None:
    _, _, client = running
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.text == "ok\n"


async def test_readyz_both_states(running: tuple[OpsServer, Switch, httpx.AsyncClient]) -> None:
    _, switch, client = running
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.text == "not ready: rules not loaded yet\n"
    switch.reason = None
    response = await client.get("/readyz")
    assert response.status_code == 200 and response.text == "ready\n"
    switch.reason = "state store unreachable: connection refused"
    response = await client.get("/readyz")
    assert response.status_code == 503 and "state store unreachable" in response.text


async def test_metrics_move_after_a_poll(
    running: tuple[OpsServer, Switch, httpx.AsyncClient],
) -> None:
    _, _, client = running
    line = 'wirewatch_polls_total{feed_id="ops-feed",result="ok"}'

    async def polls() -> float:
        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        for row in response.text.splitlines():
            if row.startswith(line):
                return float(row.rsplit(" ", 1)[1])
        return 0.0

    before = await polls()
    metrics.POLLS.labels(feed_id="ops-feed", result="ok").inc()  # what the poller does
    metrics.HTTP_RESPONSES.labels(code="200").inc()
    assert await polls() == before + 1
    text = (await client.get("/metrics")).text
    assert "wirewatch_http_not_modified_ratio" in text
    assert "# TYPE wirewatch_delivery_latency_seconds histogram" in text


async def test_broken_or_slow_ready_check_is_a_503_not_a_hang() -> None:
    async def boom() -> str | None:
        raise RuntimeError("redis://:hunter2@redis:6379 refused")

    async def slow() -> str | None:
        await asyncio.sleep(10)
        return None

    for check, expected in ((boom, "readiness check failed (RuntimeError)"), (slow, "longer than")):
        server = OpsServer("127.0.0.1:0", check, ready_timeout=0.2)
        await server.start()
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(f"http://127.0.0.1:{server.port}/readyz")
        finally:
            await server.stop()
        assert response.status_code == 503 and expected in response.text
        assert "hunter2" not in response.text


async def test_stop_frees_the_port_and_busy_port_is_a_clear_error() -> None:
    first = OpsServer("127.0.0.1:0", Switch())
    await first.start()
    second = OpsServer(f"127.0.0.1:{first.port}", Switch())
    with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{first.port}"):
        await second.start()
    await first.stop()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(timeout=2) as client:
            await client.get(f"http://127.0.0.1:{first.port}/healthz")


class FakeStore:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    async def ping(self) -> None:
        if self.error:
            raise self.error


async def test_store_ready_reasons() -> None:
    assert await store_ready(FakeStore(None)) is None  # type: ignore[arg-type]
    assert await store_ready(None) == "state store not open"
    down = FakeStore(StateUnavailable("redis at redis:6379: connection refused"))
    assert await store_ready(down) == "state store unreachable: redis at redis:6379: connection refused"  # type: ignore[arg-type]
    assert await store_ready(FakeStore(ConnectionRefusedError())) == (  # type: ignore[arg-type]
        "state store unreachable (ConnectionRefusedError)"
    )


@pytest.mark.parametrize(
    ("addr", "parsed"),
    [("127.0.0.1:9108", ("127.0.0.1", 9108)), (":9108", ("0.0.0.0", 9108)),
     ("[::1]:9108", ("::1", 9108)), ("0.0.0.0:0", ("0.0.0.0", 0))],
)  # fmt: skip
def test_parse_addr(addr: str, parsed: tuple[str, int]) -> None:
    assert parse_addr(addr) == parsed


@pytest.mark.parametrize("addr", ["9108", "localhost", "host:port", "h:70000", ""])
def test_parse_addr_rejects_nonsense(addr: str) -> None:
    with pytest.raises(ValueError, match="WIREWATCH_HTTP_ADDR must look like"):
        parse_addr(addr)


async def test_container_probe_exits_0_on_healthy_and_1_when_down() -> None:
    assert probe_url("0.0.0.0:9108") == "http://127.0.0.1:9108/healthz"
    server = OpsServer("127.0.0.1:0", Switch())
    await server.start()
    env = {**os.environ, "WIREWATCH_HTTP_ADDR": f"0.0.0.0:{server.port}"}
    cmd = [sys.executable, "-m", "service.ops.probe"]
    try:
        up = await asyncio.to_thread(subprocess.run, cmd, env=env, capture_output=True, timeout=20)
        ready = await asyncio.to_thread(
            subprocess.run, [*cmd, "/readyz"], env=env, capture_output=True, timeout=20
        )
    finally:
        await server.stop()
    down = await asyncio.to_thread(subprocess.run, cmd, env=env, capture_output=True, timeout=20)
    assert up.returncode == 0, up.stderr
    assert ready.returncode == 1  # the switch says "not ready"
    assert down.returncode == 1 and b"/healthz failed" in down.stderr
