"""normalize_link: one story, one string, whatever tracking or formatting a feed adds; and
which link a parsed item gets."""

from __future__ import annotations

import pytest

from service.feeds.links import normalize_link
from service.feeds.parse import parse_feed

CASES = [
    ("HTTPS://Example.COM/a/b/", "https://example.com/a/b"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/", "https://example.com"),
    ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
    ("https://example.com/a?fbclid=x&gclid=y&mc_cid=1&mc_eid=2&ref=tw", "https://example.com/a"),
    ("https://example.com/a?id=5&utm_campaign=x", "https://example.com/a?id=5"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("https://[::1]:443/x/", "https://[::1]/x"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),
    ("not a url", "not a url"),
    ("", ""),
    ("http://[broken", "http://[broken"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize_link(raw: str, expected: str) -> None:
    assert normalize_link(raw) == expected


def test_same_story_through_two_feeds() -> None:
    a = "https://News.example/world/2024/story/?utm_source=feedA#top"
    b = "https://news.example/world/2024/story?fbclid=abc"
    assert normalize_link(a) == normalize_link(b)


# Defect class "links": which link an item gets, from what its feed says.
FEED_URL = "https://feed.example/news/rss.xml"
LINK_CASES = [
    # (item XML inside an RSS <channel>, the item's link)
    ("<guid>12345</guid>", ""),  # a guid that is no URL is never a link
    ("<guid>/story/1</guid>", ""),  # nor is a path
    ('<guid isPermaLink="false">https://x.example/1</guid>', ""),  # not a permalink
    ("<guid>https://x.example/1</guid>", "https://x.example/1"),  # a permalink URL, no <link>
    ("<guid>https://x.example/1</guid><link>https://x.example/2</link>", "https://x.example/2"),
    ("<link>https://x.example/2</link><guid>https://x.example/1</guid>", "https://x.example/2"),
    ('<link uri="at://did:plc:abc/app.bsky.feed.post/1">https://x.example/3</link>', "https://x.example/3"),
    ('<link uri="https://x.example/only-attribute"></link>', "https://x.example/only-attribute"),
    ("<link>/2024/story</link>", "https://feed.example/2024/story"),
    ("<link>story?go=https://elsewhere.example/x</link>", "https://feed.example/news/story?go=https://elsewhere.example/x"),
    ("<link>//cdn.example/a</link>", "https://cdn.example/a"),
    ("<link>  https://x.example/4  </link>", "https://x.example/4"),
]  # fmt: skip


@pytest.mark.parametrize(("xml", "link"), LINK_CASES)
def test_rss_item_link(xml: str, link: str) -> None:
    body = f'<rss version="2.0"><channel><title>t</title><item><title>x</title>{xml}</item></channel></rss>'
    (item,) = parse_feed("f", body.encode(), FEED_URL).items
    assert item.link == link


ATOM_LINK_CASES = [
    ("<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>", ""),
    ("<id>tag:news.example,2024:story-1</id>", ""),
    ("<id>https://news.example/story-1</id>", "https://news.example/story-1"),
    ('<id>tag:n.example,2024:2</id><link rel="alternate" href="/s/2"/>', "https://feed.example/s/2"),
    ('<id>tag:n.example,2024:3</id><link rel="enclosure" href="https://n.example/a.mp3"/>', ""),
    ('<id>x</id><link href="s/4?next=https://y.example/"/>', "https://feed.example/news/s/4?next=https://y.example/"),
]  # fmt: skip


@pytest.mark.parametrize(("xml", "link"), ATOM_LINK_CASES)
def test_atom_entry_link(xml: str, link: str) -> None:
    body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>x</title>{xml}</entry></feed>'
    (item,) = parse_feed("f", body.encode(), FEED_URL).items
    assert item.link == link


def test_relative_link_resolves_against_the_items_xml_base() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example/feed/"><title>t</title>
    <entry xml:base="/world/"><id>1</id><link href="story?ref=https://a.example/"/></entry>
    <entry><id>2</id><link href="other"/></entry></feed>"""
    first, second = parse_feed("f", body, FEED_URL).items
    assert first.link == "https://base.example/world/story?ref=https://a.example/"
    assert second.link == "https://base.example/feed/other"
