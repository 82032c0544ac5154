"""Defect class "ids change between polls": an id is the guid as written, whichever parser read it.

feedparser's strict parser gives up on the first XML error and its loose parser starts over; a
feed that is well-formed on one poll and not on the next must give the same ids both times.
"""

from __future__ import annotations

import pytest

from service.feeds.parse import parse_feed

ITEMS = """
<item><guid isPermaLink="false">a&amp;b</guid><title>One</title><category>War &amp; Peace</category></item>
<item><guid isPermaLink="false">&lt;x&gt; &#38; &#x26; &#233;</guid><title>Two</title></item>
<item><guid isPermaLink="false"><![CDATA[c&amp;d <e>]]></guid><title>Three</title></item>
<item><guid>https://example.com/story?a=1&amp;b=2</guid><title>Four</title></item>
<item><title>Five &amp; no guid</title><pubDate>Tue, 02 Jan 2024 10:30:00 +0000</pubDate></item>
<item><title>Six</title><link>https://example.com/six?x=1&amp;y=2</link></item>
"""
STRICT = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{ITEMS}</channel></rss>'
AS_WRITTEN = ["a&b", "<x> & & é", "c&amp;d <e>", "https://example.com/story?a=1&b=2"]

# the same feed, made to fail the strict parser in the ways real feeds do
LOOSE = {
    "space-before-declaration": "\n  " + STRICT,
    "undeclared-entity": STRICT.replace("<title>One</title>", "<title>One&nbsp;</title>"),
    "bare-ampersand": STRICT.replace("<title>t</title>", "<title>Q & A</title>"),
    "unclosed-tag": STRICT.replace("</channel></rss>", "<br></channel></rss>"),
}


def test_strict_ids_are_as_written() -> None:
    parsed = parse_feed("f", STRICT.encode(), "https://example.com/feed")
    assert parsed.bozo_reason is None
    assert [i.id for i in parsed.items][:4] == AS_WRITTEN


@pytest.mark.parametrize("broken", LOOSE.values(), ids=LOOSE.keys())
def test_loose_parser_gives_the_same_items(broken: str) -> None:
    strict = parse_feed("f", STRICT.encode(), "https://example.com/feed").items
    loose = parse_feed("f", broken.encode(), "https://example.com/feed")
    assert loose.bozo_reason  # it did go the loose way
    assert [i.id for i in loose.items] == [i.id for i in strict]
    assert [i.link for i in loose.items] == [i.link for i in strict]
    assert [i.categories for i in loose.items] == [i.categories for i in strict]
    assert loose.items[0].categories == ("War & Peace",)


ATOM_BASES = """<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>A</title>
  <content type="xhtml" xml:base="https://cdn.example/c/"><div xmlns="http://www.w3.org/1999/xhtml">
  <a href="x">x</a></div></content>
  <id>entry-1</id></entry>
<entry xml:base="https://news.example/world/"><title>B</title><id>2024/story-2</id>
  <link href="story-2.html"/></entry>
<entry><title>C</title><id>tag:news.example,2024:3</id><link href="/story-3"/></entry>
</feed>"""


@pytest.mark.parametrize("body", [ATOM_BASES, " " + ATOM_BASES], ids=["strict", "loose"])
def test_xml_base_never_leaks_into_ids_or_later_links(body: str) -> None:
    a, b, c = parse_feed("f", body.encode(), "https://feed.example/atom.xml").items
    assert [a.id, b.id, c.id] == ["entry-1", "2024/story-2", "tag:news.example,2024:3"]
    assert a.link == ""  # "entry-1" is no URL, and the content's base is not its link
    assert b.link == "https://news.example/world/story-2.html"  # its own xml:base
    assert c.link == "https://feed.example/story-3"  # the content base of entry A is long gone


def test_ids_do_not_depend_on_the_feed_url() -> None:
    one = parse_feed("f", ATOM_BASES.encode(), "https://feed.example/atom.xml").items
    moved = parse_feed("f", ATOM_BASES.encode(), "https://elsewhere.example/new/atom.xml").items
    assert [i.id for i in one] == [i.id for i in moved]
