"""A Redis without persistence restarted, or FLUSHed, under a running service (issue 11.5).

The service must notice (an error line, a metric), keep going, and neither re-send what it
already delivered nor prime away the items whose alerts the wipe took: every alert arrives
exactly once. A private redis-server started by the test, a real ``wirewatch run`` subprocess,
a slow webhook receiver on loopback so alerts are still queued when the store is wiped.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
import redis

from tests.support import HttpReceiver, Reply
from tests.support.redis_server import RedisServer
from tests.support.rundir import RunDir, make_rundir
from tests.support.service_process import ServiceProcess
from tests.support.waiting import free_port, until

N = 30
WATCHLIST = "cities: [Aleppo]\nchannels: [hook]\n"


def items(start: int, n: int) -> list[dict[str, str]]:
    return [
        {"title": f"Aleppo report {k}", "link": f"https://wire.test/{k}", "guid": f"g{k}", "body": "b"}
        for k in range(start, start + n)
    ]


def setup(tmp: Path, url: str, state_url: str, backfill: str) -> RunDir:
    rd = make_rundir(
        tmp, state_url, feeds=f"feeds:\n  - {{id: wire, url: wire.xml, interval: 1s, backfill: {backfill}}}\n"
    )
    (rd.rules / "watchlists" / "frontline.yaml").unlink()
    rd.write("watchlists/aleppo.yaml", WATCHLIST)
    rd.write(
        "channels.yaml", f'channels:\n  hook: {{type: webhook, url: "{url}/hook", burst_threshold: 1000}}\n'
    )
    return rd


def delivered(rx: HttpReceiver) -> Counter[str]:
    return Counter(a["item"]["id"] for r in rx.requests for a in r.json()["data"]["alerts"])


@pytest.mark.redis
@pytest.mark.timeout(120)
@pytest.mark.parametrize("backfill", ["none", "all"])
@pytest.mark.parametrize("wipe", ["flushall", "restart"])
async def test_a_wiped_store_loses_nothing_and_repeats_nothing(
    tmp_path: Path, backfill: str, wipe: str
) -> None:
    server = RedisServer.start(tmp_path / "redis")  # no persistence: a restart is a wipe
    port = free_port()
    try:
        async with HttpReceiver(default=Reply(200, delay=0.1)) as rx:
            rd = setup(tmp_path, rx.url, server.url(), backfill)
            first = items(1000, 1) if backfill == "none" else items(0, N)
            rd.write_feed("wire.xml", first)
            service = await ServiceProcess(rd, WIREWATCH_HTTP_ADDR=f"127.0.0.1:{port}").start()
            try:
                assert await service.wait_for_log("service_started")
                if backfill == "none":  # primed on an empty feed; now the news arrives
                    assert await service.wait_for_log("feed_primed")
                    rd.write_feed("wire.xml", items(1000, 1) + items(0, N))
                assert await until(lambda: len(delivered(rx)) >= 8, 30), service.text()[-3000:]
                if wipe == "flushall":
                    redis.Redis(port=server.port).flushall()
                else:
                    server.kill()
                    server.restart()
                await until(lambda: len(delivered(rx)) >= N, 20)  # a lost alert fails below, with figures
                await asyncio.sleep(2.5)  # two more polls: anything repeated would arrive now
                metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            finally:
                await service.stop()
            counts = delivered(rx)
    finally:
        server.stop()
    log = service.text()
    repeats = {k: n for k, n in counts.items() if n > 1}
    figures = f"{N - len(counts)} of {N} alerts lost, {len(repeats)} sent twice"
    assert (len(counts), repeats) == (N, {}), f"{figures}\n{log[-3000:]}"
    assert any("state_wiped" in line and "[error" in line for line in log.splitlines()), log[-3000:]
    assert "wirewatch_state_wipes_total 1.0" in metrics
