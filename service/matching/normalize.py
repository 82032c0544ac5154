"""Folding: the one view of text that terms and items are compared in, with offsets kept.

``fold(text)`` applies, in this order: apostrophe-likes (’ ‘ ʼ ` ´ …) become ``'``; NFKD,
casefold, NFKD (so NFKC compatibility forms, case and diacritics all fold); every combining
mark (Arabic harakat, Latin accents) and every invisible format character (tatweel, soft
hyphen, zero-width and bidi controls) is dropped; hyphens, dashes and whitespace of every kind
become a space; runs of spaces become one space.

Why whole-string C operations (``str.translate`` on bytes for ASCII, ``unicodedata`` and two
regex passes otherwise) instead of a per-character loop: a feed item is folded once per poll
and this is the hot path. The promise kept is that the fast result equals the per-character
definition ``_fold_char`` (the reference matcher uses only that), so offsets in the folded
text can be mapped back to the original lazily, only when a hit needs them (snippets,
case-sensitive checks). Mapping costs nothing when no character changed length.
"""

from __future__ import annotations

import codecs
import re
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import regex

_APOSTROPHES = "\u2018\u2019\u201b\u02bc\u02bb`\u00b4\u2032\uff07"
_INVISIBLE = "\u00ad\u0640\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_DASHES = (
    "".join(chr(i) for i in (*range(0x2010, 0x2016), 0x2D, 0x58A, 0x5BE, 0x1400, 0x1806, 0x2E17, 0x2E1A))
    + "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\u2212\U00010ead"
)
_SPACES = "".join(chr(i) for i in range(0x3001) if chr(i).isspace() and i != 0x20)

_APOS_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_DROPPED_RE = regex.compile(f"[\\p{{M}}{_INVISIBLE}]")
"""Marks and invisible characters: what folding drops (one pass over the text)."""
_SPACE_RE = re.compile(f"[{re.escape(_SPACES + _DASHES)}]")
_RUN_RE = re.compile("  +")
SEPARATOR = "\n\x00\n"
"""Joins an item's fields: not a word character and not a space, so no term spans two fields."""


def _nfkd(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


def _stage1(text: str, casefold: bool) -> str:
    """Everything before space handling; equal to the per-character map of ``text``."""
    text = _nfkd(_APOS_RE.sub("'", text))
    if casefold:
        text = _nfkd(text.casefold())
    dropped: str = _DROPPED_RE.sub("", text)
    return dropped


@lru_cache(maxsize=65536)
def _fold_char(char: str, casefold: bool = True) -> str:
    """The fold of one character (before spaces collapse): the definition the rest must equal."""
    folded = _stage1(char, casefold)
    return _SPACE_RE.sub(" ", folded)


_COMPATIBILITY_BLOCKS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0xFF00, 0xFFEF))
_VANISHING = "".join(
    chr(c) for low, high in _COMPATIBILITY_BLOCKS for c in range(low, high + 1) if not _fold_char(chr(c))
)
_SHRINKING_RE = regex.compile(f"[\\p{{M}}{_INVISIBLE}{re.escape(_VANISHING)}]")
"""Every character whose fold is empty: marks, invisible characters, and the few presentation
forms (Arabic shadda forms, halfwidth voiced marks) that are only marks after NFKD; a test
checks every code point."""


def _code_pages() -> list[tuple[Any, str]]:
    """Single-byte code pages for the scripts of most non-Latin wire copy (Windows Cyrillic and
    Arabic, Python's own tables), as (encoding map, decoding table of folds): a text all of
    whose characters are on a page and fold to one character each folds as ``encode`` then
    ``decode`` through the folds, two C passes, and no offset moves. Characters whose fold is
    not one character (…, №, tatweel, harakat) are left off the page, so such a text takes the
    general path."""
    from encodings import cp1251, cp1256

    pages: list[tuple[Any, str]] = []
    for table in (cp1251.decoding_table, cp1256.decoding_table):
        folds = [_fold_char(c) if c != "\ufffe" else "" for c in table]
        kept = "".join(c if len(f) == 1 else "\ufffe" for c, f in zip(table, folds, strict=True))
        pages.append((codecs.charmap_build(kept), "".join(f if len(f) == 1 else "\ufffe" for f in folds)))
    return pages


_CODE_PAGES = _code_pages()


def _fold_on_page(text: str) -> str | None:
    """``text`` folded through the first code page that has all its characters, or None."""
    for encoding, folds in _CODE_PAGES:
        try:
            data = codecs.charmap_encode(text, "strict", encoding)[0]
        except UnicodeEncodeError:
            continue
        folded: str = codecs.charmap_decode(data, "strict", folds)[0]
        return folded
    return None


_ASCII_TABLE = bytes(ord(_fold_char(chr(i))) for i in range(128)) + bytes(range(128, 256))
_ASCII_SHAPE = bytes(ord(_fold_char(chr(i), False)) for i in range(128)) + bytes(range(128, 256))


def fold_key(text: str, *, casefold: bool = True) -> str:
    """The folded form of ``text`` without offsets: for terms and case checks.

    Leading and trailing spaces are stripped, so a term's key never begins or ends in a space.
    """
    return _fold_fast(text, casefold)[0].strip(" ")


Edit = tuple[int, int, int]
"""(start, length, new length) of a change that is not one character for one."""


def _fold_fast(text: str, casefold: bool) -> tuple[str, str | None, list[Edit] | None]:
    """(folded, text before runs of spaces collapsed if any did, length edits if known).

    Text that is mostly ASCII (English with curly quotes, dashes, a few accented names)
    folds its non-ASCII runs from a cache, then its ASCII bytes with a byte table (UTF-8
    keeps ASCII bytes and multi-byte sequences apart, so the table touches nothing else).
    Text mostly in other scripts folds through a single-byte code page when one has all its
    characters (most Cyrillic and Arabic copy: then no offsets move either), else goes
    through the whole-string pipeline. All equal the
    per-character definition because every step is per character.
    """
    table = _ASCII_TABLE if casefold else _ASCII_SHAPE
    edits: list[Edit] | None = []
    if text.isascii():
        spaced = text.encode("ascii").translate(table).decode("ascii")
    elif len(text.encode("utf-8")) - len(text) > len(text) // 8:
        on_page = _fold_on_page(text) if casefold else None
        if on_page is not None:
            spaced = on_page  # one character for one: no edits
        else:
            spaced = _SPACE_RE.sub(" ", _stage1(text, casefold))
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
    folded = _SPACE_RE.sub(" ", _stage1(piece, casefold))
    odd: tuple[tuple[int, int], ...] = ()
    if len(folded) != len(piece) or any(len(_fold_char(c, casefold)) != 1 for c in piece):
        odd = tuple((i, n) for i, c in enumerate(piece) if (n := len(_fold_char(c, casefold))) != 1)
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


class _Shift:
    """Maps positions in an edited string back to the string before the edits.

    ``edits`` are (start, length, new length) in the old string, sorted; every other
    character was kept one-for-one.
    """

    __slots__ = ("_new_starts", "_new_ends", "_old_starts", "_old_ends")

    def __init__(self, edits: Iterable[tuple[int, int, int]]) -> None:
        self._new_starts: list[int] = []
        self._new_ends: list[int] = []
        self._old_starts: list[int] = []
        self._old_ends: list[int] = []
        delta = 0
        for start, length, new_length in edits:
            self._new_starts.append(start + delta)
            self._new_ends.append(start + delta + new_length)
            self._old_starts.append(start)
            self._old_ends.append(start + length)
            delta += new_length - length

    def start(self, i: int) -> int:
        """Old position of the character that produced new character ``i``."""
        k = bisect_right(self._new_starts, i) - 1
        if k < 0:
            return i
        if i < self._new_ends[k]:
            return self._old_starts[k]
        return self._old_ends[k] + i - self._new_ends[k]

    def end(self, j: int) -> int:
        """Old exclusive end for a new exclusive end ``j`` (``j`` > 0)."""
        k = bisect_right(self._new_starts, j - 1) - 1
        if k < 0:
            return j
        if j - 1 < self._new_ends[k]:
            return self._old_ends[k]
        return self._old_ends[k] + j - self._new_ends[k]


@lru_cache(maxsize=256)
def _class_re(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


def _length_edits(text: str, spaced: str) -> list[Edit]:
    """Characters whose fold is not exactly one character (dropped marks, ligatures, ß).

    ``spaced`` is the fold before runs of spaces collapse. When it is as long as ``text`` and
    ``text`` has nothing that folding drops, no character expanded either: nothing to find
    (most text, Cyrillic and Arabic included, whose letters come precomposed).
    """
    if len(spaced) == len(text) and not _SHRINKING_RE.search(text):
        return []
    odd = frozenset(c for c in set(text) if not c.isascii() and len(_fold_char(c)) != 1)
    if not odd:
        return []
    return [(m.start(), 1, len(_fold_char(m.group()))) for m in _class_re(odd).finditer(text)]


class Folded:
    """A folded text that remembers its original; ``span`` maps folded offsets back."""

    __slots__ = ("text", "original", "_spaced", "_edits", "_maps")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text, self._spaced, self._edits = _fold_fast(original, True)
        self._maps: tuple[_Shift, _Shift] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) that folded ``text[start:end]`` came from."""
        if self._maps is None:
            runs = (
                [(m.start(), m.end() - m.start(), 1) for m in _RUN_RE.finditer(self._spaced)]
                if self._spaced is not None
                else []
            )
            spaced = self._spaced if self._spaced is not None else self.text
            edits = self._edits if self._edits is not None else _length_edits(self.original, spaced)
            self._maps = (_Shift(runs), _Shift(edits))
        collapse, chars = self._maps
        s = chars.start(collapse.start(start)) if start < len(self.text) else len(self.original)
        e = chars.end(collapse.end(end)) if end > 0 else 0
        return s, max(s, e)


def fold(text: str) -> Folded:
    """Fold ``text`` for matching; see the module docstring for what folds."""
    return Folded(text)


def fold_char(char: str, *, casefold: bool = True) -> str:
    """The per-character fold (the definition); runs of spaces still need collapsing."""
    return _fold_char(char, casefold)


def is_word_char(char: str) -> bool:
    """Letters and digits of every script; folded text has no combining marks left."""
    return char.isalnum()
