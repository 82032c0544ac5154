"""feedparser's two parsers, corrected so ids, links and categories never depend on which one ran.

feedparser reads a feed with its strict (SAX) parser and, when that fails on the first error
(whitespace before ``<?xml``, an undeclared entity, a stray ``&``), starts over with its loose
(SGML) parser. A feed that breaks on one poll and not the next then changes what it says, and
an item whose id changed alerts again. What is corrected here, found in feedparser 6.0's source:

- ``mixin.pop`` resolves every ``<guid>`` / ``<id>`` against the ``xml:base`` in scope, so a
  base leaks into ids. Ids are not resolved here: they stay exactly as written.
- ``mixin.unknown_endtag`` only restores the parent's base when the parent had one, so the
  first ``xml:base`` in a document without a base (an item's content, say) stays in force
  for everything after it. The parent's "no base" is restored here.
- the loose parser leaves ``&amp;``, ``&lt;`` ... escaped in text that is not a content
  construct (``loose.decode_entities``: guids, RSS ``<category>``), and in attributes decodes
  only ``&amp;``. Here both are unescaped once, exactly as the strict parser reports them.
- ``_enforce_href`` lets a ``uri`` / ``url`` attribute of an RSS ``<link>`` replace the
  element's text. Here the text wins; the attribute counts only when there is no text.
- whether a guid may serve as a link (``isPermaLink``) is kept per entry as
  ``wirewatch_permalink``; feedparser's ``guidislink`` says something else (whether the guid
  was copied into ``link`` at that moment).

``read_feed`` is feedparser's ``api.parse`` without its HTTP and file handling: bytes and a
Content-Type in, feedparser's result dict out, with ``wirewatch_loose`` saying which parser
produced it. No base URL is given to feedparser (links are resolved against the feed's URL
afterwards, ``links.absolute``): with one, feedparser re-resolves the base at every element,
which made parsing a third slower.
"""

from __future__ import annotations

import io
import re
import xml.sax
from typing import Any

from feedparser.api import PREFERRED_XML_PARSERS, LooseFeedParser, StrictFeedParser
from feedparser.encodings import convert_to_utf8
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import replace_doctype
from feedparser.util import FeedParserDict

_XML_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def xml_unescape(text: str) -> str:
    """Decode XML's five entities and character references in one pass (never twice)."""
    if "&" not in text:
        return text
    return _XML_REFERENCE.sub(_reference, text)


def _reference(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return match.group(0)


class _Corrections:
    """Overrides shared by both parsers (placed first in their MRO)."""

    can_be_relative_uri = _FeedParserMixin.can_be_relative_uri - {"id"}
    _link_attribute: str | None = None

    # attributes feedparser's parser classes provide
    baseuri: str
    basestack: list[str]
    guidislink: bool | int
    version: str

    def unknown_endtag(self, tag: str) -> None:
        super().unknown_endtag(tag)  # type: ignore[misc]
        if self.basestack and not self.basestack[-1]:
            self.baseuri = self.basestack[-1]

    def _end_guid(self) -> None:
        permalink = bool(self.guidislink)
        super()._end_guid()  # type: ignore[misc]
        self._save("wirewatch_permalink", permalink, overwrite=True)  # type: ignore[attr-defined]

    _end_id = _end_guid

    def _start_link(self, attrs_d: dict[str, str]) -> None:
        if "href" not in attrs_d and not self.version.startswith("atom"):
            attribute = attrs_d.pop("uri", None) or attrs_d.pop("url", None)
            self._link_attribute = attribute.strip() if attribute else None
        super()._start_link(attrs_d)  # type: ignore[misc]

    def _end_link(self) -> None:
        attribute, self._link_attribute = self._link_attribute, None
        value = self.pop("link")  # type: ignore[attr-defined]
        if value or not attribute:
            return
        context = self._get_context()  # type: ignore[attr-defined]
        links = context.get("links")
        href = self.resolve_uri(attribute)  # type: ignore[attr-defined]
        if links and not links[-1].get("href"):
            links[-1]["href"] = href
            context.setdefault("link", href)


class _LooseCorrections(_Corrections):
    contentparams: dict[str, Any]

    def decode_entities(self, element: str, data: str) -> str:
        if self.contentparams.get("type"):  # inside a text construct: feedparser's own rules
            return super().decode_entities(element, data)  # type: ignore[misc, no-any-return]
        return xml_unescape(data)

    @staticmethod
    def _normalize_attributes(kv: tuple[str, str]) -> tuple[str, str]:
        name = kv[0].lower()
        value = xml_unescape(kv[1])
        return name, value.lower() if name in ("rel", "type") else value


class _Strict(_Corrections, StrictFeedParser):  # type: ignore[misc, valid-type]
    pass


class _Loose(_LooseCorrections, LooseFeedParser):  # type: ignore[misc, valid-type]
    pass


def read_feed(body: bytes, content_type: str) -> Any:
    """feedparser's result for ``body``; ``content_type`` decides the decoding (see charset.py).

    Links come out resolved against the ``xml:base`` in scope, if any; ids as written.
    """
    result = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), headers={})
    result["headers"] = {"content-type": content_type}
    data = convert_to_utf8(result["headers"], body, result)
    result["version"], data, entities = replace_doctype(data)
    parser: Any = None
    if result["encoding"]:
        parser = _Strict("", None, "utf-8")
        parser.resolve_relative_uris = False
        parser.sanitize_html = False
        sax = xml.sax.make_parser(PREFERRED_XML_PARSERS)
        sax.setFeature(xml.sax.handler.feature_namespaces, 1)
        sax.setFeature(xml.sax.handler.feature_external_ges, 0)
        sax.setContentHandler(parser)
        sax.setErrorHandler(parser)
        source = xml.sax.xmlreader.InputSource()
        source.setByteStream(io.BytesIO(data))
        try:
            sax.parse(source)
        except xml.sax.SAXException as exc:
            result["bozo"] = 1
            result["bozo_exception"] = parser.exc or exc
            parser = None
    result["wirewatch_loose"] = parser is None
    if parser is None:
        parser = _Loose("", None, "utf-8", entities)
        parser.resolve_relative_uris = False
        parser.sanitize_html = False
        parser.feed(data.decode("utf-8", "replace"))
    result["feed"] = parser.feeddata
    result["entries"] = parser.entries
    result["version"] = result["version"] or parser.version
    return result
