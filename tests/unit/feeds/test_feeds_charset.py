"""parser_content_type: which encoding feedparser is told, by RFC 7303's order of precedence."""

from __future__ import annotations

import codecs

import pytest

from service.feeds.charset import parser_content_type

UTF8_RUSSIAN = "<rss><channel><title>Алеппо</title></channel></rss>".encode()
UTF16_WITH_BOM = codecs.BOM_UTF16_LE + "<rss/>".encode("utf-16-le")
LATIN1 = "<rss>Café</rss>".encode("latin-1")
XML = "application/xml; charset="
CASES = [
    # (Content-Type header, body, what feedparser is told)
    (None, b"<rss/>", "application/xml"),  # a file: the declaration, else UTF-8
    ("text/xml", b"<rss/>", "application/xml"),  # not RFC 3023's US-ASCII
    ("application/rss+xml; charset=windows-1251", b"<rss/>", XML + "windows-1251"),
    ('text/html; charset="KOI8-R"', b"<rss/>", XML + "koi8-r"),
    ("text/xml; Charset=Windows-1256; format=flowed", b"<rss/>", XML + "windows-1256"),
    ("text/xml; charset=iso-8859-1", UTF16_WITH_BOM, XML + "utf-16le"),  # the BOM wins
    ("text/xml; charset=utf-8", codecs.BOM_UTF8 + b"<rss/>", XML + "utf-8"),
    ("text/xml; charset=ISO-8859-1", UTF8_RUSSIAN, XML + "utf-8"),  # a server default, and wrong
    ("text/xml; charset=ISO-8859-1", LATIN1, XML + "iso-8859-1"),
    ("text/xml; charset=windows-1251", UTF8_RUSSIAN, XML + "windows-1251"),  # named on purpose: trusted
    ("application/xml; charset=", b"<rss/>", "application/xml"),
]  # fmt: skip


@pytest.mark.parametrize(("header", "body", "told"), CASES)
def test_parser_content_type(header: str | None, body: bytes, told: str) -> None:
    assert parser_content_type(header, body) == told
