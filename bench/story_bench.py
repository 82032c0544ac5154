"""Story clustering beside matching: per-item cost at 1,000 terms, and the memory of the window.

``python -m bench.story_bench [--quick] [--window N] [--no-redis]``, in one process:

1. Matching: the match bench's 1,000-term watchlists (``bench.match_bench`` generators, loaded
   and compiled as the service does) over its ~4 KB synthetic articles: CPU µs per item.
2. Clustering: ``Fingerprinter.item`` + ``StoryClusterer.assign`` against a warm in-memory
   index of ``--window`` items (100,000 by default). The match bench's articles draw from a
   130-word vocabulary, so any two of them look alike; the clustered titles and summaries come
   from a news-like generator instead: function words of English plus a Zipf-distributed
   vocabulary of 40,000 names (weight 1/(rank+50)^1.1), one item in ten a copy of a recent one (a syndicated,
   trimmed or dateline variant), so candidates, confirmations and joins all happen.
3. Memory: process RSS before and after filling the window (bytes per item), then the same
   entries (their real fingerprints and band keys) added to the real stores through the
   ``Stories`` role: ``SqliteStore`` in a temporary file (bytes per item on disk) and
   ``RedisStore`` on a private ``redis-server`` the bench starts in a temporary folder
   (``used_memory`` growth per item; skipped with a note when there is no redis-server), with
   the wall time of one ``story_add`` and one ``story_lookup`` (a round trip each).

Matching and clustering alternate in rounds, and the best round of each is kept (CPU time of
this process, so other load on the machine counts less).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from pathlib import Path

import redis
from stop_words import get_stop_words

from bench.match_bench import make_articles, make_names, write_watchlists
from service.matching.load import load_watchlists
from service.matching.matcher import Matcher
from service.model import Item
from service.state.base import FullStore
from service.state.redis import RedisStore
from service.state.sqlite import SqliteStore
from service.stories import Fingerprinter, MemoryStoryIndex, StoryClusterer, StoryConfig, StoryEntry, item_ref
from tests.support.redis_server import RedisServer, RedisServerMissing

FUNCTION = [w for w in get_stop_words("english") if w.isalpha()][:200]
START = 1_700_000_000.0
DAY = 86400.0


class NewsText:
    """Titles and summaries with news-like word statistics (see the module docstring)."""

    def __init__(self, rng: random.Random, vocabulary: int = 40_000) -> None:
        self.rng = rng
        self.words = [n.lower() for n in make_names(vocabulary, rng)]
        self.cumulative = list(accumulate(1.0 / (rank + 50) ** 1.1 for rank in range(vocabulary)))

    def sentence(self, size: int) -> str:
        content = self.rng.choices(self.words, cum_weights=self.cumulative, k=size)
        out = [w if self.rng.random() < 0.55 else f"{self.rng.choice(FUNCTION)} {w}" for w in content]
        if self.rng.random() < 0.5:
            out.append(str(self.rng.randint(2, 900)))
        return " ".join(out).capitalize() + "."

    def item(self, n: int) -> tuple[str, str]:
        return self.sentence(8)[:-1], " ".join(self.sentence(self.rng.randint(10, 16)) for _ in range(3))

    def copy_of(self, title: str, summary: str) -> tuple[str, str]:
        kind = self.rng.randrange(3)
        if kind == 0:
            return title + " - Daily Levant", summary
        if kind == 1:
            return title, summary.split(". ")[0] + "…"
        return title, "BEIRUT (Reuters) - " + summary + " (Reporting by A; Editing by B)"


def stream(count: int, rng: random.Random, text: NewsText) -> list[Item]:
    items: list[Item] = []
    for n in range(count):
        if items and rng.random() < 0.1:
            source = items[-rng.randint(1, min(len(items), 500))]
            title, summary = text.copy_of(source.title, source.summary)
        else:
            title, summary = text.item(n)
        items.append(Item(f"n{n}", f"feed{n % 50}", title, f"https://news.example/{n}", None, summary, ""))
    return items


def cpu_us(run: Callable[[], object], count: int) -> float:
    started = time.process_time()
    run()
    return (time.process_time() - started) / count * 1e6


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def fill(clusterer: StoryClusterer, items: list[Item], step: float) -> dict[str, int]:
    counts = {"new": 0, "joined": 0}
    for n, item in enumerate(items):
        assignment = await clusterer.assign(item, None, START + n * step)
        counts["new" if assignment.is_new else "joined"] += 1
    return counts


def matcher_and_articles(rng: random.Random, count: int) -> tuple[Matcher, list[Item]]:
    with tempfile.TemporaryDirectory() as tmp:
        names = write_watchlists(Path(tmp), 1_000, rng)
        watchlists, problems = load_watchlists(Path(tmp), None, {"console"})
    assert not problems, problems
    return Matcher(watchlists), make_articles(count, names, rng)


@dataclass(frozen=True)
class StoreFigures:
    """What one store holds for the window, and what one call costs (wall time, I/O included)."""

    name: str
    window_bytes: int
    add_us: float
    lookup_us: float

    def line(self, window: int, where: str) -> str:
        return (
            f"  {self.name}: {self.window_bytes / window:,.0f} bytes/item {where}"
            f" ({self.window_bytes / 2**20:.1f} MB for the window);"
            f" story_add {self.add_us:.0f} µs, story_lookup {self.lookup_us:.0f} µs"
        )


async def exercise(
    store: FullStore, entries: list[tuple[StoryEntry, tuple[int, ...]]], limit: int
) -> tuple[float, float]:
    """Add every entry (kept 48 h), then look up a sample: wall µs per add and per lookup."""
    started = time.perf_counter()
    for entry, bands in entries:
        await store.story_add(entry, bands, entry.seen_at + 172800)
    add_us = (time.perf_counter() - started) / len(entries) * 1e6
    sample = entries[:: max(1, len(entries) // 2000)]
    since = entries[-1][0].seen_at - 172800
    started = time.perf_counter()
    for _, bands in sample:
        await store.story_lookup(bands, since, limit)
    return add_us, (time.perf_counter() - started) / len(sample) * 1e6


async def sqlite_figures(entries: list[tuple[StoryEntry, tuple[int, ...]]], limit: int) -> StoreFigures:
    """The window in a real ``SqliteStore`` file: its size on disk once the store is closed."""
    with tempfile.TemporaryDirectory(prefix="wirewatch-story-bench-") as tmp:
        store = SqliteStore(str(Path(tmp) / "state.db"), seen_ttl=DAY, seen_max=10, dedup_ttl=DAY)
        await store.open()
        empty = (Path(tmp) / "state.db").stat().st_size
        add_us, lookup_us = await exercise(store, entries, limit)
        await store.close()
        size = sum(f.stat().st_size for f in Path(tmp).iterdir()) - empty
    return StoreFigures("SQLite store", size, add_us, lookup_us)


async def redis_figures(entries: list[tuple[StoryEntry, tuple[int, ...]]], limit: int) -> StoreFigures:
    """The window in a real ``RedisStore`` on a private redis-server: ``used_memory`` growth."""
    with tempfile.TemporaryDirectory(prefix="wirewatch-story-bench-") as tmp:
        server = RedisServer.start(Path(tmp))
        try:
            with redis.Redis.from_url(server.url()) as client:
                before = int(client.info("memory")["used_memory"])
            store = RedisStore.from_url(server.url(), seen_ttl=DAY, seen_max=10, dedup_ttl=DAY)
            add_us, lookup_us = await exercise(store, entries, limit)
            await store.close()
            with redis.Redis.from_url(server.url()) as client:
                grown = int(client.info("memory")["used_memory"]) - before
        finally:
            server.stop()
    return StoreFigures("Redis store", grown, add_us, lookup_us)


def store_lines(entries: list[tuple[StoryEntry, tuple[int, ...]]], limit: int, with_redis: bool) -> list[str]:
    window = len(entries)
    lines = [asyncio.run(sqlite_figures(entries, limit)).line(window, "on disk")]
    if not with_redis:
        return lines
    try:
        lines.append(asyncio.run(redis_figures(entries, limit)).line(window, "used_memory"))
    except RedisServerMissing as exc:
        lines.append(f"  Redis store: not measured ({exc})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (small window)")
    parser.add_argument("--window", type=int, default=100_000, help="items in the warm index")
    parser.add_argument("--no-redis", action="store_true", help="skip the Redis store (no redis-server)")
    args = parser.parse_args(argv)
    window = 3_000 if args.quick else args.window
    rounds, probe = (2, 300) if args.quick else (5, 3_000)
    rng = random.Random(20241127)
    text = NewsText(rng)
    matcher, articles = matcher_and_articles(rng, 50 if args.quick else 200)
    items = stream(window + rounds * probe, rng, text)
    fingerprinter = Fingerprinter(StoryConfig())
    clusterer = StoryClusterer(MemoryStoryIndex(), fingerprinter.config, fingerprinter=fingerprinter)
    step = 172800 / (window + rounds * probe)  # the whole stream fits in the 48 h window

    base = rss_bytes()
    started = time.process_time()
    counts = asyncio.run(fill(clusterer, items[:window], step))
    fill_s = time.process_time() - started
    held = rss_bytes() - base
    matched = sum(1 for a in articles if matcher.match(a)) / len(articles)

    match_us, cluster_us, fp_us = [], [], []
    for r in range(rounds):
        match_us.append(cpu_us(lambda: [matcher.match(a) for a in articles], len(articles)))
        batch = items[window + r * probe : window + (r + 1) * probe]
        fp_us.append(cpu_us(partial(_fingerprint_all, fingerprinter, batch), len(batch)))
        assign = _assign_all(clusterer, batch, window + r * probe, step)
        cluster_us.append(cpu_us(partial(asyncio.run, assign), probe))
    m, c, f = min(match_us), min(cluster_us), min(fp_us)
    limit = clusterer.config.max_candidates
    found = asyncio.run(_candidates(clusterer, items[window : window + probe], limit))

    print(
        f"window {window:,} items, filled in {fill_s:.1f} s CPU: "
        f"{counts['new']:,} stories, {counts['joined']:,} joined"
    )
    print(f"matching at 1,000 terms (~4 KB articles): {m:8.1f} µs/item  ({matched:.0%} of them match)")
    print(f"clustering, fingerprint + assign:         {c:8.1f} µs/item  (fingerprint alone {f:.1f} µs)")
    print(f"  candidates confirmed per item: {found:.2f} (at most {limit})")
    print(
        f"  per clustered item: +{c / m:.0%} of matching;"
        f"  per item of a stream where 10% match: +{c * 0.1 / m:.1%}"
    )
    print(f"memory: RSS +{held / 2**20:.1f} MB for the window, {held / window:,.0f} bytes/item")
    index = clusterer.index
    assert isinstance(index, MemoryStoryIndex)
    entries = [(e, fingerprinter.item(i).bands) for i, e in _entries(clusterer, items[:window], index)]
    fp_bytes = sum(len(e.fingerprint) for e, _ in entries) / len(entries)
    bands = sum(len(b) for _, b in entries) / len(entries)
    print(
        f"  fingerprint {fp_bytes:.0f} bytes/item, {bands:.1f} band keys/item,"
        f" {index.pairs():,} band pairs held"
    )
    for line in store_lines(entries, limit, not args.no_redis):
        print(line, flush=True)
    return 0


def _fingerprint_all(fingerprinter: Fingerprinter, batch: list[Item]) -> None:
    for item in batch:
        fingerprinter.item(item)


async def _candidates(clusterer: StoryClusterer, batch: list[Item], limit: int) -> float:
    total = 0
    for item in batch:
        total += len(await clusterer.index.lookup(clusterer.fingerprinter.item(item).bands, 0.0, limit))
    return total / len(batch)


async def _assign_all(clusterer: StoryClusterer, batch: list[Item], offset: int, step: float) -> None:
    for n, item in enumerate(batch):
        await clusterer.assign(item, None, START + (offset + n) * step)


def _entries(
    clusterer: StoryClusterer, items: list[Item], index: MemoryStoryIndex
) -> list[tuple[Item, StoryEntry]]:
    async def run() -> list[tuple[Item, StoryEntry]]:
        out = []
        for item in items:
            ref = item_ref(item)
            bands = clusterer.fingerprinter.item(item).bands
            found = [e for e in await index.lookup(bands, 0.0, 1 << 20) if e.ref == ref]
            if found:
                out.append((item, found[0]))
        return out

    return asyncio.run(run())


if __name__ == "__main__":
    raise SystemExit(main())
