"""Shouted text: an acronym that is also an ordinary word is silent inside an all-caps run.

Wire flashes and headlines come in capitals: "WHAT IS KNOWN ABOUT THE ATTACK". There ``IS``
(Islamic State) is the verb, and a case-sensitive match cannot tell. So a hit of a
case-sensitive acronym (2 to 5 capital letters) that is also an ordinary word does not count
when the text around it is shouted:

- **shouted**: the nearest word before the hit and the nearest word after it, in the same field
  (title, summary, ...), are each all-caps words of 2+ letters; a hit at the start or end of a
  field needs only the neighbour it has, a hit alone in its field is not shouted. Words are
  runs of letters, digits and marks; punctuation between words does not matter.
- **ordinary word**: for Latin script, English with a wordfreq Zipf frequency of at least
  ``ZIPF_ORDINARY`` (4.7). Measured (wordfreq 3.1): IS 7.07, IT 6.95, AS 6.77, WHO 6.34,
  US 6.04, AID 4.75 are words; ISIL 3.34, SDF 3.00, HTS 2.66 are not. 4.7 is just under AID,
  the rarest word of that list, and keeps acronyms a desk watches out of the word class:
  UN and EU 4.62, BBC 4.57, FBI 4.43, ISIS 4.27, NATO 4.01 still fire in capitals (UK, 5.12,
  does not: write "United Kingdom" as an alias). For Cyrillic, frequency lists rate
  acronyms such as ЗСУ and НАТО as common, so the pymorphy3 dictionaries decide: a word listed
  as a common word (ТА, МИ), not as an abbreviation or a name (ЗСУ, ФСБ, НАТО).

"IS claims attack near Raqqa" still matches ``IS``: "claims" is not in capitals.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from service.matching.normalize import SEPARATOR

ZIPF_ORDINARY = 4.7
FIELD_BREAK = SEPARATOR.strip()
_WINDOW = 120
_LAST_WORD = regex.compile(r"([\p{L}\p{N}\p{M}]+)[^\p{L}\p{N}\p{M}]*$")
_FIRST_WORD = regex.compile(r"^[^\p{L}\p{N}\p{M}]*([\p{L}\p{N}\p{M}]+)")
_WORD_CHAR = regex.compile(r"[\p{L}\p{N}\p{M}]")
_LATIN = regex.compile(r"^\p{Script=Latin}+$")
_CYRILLIC = regex.compile(r"^\p{Script=Cyrillic}+$")


def is_acronym(text: str) -> bool:
    """2 to 5 letters, all capitals (any script): the spellings that are case-sensitive by default."""
    return 2 <= len(text) <= 5 and text.isalpha() and text.isupper()


@lru_cache(maxsize=4096)
def ordinary_word(acronym: str) -> bool:
    """Whether an acronym is also an ordinary word of its script's language (see the module)."""
    word = acronym.lower()
    if _LATIN.match(acronym):
        from wordfreq import zipf_frequency  # lazily: only watchlists with acronyms load it

        return bool(zipf_frequency(word, "en") >= ZIPF_ORDINARY)
    if _CYRILLIC.match(acronym):
        from service.matching.morph import is_common_word

        return is_common_word(acronym)
    return False


def _caps_word(word: str | None) -> bool:
    letters = [c for c in word or "" if c.isalpha()]
    return len(letters) >= 2 and word == word.upper() and word != word.lower()  # type: ignore[union-attr]


def in_caps_run(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (original text, a hit) stands inside shouted text."""
    while end < len(text) and _WORD_CHAR.match(text[end]):
        end += 1  # a prefix hit ("SDF*" in "SDFs"): its neighbour is after the whole word
    while start > 0 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    before = text[max(0, start - _WINDOW) : start].rpartition(FIELD_BREAK)[2]
    after = text[end : end + _WINDOW].partition(FIELD_BREAK)[0]
    left = _LAST_WORD.search(before)
    right = _FIRST_WORD.search(after)
    neighbours = [m.group(1) for m in (left, right) if m]
    return bool(neighbours) and all(_caps_word(w) for w in neighbours)
