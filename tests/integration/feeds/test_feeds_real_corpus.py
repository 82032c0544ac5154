"""Every feed of gofeed's, feed-rs's and rss-parser's suites through fetch and parse, field by field.

Each feed is served over a loopback HTTP server (with the publisher's charset in Content-Type
where the suite knows it, see ``real_feeds.REAL_CHARSETS``), polled with ``poll_feed`` (the
path ``run`` and ``match`` use) and compared with the suite's expected parse: item count, and
per item title, link, id and published. A field that differs must be explained by one of
``RULES``: each is a rule of ours (README "Fetching feeds > Parse") where a suite follows
another convention. Anything else fails the test. Run with ``-s`` to see the summary.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from service.feeds.client import make_client
from service.feeds.config import Feed
from service.feeds.links import is_web_url, normalize_link
from service.feeds.poll import poll_feed
from service.feeds.text import html_to_text, tidy
from service.model import DateSource, Item
from service.state.base import FeedState
from tests.integration.feeds.real_feeds import MISSING, Case, load
from tests.support.settings import quick_settings
from tests.support.static_http import Page, serving

FIELDS = ("title", "link", "id", "published")


@dataclass(frozen=True)
class Seen:
    """What a rule sees: our value, the suite's, our item, and the feed as served."""

    ours: Any
    expected: Any
    item: Item | None
    case: Case
    raw: str  # the feed's text, for "is this in the feed as written"


@dataclass(frozen=True)
class Rule:
    name: str
    field: str
    says: str
    accepts: Callable[[Seen], bool]


def _fallback_id(s: Seen) -> bool:
    item = s.item
    assert item is not None
    return s.ours.startswith("sha256:") or (bool(item.link) and s.ours == normalize_link(item.link))


def _charset_pattern(expected: str) -> re.Pattern[str]:
    """``expected`` with each U+FFFD standing for the one character the suite could not decode."""
    parts = [re.escape(part) for part in tidy(expected).split("\ufffd")]
    return re.compile(r"(?:[^\x00-\x7f]|\s)?".join(parts))


RULES = [
    Rule(
        "plain-text", "title",
        "titles are plain text: markup stripped, entities decoded, spaces collapsed",
        lambda s: s.ours == html_to_text(s.expected),
    ),
    Rule(
        "http-charset", "title",
        "bytes are decoded by the HTTP charset, else the XML declaration, else UTF-8 (RFC 7303); "
        "the suite read Latin-1 bytes as UTF-8 and shows U+FFFD",
        lambda s: "\ufffd" in s.expected and bool(_charset_pattern(s.expected).fullmatch(s.ours)),
    ),
    Rule(
        "media-title", "title",
        "an item without <title> is titled by its media:title (feedparser's mapping)",
        lambda s: s.expected == "" and "<media:title" in s.raw and bool(s.ours) and s.ours in s.raw,
    ),
    Rule(
        "trimmed", "id",
        "ids are trimmed of surrounding whitespace",
        lambda s: s.expected.strip() == s.ours,
    ),
    Rule(
        "trimmed", "link",
        "links are trimmed of surrounding whitespace",
        lambda s: s.expected.strip() == s.ours,
    ),
    Rule(
        "fallback-id", "id",
        "an item without guid / Atom id is identified by its normalized link, else by sha256 of "
        "title + date as written; the suite leaves the id empty or invents one of its own",
        lambda s: (s.expected == "" or s.expected not in s.raw) and _fallback_id(s),
    ),
    Rule(
        "rdf-about-id", "id",
        "an RSS 1.0 item's rdf:about is its id (feedparser); the suite leaves the id empty or "
        "invents one of its own",
        lambda s: (s.expected == "" or s.expected not in s.raw) and f'rdf:about="{s.ours}"' in s.raw,
    ),
    Rule(
        "id-as-written", "id",
        "an id is kept exactly as written, never resolved against xml:base; the suite resolved it",
        lambda s: is_web_url(s.expected) and s.expected.endswith(s.ours) and s.ours in s.raw,
    ),
    Rule(
        "markup-guid", "id",
        "a guid made of markup is no id: the item gets a fallback id; the suite keeps the raw markup",
        lambda s: "<" in s.expected and _fallback_id(s),
    ),
    Rule(
        "guid-is-link", "link",
        "an item with no link element is linked to its permalink guid / Atom id when that is an "
        "absolute http(s) URL (never a urn:, tag: or other id); the suite leaves the link empty",
        lambda s: s.expected == "" and s.item is not None and s.ours == s.item.id and is_web_url(s.ours),
    ),
    Rule(
        "relative-link", "link",
        "a relative link is resolved against the item's base (xml:base, else the feed's URL); "
        "the suite keeps it relative",
        lambda s: bool(s.expected) and not urlsplit(s.expected).scheme
        and is_web_url(s.ours) and urljoin(s.ours, s.expected) == s.ours,
    ),
    Rule(
        "link-as-written", "link",
        "a link is kept as written (its host's case too); the suite lowercased the host",
        lambda s: is_web_url(s.ours)
        and urlsplit(s.ours)._replace(netloc=urlsplit(s.ours).netloc.lower()).geturl() == s.expected,
    ),
    Rule(
        "date-read", "published",
        "dates are read in any language and with AM/PM (feedparser, then dateparser); the suite "
        "found none",
        lambda s: s.expected is None and s.item is not None and s.item.date_source is DateSource.FEED,
    ),
    Rule(
        "json-feed", "count",
        "JSON Feed is not read (feedparser reads RSS and Atom only): no items",
        lambda s: s.case.path.suffix == ".json" and s.ours == 0,
    ),
]  # fmt: skip


@dataclass
class Tally:
    feeds: int = 0
    feeds_compared: int = 0
    items: int = 0
    fields: int = 0
    equal: int = 0

    def __post_init__(self) -> None:
        self.by_rule: Counter[tuple[str, str]] = Counter()
        self.unexplained: list[str] = []


def ours_of(item: Item, name: str) -> Any:
    if name == "published":
        return None if item.date_source is DateSource.FIRST_SEEN else item.published
    return getattr(item, name)


def judge(tally: Tally, name: str, seen: Seen) -> None:
    tally.fields += 1
    ours, expected = seen.ours, seen.expected
    if ours == expected:
        tally.equal += 1
        return
    for rule in RULES:
        if rule.field == name and rule.accepts(seen):
            tally.by_rule[(name, rule.name)] += 1
            return
    tally.unexplained.append(f"{seen.case.rel}: {name} ours={ours!r} suite={expected!r}")


def compare(tally: Tally, case: Case, items: list[Item]) -> None:
    tally.feeds += 1
    if case.items is None:
        return
    tally.feeds_compared += 1
    raw = _text_of(case.path.read_bytes())
    judge(tally, "count", Seen(len(items), len(case.items), None, case, raw))
    if len(items) != len(case.items):
        return
    for item, expected in zip(items, case.items, strict=True):
        tally.items += 1
        for name in FIELDS:
            value = getattr(expected, name)
            if value is not MISSING:
                judge(tally, name, Seen(ours_of(item, name), value, item, case, raw))


def _text_of(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def summary(tally: Tally, rules_used: Counter[tuple[str, str]]) -> str:
    lines = [
        f"real-feeds corpus: {tally.feeds} feeds walked, {tally.feeds_compared} with expectations, "
        f"{tally.items} items, {tally.fields} fields compared (count + {', '.join(FIELDS)}), "
        f"{tally.equal} equal, {sum(rules_used.values())} differ by a named rule, "
        f"{len(tally.unexplained)} unexplained",
    ]
    says = {(r.field, r.name): r.says for r in RULES}
    for (name, rule), count in sorted(rules_used.items()):
        lines.append(f"  {name:9} {rule:15} {count:4}  {says[(name, rule)]}")
    return "\n".join(lines)


async def test_real_feed_suites_field_by_field(shared_dir: Path) -> None:
    cases = load(shared_dir / "corpus" / "real-feeds")
    assert len(cases) > 600
    pages = {"/" + quote(case.rel): Page(case.path.read_bytes(), case.content_type) for case in cases}
    settings = quick_settings()
    tally = Tally()
    async with serving(pages) as base, make_client(settings) as client:
        for case in cases:
            feed = Feed(
                id="real", url=f"{base}/{quote(case.rel)}", title="r", interval=60,
                backfill="all", jitter=0, headers={},
            )  # fmt: skip
            outcome = await poll_feed(feed, FeedState(), client, settings, 1e9, random.Random(1))
            assert outcome.status == "new", f"{case.rel}: {outcome.status} {outcome.error}"
            compare(tally, case, outcome.items or [])
    print("\n" + summary(tally, tally.by_rule))
    assert not tally.unexplained, "\n".join(tally.unexplained[:50])
    assert tally.items > 1500 and tally.fields > 6000
    assert tally.equal > 0.9 * tally.fields


def test_rules_do_not_accept_unrelated_differences() -> None:
    """A rule that accepted any difference would hide defects: a few it must refuse."""
    case = Case("t", Path("x.xml"), "x.xml", [])
    item = Item("urn:uuid:1", "f", "T", "", datetime(2024, 1, 1), "", "")
    not_a_link = Seen("urn:uuid:1", "", item, case, raw="")
    guid_rule = next(r for r in RULES if r.name == "guid-is-link")
    assert not guid_rule.accepts(not_a_link)
    wrong_title = Seen("Other title", "<p>Title</p>", item, case, raw="")
    assert not any(r.accepts(wrong_title) for r in RULES if r.field == "title")
    moved = Seen("http://example.org/a", "http://example.org/b", item, case, raw="")
    assert not any(r.accepts(moved) for r in RULES if r.field == "link")
