"""Replay: what one watchlist would have alerted on, against the items kept in the state store.

For a new or edited watchlist, before it goes live: every item the pipeline saw since ``since``
(``ItemHistory``: title, summary, link, feed, published, categories; no content, summaries cut
to 1,000 characters) goes through the real matcher with the real rules (the watchlist's
``feeds`` filter included), and the hits are reduced to one per story with the real alert key,
as dedup would. Nothing is sent, queued or claimed. A hit is ``already_alerted`` when the alert
log holds an alert with that key (the live watchlist of the same id sent or silenced it).
Priming is not replayed: an item a feed's first poll only primed counts like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

from service.dedup import alert_key
from service.matching.matcher import Matcher
from service.matching.schema import Watchlist
from service.model import Item, Match
from service.state.editors import AlertLog, ItemHistory


class ReplayStore(ItemHistory, AlertLog, Protocol):
    """What a replay reads: the item history, and the alert log to mark what was already sent."""


@dataclass(frozen=True, slots=True)
class ReplayHit:
    seen_at: float
    item: Item
    match: Match
    alert_key: str
    already_alerted: bool


@dataclass(slots=True)
class ReplayReport:
    watchlist: str
    since: float
    feeds: int = 0
    items: int = 0
    hits: list[ReplayHit] = field(default_factory=list)  # newest first


async def replay(
    store: ReplayStore, watchlist: Watchlist, since: float, feed_titles: dict[str, str]
) -> ReplayReport:
    """Every story ``watchlist`` would have alerted on among the items seen since ``since``,
    once each (at its first sighting), newest first. Reads one feed's history at a time."""
    matcher = Matcher([watchlist])
    logged = {r.alert_key for r in await store.alert_records(since, watchlist=watchlist.id)}
    report = ReplayReport(watchlist.id, since)
    hits: dict[str, ReplayHit] = {}
    for feed_id in await store.history_feeds():
        kept = await store.history(feed_id, since)
        report.feeds += bool(kept)
        report.items += len(kept)
        for entry in kept:
            for match in matcher.match(entry.item):
                key = alert_key(match.watchlist, entry.item)
                if key in hits and hits[key].seen_at <= entry.seen_at:
                    continue
                item = replace(entry.item, feed_title=feed_titles.get(feed_id, ""))
                hits[key] = ReplayHit(entry.seen_at, item, match, key, key in logged)
    report.hits = sorted(hits.values(), key=lambda h: (h.seen_at, h.alert_key), reverse=True)
    return report
