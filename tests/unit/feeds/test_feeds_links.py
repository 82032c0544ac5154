"""normalize_link: one story, one string, whatever tracking or formatting a feed adds."""

from __future__ import annotations

import pytest

from service.feeds.links import normalize_link

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
