"""The three real-feed suites in ``../shared/corpus/real-feeds``: each feed with its expected items.

Each suite's expectation file is reduced to what Wirewatch compares: per item ``title``,
``link``, ``id`` and ``published``; a field the suite does not state is ``MISSING`` and is not
compared (gofeed's parser tests state only the field they test, and leave out empty ones,
which then mean "empty").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json")

# Where the suite knows the feed's real charset and the file has no XML declaration to say it,
# the loopback server sends it as the publisher did (UOL's feed is Latin-1, undeclared).
REAL_CHARSETS = {"rss-parser/test/input/uolNoticias.rss": "text/xml; charset=ISO-8859-1"}


@dataclass(frozen=True)
class Expected:
    title: Any = MISSING
    link: Any = MISSING
    id: Any = MISSING
    published: Any = MISSING  # datetime, None (the suite found none) or MISSING


@dataclass
class Case:
    suite: str
    path: Path  # the feed
    rel: str  # its path under real-feeds/, for messages
    items: list[Expected] | None  # None: the suite gives no expectation for this feed
    content_type: str = "application/xml"
    notes: dict[str, Any] = field(default_factory=dict)


def iso(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC).replace(microsecond=0)


def _content_type(rel: str, path: Path) -> str:
    if rel in REAL_CHARSETS:
        return REAL_CHARSETS[rel]
    if path.suffix == ".json":
        return "application/feed+json"
    head = path.read_bytes()[:2000]
    if b"<feed" in head:
        return "application/atom+xml"
    if b"<rss" in head or b"<rdf" in head.lower():
        return "application/rss+xml"
    return "application/xml"


def load(root: Path) -> list[Case]:
    cases = [*_gofeed(root), *_feed_rs(root), *_rss_parser(root)]
    for case in cases:
        case.content_type = _content_type(case.rel, case.path)
    return cases


# --- gofeed -----------------------------------------------------------------------------------


def _gofeed(root: Path) -> Iterator[Case]:
    base = root / "gofeed" / "testdata"
    for path in sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in FEED_SUFFIXES):
        if path.name.endswith("_expected.json"):
            continue
        rel = str(path.relative_to(root))
        expected = _gofeed_expectation(path)
        if path.suffix == ".json" and expected is None and path.with_suffix(".xml").exists():
            continue  # an expectation file, not a feed
        items = None if expected is None else _gofeed_items(path, expected)
        yield Case("gofeed", path, rel, items)


def _gofeed_expectation(path: Path) -> dict[str, Any] | None:
    if path.suffix == ".json":
        sibling = path.with_name(path.stem + "_expected.json")
    else:
        sibling = path.with_suffix(".json")
    if not sibling.exists() or path.parent.name == "universal":
        return None
    data = json.loads(sibling.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def _gofeed_items(path: Path, data: dict[str, Any]) -> list[Expected]:
    parser_atom = "parser/atom" in str(path)
    raw = data.get("entries" if parser_atom else "items") or []
    return [_gofeed_item(item, parser_atom) for item in raw]


def _gofeed_item(item: dict[str, Any], parser_atom: bool) -> Expected:
    # gofeed leaves empty fields out of its JSON: absent means empty
    if parser_atom:
        links = [
            link.get("href", "") for link in item.get("links") or [] if link.get("rel") in (None, "alternate")
        ]
        link = links[0] if links else ""
        ident = item.get("id", "")
    else:
        link = item.get("link", "")
        guid = item.get("guid", "")
        ident = guid.get("value", "") if isinstance(guid, dict) else guid or item.get("id", "")
    published = item.get("publishedParsed") or item.get("pubDateParsed") or item.get("updatedParsed")
    return Expected(title=item.get("title", ""), link=link, id=ident, published=iso(published))


# --- feed-rs ----------------------------------------------------------------------------------


def _feed_rs(root: Path) -> Iterator[Case]:
    base = root / "feed-rs" / "feed-rs" / "fixture"
    for path in sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in FEED_SUFFIXES):
        if path.name.endswith(".serde.json"):
            continue
        rel = str(path.relative_to(root))
        sibling = path.with_name(path.stem + ".serde.json")
        items = None
        if sibling.exists():
            data = json.loads(sibling.read_text(encoding="utf-8"))
            items = [_feed_rs_item(entry) for entry in data.get("entries") or []]
        yield Case("feed-rs", path, rel, items)


def _feed_rs_item(entry: dict[str, Any]) -> Expected:
    title = (entry.get("title") or {}).get("content", "")
    links = [link["href"] for link in entry.get("links") or [] if link.get("rel") in (None, "alternate")]
    published = entry.get("published") or entry.get("updated")
    return Expected(
        title=title, link=links[0] if links else "", id=entry.get("id", ""), published=iso(published)
    )


# --- rss-parser -------------------------------------------------------------------------------


def _rss_parser(root: Path) -> Iterator[Case]:
    base = root / "rss-parser" / "test"
    for path in sorted((base / "input").iterdir()):
        rel = str(path.relative_to(root))
        output = base / "output" / (path.stem + ".json")
        items = None
        if output.exists():
            data = json.loads(output.read_bytes().decode("utf-8", "replace"))
            items = [_rss_parser_item(item) for item in (data.get("feed") or {}).get("items") or []]
        yield Case("rss-parser", path, rel, items)


def _rss_parser_item(item: dict[str, Any]) -> Expected:
    ident = item.get("guid") or item.get("id") or ""
    published = iso(item["isoDate"]) if item.get("isoDate") else None
    return Expected(
        title=item.get("title", MISSING), link=item.get("link", ""), id=ident, published=published
    )
