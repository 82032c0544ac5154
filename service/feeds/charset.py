"""Which character encoding a fetched feed is in: RFC 7303, the way real servers label feeds.

feedparser decodes by RFC 3023, which RFC 7303 replaced: under 3023 a ``text/xml`` feed with no
charset parameter is US-ASCII and its XML declaration is ignored. ``parser_content_type``
turns what the server said into the Content-Type that makes feedparser follow RFC 7303
instead, in this order of precedence:

1. a byte order mark (UTF-8, UTF-16, UTF-32) names the encoding, whatever the header says;
2. the ``charset`` parameter of the response's Content-Type, whatever the media type (servers
   send feeds as ``text/html`` or ``text/plain`` too, and their charset is still meant);
3. the XML declaration's ``encoding``;
4. UTF-8.

One exception to 2: a header naming a Latin-1 family charset (a common server default) for a
body that is valid UTF-8 with multi-byte characters is wrong, and the body is read as UTF-8.
A local file has no header: 3, then 4.
"""

from __future__ import annotations

import codecs
from email.message import Message

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32be"),
    (codecs.BOM_UTF32_LE, "utf-32le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
)
# charsets that servers attach by default, without looking at the body
_DEFAULT_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252"}
)
_UTF8_SNIFF_BYTES = 64 * 1024


def header_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lowercased; None if there is none."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    if not isinstance(charset, str):
        return None
    charset = charset.strip().strip("'\"").lower()
    return charset or None


def bom_encoding(body: bytes) -> str | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def parser_content_type(content_type: str | None, body: bytes) -> str:
    """The Content-Type to hand feedparser so it decodes ``body`` by the rules above."""
    charset = bom_encoding(body) or header_charset(content_type)
    if charset in _DEFAULT_LABELS and _is_multibyte_utf8(body[:_UTF8_SNIFF_BYTES]):
        charset = "utf-8"
    return f"application/xml; charset={charset}" if charset else "application/xml"


def _is_multibyte_utf8(head: bytes) -> bool:
    """True when ``head`` has non-ASCII bytes and all of them form valid UTF-8."""
    if head.isascii():
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only the sniff window cut a character in two
    return True
