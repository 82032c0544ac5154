"""Poll throughput: the real fetch path (``poll_feed``) against a local feed server.

``python -m bench.poll_bench [--feeds N] [--rounds R] [--quick]`` starts ``bench.feed_server``
in a separate process on 127.0.0.1, then polls every feed R times with the fast client
(``make_client``) and with a plain ``httpx.AsyncClient`` (default transport) as the baseline,
concurrency bounded by ``max_connections`` like the pipeline. Feed states start as a running
service has them (validators and body hash of the current bodies), so most polls are 304s,
1 in 10 feeds sends no validators (200, same hash, not parsed) and 1 in 100 changes each poll
(parsed). Prints polls/s, client CPU seconds, polls per CPU second and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable

import httpx

from bench.feed_server import etag, feed_body
from service.feeds.client import make_baseline_client, make_client
from service.feeds.config import Feed
from service.feeds.poll import poll_feed
from service.settings import Settings
from service.state.base import FeedState


def start_server(feeds: int) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.feed_server", str(feeds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def primed_states(feeds: list[Feed]) -> dict[str, FeedState]:
    states = {}
    for index, feed in enumerate(feeds):
        body = feed_body(index, 0)
        states[feed.id] = FeedState(
            etag=etag(index, 0),
            body_hash=hashlib.blake2b(body, digest_size=16).hexdigest(),
            configured_url=feed.url,
        )
    return states


async def run(
    name: str, make: Callable[[Settings], httpx.AsyncClient], feeds: list[Feed], rounds: int
) -> dict[str, float]:
    settings = Settings()
    states = primed_states(feeds)
    statuses: Counter[str] = Counter()
    limit = asyncio.Semaphore(settings.max_connections)
    rng = random.Random(1)

    async def one(feed: Feed) -> None:
        async with limit:
            outcome = await poll_feed(feed, states[feed.id], client, settings, time.time(), rng)
        statuses[outcome.status] += 1

    async with make(settings) as client:
        await asyncio.gather(*(one(f) for f in feeds[: settings.max_connections]))  # warm pool
        statuses.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(one(f) for f in feeds))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    polls = len(feeds) * rounds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{name:<28} {polls / wall:8.0f} polls/s  {cpu:6.2f} s CPU  {polls / cpu:8.0f} polls/CPU-s"
        f"  peak RSS {peak:5.0f} MB  {dict(statuses)}",
        flush=True,
    )
    if statuses["error"]:
        raise SystemExit(f"{name}: {statuses['error']} polls failed")
    return {"polls_per_s": polls / wall, "polls_per_cpu_s": polls / cpu}


async def main(feeds_n: int, rounds: int) -> None:
    server, port = start_server(feeds_n)
    try:
        feeds = [
            Feed(
                id=f"f{i}",
                url=f"http://127.0.0.1:{port}/feed/{i}.xml",
                title=f"f{i}",
                interval=300,
                backfill="none",
                jitter=0,
                headers={},
            )
            for i in range(feeds_n)
        ]
        print(f"{feeds_n} feeds x {rounds} rounds, server pid {server.pid} on 127.0.0.1:{port}")
        base = await run("baseline httpx (httpcore)", make_baseline_client, feeds, rounds)
        fast = await run("make_client (aiohttp)", make_client, feeds, rounds)
        print(f"speed-up: {fast['polls_per_s'] / base['polls_per_s']:.1f}x")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="300 feeds, 2 rounds")
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.rounds = 300, 2
    asyncio.run(main(args.feeds, args.rounds))
