"""``wirewatch replay --watchlist FILE --since 7d``: what a watchlist would have alerted on.

Runs the watchlist file (new, or an edited copy of a live one) against the items the state
store kept (``WIREWATCH_HISTORY_TTL``, 7 days by default) and prints the stories it would have
alerted on, newest first, each once; sends nothing and changes nothing (the store is opened
read-only). See ``service/replay.py`` for what exactly is replayed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from service.cli.common import admin_store, iso, since_arg, since_start, utc
from service.config.yamlfile import ConfigError, load_yaml
from service.feeds.config import load_feeds
from service.matching.load import parse_watchlist
from service.matching.schema import Watchlist
from service.notify.render import clip, one_line, plural
from service.notify.text import matched_summary
from service.replay import ReplayHit, ReplayReport, replay
from service.settings import Settings

NAME = "wirewatch replay"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "replay", help="what a watchlist would have alerted on in the stored items; sends nothing"
    )
    p.add_argument("--watchlist", type=Path, required=True, help="watchlist file (YAML), new or edited")
    p.add_argument(
        "--since",
        type=since_arg,
        default=7 * 86400.0,
        help="how far back: 7d, 36h ... or 2024-12-04T08:00 (default 7d)",
    )
    p.add_argument("--rules", type=Path, help="rules folder, for feed titles (default: WIREWATCH_RULES_DIR)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    titles = _feed_titles(settings.rules_dir)
    watchlist = _watchlist(args.watchlist, set(titles) if titles is not None else None)
    if watchlist is None:
        return 1
    report = asyncio.run(_replay(settings, watchlist, since_start(args.since, time.time()), titles or {}))
    if args.format == "json":
        print(json.dumps(report_json(report, watchlist), ensure_ascii=False, indent=2))
    else:
        print("\n".join(text_lines(report, watchlist)))
    return 0


def _feed_titles(folder: Path) -> dict[str, str] | None:
    """Feed id -> title from feeds.yaml; None (and a note) when it cannot be read."""
    try:
        return {f.id: f.title for f in load_feeds(folder / "feeds.yaml")}
    except ConfigError as exc:
        print(f"{NAME}: feed titles not shown, {exc.problems[0]}", file=sys.stderr)
        return None


def _watchlist(path: Path, feed_ids: set[str] | None) -> Watchlist | None:
    """The watchlist in ``path`` (its ``channels`` are not checked: replay sends nothing)."""
    watchlist, problems = parse_watchlist(load_yaml(path), path.stem, feed_ids, None)
    for problem in problems:
        print(problem, file=sys.stderr)
    return watchlist


async def _replay(
    settings: Settings, watchlist: Watchlist, since: float, titles: dict[str, str]
) -> ReplayReport:
    async with admin_store(settings, read_only=True) as store:
        return await replay(store, watchlist, since, titles)


def hit_json(hit: ReplayHit) -> dict[str, Any]:
    item = hit.item
    return {
        "seen_at": iso(hit.seen_at),
        "published": iso(item.published.timestamp()) if item.published else None,
        "feed": {"id": item.feed_id, "title": item.feed_name},
        "title": item.title,
        "link": item.link,
        "matched": hit.match.matched,
        "snippet": hit.match.snippet,
        "alert_key": hit.alert_key,
        "already_alerted": hit.already_alerted,
    }


def report_json(report: ReplayReport, watchlist: Watchlist) -> dict[str, Any]:
    return {
        "watchlist": report.watchlist,
        "file": watchlist.path,
        "since": iso(report.since),
        "feeds": report.feeds,
        "items": report.items,
        "alerts": [hit_json(h) for h in report.hits],
    }


def text_lines(report: ReplayReport, watchlist: Watchlist) -> list[str]:
    lines = [
        f"[{report.watchlist}] ({watchlist.path}) against {plural(report.items, 'item')} from "
        f"{plural(report.feeds, 'feed')} seen since {utc(report.since)} UTC:"
    ]
    for hit in report.hits:
        item = hit.item
        mark = "  (already alerted)" if hit.already_alerted else ""
        lines.append(f"{utc(hit.seen_at)}  {clip(one_line(item.title) or '(no title)', 90)}{mark}")
        published = utc(item.published.timestamp()) if item.published else "no date"
        lines.append(f"    {item.link or '(no link)'} · {item.feed_name} · published {published}")
        lines.append(f"    matched: {matched_summary(hit.match.matched) or '-'}")
        if hit.match.snippet:
            lines.append(f"    “{clip(hit.match.snippet, 200)}”")
    already = sum(h.already_alerted for h in report.hits)
    lines.append(
        f"-- {plural(len(report.hits), 'alert')} would have been sent ({already} already alerted by the "
        "live watchlist); nothing was sent"
    )
    return lines
