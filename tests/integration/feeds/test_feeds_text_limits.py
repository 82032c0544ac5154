"""Defect class "text": no control characters reach an alert; a feed over 1,000 entries says so."""

from __future__ import annotations

import random
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

from service.feeds.client import make_client
from service.feeds.config import Feed
from service.feeds.parse import MAX_ITEMS, parse_feed
from service.feeds.poll import PollOutcome, poll_feed
from service.matching.matcher import Matcher, item_text
from service.state.base import FeedState
from tests.support.matching import watchlist
from tests.support.settings import quick_settings

# a loose-path feed (XML 1.0 forbids these characters, so the strict parser refuses it)
CONTROLS = (
    "<rss version='2.0'><channel><title>t</title><item><guid>c1</guid>"
    "<title>Shelling\x01 in\x0b Homs\x1b \x7fcontinues\x9d</title>"
    "<description>Reports\x00 from\x08 Homs \x0csay the\x07 shelling continues.</description>"
    "<category>Middle\x02 East &amp; Africa</category></item></channel></rss>"
)


def test_control_characters_never_reach_titles_snippets_or_categories() -> None:
    (item,) = parse_feed("f", CONTROLS.encode()).items
    assert item.title == "Shelling in Homs continues"
    assert item.summary == "Reports from Homs say the shelling continues."
    assert item.categories == ("Middle East & Africa",)
    (match,) = Matcher([watchlist(cities=["Homs"])]).match_text(item_text(item))
    assert match.snippet and not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in match.snippet)


def big_feed(entries: int) -> bytes:
    items = "".join(f"<item><guid>g{n}</guid><title>Item {n}</title></item>" for n in range(entries))
    return f"<rss version='2.0'><channel><title>big</title>{items}</channel></rss>".encode()


async def poll_logged(
    tmp: Path, feed_id: str, items: int
) -> tuple[PollOutcome, list[MutableMapping[str, Any]]]:
    """One poll of a file feed of ``items`` items, and what it logged."""
    path = tmp / f"{feed_id}.xml"
    path.write_bytes(big_feed(items))
    settings = quick_settings()
    feed = Feed(
        id=feed_id, url=path.as_uri(), title=feed_id, interval=60, backfill="all", jitter=0, headers={}
    )
    async with make_client(settings) as client:
        with capture_logs() as logs:
            outcome = await poll_feed(feed, FeedState(), client, settings, 1e9, random.Random(1))
    return outcome, logs


async def test_a_feed_over_the_item_limit_logs_that_it_kept_the_first(tmp_path: Path) -> None:
    outcome, logs = await poll_logged(tmp_path, "big", MAX_ITEMS + 50)
    assert outcome.items is not None and len(outcome.items) == MAX_ITEMS
    assert outcome.items[0].id == "g0" and outcome.items[-1].id == f"g{MAX_ITEMS - 1}"
    (event,) = [e for e in logs if e["event"] == "feed_truncated"]
    assert event["feed_id"] == "big" and event["kept"] == MAX_ITEMS and event["entries"] == MAX_ITEMS + 50


async def test_a_feed_at_the_limit_logs_nothing(tmp_path: Path) -> None:
    outcome, logs = await poll_logged(tmp_path, "full", MAX_ITEMS)
    assert outcome.items is not None and len(outcome.items) == MAX_ITEMS
    assert not [e for e in logs if e["event"] == "feed_truncated"]
