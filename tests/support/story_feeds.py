"""The labelled story set (``tests/unit/stories/story_set.yaml``) as feeds: version n of every
story in feed ``outlet-n``, each item with its own link, so a run sees the same story carried
by up to four outlets; and a watchlist that matches every item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import yaml

from tests.support.rundir import RunDir, rss

STORY_SET = Path(__file__).parents[1] / "unit" / "stories" / "story_set.yaml"
START = datetime(2024, 12, 4, 8, 0, tzinfo=UTC)

EVERYTHING = """
description: every item (a story-set test)
keywords:
  - {regex: '\\w+', name: any}
channels: [%s]
"""


@dataclass(frozen=True)
class StoryItem:
    story: str
    version: int
    title: str
    summary: str

    @property
    def feed(self) -> str:
        return f"outlet-{self.version}"

    @property
    def link(self) -> str:
        return f"https://{self.feed}.test/{self.story}"


def load_story_items() -> tuple[list[StoryItem], list[tuple[str, str]]]:
    """Every version of every story, and the hard-negative pairs of story ids."""
    data = yaml.safe_load(STORY_SET.read_text(encoding="utf-8"))
    items = [
        StoryItem(s["id"], n, v["title"], v["summary"])
        for s in data["stories"]
        for n, v in enumerate(s["versions"])
    ]
    return items, [tuple(h["pair"]) for h in data["hard_negatives"]]  # type: ignore[misc]


def write_outlets(rd: RunDir, items: list[StoryItem], *, backfill: str = "all") -> list[str]:
    """One feed file per outlet (published a minute apart per version); ``feeds.yaml`` lists
    them. Returns the feed ids."""
    outlets = sorted({i.feed for i in items})
    for outlet in outlets:
        entries = [
            {
                "title": _xml(i.title),
                "link": i.link,
                "guid": i.link,
                "date": format_datetime(START + timedelta(minutes=i.version)),
                "body": i.summary,
            }
            for i in items
            if i.feed == outlet
        ]
        (rd.rules / f"{outlet}.xml").write_text(rss(entries, title=outlet.title()), encoding="utf-8")
    rd.write(
        "feeds.yaml",
        "feeds:\n"
        + "".join(
            f"  - {{id: {o}, url: {o}.xml, title: {o.title()}, backfill: {backfill}}}\n" for o in outlets
        ),
    )
    return outlets


def write_everything_watchlist(rd: RunDir, channels: list[str]) -> None:
    for old in (rd.rules / "watchlists").glob("*.yaml"):
        old.unlink()
    rd.write("watchlists/everything.yaml", EVERYTHING % ", ".join(channels))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")
