"""Defect class "HTTP charset ignored": a feed is decoded by the charset its server names.

Each feed here has no encoding declaration, so only the response's Content-Type says what the
bytes are; before the fix they were read as Latin-1 and no watchlist matched.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from service.feeds.client import make_client
from service.feeds.config import Feed
from service.feeds.isolate import INLINE_MAX
from service.feeds.poll import PollOutcome, poll_feed
from service.matching.matcher import Matcher, item_text
from service.state.base import FeedState
from tests.support.matching import watchlist
from tests.support.settings import quick_settings
from tests.support.static_http import Page, serving

ARABIC_TITLE = "اشتباكات عنيفة في حلب"  # "violent clashes in Aleppo"
RUSSIAN_TITLE = "Бои в Алеппо продолжаются"  # "fighting in Aleppo goes on"


def feed_bytes(title: str, encoding: str, items: int = 1, declaration: bool = False) -> bytes:
    entries = "".join(
        f"<item><guid>g{n}</guid><title>{title}</title><description>{title} {'x' * 300}</description>"
        f"<pubDate>Tue, 02 Jan 2024 10:30:00 +0000</pubDate></item>"
        for n in range(items)
    )
    head = f'<?xml version="1.0" encoding="{encoding}"?>' if declaration else ""
    return f'{head}<rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'.encode(
        encoding
    )


async def poll(page: Page) -> PollOutcome:
    settings = quick_settings()
    async with serving({"/feed.xml": page}) as base, make_client(settings) as client:
        feed = Feed(
            id="f", url=f"{base}/feed.xml", title="f", interval=60, backfill="all", jitter=0, headers={}
        )
        return await poll_feed(feed, FeedState(), client, settings, 1e9, random.Random(1))


ALEPPO_AR, ALEPPO_RU = ["حلب"], ["Алеппо"]
CASES: list[Any] = [
    pytest.param(ARABIC_TITLE, "windows-1256", "text/xml; charset=windows-1256", ALEPPO_AR, id="arabic-1256"),
    pytest.param(
        RUSSIAN_TITLE,
        "windows-1251",
        "application/rss+xml; charset=windows-1251",
        ALEPPO_RU,
        id="russian-1251",
    ),
    pytest.param(RUSSIAN_TITLE, "koi8-r", "text/html; charset=KOI8-R", ALEPPO_RU, id="russian-koi8-as-html"),
    pytest.param(ARABIC_TITLE, "utf-8", "text/xml", ALEPPO_AR, id="utf8-text-xml-no-charset"),
    pytest.param(
        RUSSIAN_TITLE, "utf-8", "text/xml; charset=ISO-8859-1", ALEPPO_RU, id="utf8-mislabelled-latin1"
    ),
]


@pytest.mark.parametrize(("title", "encoding", "content_type", "keywords"), CASES)
async def test_feed_decoded_by_http_charset_and_matched(
    title: str, encoding: str, content_type: str, keywords: list[str]
) -> None:
    outcome = await poll(Page(feed_bytes(title, encoding), content_type))
    assert outcome.status == "new", outcome.error
    (item,) = outcome.items or []
    assert item.title == title
    matcher = Matcher([watchlist(keywords=keywords)])
    assert matcher.match_text(item_text(item)), f"{keywords} not found in {item.title!r}"


async def test_large_body_keeps_its_charset_in_the_isolated_parser() -> None:
    body = feed_bytes(RUSSIAN_TITLE, "windows-1251", items=900)
    assert len(body) > INLINE_MAX  # parsed in the memory-capped child process
    outcome = await poll(Page(body, "text/xml; charset=windows-1251"))
    assert outcome.status == "new", outcome.error
    assert outcome.items and len(outcome.items) == 900
    assert {item.title for item in outcome.items} == {RUSSIAN_TITLE}


async def test_declaration_still_counts_without_a_charset_header() -> None:
    outcome = await poll(Page(feed_bytes(ARABIC_TITLE, "windows-1256", declaration=True), "application/xml"))
    assert [i.title for i in outcome.items or []] == [ARABIC_TITLE]


async def test_no_content_type_header_at_all() -> None:
    outcome = await poll(Page(feed_bytes(RUSSIAN_TITLE, "utf-8"), None))
    assert [i.title for i in outcome.items or []] == [RUSSIAN_TITLE]
