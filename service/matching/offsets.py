"""Mapping offsets in folded text back to the original, for snippets and case checks.

Folding changes lengths in two ways: a character whose fold is not one character (a dropped
mark, ``ß`` to ``ss``, ``…`` to ``...``), and runs of spaces collapsing to one. Each is a list
of edits; ``Shift`` maps positions across one list. Both are built lazily, only when a hit
needs its original text, and cost nothing when no length changed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate

from service.matching.charfold import SHRINKING_RE, fold_char

Edit = tuple[int, int, int]
"""(start, length, new length) of a change that is not one character for one."""


class Shift:
    """Maps positions in an edited string back to the string before the edits.

    ``edits`` are (start, length, new length) in the old string, sorted; every other
    character was kept one-for-one.
    """

    __slots__ = ("_new_starts", "_new_ends", "_old_starts", "_old_ends")

    def __init__(self, edits: Sequence[Edit]) -> None:
        # list comprehensions, not a loop of appends: Arabic with harakat has an edit per haraka
        before = [0, *accumulate(new - length for _, length, new in edits)]
        self._old_starts = [start for start, _, _ in edits]
        self._old_ends = [start + length for start, length, _ in edits]
        self._new_starts = [start + delta for start, delta in zip(self._old_starts, before, strict=False)]
        self._new_ends = [start + new for start, (_, _, new) in zip(self._new_starts, edits, strict=True)]

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


def length_edits(text: str, spaced: str) -> list[Edit]:
    """Characters whose fold is not exactly one character (dropped marks, ligatures, ß).

    ``spaced`` is the fold before runs of spaces collapse. When it is as long as ``text`` and
    ``text`` has nothing that folding drops, no character expanded either: nothing to find
    (most text, Cyrillic and Arabic included, whose letters come precomposed).
    """
    if len(spaced) == len(text) and not SHRINKING_RE.search(text):
        return []
    odd = frozenset(c for c in set(text) if not c.isascii() and len(fold_char(c)) != 1)
    if not odd:
        return []
    return [(m.start(), 1, len(fold_char(m.group()))) for m in _class_re(odd).finditer(text)]
