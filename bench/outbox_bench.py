"""Competing outbox consumers on one Redis: the sorted-set claim in Lua against Redis Streams.

``python -m bench.outbox_bench [--entries N] [--workers W]`` queues N entries for one channel,
then W concurrent workers take and acknowledge them until none is left, two ways:

- ``zset-lua``: the store's own ``Outbox.claim`` (one script: due entries by score, lease by
  re-scoring, gate) and ``ack``, single alerts (claim limit 1, as a quiet channel) and bursts
  (claim limit 20, as a grouped message);
- ``streams``: XADD, XREADGROUP (a consumer group, COUNT 1 or 20), XACK + XDEL; a dead worker's
  entries would come back with XAUTOCLAIM after the idle time.

Prints entries/s and Redis round trips per entry. Streams do not schedule: a retry after
backoff, a Retry-After pause of the whole channel or a message kept together for its retry
need a sorted set (or a second stream per delay) beside them, which the zset claim does in the
same script; the numbers say what that costs.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from service.state.redis import RedisStore
from tests.support.alerts import make_entry
from tests.support.redis_server import RedisServer


async def race(work: Callable[[int], Awaitable[None]], workers: int) -> float:
    """Seconds until ``workers`` concurrent ``work(w)`` have all run out of entries."""
    started = time.perf_counter()
    await asyncio.gather(*(work(w) for w in range(workers)))
    return time.perf_counter() - started


async def zset(url: str, n: int, workers: int, batch: int) -> tuple[float, float]:
    store = RedisStore.from_url(url, seen_ttl=60, seen_max=10, dedup_ttl=60)
    await store.enqueue([make_entry(f"k{i}", at=1.0) for i in range(n)])
    calls = 0

    async def work(w: int) -> None:
        nonlocal calls
        while True:
            claim = await store.claim("slack", 10.0, batch, token=f"w{w}", lease=30, spacing=0)
            calls += 1
            if not claim.entries:
                return
            await store.ack([e.id for e in claim.entries])
            calls += 1

    took = await race(work, workers)
    await store.close()
    return n / took, calls / n


async def streams(url: str, n: int, workers: int, batch: int) -> tuple[float, float]:
    client = aioredis.Redis.from_url(url, decode_responses=True)
    stream, group = "bench:outbox:slack", "senders"
    await client.xgroup_create(stream, group, id="0", mkstream=True)
    payload = make_entry("k").alert.to_json()
    async with client.pipeline(transaction=False) as pipe:
        for i in range(n):
            pipe.xadd(stream, {"id": f"k{i}@slack", "alert": payload})
        await pipe.execute()
    calls = 0

    async def work(w: int) -> None:
        nonlocal calls
        while True:
            got: Any = await client.xreadgroup(group, f"w{w}", {stream: ">"}, count=batch)
            calls += 1
            ids = [entry_id for _, entries in got for entry_id, _ in entries]
            if not ids:
                return
            async with client.pipeline(transaction=True) as pipe:
                pipe.xack(stream, group, *ids)
                pipe.xdel(stream, *ids)
                await pipe.execute()
            calls += 1

    took = await race(work, workers)
    await client.aclose()
    return n / took, calls / n


async def main(n: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer.start(Path(folder))
        try:
            print(f"{n} entries, {workers} concurrent workers, private redis-server")
            for batch in (1, 20):
                for name, run in (("zset-lua", zset), ("streams", streams)):
                    flush = aioredis.Redis.from_url(server.url())
                    await flush.flushall()
                    await flush.aclose()
                    rate, trips = await run(server.url(), n, workers, batch)
                    print(
                        f"{name:<9} claim {batch:>2}: {rate:8.0f} entries/s  {trips:5.2f} round trips/entry"
                    )
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.entries, args.workers))
