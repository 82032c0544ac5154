"""What the item history for ``wirewatch replay`` costs: disk in SQLite, memory in Redis.

``python -m bench.history_bench [--feeds 2000] [--days 30] [--per-day 20] [--quick]`` writes the
history a running service would write for that many feeds over that many days (``--per-day``
new items per feed per day, in 4 polls a day), through the real stores (``record_items``, with
a retention long enough to keep every day), on a SQLite file and on a private ``redis-server``
(started here on a free loopback port, never anyone else's). Items are synthetic but sized like
the real publishers' feeds in ../shared/corpus/real-feeds (measured there: title ~35-65
characters, summary median 179 and mean 317 characters, link ~80): title ~60, summary ~320,
link ~80, one or two categories.

Prints items written, write rate, SQLite file size (after a WAL checkpoint) and Redis
``used_memory`` growth, each per item too, then the time ``replay`` takes over the last 7 days
with a 200-term watchlist on each store; on Redis side by side with redis-py's pure-Python reply
parser (the baseline) and with hiredis's C parser (the project's dependency).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import string
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import redis
import redis.asyncio as aioredis
from redis._parsers import _AsyncHiredisParser, _AsyncRESP2Parser

from service.matching.schema import Term, Watchlist
from service.model import Item
from service.replay import replay
from service.state.base import FullStore
from service.state.records import Retention
from service.state.redis import RedisStore
from service.state.sqlite import SqliteStore
from tests.support.redis_server import RedisServer

DAY = 86400.0
POLLS_PER_DAY = 4
T0 = datetime(2024, 11, 1, tzinfo=UTC).timestamp()


_VOCABULARY = ["".join(random.Random(n).choices(string.ascii_lowercase, k=3 + n % 7)) for n in range(20000)]


def words(rng: random.Random, chars: int) -> str:
    """Pseudo-words (random letters, 3 to 9 of them) adding up to about ``chars`` characters."""
    return " ".join(rng.choices(_VOCABULARY, k=max(1, round(chars / 7))))


def make_items(rng: random.Random, feed: int, day: int, poll: int, count: int, now: float) -> list[Item]:
    items = []
    for n in range(count):
        slug = words(rng, 30).replace(" ", "-")
        link = f"https://news{feed}.example.org/{day:02d}/{poll}{n:02d}/{slug}"
        items.append(
            Item(
                id=link,
                feed_id=f"feed-{feed}",
                title=words(rng, 60).capitalize(),
                link=link,
                published=datetime.fromtimestamp(now - rng.uniform(0, 3600), UTC),
                summary=words(rng, rng.randint(160, 480)).capitalize() + ".",
                content="",
                categories=tuple(words(rng, 8) for _ in range(rng.randint(1, 2))),
            )
        )
    return items


async def fill(store: FullStore, feeds: int, days: int, per_day: int) -> tuple[int, float]:
    """Write ``days`` of history for ``feeds`` feeds; (items written, seconds)."""
    rng = random.Random(7)
    per_poll = max(1, per_day // POLLS_PER_DAY)
    written = 0
    started = time.perf_counter()
    for day in range(days):
        for poll in range(POLLS_PER_DAY):
            now = T0 + day * DAY + poll * DAY / POLLS_PER_DAY
            for feed in range(feeds):
                await store.record_items(f"feed-{feed}", make_items(rng, feed, day, poll, per_poll, now), now)
                written += per_poll
    return written, time.perf_counter() - started


def watchlist(terms: int) -> Watchlist:
    """``terms`` names: three from the items' vocabulary (so about 1 item in 100 matches, as a
    real watchlist might), the rest 10-12 letters long, which no item has."""
    rng = random.Random(11)
    names = rng.sample(_VOCABULARY, 3)
    names += ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(10, 12))) for _ in range(terms - 3)]
    cities = tuple(Term(n, (n,)) for n in names)
    return Watchlist(
        id="bench", channels=[], feeds="all", description="", match="any", path="bench", cities=cities
    )


async def replay_seconds(store: FullStore, days: int) -> tuple[float, int, int]:
    end = T0 + days * DAY
    started = time.perf_counter()
    report = await replay(store, watchlist(200), end - 7 * DAY, {})
    return time.perf_counter() - started, report.items, len(report.hits)


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


async def bench_sqlite(folder: Path, retention: Retention, args: argparse.Namespace) -> None:
    path = folder / "history.db"
    store = SqliteStore(str(path), seen_ttl=DAY, seen_max=10, dedup_ttl=DAY, retention=retention)
    await store.open()
    empty = path.stat().st_size
    items, took = await fill(store, args.feeds, args.days, args.per_day)
    seconds, read, hits = await replay_seconds(store, args.days)
    await store.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size - empty
    print(
        f"sqlite  {items:>10,} items  {items / took:8,.0f} items/s  file {mb(size):>11}  "
        f"{size / items:6.0f} B/item  replay 7d: {read:,} items in {seconds:.1f} s ({hits} hits)",
        flush=True,
    )


async def bench_redis(folder: Path, retention: Retention, args: argparse.Namespace) -> None:
    server = RedisServer.start(folder)
    try:
        url = server.url()
        with redis.Redis.from_url(url) as client:
            before = int(client.info("memory")["used_memory"])
        store: RedisStore = RedisStore.from_url(
            url, seen_ttl=DAY, seen_max=10, dedup_ttl=DAY, retention=retention
        )
        items, took = await fill(store, args.feeds, args.days, args.per_day)
        await store.close()
        with redis.Redis.from_url(url) as client:
            grown = int(client.info("memory")["used_memory"]) - before
        print(
            f"redis   {items:>10,} items  {items / took:8,.0f} items/s  memory {mb(grown):>9}  "
            f"{grown / items:6.0f} B/item",
            flush=True,
        )
        parsers = [("pure-Python parser (baseline)", _AsyncRESP2Parser), ("hiredis", _AsyncHiredisParser)]
        for name, parser in parsers:
            client = aioredis.Redis.from_url(url, decode_responses=True, parser_class=parser)
            reader = RedisStore(client, seen_ttl=DAY, seen_max=10, dedup_ttl=DAY, retention=retention)
            seconds, read, hits = await replay_seconds(reader, args.days)
            await reader.close()
            print(f"redis   replay 7d, {name}: {read:,} items in {seconds:.1f} s ({hits} hits)", flush=True)
    finally:
        server.stop()


async def main(args: argparse.Namespace) -> None:
    retention = Retention(
        alert_log_ttl=DAY, history_ttl=(args.days + 1) * DAY, history_max=args.days * args.per_day
    )
    total = args.feeds * args.days * args.per_day
    print(f"{args.feeds} feeds x {args.days} days x {args.per_day} items/day ({total:,} items)")
    with tempfile.TemporaryDirectory(prefix="wirewatch-history-bench-") as tmp:
        await bench_sqlite(Path(tmp), retention, args)
        await bench_redis(Path(tmp), retention, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="20 feeds, 8 days (a smoke run)")
    parsed = parser.parse_args()
    if parsed.quick:
        parsed.feeds, parsed.days = 20, 8
    asyncio.run(main(parsed))
