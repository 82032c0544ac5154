"""html_to_text: plain text, scripts and styles dropped, entities decoded."""

from __future__ import annotations

import pytest

from service.feeds.text import html_to_text

CASES = [
    ("<p>Hello <b>world</b></p>", "Hello world"),
    ("<p>One</p><p>Two</p>", "One\nTwo"),
    ("a<script>alert(1)</script>b<style>p{color:red}</style>c", "abc"),
    ("Fish &amp; chips&nbsp;&#8217;&#x41;", "Fish & chips \u2019A"),
    ("AT&T < 5 > 3", "AT&T < 5 > 3"),
    ("<div>unclosed <a href='x'>link", "unclosed link"),
    ("   spaced \t  out  ", "spaced out"),
    ("<SCRIPT>x</SCRIPT>kept", "kept"),
]


@pytest.mark.parametrize(("markup", "expected"), CASES)
def test_html_to_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected
