"""Bytes to Items with feedparser (never its own HTTP), defended against hostile XML.

Promises:

- ``parse_feed`` never raises: a broken feed gives the items feedparser could read and a
  one-line ``bozo_reason``.
- Entity declarations never expand: feedparser already keeps only "safe" entities and turns
  off external entities in expat, and expat >= 2.4 caps amplification; on top of that any
  DOCTYPE whose internal subset declares entities is cut out before feedparser sees the bytes
  (a billion-laughs or XXE feed then parses as if it had no DTD).
- An Item's ``id`` is stable: the guid, else the normalized link, else a hash of title and
  published. Text fields are plain text (see ``text.html_to_text``).

Memory is the caller's concern: feedparser can need ~100x a malformed body's size, so
``poll.py`` parses large bodies in a memory-capped child process (``isolate.py``).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from service.feeds.links import normalize_link
from service.feeds.text import html_to_text, tidy
from service.model import Item

MAX_ITEMS = 1000  # more entries than any real feed carries; the rest are dropped
MAX_ID_CHARS = 512  # longer ids are hashed so state keys stay small

_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = re.compile(rb"<!DOCTYPE\b", re.IGNORECASE)
_SUBSET_END = re.compile(rb"\]\s*>")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(slots=True)
class ParsedFeed:
    items: list[Item] = field(default_factory=list)
    bozo_reason: str | None = None
    title: str = ""
    defused: bool = False  # entity declarations were cut out before parsing


def strip_entity_declarations(body: bytes) -> tuple[bytes, str | None]:
    """Cut a DOCTYPE that declares entities out of the prolog; say so in the second value."""
    first = _FIRST_ELEMENT.search(body)
    head = body[: first.start()] if first else body
    if not _ENTITY.search(head.replace(b"\x00", b"")):
        return body, None
    if b"\x00" in head[:4]:
        return b"", "entity declarations in a UTF-16/32 document: refused"
    doctype = _DOCTYPE.search(head) or _ENTITY.search(head)
    assert doctype is not None
    start = doctype.start()
    end = _SUBSET_END.search(body, start)
    stop = end.end() if end else len(head)
    return body[:start] + body[stop:], "entity declarations removed from the DOCTYPE"


def parse_feed(feed_id: str, body: bytes, base_url: str | None = None) -> ParsedFeed:
    """Parse ``body``; relative links resolve against ``base_url`` (the URL it came from)."""
    body, defused = strip_entity_declarations(body)
    try:
        parsed = feedparser.parse(
            body,
            response_headers={"content-type": "application/xml"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser's own bugs on odd input: report, never raise
        return ParsedFeed(bozo_reason=f"parser failed: {one_line(exc)}")
    items = []
    for entry in parsed.get("entries", ())[:MAX_ITEMS]:
        try:
            items.append(entry_to_item(feed_id, entry, base_url))
        except Exception:  # one odd entry must not cost the others
            continue
    reason = one_line(parsed["bozo_exception"]) if parsed.get("bozo") else None
    if defused:
        reason = f"{defused}; {reason}" if reason else defused
    title = _text(parsed.get("feed", {}).get("title_detail")) or ""
    return ParsedFeed(items=items, bozo_reason=reason, title=title, defused=defused is not None)


def entry_to_item(feed_id: str, entry: Any, base_url: str | None = None) -> Item:
    """One entry as an Item. Only the link is resolved against ``base_url``: the guid is kept
    as written, so ids stay the same when a feed moves."""
    title = _text(entry.get("title_detail")) or tidy(str(entry.get("title", "")))
    link = str(entry.get("link") or "").strip()
    if link and base_url and "://" not in link:
        link = urljoin(base_url, link)
    published = _published(entry)
    summary = _text(entry.get("summary_detail")) or ""
    contents = [_text(c) for c in entry.get("content") or ()]
    content = "\n".join(c for c in contents if c)
    return Item(
        id=_item_id(entry, link, title, published, summary or content),
        feed_id=feed_id,
        title=title,
        link=link,
        published=published,
        summary=summary,
        content=content,
        categories=_categories(entry),
    )


def _text(detail: Any) -> str:
    """Plain text of a feedparser text construct (a dict with ``value`` and ``type``)."""
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    if "html" in str(detail.get("type") or "html"):
        return html_to_text(value)
    return tidy(value)


def _item_id(entry: Any, link: str, title: str, published: datetime | None, body: str) -> str:
    guid = str(entry.get("id") or "").strip()
    if guid:
        return guid if len(guid) <= MAX_ID_CHARS else "sha256:" + _sha256(guid)
    if link:
        normalized = normalize_link(link)
        return normalized if len(normalized) <= MAX_ID_CHARS else "sha256:" + _sha256(normalized)
    stamp = published.isoformat() if published else str(entry.get("published") or "")
    basis = f"{title}\n{stamp}" if title or stamp else body
    return "sha256:" + _sha256(basis)


def _published(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = entry.get(key)
        if isinstance(stamp, time.struct_time):
            try:
                return datetime(*stamp[:6], tzinfo=UTC)
            except (ValueError, OverflowError):
                continue
    return None


def _categories(entry: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in entry.get("tags") or ():
        name = tidy(str(tag.get("term") or tag.get("label") or ""))
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def one_line(exc: BaseException | str, limit: int = 200) -> str:
    """An exception as ``Type: message`` on one short line (for logs and FeedState)."""
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}".rstrip(": ")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
