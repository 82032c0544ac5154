"""Folding: the one view of text that terms and items are compared in, with offsets kept.

``fold(text)`` folds every character as ``fold_char`` defines (charfold.py: apostrophe-likes to
``'``, NFKC compatibility forms, case, diacritics, marks and invisible characters away,
hyphens, dashes and whitespace to a space), then collapses runs of spaces to one.

Why whole-string C operations instead of a per-character loop: a feed item is folded once per
poll and this is the hot path. ASCII folds with a byte table; text in one non-Latin script
through a code page (pages.py); text that is mostly ASCII folds its non-ASCII runs in a codec
error handler; anything else through ``unicodedata`` and two regex passes. The promise kept is
that every path equals the per-character definition (the reference matcher uses only that), so
offsets in the folded text map back to the original lazily, only when a hit needs them
(snippets, case checks; offsets.py). The ASCII and code-page paths also give the matcher its
scan bytes (scancode.py) at the cost of one more ``bytes.translate``.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable
from functools import lru_cache

from service.matching.charfold import SPACE_RE, fold_char, stage1
from service.matching.offsets import Edit, Shift, length_edits
from service.matching.pages import Page, decode, dropped, fold_page
from service.matching.scancode import ASCII_SCAN, PAGE_SCAN

_RUN_RE = re.compile("  +")
_RUN_BYTES = re.compile(b"  +")
SEPARATOR = "\n\x00\n"
"""Joins an item's fields: not a word character and not a space, so no term spans two fields."""

_ASCII_TABLE = bytes(ord(fold_char(chr(i))) for i in range(128)) + bytes(range(128, 256))
_ASCII_SHAPE = bytes(ord(fold_char(chr(i), False)) for i in range(128)) + bytes(range(128, 256))


def fold_key(text: str, *, casefold: bool = True) -> str:
    """The folded form of ``text`` without offsets: for terms and case checks.

    Leading and trailing spaces are stripped, so a term's key never begins or ends in a space.
    """
    return _fold_fast(text, casefold)[0].strip(" ")


def _other_script(text: str) -> bool:
    """Whether ``text`` (not ASCII) looks mostly non-Latin, judged on its start: then a code
    page is tried first. Only speed depends on the answer."""
    sample = text[:256]
    return len(sample.encode("utf-8", "surrogatepass")) - len(sample) > len(sample) // 8


def _fold_fast(text: str, casefold: bool, pages: bool = True) -> tuple[str, str | None, list[Edit] | None]:
    """(folded, text before runs of spaces collapsed if any did, length edits if known).

    Text that is mostly ASCII (English with curly quotes, dashes, a few accented names)
    folds its non-ASCII runs from a cache, then its ASCII bytes with a byte table (UTF-8
    keeps ASCII bytes and multi-byte sequences apart, so the table touches nothing else).
    Text mostly in other scripts folds through a code page when one has it (most Cyrillic and
    Arabic copy; ``pages`` False: none has it) or else through the whole-string pipeline. All
    equal the per-character definition because every step is per character.
    """
    table = _ASCII_TABLE if casefold else _ASCII_SHAPE
    edits: list[Edit] | None = []
    if text.isascii():
        spaced = text.encode("ascii").translate(table).decode("ascii")
    elif _other_script(text):
        found = fold_page(text) if casefold and pages else None
        if found is not None:
            spaced, edits = decode(found.page, found.folded), found.edits
        else:
            spaced = SPACE_RE.sub(" ", stage1(text, casefold))
            edits = None
    else:
        _local.edits = edits
        handler = _CASEFOLD_HANDLER if casefold else _SHAPE_HANDLER
        spaced = text.encode("ascii", handler).translate(table).decode("utf-8")
    if "  " not in spaced:
        return spaced, None, edits
    return _RUN_RE.sub(" ", spaced), spaced, edits


@lru_cache(maxsize=16384)
def _fold_piece(piece: str, casefold: bool) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """A run of non-ASCII characters folded (UTF-8), and (offset, new length) of odd ones."""
    folded = SPACE_RE.sub(" ", stage1(piece, casefold))
    odd: tuple[tuple[int, int], ...] = ()
    if len(folded) != len(piece) or any(len(fold_char(c, casefold)) != 1 for c in piece):
        odd = tuple((i, n) for i, c in enumerate(piece) if (n := len(fold_char(c, casefold))) != 1)
    return folded.encode("utf-8"), odd


_local = threading.local()


def _encode_folded(casefold: bool) -> Callable[[UnicodeError], tuple[bytes, int]]:
    """A codec error handler: the ASCII encoder runs at C speed and hands each run of
    non-ASCII characters here, which returns the run folded (UTF-8) and notes, for offset
    mapping, the characters whose fold is not one character."""

    def handler(exc: UnicodeError) -> tuple[bytes, int]:
        assert isinstance(exc, UnicodeEncodeError)
        folded, odd = _fold_piece(exc.object[exc.start : exc.end], casefold)
        if odd:
            _local.edits.extend((exc.start + i, 1, n) for i, n in odd)
        return folded, exc.end

    return handler


_CASEFOLD_HANDLER = "wirewatch.fold"
_SHAPE_HANDLER = "wirewatch.fold_shape"
codecs.register_error(_CASEFOLD_HANDLER, _encode_folded(True))
codecs.register_error(_SHAPE_HANDLER, _encode_folded(False))


class Folded:
    """A folded text that remembers its original; ``span`` maps folded offsets back.

    ``scan`` is the folded text in scan codes with a space on each side (scancode.py) when the
    fold produced it on the way (ASCII and code pages), else None. On those paths ``text`` is
    decoded from the folded bytes on first use: a scan whose hits need no text never pays it.
    """

    __slots__ = ("original", "scan", "size", "_text", "_bytes", "_page", "_spaced", "_edits", "_maps", "_raw")
    _spaced: str | bytes | None
    _edits: list[Edit] | None

    def __init__(self, original: str) -> None:
        self.original = original
        self.scan: bytes | None = None
        self._text: str | None = None
        self._maps: tuple[Shift, Shift] | None = None
        self._raw: bytes | None = None
        if original.isascii():
            self._on_bytes(None, original.encode("ascii").translate(_ASCII_TABLE), [], ASCII_SCAN)
        elif _other_script(original) and (found := fold_page(original)) is not None:
            self._raw = found.raw
            self._on_bytes(found.page, found.folded, found.edits, PAGE_SCAN[found.page.name])
        else:
            self._text, self._spaced, self._edits = _fold_fast(original, True, pages=False)
            self.size = len(self._text)

    def _on_bytes(self, page: Page | None, data: bytes, edits: list[Edit] | None, scan: bytes) -> None:
        """Folded bytes: ASCII (``page`` None) or of a code page."""
        self._page, self._edits, self._spaced = page, edits, None
        if b"  " in data:
            self._spaced = data
            data = _RUN_BYTES.sub(b" ", data)
        self._bytes = data
        self.size = len(data)
        self.scan = b" " + data.translate(scan) + b" "

    @property
    def text(self) -> str:
        """The folded text."""
        if self._text is None:
            page = self._page
            self._text = decode(page, self._bytes) if page is not None else self._bytes.decode("ascii")
        return self._text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) that folded ``text[start:end]`` came from."""
        if self._spaced is None and self._edits == []:
            return start, end  # one character for one, no run of spaces: most text
        if self._maps is None:
            self._maps = self._build_maps()
        collapse, chars = self._maps
        s = chars.start(collapse.start(start)) if start < self.size else len(self.original)
        e = chars.end(collapse.end(end)) if end > 0 else 0
        return s, max(s, e)

    def _build_maps(self) -> tuple[Shift, Shift]:
        spaced = self._spaced
        if spaced is None:
            runs = []
        elif isinstance(spaced, bytes):
            runs = [(m.start(), m.end() - m.start(), 1) for m in _RUN_BYTES.finditer(spaced)]
        else:
            runs = [(m.start(), m.end() - m.start(), 1) for m in _RUN_RE.finditer(spaced)]
        edits = self._edits
        if edits is None and self._raw is not None and self._page is not None:
            edits = dropped(self._page, self._raw)
        elif edits is None:  # found only now: the characters whose fold is not one character
            if isinstance(spaced, bytes):
                spaced = decode(self._page, spaced) if self._page is not None else spaced.decode("ascii")
            edits = length_edits(self.original, spaced if spaced is not None else self.text)
        return Shift(runs), Shift(edits)


def fold(text: str) -> Folded:
    """Fold ``text`` for matching; see the module docstring for what folds."""
    return Folded(text)


def is_word_char(char: str) -> bool:
    """Letters and digits of every script; folded text has no combining marks left."""
    return char.isalnum()
