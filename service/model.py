"""The nouns that flow through Wirewatch: an Item from a feed, a Match of a watchlist, an Alert.

An item travels one way: ``feeds/`` turns bytes into Items, ``matching/`` turns an Item into
Matches, ``dedup`` turns a Match into an Alert with a story key, ``delivery`` hands the Alert
to each of its channels' Notifiers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class DateSource(StrEnum):
    """Where an Item's ``published`` came from."""

    FEED = "feed"  # the publisher's date, read from the feed
    FIRST_SEEN = "first_seen"  # the feed gave none that could be read: when Wirewatch first saw it


@dataclass(frozen=True, slots=True)
class Item:
    """One feed entry, reduced to plain text.

    ``id`` is stable across polls: the guid as written, else the normalized link, else a hash
    of title + the date as written. ``summary`` and ``content`` carry no markup.
    ``published`` is the feed's date, or when the item was first seen when the feed gave none
    (``date_source`` says which); None only in records stored before ``date_source`` existed.
    ``feed_title`` is the feed's ``title`` from feeds.yaml, set by the pipeline for messages
    ("" in entries queued before it existed: readers fall back to ``feed_id``, ``feed_name``).
    """

    id: str
    feed_id: str
    title: str
    link: str
    published: datetime | None
    summary: str
    content: str
    categories: tuple[str, ...] = ()
    date_source: DateSource = DateSource.FEED
    feed_title: str = ""

    @property
    def feed_name(self) -> str:
        """What a person reads for the feed: its title, else its id."""
        return self.feed_title or self.feed_id

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["categories"] = list(self.categories)
        data["date_source"] = self.date_source.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        published = data.get("published")
        return cls(
            id=data["id"],
            feed_id=data["feed_id"],
            title=data.get("title", ""),
            link=data.get("link", ""),
            published=datetime.fromisoformat(published) if published else None,
            summary=data.get("summary", ""),
            content=data.get("content", ""),
            categories=tuple(data.get("categories", ())),
            date_source=_date_source(data.get("date_source")),
            feed_title=data.get("feed_title", ""),
        )


def _date_source(value: Any) -> DateSource:
    """A stored ``date_source``; records from before it existed have the feed's date (or none)."""
    try:
        return DateSource(value)
    except ValueError:
        return DateSource.FEED


@dataclass(frozen=True, slots=True)
class Match:
    """A watchlist matched an item: the canonical names that hit, per category.

    ``matched`` has one key per category the watchlist defines (``cities``, ``groups``,
    ``keywords``), each a list of canonical names (keywords: the term as written).
    """

    watchlist: str
    matched: dict[str, list[str]]
    snippet: str


ALSO_REPORTED = "also_reported"


@dataclass(frozen=True, slots=True)
class Alert:
    """A match of one story for one watchlist, ready to be queued to its channels.

    ``key`` identifies (watchlist, item link) and is what dedup claims; it doubles as the
    idempotency id that Matrix, webhooks and email carry, so a repeated send is harmless.

    Stories (``service/stories/``): ``story`` is the key of the alert that started the story
    for this watchlist (an alert of ``kind: match`` starts it and carries its own key), and
    ``story_title`` that alert's item title. A near-duplicate from another outlet is an alert of
    ``kind: also_reported`` with the same ``story``: a follow-up, threaded under the first
    alert where the channel can. Both are "" when stories are off and in entries queued before
    they existed.
    """

    key: str
    watchlist: str
    item: Item
    matched: dict[str, list[str]]
    snippet: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    kind: str = "match"  # "match" | "also_reported" | "feed_health"
    story: str = ""
    story_title: str = ""

    @property
    def is_followup(self) -> bool:
        """A copy of a story already alerted on this watchlist."""
        return self.kind == ALSO_REPORTED

    @property
    def story_key(self) -> str:
        """The story this alert belongs to: ``story``, else its own key."""
        return self.story or self.key

    def to_json(self) -> str:
        return json.dumps(
            {
                "key": self.key,
                "watchlist": self.watchlist,
                "item": self.item.to_dict(),
                "matched": self.matched,
                "snippet": self.snippet,
                "created_at": self.created_at.isoformat(),
                "kind": self.kind,
                "story": self.story,
                "story_title": self.story_title,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Alert:
        data = json.loads(raw)
        return cls(
            key=data["key"],
            watchlist=data["watchlist"],
            item=Item.from_dict(data["item"]),
            matched=data["matched"],
            snippet=data.get("snippet", ""),
            created_at=datetime.fromisoformat(data["created_at"]),
            kind=data.get("kind", "match"),
            story=data.get("story", ""),
            story_title=data.get("story_title", ""),
        )
