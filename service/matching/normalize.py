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

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

import regex

_APOSTROPHES = "\u2018\u2019\u201b\u02bc\u02bb`\u00b4\u2032\uff07"
_INVISIBLE = "\u00ad\u0640\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_DASHES = (
    "".join(chr(i) for i in (*range(0x2010, 0x2016), 0x2D, 0x58A, 0x5BE, 0x1400, 0x1806, 0x2E17, 0x2E1A))
    + "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\u2212\U00010ead"
)
_SPACES = "".join(chr(i) for i in range(0x3001) if chr(i).isspace() and i != 0x20)

_APOS_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_MARK_RE = regex.compile(r"\p{M}")
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
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
    return _INVISIBLE_RE.sub("", _MARK_RE.sub("", text))


@lru_cache(maxsize=65536)
def _fold_char(char: str, casefold: bool = True) -> str:
    """The fold of one character (before spaces collapse): the definition the rest must equal."""
    folded = _stage1(char, casefold)
    return _SPACE_RE.sub(" ", folded)


_ASCII_TABLE = bytes(ord(_fold_char(chr(i))) for i in range(128)) + bytes(range(128, 256))
_ASCII_SHAPE = bytes(ord(_fold_char(chr(i), False)) for i in range(128)) + bytes(range(128, 256))


def fold_key(text: str, *, casefold: bool = True) -> str:
    """The folded form of ``text`` without offsets: for terms and case checks.

    Leading and trailing spaces are stripped, so a term's key never begins or ends in a space.
    """
    return _fold_fast(text, casefold)[0].strip(" ")


def _fold_fast(text: str, casefold: bool) -> tuple[str, str | None]:
    """(folded, text before runs of spaces collapsed if any collapsed)."""
    if text.isascii():
        table = _ASCII_TABLE if casefold else _ASCII_SHAPE
        spaced = text.encode("ascii").translate(table).decode("ascii")
    else:
        spaced = _SPACE_RE.sub(" ", _stage1(text, casefold))
    if "  " not in spaced:
        return spaced, None
    return _RUN_RE.sub(" ", spaced), spaced


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


def _length_edits(text: str) -> list[tuple[int, int, int]]:
    """Characters whose fold is not exactly one character (dropped marks, ligatures, ß)."""
    if text.isascii():
        return []
    odd = frozenset(c for c in set(text) if len(_fold_char(c)) != 1)
    if not odd:
        return []
    return [(m.start(), 1, len(_fold_char(m.group()))) for m in _class_re(odd).finditer(text)]


class Folded:
    """A folded text that remembers its original; ``span`` maps folded offsets back."""

    __slots__ = ("text", "original", "_spaced", "_maps")

    def __init__(self, original: str) -> None:
        self.original = original
        self.text, self._spaced = _fold_fast(original, True)
        self._maps: tuple[_Shift, _Shift] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) that folded ``text[start:end]`` came from."""
        if self._maps is None:
            runs = (
                [(m.start(), m.end() - m.start(), 1) for m in _RUN_RE.finditer(self._spaced)]
                if self._spaced is not None
                else []
            )
            self._maps = (_Shift(runs), _Shift(_length_edits(self.original)))
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
