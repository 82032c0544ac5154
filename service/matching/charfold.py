"""The fold of one character: the definition every fast path of folding must equal.

``fold_char(c)`` applies, in this order: apostrophe-likes (’ ‘ ʼ ` ´ …) become ``'``; NFKD,
casefold, NFKD (so NFKC compatibility forms, case and diacritics all fold); every combining
mark (Arabic harakat, Latin accents) and every invisible format character (tatweel, soft
hyphen, zero-width and bidi controls) is dropped; hyphens, dashes and whitespace of every kind
become a space. Folding a text is this, character by character, then runs of spaces collapse
(normalize.py); the reference matcher folds exactly that way.
"""

from __future__ import annotations

import re
import unicodedata
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
_DROPPED_RE = regex.compile(f"[\\p{{M}}{_INVISIBLE}]")
"""Marks and invisible characters: what folding drops (one pass over the text)."""
SPACE_RE = re.compile(f"[{re.escape(_SPACES + _DASHES)}]")
"""Every character (besides the space) that folds to a space."""


def _nfkd(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


def stage1(text: str, casefold: bool) -> str:
    """Everything before space handling; equal to the per-character map of ``text``."""
    text = _nfkd(_APOS_RE.sub("'", text))
    if casefold:
        text = _nfkd(text.casefold())
    dropped: str = _DROPPED_RE.sub("", text)
    return dropped


@lru_cache(maxsize=65536)
def fold_char(char: str, casefold: bool = True) -> str:
    """The fold of one character (before spaces collapse): the definition the rest must equal.
    ``casefold`` False keeps case (the shape a case-sensitive term is compared in)."""
    folded = stage1(char, casefold)
    return SPACE_RE.sub(" ", folded)


_COMPATIBILITY_BLOCKS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0xFF00, 0xFFEF))
_VANISHING = "".join(
    chr(c) for low, high in _COMPATIBILITY_BLOCKS for c in range(low, high + 1) if not fold_char(chr(c))
)
SHRINKING_RE = regex.compile(f"[\\p{{M}}{_INVISIBLE}{re.escape(_VANISHING)}]")
"""Every character whose fold is empty: marks, invisible characters, and the few presentation
forms (Arabic shadda forms, halfwidth voiced marks) that are only marks after NFKD; a test
checks every code point."""
