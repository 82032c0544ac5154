"""Bytes to Items with feedparser (never its own HTTP), defended against hostile XML.

Promises:

- ``parse_feed`` never raises: a broken feed gives the items feedparser could read and a
  one-line ``bozo_reason``.
- The bytes are decoded as the response's Content-Type says (``charset.py``, RFC 7303).
- Entity declarations never expand: feedparser already keeps only "safe" entities and turns
  off external entities in expat, and expat >= 2.4 caps amplification; on top of that any
  DOCTYPE whose internal subset declares entities is cut out before feedparser sees the bytes
  (a billion-laughs or XXE feed then parses as if it had no DTD).
- Strict or loose parser, an item reads the same (``parsers.py``). Its fields follow the rules
  in README "Fetching feeds > Parse":

  - ``id``: the guid / Atom id exactly as written (never resolved against a base), else the
    normalized link, else a hash of title and the date as written.
  - ``link``: the item's link element (its text before any ``uri`` attribute), resolved
    against the item's base; else the guid, only when it is a permalink and an absolute
    http(s) URL. An id like ``urn:uuid:...`` or ``tag:...`` is never a link.
  - ``published``: the published, else updated, else created date (``dates.py``); when none
    can be read, the time the item was first seen, with ``date_source`` saying so.
  - titles, summaries, content, categories: plain text without control characters.
- At most ``MAX_ITEMS`` items: the first ones; ``entries_total`` says how many there were.

Memory is the caller's concern: feedparser can need ~100x a malformed body's size, so
``poll.py`` parses large bodies in a memory-capped child process (``isolate.py``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.feeds.charset import parser_content_type
from service.feeds.dates import DateReader
from service.feeds.links import absolute, is_web_url, normalize_link
from service.feeds.parsers import read_feed
from service.feeds.text import html_to_text, tidy
from service.model import DateSource, Item

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
    entries_total: int = 0  # entries in the feed; more than MAX_ITEMS means some were dropped


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


def parse_feed(
    feed_id: str,
    body: bytes,
    base_url: str | None = None,
    *,
    content_type: str | None = None,
    seen_at: datetime | None = None,
) -> ParsedFeed:
    """Parse ``body`` as sent with ``content_type`` from ``base_url`` (None for a file).

    Relative links resolve against ``base_url``; an item without a readable date is dated
    ``seen_at`` (default: now).
    """
    body, defused = strip_entity_declarations(body)
    try:
        parsed = read_feed(body, parser_content_type(content_type, body))
    except Exception as exc:  # feedparser's own bugs on odd input: report, never raise
        return ParsedFeed(bozo_reason=f"parser failed: {one_line(exc)}")
    feed = parsed.get("feed", {})
    entries = parsed.get("entries", ())
    dates = DateReader(feed.get("language"))
    seen = seen_at or datetime.now(UTC)
    items = []
    for entry in entries[:MAX_ITEMS]:
        try:
            items.append(entry_to_item(feed_id, entry, base_url, dates, seen))
        except Exception:  # one odd entry must not cost the others
            continue
    reason = one_line(parsed["bozo_exception"]) if parsed.get("bozo") else None
    if defused:
        reason = f"{defused}; {reason}" if reason else defused
    title = _text(feed.get("title_detail")) or ""
    return ParsedFeed(
        items=items, bozo_reason=reason, title=title, defused=defused is not None, entries_total=len(entries)
    )


def entry_to_item(
    feed_id: str,
    entry: Any,
    base_url: str | None = None,
    dates: DateReader | None = None,
    seen_at: datetime | None = None,
) -> Item:
    """One entry as an Item, by the rules in the module docstring."""
    title = _text(entry.get("title_detail")) or tidy(str(entry.get("title", "")))
    guid = str(entry.get("id") or "").strip()
    link = entry_link(entry, guid, base_url)
    published, written = (dates or DateReader()).entry_date(entry)
    source = DateSource.FEED
    if published is None:
        published, source = seen_at or datetime.now(UTC), DateSource.FIRST_SEEN
    summary = _text(entry.get("summary_detail")) or ""
    contents = [_text(c) for c in entry.get("content") or ()]
    content = "\n".join(c for c in contents if c)
    return Item(
        id=_item_id(guid, link, title, written, summary or content),
        feed_id=feed_id,
        title=title,
        link=link,
        published=published,
        summary=summary,
        content=content,
        categories=_categories(entry),
        date_source=source,
    )


def entry_link(entry: Any, guid: str, base_url: str | None) -> str:
    """The entry's alternate link (feedparser's pick among them first), else a permalink guid."""
    hrefs = [  # dict.get: FeedParserDict's own get is slow, and these keys need no mapping
        str(dict.get(link, "href")).strip()
        for link in dict.get(entry, "links") or ()
        if dict.get(link, "href") and dict.get(link, "rel", "alternate") == "alternate"
    ]
    chosen = str(entry.get("link") or "").strip()
    if chosen not in hrefs:
        chosen = hrefs[0] if hrefs else ""
    if not chosen and entry.get("wirewatch_permalink") and is_web_url(guid):
        chosen = guid
    return absolute(chosen, base_url)


def _text(detail: Any) -> str:
    """Plain text of a feedparser text construct (a dict with ``value`` and ``type``)."""
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    if "html" in str(detail.get("type") or "html"):
        return html_to_text(value)
    return tidy(value)


def _item_id(guid: str, link: str, title: str, written_date: str, body: str) -> str:
    if guid:
        return guid if len(guid) <= MAX_ID_CHARS else "sha256:" + _sha256(guid)
    if link:
        normalized = normalize_link(link)
        return normalized if len(normalized) <= MAX_ID_CHARS else "sha256:" + _sha256(normalized)
    basis = f"{title}\n{written_date}" if title or written_date else body
    return "sha256:" + _sha256(basis)


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
