"""``wirewatch match --stories``: the stories a set of feeds would form (a dry run for tuning).

Items of every feed given are placed in the order they would arrive (by published time; undated
items after the dated ones of their feed), through the same clusterer and thresholds as
``wirewatch run``, over an in-memory index: no state is read or written. Each story lists its
first item and its copies with the similarity that joined them, and the watchlists that match
each item. ``run`` clusters only items some watchlist matched; this shows every item, so a desk
sees the stories its watchlists would miss too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from service.matching.matcher import Matcher
from service.model import Item
from service.stories import MemoryStoryIndex, StoryClusterer, StoryConfig, item_ref

_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(slots=True)
class Member:
    item: Item
    similarity: float  # to the copy that decided its story; 0.0 for the first item
    watchlists: list[str]


@dataclass(slots=True)
class Cluster:
    story: str
    members: list[Member] = field(default_factory=list)


def arrival_order(items: Sequence[Item]) -> list[Item]:
    """Oldest first by published time; undated items last, in feed order."""
    indexed = list(enumerate(items))
    indexed.sort(key=lambda pair: (pair[1].published or _NEVER, pair[0]))
    return [item for _, item in indexed]


async def cluster_items(
    items: Sequence[Item], matcher: Matcher, config: StoryConfig, window: float
) -> list[Cluster]:
    """Stories of ``items`` (in arrival order), largest first, then by first arrival."""
    clusterer = StoryClusterer(MemoryStoryIndex(), config, retention=window)
    clusters: dict[str, Cluster] = {}
    now, seen = time.time(), set()
    for item in arrival_order(items):
        ref = item_ref(item)
        if ref in seen:
            continue  # the same link in two feeds: one item, as dedup makes it
        seen.add(ref)
        assignment = await clusterer.assign(item, window, now)
        watchlists = [m.watchlist for m in matcher.match(item, feeds_filter=False)]
        cluster = clusters.setdefault(assignment.story_id, Cluster(assignment.story_id))
        cluster.members.append(Member(item, assignment.similarity, watchlists))
    order = list(clusters.values())
    order.sort(key=lambda c: -len(c.members))  # stable: first arrival first among equals
    return order


def render_clusters(clusters: Sequence[Cluster], fmt: str) -> list[str]:
    """Text blocks (or JSON lines), one per story of two or more items, then one line for the
    rest (stories of one item)."""
    lines: list[str] = []
    for number, cluster in enumerate((c for c in clusters if len(c.members) > 1), 1):
        lines.append(_json(number, cluster) if fmt == "jsonl" else _text(number, cluster))
    singles = [c for c in clusters if len(c.members) == 1]
    if fmt == "jsonl":
        start = len(lines) + 1
        lines.extend(_json(start + i, c) for i, c in enumerate(singles))
    elif singles:
        lines.append(f"{len(singles)} items are stories of their own")
    return lines


def _text(number: int, cluster: Cluster) -> str:
    first = cluster.members[0]
    out = [f"story {number}: {first.item.title} ({len(cluster.members)} items)"]
    for member in cluster.members:
        mark = "first" if member is first else f"{member.similarity:.2f}"
        matched = f" [{', '.join(member.watchlists)}]" if member.watchlists else ""
        out.append(f"  {mark:>5}  {member.item.feed_id}: {member.item.title}{matched}")
        if member.item.link:
            out.append(f"         {member.item.link}")
    return "\n".join(out) + "\n"


def _json(number: int, cluster: Cluster) -> str:
    members = [
        {
            "feed": m.item.feed_id,
            "title": m.item.title,
            "link": m.item.link,
            "first": i == 0,
            "similarity": round(m.similarity, 3),
            "watchlists": m.watchlists,
        }
        for i, m in enumerate(cluster.members)
    ]
    return json.dumps({"story": number, "size": len(members), "items": members}, ensure_ascii=False)
