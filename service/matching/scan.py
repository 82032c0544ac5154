"""What one automaton hit means: the checks after a key is found in the folded text.

The automaton reports every occurrence of every key, inside words too. A hit then counts for a
reference (watchlist, category, spelling) when, in this order:

1. it starts a word, or the letters before it in its word are Arabic proclitics its clitic mode
   allows (the hit then starts at the word's start);
2. it ends a word, or its last word may continue (``*``), or its tail (words after the first
   ``*`` word) follows: one space before each word, and a word boundary unless it may continue;
3. a case-sensitive reference finds its shape in the original text of the key;
4. a quiet reference (an acronym that is an ordinary word) is not inside shouted text.

``judge`` returns the folded span of a hit that counts, or why it does not (for ``--explain``);
the scan's hot loop does check 1 inline before calling it, since most hits fail there.
"""

from __future__ import annotations

from typing import NamedTuple

from service.matching import arabic
from service.matching.normalize import Folded, fold_key
from service.matching.shout import in_caps_run
from service.matching.terms import Word

CASE = "capitals differ"
SHOUTED = "inside all-caps text"


class Check(NamedTuple):
    """What a hit must pass (see the module docstring); shared by the refs that agree on it."""

    prefix: bool
    shape: str | None
    tail: tuple[Word, ...]
    clitics: int
    quiet: bool


class Ref(NamedTuple):
    """One (watchlist, category, reported name, spelling) that an automaton key stands for."""

    watchlist: int
    category: str
    name: str
    spelling: str
    check: Check


def judge(check: Check, folded: Folded, start: int, end: int) -> tuple[int, int] | str | None:
    """The folded (start, end) this hit stands for; a reason it does not count when the text
    itself says no (capitals, shouting); None when it is simply not this reference's word."""
    text = folded.text
    key_start, key_end = start, end
    if start and text[start - 1].isalnum():
        start = clitic_start(text, start, check.clitics)
        if start < 0:
            return None
    elif check.clitics == arabic.LAM_MERGED:
        return None
    if check.tail:
        end = tail_end(text, end, check.prefix, check.tail)
        if end < 0:
            return None
    elif not check.prefix and end < len(text) and text[end].isalnum():
        return None
    if check.shape is not None:
        a, b = folded.span(key_start, key_end)
        if fold_key(folded.original[a:b], casefold=False) != check.shape:
            return CASE
        if check.quiet and in_caps_run(folded.original, a, b):
            return SHOUTED
    return start, end


def clitic_start(text: str, start: int, mode: int) -> int:
    """The start of the word a hit at ``start`` is in, when the letters before the hit are
    proclitics ``mode`` allows; -1 otherwise (or for a mode that allows none)."""
    if mode == arabic.NONE:
        return -1
    word = start
    while word > 0 and text[word - 1].isalnum():
        word -= 1
        if start - word > arabic.LONGEST:
            return -1
    return word if arabic.allowed(text[word:start], mode) else -1


def tail_end(text: str, end: int, prefix: bool, tail: tuple[Word, ...]) -> int:
    """Where the tail words end when they follow a key ending at ``end``; -1 if they do not.
    The end is that of the last word as written (not of its continuation)."""
    size = len(text)
    j = end
    more = prefix
    for word, word_more in tail:
        if more:
            while j < size and text[j].isalnum():
                j += 1
        if not text.startswith(" " + word, j):
            return -1
        j += 1 + len(word)
        more = word_more
    if not more and j < size and text[j].isalnum():
        return -1
    return j
