"""Story identity and alert keys: an alert is sent once per (watchlist, story).

A story is its link, normalized (tracking parameters, fragment, trailing slash, host case and
default port removed), so the same article reached through two feeds, or through links that
differ only in ``utm_*`` / ``fbclid`` noise, is one story. An item without a link falls back to
its id (the guid, or the hash of title + published that parsing computed).
"""

from __future__ import annotations

import hashlib

from service.feeds.links import normalize_link
from service.model import Item


def story_id(item: Item) -> str:
    return "link:" + normalize_link(item.link) if item.link else "id:" + item.id


def alert_key(watchlist: str, item: Item) -> str:
    """Stable across restarts, feeds and processes; safe in URLs, txn ids and Message-IDs."""
    digest = hashlib.sha256(f"{watchlist}\n{story_id(item)}".encode()).hexdigest()
    return f"ww-{digest[:32]}"
