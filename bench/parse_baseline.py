"""The parse path as it was before issue 9 ("feeds as they really are"), frozen for the bench.

``feedparser.parse`` with its own decoding (no HTTP charset), its own id and link handling and
its own dates only. Kept only so ``bench.parse_bench`` can run before and after side by side in
one process; nothing in ``service/`` uses it.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from service.feeds.links import normalize_link
from service.feeds.parse import MAX_ID_CHARS, MAX_ITEMS, _sha256, strip_entity_declarations
from service.feeds.text import _MARKUP, _Extractor
from service.model import Item

_SPACES = re.compile(r"[^\S\n]+")


def tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    if not _MARKUP.search(markup):
        return tidy(markup)
    extractor = _Extractor()
    extractor.feed(markup)
    extractor.close()
    return tidy("".join(extractor.parts))


def _text(detail: Any) -> str:
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    if "html" in str(detail.get("type") or "html"):
        return html_to_text(value)
    return tidy(value)


def parse_feed_before(feed_id: str, body: bytes, base_url: str | None = None) -> list[Item]:
    body, _ = strip_entity_declarations(body)
    parsed = feedparser.parse(
        body,
        response_headers={"content-type": "application/xml"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    items = []
    for entry in parsed.get("entries", ())[:MAX_ITEMS]:
        try:
            items.append(_entry_to_item(feed_id, entry, base_url))
        except Exception:
            continue
    return items


def _entry_to_item(feed_id: str, entry: Any, base_url: str | None) -> Item:
    title = _text(entry.get("title_detail")) or tidy(str(entry.get("title", "")))
    link = str(entry.get("link") or "").strip()
    if link and base_url and "://" not in link:
        link = urljoin(base_url, link)
    published = _published(entry)
    summary = _text(entry.get("summary_detail")) or ""
    content = "\n".join(c for c in (_text(c) for c in entry.get("content") or ()) if c)
    return Item(
        id=_item_id(entry, link, title, published, summary or content),
        feed_id=feed_id,
        title=title,
        link=link,
        published=published,
        summary=summary,
        content=content,
        categories=tuple(
            dict.fromkeys(t for t in (tidy(str(g.get("term") or "")) for g in entry.get("tags") or ()) if t)
        ),
    )


def _item_id(entry: Any, link: str, title: str, published: datetime | None, body: str) -> str:
    guid = str(entry.get("id") or "").strip()
    if guid:
        return guid if len(guid) <= MAX_ID_CHARS else "sha256:" + _sha256(guid)
    if link:
        return normalize_link(link)
    stamp = published.isoformat() if published else str(entry.get("published") or "")
    return "sha256:" + _sha256(f"{title}\n{stamp}" if title or stamp else body)


def _published(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = dict.get(entry, key)
        if isinstance(stamp, time.struct_time):
            return datetime(*stamp[:6], tzinfo=UTC)
    return None
