"""Code pages: most non-Latin wire copy folds one byte per character.

Text in one script (Ukrainian or Russian, Arabic) is nearly all characters of one Windows code
page (cp1251, cp1256; Python's own tables). Such a text is encoded to the page once (one C
pass) and folded with a 256-byte table (``bytes.translate``); the folded bytes decode to the
folded text only when something asks for it, and the matcher scans them as they are
(scancode.py).

On a page, a character whose fold is one character of the page encodes as itself and the table
folds it; one whose fold is empty (the harakat and tatweel of cp1256, soft hyphens) encodes as
itself and the translate drops it. Every other character (… № ™ ﬁ, accented Latin letters) goes
to the page's codec error handler, which writes its fold when every character of that fold is a
folded character of the page (``…`` is ``...``), noting the length change for offsets, and
otherwise gives up: the text is not on this page. Every step is
per character, so the result equals the per-character definition (charfold.py).
"""

from __future__ import annotations

import codecs
import importlib
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from service.matching.charfold import fold_char
from service.matching.offsets import Edit

NAMES = ("cp1251", "cp1256")


class Page(NamedTuple):
    """A code page ready to fold on."""

    name: str
    decoding: str
    """The page's decoding table: folded bytes back to the folded text."""
    encoding: Any
    """Charmap encoding map of the characters whose fold is one folded character of the page."""
    errors: str
    """The name of the page's registered codec error handler."""
    fold: bytes
    """Translate table: a byte of the page to the byte of its fold."""
    drop: bytes
    """The bytes of the page's characters whose fold is empty (harakat, tatweel, soft hyphen)."""
    drop_re: re.Pattern[bytes]
    letters: frozenset[str]
    """The page's folded characters (those that fold to themselves)."""


def _page(name: str) -> Page:
    table: str = importlib.import_module(f"encodings.{name}").decoding_table
    letters = frozenset(c for c in table if c != "\ufffe" and fold_char(c) == c)
    drop = bytes(b for b, c in enumerate(table) if c != "\ufffe" and not fold_char(c))
    kept = "".join(c if fold_char(c) in letters or b in drop else "\ufffe" for b, c in enumerate(table))
    fold = bytes(
        table.index(fold_char(c)) if c != "\ufffe" and b not in drop else b for b, c in enumerate(kept)
    )
    drop_re = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in drop) + b"]")
    return Page(
        name, table, codecs.charmap_build(kept), f"wirewatch.page.{name}", fold, drop, drop_re, letters
    )


PAGES = tuple(_page(name) for name in NAMES)
_local = threading.local()


@lru_cache(maxsize=16384)
def _piece(index: int, piece: str) -> tuple[bytes, tuple[tuple[int, int], ...]] | None:
    """A run of characters the page has no single byte for, folded to page bytes, with the
    (offset, new length) of those whose fold is not one character; None when a fold leaves the page."""
    page = PAGES[index]
    folds = [fold_char(c) for c in piece]
    if any(ch not in page.letters for folded in folds for ch in folded):
        return None
    data: bytes = codecs.charmap_encode("".join(folds), "strict", page.encoding)[0]
    return data, tuple((i, len(f)) for i, f in enumerate(folds) if len(f) != 1)


def _handler(index: int) -> Callable[[UnicodeError], tuple[bytes, int]]:
    def handler(exc: UnicodeError) -> tuple[bytes, int]:
        assert isinstance(exc, UnicodeEncodeError)
        found = _piece(index, exc.object[exc.start : exc.end])
        if found is None:
            # not on this page: say so and skip to the end. Not by raising: the exception, its
            # traceback and this frame would make a reference cycle per text, and a build runs
            # with the cyclic GC paused (measured: +40 MB for 50,000 Latin terms)
            _local.off_page = True
            return b"", len(exc.object)
        data, odd = found
        if odd:
            _local.edits.extend((exc.start + i, 1, n) for i, n in odd)
        return data, exc.end

    return handler


for _index, _p in enumerate(PAGES):
    codecs.register_error(_p.errors, _handler(_index))


def decode(page: Page, data: bytes) -> str:
    """Folded bytes of ``page`` as text (the codec's own C call, without its Python wrapper)."""
    text: str = codecs.charmap_decode(data, "strict", page.decoding)[0]
    return text


class OnPage(NamedTuple):
    """A text folded on a code page (before runs of spaces collapse)."""

    page: Page
    folded: bytes
    edits: list[Edit] | None
    """Length edits of the characters whose fold is not one character; None when not known yet
    (``page_edits`` finds them)."""
    raw: bytes | None = None
    """The text encoded on the page, kept when its only length edits are dropped characters:
    they are found there, if a hit ever needs its original text."""


def fold_page(text: str) -> OnPage | None:
    """``text`` folded on the first page that has it; None when no page has it."""
    for page in PAGES:
        edits: list[Edit] = []
        _local.edits, _local.off_page = edits, False
        data: bytes = codecs.charmap_encode(text, page.errors, page.encoding)[0]
        if _local.off_page:
            continue
        folded = data.translate(page.fold, page.drop)
        if len(folded) == len(data):
            return OnPage(page, folded, edits)
        # vanishing characters dropped: a byte per character of the text unless the handler
        # wrote more (rare; then offsets.length_edits finds every edit if asked)
        return OnPage(page, folded, None, None if edits else data)
    return None


def dropped(page: Page, raw: bytes) -> list[Edit]:
    """The length edits of a text whose only ones are the page's vanishing characters."""
    return [(m.start(), 1, 0) for m in page.drop_re.finditer(raw)]
