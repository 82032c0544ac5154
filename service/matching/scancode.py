"""The scan code: folded text as one byte per character, with every non-word character a space.

The matcher's automaton runs over these bytes instead of the folded str. One byte per
character keeps the automaton small and its scan short (Cyrillic and Arabic take two bytes in
UTF-8, and a str automaton converts every offset back); and with every character that is not
a letter or digit written as a space, a key written with a space on each side (the matcher's
*pattern*) is found only where it stands as whole words. Most occurrences of a key are inside
longer words, and each used to cost a check in Python.

Codes: an ASCII letter or digit is itself; the other letters and digits of the code pages
(pages.py) have fixed codes from 0x80; letters and digits of other scripts that a matcher's
keys use get the codes left (``Alphabet``, up to 0xFE); any other letter or digit is 0xFF,
which no pattern contains; everything else is 0x20. The code of a character depends only on
whether it is a letter or digit and which one, so folded text and keys agree by construction.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from functools import lru_cache

from service.matching.pages import PAGES

SPACE, UNKNOWN = 0x20, 0xFF
_OTHERS = sorted({c for page in PAGES for c in page.letters if c.isalnum() and not c.isascii()})
FIXED = {chr(i): i for i in range(128) if chr(i).isalnum()} | {c: 0x80 + i for i, c in enumerate(_OTHERS)}
"""Codes every alphabet shares: ASCII letters and digits, then the code pages' letters."""

ASCII_SCAN = bytes(i if chr(i) in FIXED else SPACE for i in range(128)) + bytes([SPACE] * 128)
"""Folded ASCII bytes to scan codes."""
PAGE_SCAN = {
    page.name: bytes(
        FIXED.get(c, SPACE) if c in page.letters else SPACE
        for c in codecs.decode(bytes(range(256)), page.name, errors="replace")
    )
    for page in PAGES
}
"""Folded page bytes to scan codes, by page."""
_PHI = bytes(SPACE if i < 128 and i not in FIXED.values() else i for i in range(256))
"""After encoding with an alphabet: ASCII punctuation and controls to spaces."""
_PHI_KEEP_NUL = b"\x00" + _PHI[1:]
_ERRORS = "wirewatch.scan"
_UNCODED = re.compile("[^\x00-\x7f" + "".join(_OTHERS) + "]")
"""Characters without a fixed code (the fixed ones are letters: nothing to escape)."""


@lru_cache(maxsize=4096)
def _codes(piece: str) -> bytes:
    return bytes(UNKNOWN if c.isalnum() else SPACE for c in piece)


def _handler(exc: UnicodeError) -> tuple[bytes, int]:
    """Characters without a code: letters and digits to UNKNOWN, anything else to a space."""
    assert isinstance(exc, UnicodeEncodeError)
    return _codes(exc.object[exc.start : exc.end]), exc.end


codecs.register_error(_ERRORS, _handler)


class Alphabet:
    """The scan code of one matcher: the fixed codes, and codes for the other letters and
    digits of its ``keys`` while codes last (BMP characters only: the fast charmap codec needs them)."""

    def __init__(self, keys: Sequence[str]) -> None:
        extra = sorted(
            c
            for c in set(_UNCODED.findall("".join(keys)))
            if c.isalnum() and not c.isascii() and ord(c) <= 0xFFFF
        )
        table = [chr(i) for i in range(128)] + ["\ufffe"] * 128
        for c in _OTHERS:
            table[FIXED[c]] = c
        for code, c in zip(range(0x80 + len(_OTHERS), UNKNOWN), extra, strict=False):
            table[code] = c
        self._map = codecs.charmap_build("".join(table))

    def encode(self, folded: str) -> bytes:
        """Folded text in scan codes, with a space on each side (a pattern's word boundaries)."""
        data: bytes = codecs.charmap_encode(folded, _ERRORS, self._map)[0]
        return b" " + data.translate(_PHI) + b" "

    def keys(self, keys: Sequence[str]) -> list[bytes | None]:
        """Folded keys in scan codes; None for a key with a letter that has no code. Keys never
        contain NUL (control characters are refused in spellings), so all encode in one pass."""
        if not keys:
            return []
        data: bytes = codecs.charmap_encode("\x00".join(keys), _ERRORS, self._map)[0]
        return [None if UNKNOWN in code else code for code in data.translate(_PHI_KEEP_NUL).split(b"\x00")]
