"""``wirewatch alerts``: what was sent (and what a silence held back): when, where, which story.

Reads the alert log (kept ``WIREWATCH_ALERT_LOG_TTL``, 30 days by default) from the state store
opened read-only, so it answers while the service runs, on SQLite and Redis alike. Newest
first; times in UTC (ISO 8601 in ``--format json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from service.cli.common import admin_store, iso, since_arg, since_start, utc
from service.model import ALSO_REPORTED
from service.notify.render import clip, one_line, plural
from service.notify.text import matched_summary
from service.settings import Settings
from service.state.records import AlertRecord


def register(sub: Any) -> None:
    p = sub.add_parser("alerts", help="what was sent: when, to which channel, for which watchlist")
    p.add_argument(
        "--since",
        type=since_arg,
        default=86400.0,
        help="how far back: 30m, 7d ... or 2024-12-04T08:00 (default 24h)",
    )
    p.add_argument("--watchlist", help="only this watchlist")
    p.add_argument("--channel", help="only this channel")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=handle)


def handle(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_alerts(settings, args))


async def _alerts(settings: Settings, args: argparse.Namespace) -> int:
    since = since_start(args.since, time.time())
    async with admin_store(settings, read_only=True) as store:
        records = await store.alert_records(since, watchlist=args.watchlist, channel=args.channel)
    if args.format == "json":
        print(json.dumps([record_row(r) for r in records], ensure_ascii=False, indent=2))
        return 0
    for line in text_lines(records, since):
        print(line)
    return 0


def record_row(r: AlertRecord) -> dict[str, Any]:
    return {
        "at": iso(r.at),
        "outcome": r.outcome,
        "channel": r.channel,
        "watchlist": r.watchlist,
        "alert_key": r.alert_key,
        "title": r.title,
        "link": r.link,
        "feed": {"id": r.feed_id, "title": r.feed_title or r.feed_id},
        "published": iso(r.published),
        "matched": r.matched,
        "kind": r.kind,
        "batch_key": r.batch_key,
        "silence_id": r.silence_id,
    }


def text_lines(records: list[AlertRecord], since: float) -> list[str]:
    """Two lines per record: when, what happened, where, which watchlist and story; then the
    link, feed, published time and matched terms."""
    sent = sum(r.outcome == "sent" for r in records)
    head = (
        f"{plural(len(records), 'alert')} since {utc(since)} UTC: {sent} sent, {len(records) - sent} silenced"
    )
    lines = [head if records else f"nothing sent or silenced since {utc(since)} UTC"]
    for r in records:
        outcome = r.outcome if r.silence_id is None else f"silenced by {r.silence_id}"
        title = clip(one_line(r.title) or "(no title)", 90)
        if r.kind == ALSO_REPORTED:
            title = f"also reported: {title}"
        lines.append(f"{utc(r.at)}  {outcome}  #{r.channel}  [{r.watchlist}] {title}")
        details = [r.link or "(no link)", r.feed_title or r.feed_id, f"published {utc(r.published)}"]
        matched = matched_summary(r.matched)
        if matched:
            details.append(matched)
        lines.append("    " + " · ".join(details))
    return lines
