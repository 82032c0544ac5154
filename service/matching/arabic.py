"""Arabic proclitics: the conjunctions, prepositions and article written attached to a word.

"وإدلب" is "and Idlib", "بحلب" "in Aleppo", "للرقة" "to al-Raqqa". A term in Arabic script also
matches with, in front of its first word: an optional conjunction (و ف), then an optional
preposition (ب ل ك), then the article ال where the term has none; ل + ال is written لل. The
stem itself stays whole: the usual word boundary after the term still applies, so حلب does not
match "حلبة".

This list is the one hand-written linguistic table the matcher has. The matcher does not add a
key per prefix (24 more per Arabic spelling would double a large automaton): it finds the term
itself and accepts a hit inside a word when what comes before it in that word is one of the
``prefixes``. A term that starts with ال gets one more key without the alif, for لل.
"""

from __future__ import annotations

import regex

CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ل", "ك")
ARTICLE = "ال"
LAM = "ل"

NONE, BARE, DEFINITE, LAM_MERGED = 0, 1, 2, 3
"""Clitic modes of a key: none allowed; a term without the article; a term with it; the key of
a term with the article written after ل (the ``لرقة`` of "للرقة")."""

_ARABIC = regex.compile(r"\p{Script=Arabic}")


def _prefixes(article: bool) -> frozenset[str]:
    found = set()
    for conj in CONJUNCTIONS:
        for prep in PREPOSITIONS:
            found.add(conj + prep)
            if article:
                found.add(conj + ("لل" if prep == LAM else prep + ARTICLE))
    found.discard("")
    return frozenset(found)


PREFIXES: dict[int, frozenset[str]] = {
    NONE: frozenset(),
    BARE: _prefixes(article=True),
    DEFINITE: _prefixes(article=False) - {LAM, "و" + LAM, "ف" + LAM},
    LAM_MERGED: frozenset(conj + LAM for conj in CONJUNCTIONS),
}
"""What may stand before a key inside its word, by clitic mode. For a term with the article,
a bare ل (or ول، فل) before it is not allowed: that spelling is لل, found by the merged key."""

LONGEST = max(len(p) for p in PREFIXES[BARE])


def is_arabic(folded: str) -> bool:
    """A folded text starts with a letter of the Arabic script (a range check first: this runs
    for every spelling of every watchlist)."""
    return bool(folded) and "\u0600" <= folded[0] <= "\u08ff" and bool(_ARABIC.match(folded))


def keys(key: str) -> list[tuple[str, int]]:
    """The automaton keys of a folded Arabic key, each with its clitic mode."""
    if key.startswith(ARTICLE) and len(key) > len(ARTICLE) and key[len(ARTICLE)] != " ":
        return [(key, DEFINITE), (key[1:], LAM_MERGED)]
    return [(key, BARE)]


def allowed(prefix: str, mode: int) -> bool:
    """Whether ``prefix`` (the letters of the word before a hit) is a clitic sequence for ``mode``;
    the empty prefix (the hit starts the word) is allowed except for a merged ل key."""
    if not prefix:
        return mode != LAM_MERGED
    return prefix in PREFIXES[mode]


def spellings(key: str) -> list[str]:
    """Every attached spelling of a folded key, written out: for the reference matcher, which
    looks for each with ``str.find`` instead of checking prefixes."""
    out = []
    for spelled, mode in keys(key):
        out += [p + spelled for p in PREFIXES[mode]]
        if mode != LAM_MERGED:
            out.append(spelled)
    return out
