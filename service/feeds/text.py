"""HTML to plain text for item summaries and content.

The promise: no markup survives, ``script`` / ``style`` (and similar) contents are dropped,
entities are decoded, block elements become line breaks, runs of spaces collapse, control
characters are removed (those that are whitespace, like form feed, become a space). Never
raises on malformed markup (the stdlib parser is forgiving and not recursive).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

DROPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head"})
BLOCKS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4",
        "h5", "h6", "blockquote", "pre", "section", "article", "header", "footer", "figure",
        "figcaption", "hr", "dd", "dt", "dl", "aside", "nav", "main",
    }
)  # fmt: skip
_SPACES = re.compile(r"[^\S\n]+")
# control characters that are not whitespace; the whitespace ones (\v \f \x1c-\x1f \x85)
# collapse into a space like any other
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]+")
_MARKUP = re.compile(r"<[A-Za-z/!?]|&(#\d+|#x[0-9A-Fa-f]+|\w+);")


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:  # source line breaks are spaces in HTML; blocks make breaks
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


def tidy(text: str) -> str:
    """Remove control characters, collapse spaces, strip each line, drop empty lines."""
    lines = (_clean(line) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _clean(line: str) -> str:
    if line.isprintable():  # the common case, checked in C: no controls, tabs or odd spaces
        return (_SPACES.sub(" ", line) if "  " in line else line).strip()
    return _SPACES.sub(" ", _CONTROLS.sub("", line)).strip()


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (or of text that merely might contain markup)."""
    if not _MARKUP.search(markup):
        return tidy(markup)
    extractor = _Extractor()
    extractor.feed(markup)
    extractor.close()
    return tidy("".join(extractor.parts))
