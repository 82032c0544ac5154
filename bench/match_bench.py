"""Matcher throughput: the compiled matcher beside the naive baseline, at 1k, 10k and 50k terms.

``python -m bench.match_bench [--quick]`` writes synthetic watchlist YAML files (place-like
names, one in four with two aliases, one of them in Arabic script; keywords, some with ``*``)
into a temporary folder, loads them with ``load_watchlists`` (YAML load counts as build time),
compiles the Matcher, and matches synthetic ~4 KB English articles that carry curly
apostrophes, dashes, accented names and a few of the terms. The baseline is what one would
write first: one ``\\b`` regex per spelling, searched in turn, run on a small sample of items.
Prints items/s (in CPU time, the number to compare on a shared machine, and in wall time),
build time and peak RSS (the process's high-water mark, sizes run smallest first so each row's
peak is that size's), and the load average. Arabic-script articles (random words with harakat
and tatweel, the lists' Arabic aliases planted, some with proclitics) are matched with the
largest lists. Then the Cyrillic part (bench/cyrillic.py): 10,000 Ukrainian and Russian terms
matched as written (``inflect: false``, the baseline), then with inflection from a cold and a
warm expansion cache, each in a fresh process.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import yaml

from bench import cyrillic
from service.matching.load import load_watchlists
from service.matching.matcher import Matcher, item_text
from service.matching.schema import Watchlist
from service.model import Item

T = TypeVar("T")
CONSONANTS = "b d f h j k l m n q r s t w z kh sh th gh".split()
VOWELS = "a e i o u aa ou ei".split()
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
WORDS = (
    "the a of to in and on for with from at by after before during said says officials "
    "forces army government rebels fighters civilians residents city town village province "
    "road bridge border crossing hospital school market aid convoy water power ceasefire talks "
    "report reports reported attack attacks strike strikes shelling clashes killed wounded "
    "displaced families thousands hundreds monday tuesday wednesday thursday friday weekend "
    "morning night late early north south east west central northern southern near around "
    "under over into across against between while as it its their they he she we which who "
    "statement spokesman ministry council agency observers monitors witnesses according local"
).split()
FLAVOUR = ["it’s", "officials’", "—", "–", "Ḥamāh", "Dayr az-Zawr", "Aʿzāz", "“quiet”", "naïve"]


def make_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        words = [
            "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 3)))
            for _ in range(rng.choice((1, 1, 2)))
        ]
        names.add(" ".join(w.capitalize() for w in words))
    return sorted(names)


def write_watchlists(folder: Path, terms: int, rng: random.Random) -> list[str]:
    """Ten watchlist files with ``terms`` entries in all; returns the names used in articles."""
    names = make_names(terms, rng)
    per_file = max(1, terms // 10)
    for n in range(10):
        chunk = names[n * per_file : (n + 1) * per_file]
        cities: list[object] = []
        for i, name in enumerate(chunk[: per_file * 8 // 10]):
            if i % 4 == 0:
                arabic = "".join(rng.choice(ARABIC) for _ in range(5))
                cities.append({"name": name, "aliases": [name.replace("a", "e", 1), arabic]})
            else:
                cities.append(name)
        keywords = [w.lower() + ("*" if i % 3 == 0 else "") for i, w in enumerate(chunk[len(cities) :])]
        data = {
            "description": f"synthetic list {n}",
            "match": "any",
            "feeds": "all",
            "cities": cities,
            "keywords": keywords,
            "exclude": ["football"],
            "channels": ["console"],
        }
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / f"synthetic-{n}.yaml").write_text(text, encoding="utf-8")
    return names


def make_articles(count: int, names: list[str], rng: random.Random) -> list[Item]:
    items = []
    for n in range(count):
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < 4000:
            roll = rng.random()
            if roll < 0.004:
                words.append(rng.choice(names))
            elif roll < 0.02:
                words.append(rng.choice(FLAVOUR))
            else:
                words.append(rng.choice(WORDS))
        body = " ".join(words)
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        items.append(Item(f"i{n}", "bench", title, "", datetime.now(UTC), body[:300], body, ("World",)))
    return items


def arabic_aliases(watchlists: list[Watchlist]) -> list[str]:
    """The Arabic-script aliases of the synthetic lists (one city in four has one)."""
    return [v for w in watchlists for t in w.cities for v in t.variants if v[0] in ARABIC]


def make_arabic_articles(count: int, aliases: list[str], rng: random.Random) -> list[str]:
    """~3.5 KB of Arabic-script words (random letters), a haraka on one word in ten and a
    tatweel on one in twenty, an alias of the lists every ~250 words, some with a proclitic."""
    articles = []
    for _ in range(count):
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < 3500:
            roll = rng.random()
            if roll < 0.004:
                words.append(rng.choice(["", "", "و", "ب", "وال"]) + rng.choice(aliases))
                continue
            word = "".join(rng.choice(ARABIC) for _ in range(rng.randint(2, 7)))
            if roll < 0.1:
                word = word[0] + "\u064e" + word[1:]
            elif roll < 0.15:
                word = word[0] + "\u0640" + word[1:]
            words.append(word)
        articles.append(" ".join(words))
    return articles


def naive_baseline(watchlists: list[Watchlist]) -> Callable[[str], int]:
    """One ``\\b`` regex per spelling, searched one after another."""
    spellings = [
        s.rstrip("*")
        for w in watchlists
        for section in ("cities", "groups", "keywords")
        for t in getattr(w, section)
        for s in t.variants
    ]
    patterns = [re.compile(r"\b" + re.escape(s) + r"\b", re.IGNORECASE) for s in spellings]
    return lambda text: sum(1 for p in patterns if p.search(text))


def rate(run: Callable[[], object], items: int, seconds: float) -> tuple[float, float]:
    """Items per second of ``run`` (``items`` each), in CPU time and in wall time. CPU time is the
    number to compare: the machine is shared, and wall time counts other jobs' turns too."""
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while True:
        run()
        done += items
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / (time.process_time() - cpu), done / elapsed


def apply_all(run: Callable[[T], object], values: Sequence[T]) -> list[object]:
    return [run(v) for v in values]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (1,000 terms)")
    args = parser.parse_args(argv)
    sizes = [1_000] if args.quick else [1_000, 10_000, 50_000]
    seconds = 0.2 if args.quick else 2.0
    rng = random.Random(20241127)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} (1, 5, 15 min) on {os.cpu_count()} CPUs")
    head = f"{'terms':>7} {'spellings':>9} {'build s':>8} {'cpu s':>6} {'items/s cpu':>11} {'wall':>7}"
    print(f"{head} {'matches/item':>12} {'peak MB':>8}")
    kept: list[tuple[int, list[Watchlist], list[Item]]] = []
    arabic: tuple[int, float, float, float] | None = None
    for terms in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            names = write_watchlists(Path(tmp), terms, rng)
            started, cpu = time.perf_counter(), time.process_time()
            watchlists, problems = load_watchlists(Path(tmp), None, {"console"})
            matcher = Matcher(watchlists)
            build, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert not problems, problems
        items = make_articles(20 if args.quick else 200, names, rng)
        hits = sum(len(matcher.match(i)) for i in items) / len(items)
        speed, wall = rate(partial(apply_all, matcher.match, items), len(items), seconds)
        spellings = sum(len(t.variants) or 1 for w in watchlists for t in w.cities + w.keywords)
        row = f"{terms:>7} {spellings:>9} {build:>8.2f} {cpu:>6.2f} {speed:>11.0f} {wall:>7.0f}"
        print(f"{row} {hits:>12.2f} {peak_mb():>8.0f}")
        if terms == sizes[-1]:
            texts = make_arabic_articles(20 if args.quick else 200, arabic_aliases(watchlists), rng)
            found = sum(len(matcher.match_text(t)) for t in texts) / len(texts)
            arabic = (terms, *rate(partial(apply_all, matcher.match_text, texts), len(texts), seconds), found)
        kept.append((terms, watchlists, items))
        del matcher
    if arabic is not None:
        terms, speed, wall, found = arabic
        print(
            f"\nArabic-script articles, the {terms:,}-term lists: {speed:,.0f} items/s cpu "
            f"({wall:,.0f} wall), {found:.2f} matches/item"
        )
    print("\nnaive baseline (one \\b regex per spelling), on a sample of items, items/s cpu:")
    for terms, watchlists, items in kept:
        search = naive_baseline(watchlists)
        sample = [item_text(i) for i in items[: 2 if args.quick else 5]]
        speed, _ = rate(partial(apply_all, search, sample), len(sample), seconds)
        print(f"{terms:>7} terms: {speed:>9.1f} items/s")
    del kept
    print("\nCyrillic watchlist (Ukrainian and Russian; bench/cyrillic.py), each run a fresh process;")
    print("items/s in CPU time, for the articles as they were (dense) and without chance hits (sparse):")
    print(cyrillic.HEADER)
    terms, count = (500, 20) if args.quick else (10_000, 200)
    for row in cyrillic.bench(terms, count, seconds, rng, args.quick):
        print(row)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
