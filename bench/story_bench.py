"""Story clustering beside matching: per-item cost at 1,000 terms, and the memory of the window.

``python -m bench.story_bench [--quick] [--window N] [--redis-url URL]``, in one process:

1. Matching: the match bench's 1,000-term watchlists (``bench.match_bench`` generators, loaded
   and compiled as the service does) over its ~4 KB synthetic articles: CPU µs per item.
2. Clustering: ``Fingerprinter.item`` + ``StoryClusterer.assign`` against a warm in-memory
   index of ``--window`` items (100,000 by default). The match bench's articles draw from a
   130-word vocabulary, so any two of them look alike; the clustered titles and summaries come
   from a news-like generator instead: function words of English plus a Zipf-distributed
   vocabulary of 40,000 names (weight 1/(rank+50)^1.1), one item in ten a copy of a recent one (a syndicated,
   trimmed or dateline variant), so candidates, confirmations and joins all happen.
3. Memory: process RSS before and after filling the window (bytes per item), the same entries
   written to a temporary SQLite file with the layout of ``service/stories/index.py`` (bytes per
   item on disk), and with ``--redis-url`` the same in a Redis you started (``used_memory``
   per item; the database is FLUSHed first: never point it at a Redis you share).

Matching and clustering alternate in rounds, and the best round of each is kept (CPU time of
this process, so other load on the machine counts less).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from functools import partial
from itertools import accumulate
from pathlib import Path

from stop_words import get_stop_words

from bench.match_bench import make_articles, make_names, write_watchlists
from service.matching.load import load_watchlists
from service.matching.matcher import Matcher
from service.model import Item
from service.stories import Fingerprinter, MemoryStoryIndex, StoryClusterer, StoryConfig, StoryEntry, item_ref

FUNCTION = [w for w in get_stop_words("english") if w.isalpha()][:200]
START = 1_700_000_000.0


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


def sqlite_bytes(entries: list[tuple[StoryEntry, tuple[int, ...]]]) -> int:
    """On-disk bytes of the window in the SQLite layout of ``service/stories/index.py``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stories.db"
        db = sqlite3.connect(path)
        db.executescript(
            "CREATE TABLE story_entry (ref TEXT PRIMARY KEY, story_id TEXT, seen_at REAL, expires_at REAL,"
            " fingerprint BLOB) WITHOUT ROWID;"
            "CREATE TABLE story_band (band INTEGER, seen_at REAL, ref TEXT, PRIMARY KEY (band, seen_at, ref))"
            " WITHOUT ROWID;"
        )
        with db:
            db.executemany(
                "INSERT INTO story_entry VALUES (?, ?, ?, ?, ?)",
                ((e.ref, e.story_id, e.seen_at, e.seen_at + 172800, e.fingerprint) for e, _ in entries),
            )
            db.executemany(
                "INSERT INTO story_band VALUES (?, ?, ?)",
                ((b, e.seen_at, e.ref) for e, bands in entries for b in bands),
            )
        db.execute("VACUUM")
        db.close()
        return path.stat().st_size


def redis_bytes(url: str, entries: list[tuple[StoryEntry, tuple[int, ...]]]) -> int:
    """``used_memory`` growth of the window in the Redis layout of ``service/stories/index.py``."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    before = int(client.info("memory")["used_memory"])
    pipe = client.pipeline(transaction=False)
    for n, (entry, bands) in enumerate(entries):
        pipe.set(f"wirewatch:story:{{s}}:entry:{entry.ref}", entry.to_bytes(), ex=172800)
        for band in bands:
            key = f"wirewatch:story:{{s}}:band:{band:x}"
            pipe.zadd(key, {entry.ref: entry.seen_at})
            pipe.expire(key, 172800)
        if n % 1000 == 999:
            pipe.execute()
    pipe.execute()
    used = int(client.info("memory")["used_memory"]) - before
    client.flushdb()
    client.close()
    return used


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (small window)")
    parser.add_argument("--window", type=int, default=100_000, help="items in the warm index")
    parser.add_argument("--redis-url", help="measure the Redis layout in this (FLUSHed!) database")
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
    if not args.quick:
        print(f"  SQLite layout: {sqlite_bytes(entries) / window:,.0f} bytes/item on disk")
    if args.redis_url:
        print(f"  Redis layout: {redis_bytes(args.redis_url, entries) / window:,.0f} bytes/item used_memory")
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
