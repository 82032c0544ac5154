"""Alerts built in code (never from seed article text), with overridable fields."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from service.model import Alert, Item

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
