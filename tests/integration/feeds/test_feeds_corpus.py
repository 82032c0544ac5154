"""Every file of feedparser's test corpus goes through fetch (as a local file) and parse."""

from __future__ import annotations

import random
from pathlib import Path

from service.feeds.client import make_client
from service.feeds.config import Feed
from service.feeds.poll import poll_feed
from service.state.base import FeedState
from tests.support.settings import quick_settings


async def test_corpus_never_raises(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus" / "feedparser-tests"
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    assert len(files) > 1000
    settings = quick_settings()
    statuses: dict[str, int] = {}
    async with make_client(settings) as client:
        for path in files:
            feed = Feed(
                id="corpus", url=path.as_uri(), title="c", interval=60, backfill="none",
                jitter=0, headers={},
            )  # fmt: skip
            outcome = await poll_feed(feed, FeedState(), client, settings, 0.0, random.Random(1))
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    assert statuses.get("error", 0) == 0, statuses
    assert statuses["new"] == len(files)


async def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    settings = quick_settings()
    feed = Feed(
        id="local", url=(tmp_path / "nope.xml").as_uri(), title="l", interval=60,
        backfill="none", jitter=0, headers={},
    )  # fmt: skip
    async with make_client(settings) as client:
        outcome = await poll_feed(feed, FeedState(), client, settings, 0.0)
    assert outcome.status == "error"
    assert outcome.error and outcome.error.startswith("feed local: file not found")


async def test_file_over_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<rss>" + b"x" * 5000)
    settings = quick_settings(max_feed_bytes=1000)
    feed = Feed(id="local", url=str(big), title="l", interval=60, backfill="none", jitter=0, headers={})
    async with make_client(settings) as client:
        outcome = await poll_feed(feed, FeedState(), client, settings, 0.0)
    assert outcome.error and "cap" in outcome.error
