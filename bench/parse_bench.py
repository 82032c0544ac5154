"""Parse cost: the parse path before issue 9 and now, side by side in one process.

``python -m bench.parse_bench [--rounds N] [--quick]`` builds RSS feeds of ~10 KB (10 items)
and ~1 MB (1,000 items), each once with dates feedparser reads and once with Portuguese dates
("Seg, 24 Set 2018 19:42:40 -0300", which only dateparser reads), and parses each with
``bench.parse_baseline.parse_feed_before`` and ``service.feeds.parse.parse_feed`` in turn,
alternating rounds. Prints the median CPU time per parse and the ratio now / before.

Parsing here is in-process; the service parses bodies over 256 KiB in a child process
(``isolate.py``), which adds its start-up (~0.3 s) to both, before and now alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bench.parse_baseline import parse_feed_before
from service.feeds.parse import parse_feed

ENGLISH = "Mon, {day:02d} Jan 2024 {hour:02d}:{minute:02d}:00 GMT"
PORTUGUESE = "Seg, {day:02d} Set 2018 {hour:02d}:{minute:02d}:40 -0300"


def feed(items: int, date_format: str) -> bytes:
    body = "".join(
        f"<item><title>Story {n} about the city council budget</title>"
        f"<link>https://news.example/{n}?utm_source=rss</link><guid>https://news.example/{n}</guid>"
        f"<pubDate>{date_format.format(day=1 + n % 28, hour=n % 24, minute=n % 60)}</pubDate>"
        f"<description>&lt;p&gt;{'Lorem ipsum dolor sit amet, consectetur. ' * 18}&lt;/p&gt;</description>"
        f"<category>Politics</category></item>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
        f"<link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


def timed(parse: Callable[[], object]) -> float:
    """CPU seconds of one parse (the machine may be busy; CPU time is what parsing costs)."""
    started = time.process_time()
    parse()
    return time.process_time() - started


def bench(name: str, body: bytes, rounds: int) -> None:
    url = "https://news.example/feed.xml"
    before: list[float] = []
    now: list[float] = []
    parse_feed("warm", body[:2000] + b"</channel></rss>", url)  # imports, first-call costs
    for _ in range(rounds):
        before.append(timed(lambda: parse_feed_before("b", body, url)))
        now.append(timed(lambda: parse_feed("n", body, url, content_type="application/rss+xml")))
    b, n = statistics.median(before), statistics.median(now)
    dated_before = sum(1 for i in parse_feed_before("b", body, url) if i.published)
    dated_now = sum(1 for i in parse_feed("n", body, url).items if i.date_source == "feed")
    print(
        f"{name:<24} {len(body) / 1024:5.0f} KiB  before {b * 1000:7.1f} ms  now {n * 1000:7.1f} ms CPU"
        f"  now/before {n / b:4.2f}  dated items before {dated_before}, now {dated_now}",
        flush=True,
    )


def main(rounds: int, big_items: int) -> None:
    print(f"median of {rounds} rounds per parse")
    bench("10 KB, English dates", feed(10, ENGLISH), rounds * 10)
    bench("1 MB, English dates", feed(big_items, ENGLISH), rounds)
    bench("10 KB, Portuguese dates", feed(10, PORTUGUESE), rounds * 10)
    bench("1 MB, Portuguese dates", feed(big_items, PORTUGUESE), rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2 rounds, a 100-item 'big' feed")
    args = parser.parse_args()
    main(2 if args.quick else args.rounds, 100 if args.quick else 1000)
