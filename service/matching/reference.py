"""A slow matcher that is obviously correct, to check the fast one against (tests, bench).

It folds one character at a time with ``fold_char`` (the definition of folding), keeps the
original span of every folded character in plain lists, and looks for every spelling of every
term with ``str.find``. It shares only the decision and report rules (report.py) with the
matcher, so property tests exercise the automaton, the fast folding and the offset mapping.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.matching.normalize import fold_char, fold_key, is_word_char
from service.matching.report import Hits, add_hit, build_match, decide, search_regexes
from service.matching.schema import SECTIONS, Watchlist
from service.matching.terms import Variant, compile_regex, variant
from service.model import Match


class ReferenceText:
    """Folded text with the original (start, end) of each folded character."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        spans: list[tuple[int, int]] = []
        for index, char in enumerate(original):
            for out in fold_char(char):
                if out == " " and chars and chars[-1] == " ":
                    spans[-1] = (spans[-1][0], index + 1)
                    continue
                chars.append(out)
                spans.append((index, index + 1))
        self.text = "".join(chars)
        self.spans = spans

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.spans[start][0], self.spans[end - 1][1]


def reference_match(
    watchlists: Sequence[Watchlist], text: str, feed_id: str | None = None, timeout: float = 1.0
) -> list[Match]:
    folded = ReferenceText(text)
    matches = []
    for watchlist in watchlists:
        if not watchlist.applies_to(feed_id):
            continue
        hits: Hits = {}
        for section in SECTIONS:
            for term in getattr(watchlist, section):
                if term.regex is not None:
                    regexes = [(section, term.name, compile_regex(term.regex))]
                    search_regexes(watchlist.id, regexes, folded.text, timeout, hits)
                    continue
                for spelling in term.variants:
                    for start, end in _occurrences(folded, variant(spelling, term.case_sensitive)):
                        add_hit(hits, section, term.name, start, end)
        if decide(watchlist, hits):
            matches.append(build_match(watchlist, hits, text, folded.span))
    return matches


def _occurrences(folded: ReferenceText, v: Variant) -> list[tuple[int, int]]:
    found = []
    text = folded.text
    start = text.find(v.key) if v.key else -1
    while start >= 0:
        end = start + len(v.key)
        left_ok = start == 0 or not is_word_char(text[start - 1])
        right_ok = v.prefix or end == len(text) or not is_word_char(text[end])
        if left_ok and right_ok and _case_ok(folded, start, end, v.shape):
            found.append((start, end))
        start = text.find(v.key, start + 1)
    return found


def _case_ok(folded: ReferenceText, start: int, end: int, shape: str | None) -> bool:
    if shape is None:
        return True
    a, b = folded.span(start, end)
    return fold_key(folded.original[a:b], casefold=False) == shape
