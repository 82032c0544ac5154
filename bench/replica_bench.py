"""Polls per second with 1 and 3 replicas on one Redis, poll leases and fencing included.

``python -m bench.replica_bench [--feeds N] [--seconds S] [--quick]`` starts ``bench.feed_server``
(N feeds, most answering 304 as a running service sees them) and a private redis-server, then
runs worker processes that each poll every feed in a loop for S seconds, as the service's
scheduled polls do (``Pipeline.poll(feed, when_due=True)``: lease, due check, fetch, fenced
write), every feed due once a second. Phases, side by side:

- baseline: one process, the poll path without leases (get state, fetch, put state), as the
  pipeline polled before replicas were supported;
- 1 replica and 3 replicas: the real pipeline.

Prints polls/s (polls that fetched), skips (another replica held the lease or had just polled)
and the feeds polled twice within their interval (must be 0). Client processes only; the
server and Redis run in other processes on the same 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import redis

from bench.poll_bench import primed_states, start_server
from service.feeds.client import make_client
from service.feeds.config import Feed
from service.feeds.poll import poll_feed
from service.logs import configure
from service.matching.matcher import Matcher
from service.pipeline import Pipeline
from service.rules import Rules
from service.settings import Settings
from service.state.open import build_store
from tests.support.redis_server import RedisServer

INTERVAL = 1.0


def feeds_for(port: int, n: int) -> list[Feed]:
    return [
        Feed(id=f"f{i}", url=f"http://127.0.0.1:{port}/feed/{i}.xml", title=f"f{i}", interval=INTERVAL,
             backfill="none", jitter=0.0, headers={})
        for i in range(n)
    ]  # fmt: skip


async def worker(redis_url: str, port: int, n: int, seconds: float, leases: bool) -> dict[str, object]:
    settings = Settings(_env_file=None, state_url=redis_url)  # type: ignore[call-arg]
    feeds = feeds_for(port, n)
    store = build_store(redis_url, settings)
    await store.open()
    polled: list[tuple[str, float]] = []
    outcomes: Counter[str] = Counter()
    async with make_client(settings) as client:
        pipeline = Pipeline(settings, store, client, Rules(feeds, {}, [], Matcher([]), {}, {}))
        limit = asyncio.Semaphore(settings.max_connections)

        async def plain(feed: Feed) -> tuple[str, float | None]:  # before replicas: no lease, no fence
            async with limit:
                state = await store.get_feed(feed.id)
                if state.next_poll is not None and state.next_poll > time.time():
                    return "not_due", None
                outcome = await poll_feed(feed, state, client, settings, time.time())
                await store.put_feed(feed.id, state)
                return outcome.status, state.next_poll

        async def leased(feed: Feed) -> tuple[str, float | None]:
            report = await pipeline.poll(feed, when_due=True)
            return report.status, report.next_poll

        async def timed(feed: Feed) -> None:
            status, next_poll = await (leased if leases else plain)(feed)
            outcomes[status] += 1
            if status in ("new", "not_modified", "unchanged") and next_poll is not None:
                polled.append((feed.id, next_poll - INTERVAL))  # no jitter: when the poll began

        cpu, deadline = time.process_time(), time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.gather(*(timed(f) for f in feeds))
        cpu = time.process_time() - cpu
    await store.close()
    return {"polled": polled, "outcomes": dict(outcomes), "cpu": cpu}


async def prime(redis_url: str, port: int, n: int) -> None:
    """Feed states as a running service has them: validators of the current bodies, due now."""
    settings = Settings(_env_file=None, state_url=redis_url)  # type: ignore[call-arg]
    store = build_store(redis_url, settings)
    await store.open()
    feeds = feeds_for(port, n)
    for feed_id, state in primed_states(feeds).items():
        state.primed = True
        await store.put_feed(feed_id, state)
    await store.close()


def twice(polled: list[tuple[str, float]]) -> int:
    """Polls of a feed less than half an interval after its previous poll (by any replica)."""
    last: dict[str, float] = {}
    doubled = 0
    for feed_id, at in sorted(polled, key=lambda p: p[1]):
        if feed_id in last and at - last[feed_id] < INTERVAL / 2:
            doubled += 1
        last[feed_id] = at
    return doubled


def phase(
    name: str, server: RedisServer, port: int, n: int, seconds: float, replicas: int, leases: bool
) -> None:
    with redis.Redis(port=server.port) as client:
        client.flushall()
    asyncio.run(prime(server.url(), port, n))
    args = [server.url(), str(port), str(n), str(seconds), "1" if leases else "0"]
    command = [sys.executable, "-m", "bench.replica_bench", "--worker", *args]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(replicas)]
    results = [json.loads(p.communicate()[0]) for p in procs]
    polled = [tuple(p) for r in results for p in r["polled"]]
    outcomes: Counter[str] = Counter()
    for r in results:
        outcomes.update(r["outcomes"])
    skipped = outcomes["leased"] + outcomes["not_due"]
    cpu = sum(r["cpu"] for r in results)
    print(
        f"{name:<26} {len(polled) / seconds:7.0f} polls/s  {skipped / seconds:7.0f} skips/s  "
        f"{len(polled) / cpu:6.0f} polls/CPU-s  polled twice within the interval: {twice(polled)}  "
        f"errors: {outcomes['error']}",
        flush=True,
    )


def main(n: int, seconds: float) -> None:
    server, port = start_server(n)
    with tempfile.TemporaryDirectory() as folder:
        store = RedisServer.start(Path(folder))
        try:
            print(f"{n} feeds due every {INTERVAL:g}s, {seconds:g}s a phase (server, Redis: other processes)")
            phase("baseline (no leases), 1", store, port, n, seconds, 1, leases=False)
            phase("1 replica", store, port, n, seconds, 1, leases=True)
            phase("3 replicas", store, port, n, seconds, 3, leases=True)
        finally:
            store.stop()
            server.terminate()
            server.wait()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, port, n, seconds, leases = sys.argv[2:7]
        configure("text", "WARNING")  # logs on stderr: stdout carries the result
        out = asyncio.run(worker(url, int(port), int(n), float(seconds), leases == "1"))
        print(json.dumps(out))
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="300 feeds, 3 seconds per phase")
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.seconds = 300, 3.0
    main(args.feeds, args.seconds)
