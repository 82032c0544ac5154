"""parse_feed: Items with stable ids and plain text; bozo feeds still yield; hostile XML defused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from service.feeds.parse import parse_feed, strip_entity_declarations
from tests.support.hostile_xml import billion_laughs, external_entity

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example &amp; Co</title><link>https://example.com/</link>
<item>
  <title>Council &lt;b&gt;votes&lt;/b&gt;</title>
  <link>https://example.com/a?utm_source=rss</link>
  <guid isPermaLink="false">story-1</guid>
  <pubDate>Tue, 02 Jan 2024 10:30:00 +0200</pubDate>
  <description>&lt;p&gt;Budget &amp;amp; taxes&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;</description>
  <category>Politics</category><category>Local</category><category>Politics</category>
</item>
<item><title>No guid</title><link>https://example.com/b/?fbclid=1#x</link></item>
<item><title>Only a title</title><pubDate>Wed, 03 Jan 2024 00:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_items_carry_plain_text_and_stable_ids() -> None:
    parsed = parse_feed("example", RSS, "https://example.com/feed.xml")
    assert parsed.title == "Example & Co"
    first, second, third = parsed.items
    assert first.id == "story-1"
    assert first.feed_id == "example"
    assert first.title == "Council votes"
    assert first.link == "https://example.com/a?utm_source=rss"
    assert first.published == datetime(2024, 1, 2, 8, 30, tzinfo=UTC)
    assert first.summary == "Budget & taxes"
    assert first.categories == ("Politics", "Local")
    assert second.id == "https://example.com/b"
    assert third.id.startswith("sha256:")
    assert parse_feed("example", RSS).items[2].id == third.id  # stable across parses


def test_atom_content_is_plain_text() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <entry><id>urn:x:1</id><title type="html">T &amp;amp; U</title>
    <updated>2024-05-01T12:00:00Z</updated><link href="/rel/path"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <style>x{}</style>
    there</p></div></content></entry></feed>"""
    (item,) = parse_feed("a", atom, "https://example.org/feed").items
    assert item.id == "urn:x:1"
    assert item.title == "T & U"
    assert item.link == "https://example.org/rel/path"
    assert item.content == "Hi there"
    assert item.published == datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_bozo_feed_still_yields_items() -> None:
    broken = RSS.replace(b"</channel></rss>", b"<item><title>unclosed")
    parsed = parse_feed("broken", broken)
    assert parsed.bozo_reason
    assert [i.id for i in parsed.items][:2] == ["story-1", "https://example.com/b"]


def test_garbage_never_raises() -> None:
    for body in (b"", b"\x00\xff\xfe", b"<", b"<rss>" * 1000, "ü".encode("latin-1")):
        parse_feed("junk", body)


LAUGHS = billion_laughs("<item><guid>g1</guid><title>&lol9;</title><description>ok</description></item>")


def test_billion_laughs_does_not_expand() -> None:
    parsed = parse_feed("laughs", LAUGHS)
    (item,) = parsed.items
    assert item.id == "g1"
    assert len(item.title) < 100
    assert parsed.bozo_reason and "entity declarations removed" in parsed.bozo_reason


def test_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xxe = external_entity(
        secret.as_uri(), "<item><guid>g</guid><title>x &xxe; y</title><description>&xxe;</description></item>"
    )
    parsed = parse_feed("xxe", xxe)
    assert parsed.items
    for item in parsed.items:
        assert "TOP-SECRET" not in item.title + item.summary + item.content


def test_strip_entity_declarations_leaves_plain_doctypes() -> None:
    netscape = b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x">'
    body = netscape + b"<rss/>"
    assert strip_entity_declarations(body) == (body, None)
    stripped, reason = strip_entity_declarations(LAUGHS)
    assert b"ENTITY" not in stripped and reason


def test_seed_fixture(shared_dir: Path) -> None:
    body = (shared_dir / "fixtures" / "artifex-aleppo-offensive-2024.xml").read_bytes()
    parsed = parse_feed("artifex", body)
    assert len(parsed.items) == 4
    assert all(i.id and i.title and i.link and i.published for i in parsed.items)
    assert all("<" not in i.content and "<" not in i.summary for i in parsed.items)
