"""``wirewatch match``: try watchlists on feeds before they go live (no state, no dedup, no priming);
``--stories`` shows the stories the feeds would form (``match_stories.py``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from service.cli.match_stories import cluster_items, render_clusters
from service.feeds.client import make_client
from service.feeds.config import Feed, resolve_url
from service.feeds.poll import poll_feed
from service.matching.explain import Explanation, render_text, to_json
from service.matching.load import load_watchlists
from service.matching.matcher import Matcher, item_text
from service.matching.schema import STORY_WINDOW, Watchlist
from service.model import Item, Match
from service.notify.text import item_date_text, matched_summary
from service.settings import Settings
from service.state.base import FeedState
from service.stories import StoryConfig


def feed_label(source: str) -> str:
    """A readable feed id for a path or URL: the file name or the host."""
    if "://" in source and not source.startswith("file://"):
        return urlparse(source).hostname or "feed"
    return Path(urlparse(source).path if source.startswith("file://") else source).stem or "feed"


def register(sub: Any) -> None:
    p = sub.add_parser("match", help="dry run: which watchlists match which items of a feed")
    p.add_argument("--rules", type=Path, required=True, help="folder with watchlists/")
    p.add_argument(
        "--feed", required=True, action="append", help="feed file path or URL (repeat for several feeds)"
    )
    p.add_argument("--format", choices=["jsonl", "text"], default="text")
    p.add_argument(
        "--explain",
        action="store_true",
        help="per item and watchlist: every term hit and its form, vetoes, missing categories",
    )
    p.add_argument(
        "--stories",
        action="store_true",
        help="the stories the feeds would form: each story's first item and its copies, with similarity",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="--stories: the similarity to join a story (default WIREWATCH_STORY_THRESHOLD)",
    )
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    if args.threshold is not None and not 0.0 < args.threshold <= 1.0:
        print(f"--threshold must be above 0 and at most 1, got {args.threshold:g}", file=sys.stderr)
        return 2
    return asyncio.run(_match(settings, args))


async def _match(settings: Settings, args: argparse.Namespace) -> int:
    rules: Path = args.rules
    watchlists, problems = load_watchlists(rules / "watchlists", feed_ids=None, channel_names=None)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    if not watchlists:
        print(f"{rules / 'watchlists'}: no watchlists found", file=sys.stderr)
        return 1
    items = await _read_feeds(settings, args.feed)
    if items is None:
        return 1
    matcher = Matcher(watchlists)
    if args.stories:
        threshold = args.threshold if args.threshold is not None else settings.story_threshold
        clusters = await cluster_items(items, matcher, StoryConfig(threshold=threshold), _window(watchlists))
        for block in render_clusters(clusters, args.format):
            print(block)
        if args.format == "text":
            stories = sum(1 for c in clusters if len(c.members) > 1)
            word = "story" if len(clusters) == 1 else "stories"
            print(f"-- {len(items)} items in {len(clusters)} {word} ({stories} with copies)", file=sys.stderr)
        return 0
    _print_matches(matcher, items, args.format, args.explain, len(watchlists))
    return 0


def _window(watchlists: list[Watchlist]) -> float:
    return max((w.story_window for w in watchlists), default=STORY_WINDOW)


async def _read_feeds(settings: Settings, sources: list[str]) -> list[Item] | None:
    """Every item of every source, in the order given; None (after a message) when one fails."""
    items: list[Item] = []
    async with make_client(settings) as client:
        for source in sources:
            label = feed_label(source)
            feed = Feed(
                id=label,
                url=resolve_url(source, Path.cwd()),
                title=label,
                interval=300.0,
                backfill="all",
                jitter=0.0,
                headers={},
            )
            outcome = await poll_feed(feed, FeedState(), client, settings, time.time())
            if outcome.items is None:
                print(f"feed {source}: {outcome.error or outcome.status}", file=sys.stderr)
                return None
            items.extend(outcome.items)
    return items


def _print_matches(matcher: Matcher, items: list[Item], fmt: str, explain: bool, watchlists: int) -> None:
    count = 0
    for item in items:
        if explain:
            explanations = matcher.explain_text(item_text(item))
            count += sum(e.matched for e in explanations)
            print(render_explained(explanations, item, fmt))
            continue
        for match in matcher.match(item, feeds_filter=False):  # no feeds filter in a dry run
            count += 1
            print(render(match, item, fmt))
    if fmt == "text":
        print(f"-- {count} matches in {len(items)} items, {watchlists} watchlists", file=sys.stderr)


def render(match: Match, item: Item, fmt: str) -> str:
    if fmt == "jsonl":
        return json.dumps(
            {
                "watchlist": match.watchlist,
                "item_id": item.id,
                "feed": item.feed_id,
                "title": item.title,
                "link": item.link,
                "published": item.published.isoformat() if item.published else None,
                "date_source": item.date_source.value,
                "matched": match.matched,
                "snippet": match.snippet,
            },
            ensure_ascii=False,
        )
    return (
        f"[{match.watchlist}] {item.title}\n  {item.link}\n  matched: {matched_summary(match.matched)}"
        f"\n  date: {item_date_text(item)}"
    )


def render_explained(explanations: list[Explanation], item: Item, fmt: str) -> str:
    """``--explain``: every watchlist's hits and decision for one item (one JSON line, or text)."""
    if fmt == "jsonl":
        head = {"item_id": item.id, "feed": item.feed_id, "title": item.title, "link": item.link}
        return json.dumps({**head, "watchlists": [to_json(e) for e in explanations]}, ensure_ascii=False)
    return render_text(item.title, explanations) + "\n"
