"""Three ``wirewatch run`` replicas on one Redis, one killed (-9) and restarted every few seconds
while news arrives (issue 12): every alert delivered, each message key at most once (plus at
most one extra per kill: a send in flight), each feed polled once per interval.

Real subprocesses, a private redis-server (append-only), a loopback news source whose feeds
grow during the test and count their requests, a webhook and a Matrix receiver on loopback
that take 0.3 s a request.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support import HttpReceiver, Received, Reply
from tests.support.news_server import NewsServer
from tests.support.redis_server import RedisServer
from tests.support.rundir import RunDir, make_rundir
from tests.support.service_process import ServiceProcess
from tests.support.waiting import free_port, until

FEEDS, INTERVAL, JITTER = 4, 2.0, 0.2
RUN_FOR, KILL_EVERY = 60.0, 5.0
GUID = re.compile(r"feed-\d+-\d+")


def rules(tmp: Path, news: NewsServer, hook: HttpReceiver, matrix: HttpReceiver, redis_url: str) -> RunDir:
    feeds = "".join(
        f"  - {{id: {name}, url: '{news.url(name)}', interval: {INTERVAL:g}s, backfill: none}}\n"
        for name in news.names
    )
    rd = make_rundir(tmp, redis_url, feeds=f"defaults:\n  jitter: {JITTER:g}s\nfeeds:\n{feeds}")
    (rd.rules / "watchlists" / "frontline.yaml").unlink()
    rd.write("watchlists/aleppo.yaml", "cities: [Aleppo]\nchannels: [hook, mx]\n")
    rd.write(
        "channels.yaml",
        "channels:\n"
        f'  hook: {{type: webhook, url: "{hook.url}/hook", burst_threshold: 5, max_group: 20}}\n'
        f'  mx: {{type: matrix, homeserver: "{matrix.url}", room_id: "!desk:wire.test",'
        ' access_token: "syt_token", rate_limit: 4}\n',
    )
    return rd


def matrix_ok(request: Received) -> Reply:
    return (
        Reply.json(200, {"event_id": f"$ev{len(request.path)}"}, {})
        if request.method == "PUT"
        else Reply(404)
    )


def replica(rd: RunDir, n: int) -> ServiceProcess:
    return ServiceProcess(
        rd,
        name=f"replica-{n}",
        WIREWATCH_HTTP_ADDR=f"127.0.0.1:{free_port()}",
        WIREWATCH_SEND_TIMEOUT="2",
        WIREWATCH_FETCH_TIMEOUT="1",
        WIREWATCH_RETRY_BASE="0.2",
        WIREWATCH_RETRY_MAX="2",
        WIREWATCH_SHUTDOWN_TIMEOUT="2",
    )


async def chaos(replicas: list[ServiceProcess], stop: asyncio.Event, rng: random.Random) -> int:
    kills = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), KILL_EVERY)
        except TimeoutError:
            victim = rng.choice(replicas)
            await victim.kill()
            kills += 1
            await asyncio.sleep(0.5)
            await victim.start()
    return kills


async def publish(news: NewsServer, rng: random.Random) -> None:
    started = time.monotonic()
    burst_done = False
    while time.monotonic() - started < RUN_FOR:
        news.publish(rng.randrange(FEEDS))
        if not burst_done and time.monotonic() - started > RUN_FOR / 3:
            for _ in range(25):  # a city falls
                news.publish(0)
            burst_done = True
        await asyncio.sleep(0.5)


def hook_deliveries(rx: HttpReceiver) -> tuple[Counter[str], dict[str, set[str]]]:
    """(copies of each message key, message keys each item arrived under)."""
    keys: Counter[str] = Counter()
    under: dict[str, set[str]] = {}
    for request in rx.requests:
        key = request.headers["webhook-id"]
        keys[key] += 1
        for alert in request.json()["data"]["alerts"]:
            under.setdefault(alert["item"]["id"], set()).add(key)
    return keys, under


def matrix_deliveries(rx: HttpReceiver) -> tuple[Counter[str], dict[str, set[str]]]:
    keys: Counter[str] = Counter()
    under: dict[str, set[str]] = {}
    for request in rx.requests:
        txn = request.path.rsplit("/", 1)[-1]
        keys[txn] += 1
        for guid in set(GUID.findall(request.json()["body"])):
            under.setdefault(guid, set()).add(txn)
    return keys, under


def extra_polls(times: list[float]) -> int:
    """Requests that came less than half an interval after the previous one: a feed polled twice."""
    return sum(1 for a, b in zip(times, times[1:], strict=False) if b - a < INTERVAL / 2)


@dataclass
class Desk:
    """Three replicas on one Redis, the news source and both receivers, all running."""

    server: RedisServer
    news: NewsServer
    hook: HttpReceiver
    matrix: HttpReceiver
    replicas: list[ServiceProcess]

    def delivered_everywhere(self) -> bool:
        expected = set(self.news.published)
        return expected <= set(hook_deliveries(self.hook)[1]) and expected <= set(
            matrix_deliveries(self.matrix)[1]
        )

    def figures(self) -> list[tuple[str, set[str], list[str], int]]:
        """Per channel: (name, lost items, items under two keys, extra copies of a key)."""
        expected = set(self.news.published)
        out = []
        for label, (keys, under) in (
            ("webhook", hook_deliveries(self.hook)),
            ("matrix", matrix_deliveries(self.matrix)),
        ):
            two_keys = [i for i, ks in under.items() if len(ks) > 1]
            out.append((label, expected - set(under), two_keys, sum(n - 1 for n in keys.values())))
        return out

    def logs(self) -> str:
        return "\n".join(r.text()[-1500:] for r in self.replicas)


@asynccontextmanager
async def desk(tmp: Path) -> AsyncIterator[Desk]:
    server = RedisServer.start(tmp / "redis", appendonly=True)
    replicas: list[ServiceProcess] = []
    try:
        async with (
            NewsServer(FEEDS) as news,
            HttpReceiver(default=Reply(200, delay=0.3)) as hook,
            HttpReceiver(decide=matrix_ok) as matrix,
        ):
            rd = rules(tmp, news, hook, matrix, server.url())
            replicas = [await replica(rd, n).start() for n in range(3)]
            for r in replicas:
                assert await r.wait_for_log("service_started", 30), r.text()[-2000:]
            await asyncio.sleep(3 * INTERVAL)  # every feed primed (empty) before the news starts
            yield Desk(server, news, hook, matrix, replicas)
            await until(
                lambda: Desk(server, news, hook, matrix, replicas).delivered_everywhere(), 90, every=0.5
            )
            await asyncio.sleep(2)  # a late copy would arrive now
            for r in replicas:
                await r.stop()
    finally:
        for r in replicas:
            await r.kill()
        server.stop()


@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_three_replicas_with_one_killed_every_few_seconds(tmp_path: Path) -> None:
    rng = random.Random(12)
    async with desk(tmp_path) as d:
        polls_from = time.monotonic()
        stop = asyncio.Event()
        killer = asyncio.create_task(chaos(d.replicas, stop, rng))
        await publish(d.news, rng)
        stop.set()
        kills = await killer
        polls = {
            n: [t for t in d.news.requests[n] if polls_from <= t <= time.monotonic()] for n in d.news.names
        }
    figures = d.figures()
    for label, lost, two_keys, extra in figures:
        assert not lost and not two_keys and extra <= kills, f"{label}: {figures} ({kills} kills)\n{d.logs()}"
    doubled = {n: extra_polls(ts) for n, ts in polls.items()}
    periods = {n: round((ts[-1] - ts[0]) / max(1, len(ts) - 1), 2) for n, ts in polls.items() if ts}
    items = len(d.news.published)
    summary = f"{figures}; {kills} kills; {items} items; extra polls {doubled}; mean period {periods}"
    print(summary)
    assert sum(doubled.values()) <= kills, summary
    assert all(0.9 * INTERVAL <= p <= 2 * INTERVAL for p in periods.values()), summary


async def readyz(port: str) -> int:
    async with httpx.AsyncClient() as client:
        try:
            return (await client.get(f"http://{port}/readyz", timeout=5)).status_code
        except httpx.TransportError:
            return 0


@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_replicas_ride_out_a_redis_restart(tmp_path: Path) -> None:
    """Redis (append-only) goes away for a few seconds mid-run: not ready meanwhile, nothing lost."""
    rng = random.Random(7)
    async with desk(tmp_path) as d:
        for _ in range(20):
            d.news.publish(rng.randrange(FEEDS))
            await asyncio.sleep(0.25)
        d.server.kill()
        for _ in range(12):  # news keeps coming while Redis is away
            d.news.publish(rng.randrange(FEEDS))
            await asyncio.sleep(0.25)
        away = [await readyz(r.env["WIREWATCH_HTTP_ADDR"]) for r in d.replicas]
        d.server.restart()
        for _ in range(20):
            d.news.publish(rng.randrange(FEEDS))
            await asyncio.sleep(0.25)
        await until(d.delivered_everywhere, 90, every=0.5)
        back = [await readyz(r.env["WIREWATCH_HTTP_ADDR"]) for r in d.replicas]
    assert away == [503, 503, 503], f"ready while Redis was away: {away}\n{d.logs()}"
    assert back == [200, 200, 200], f"not ready after Redis came back: {back}\n{d.logs()}"
    for label, lost, two_keys, extra in d.figures():
        print(f"{label}: {len(lost)} lost, {len(two_keys)} under two keys, {extra} extra copies")
        assert not lost and not two_keys, (
            f"{label}: {len(lost)} lost, {len(two_keys)} under two keys\n{d.logs()}"
        )
