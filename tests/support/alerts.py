"""Alerts built in code (never from seed article text), with overridable fields."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from service.model import ALSO_REPORTED, Alert, Item
from service.state.base import OutboxEntry

_counter = itertools.count(1)
BASE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_item(**overrides: Any) -> Item:
    n = next(_counter)
    fields: dict[str, Any] = {
        "id": f"item-{n}",
        "feed_id": "test-feed",
        "title": f"Test headline {n}",
        "link": f"https://news.example.org/story/{n}",
        "published": BASE_TIME + timedelta(seconds=n),  # stays on 2024-05-01 for 43,200 items
        "summary": "A short summary.",
        "content": "",
    }
    fields.update(overrides)
    return Item(**fields)


def make_alert(
    watchlist: str = "syria",
    key: str | None = None,
    matched: dict[str, list[str]] | None = None,
    snippet: str = "Shelling was reported near the city on Tuesday.",
    **item_fields: Any,
) -> Alert:
    item = make_item(**item_fields)
    return Alert(
        key=key or f"ww-{item.id}-{watchlist}",
        watchlist=watchlist,
        item=item,
        matched=matched if matched is not None else {"cities": ["Homs"], "groups": ["HTS"]},
        snippet=snippet,
        created_at=BASE_TIME,
    )


def make_lead(watchlist: str = "syria", **item_fields: Any) -> Alert:
    """The first alert of a story (``kind: match``), carrying its own key and title as the
    story's, as dedup makes it when stories are on."""
    alert = make_alert(watchlist, **item_fields)
    return replace(alert, story=alert.key, story_title=alert.item.title)


def make_followup(
    lead: Alert, feed_title: str = "Levant Wire", key: str | None = None, **item_fields: Any
) -> Alert:
    """A copy of ``lead``'s story from another outlet: ``kind: also_reported``, same watchlist
    and story, its own item (by ``feed_title``)."""
    fields = {"feed_id": "other-feed", "feed_title": feed_title, **item_fields}
    item = make_item(**fields)
    return Alert(
        key=key or f"ww-{item.id}-{lead.watchlist}",
        watchlist=lead.watchlist,
        item=item,
        matched=lead.matched,
        snippet="Another outlet's account of the same story.",
        created_at=BASE_TIME,
        kind=ALSO_REPORTED,
        story=lead.story_key,
        story_title=lead.story_title or lead.item.title,
    )


def stored_alert(key: str, title: str = "Flood in Town") -> Alert:
    """A fixed alert (non-ASCII text, a category) for checking what a store gives back."""
    item = Item(
        id=f"guid-{key}",
        feed_id="feed-a",
        title=title,
        link=f"https://news.example/{key}",
        published=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        summary="Rivers rose — ünïcode too",
        content="",
        categories=("weather",),
    )
    return Alert(
        key=key,
        watchlist="floods",
        item=item,
        matched={"keywords": ["flood"]},
        snippet="…flood…",
        created_at=datetime(2024, 5, 1, 12, 1, tzinfo=UTC),
    )


def make_entry(key: str, channel: str = "slack", at: float = 100.0) -> OutboxEntry:
    """An outbox entry for ``channel`` holding ``stored_alert(key)``, due at ``at``."""
    return OutboxEntry(channel=channel, alert=stored_alert(key), next_attempt=at, created_at=at)
