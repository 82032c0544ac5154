"""A slow matcher that is obviously correct, to check the fast one against (tests, bench).

It folds one character at a time with ``fold_char`` (the definition of folding), keeps the
original span of every folded character in plain lists, and looks for every spelling of every
term with ``str.find``. It shares with the matcher the decision and report rules (report.py),
what a spelling compiles to (terms.py: the same inflected forms) and the shouted-text rule
(shout.py), so property tests exercise the automaton, the fast folding, the offset mapping and
the checks after a hit. Arabic proclitics are written out here (every prefixed spelling looked
for), where the matcher checks the letters before a hit instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.matching import arabic
from service.matching.charfold import fold_char
from service.matching.normalize import fold_key, is_word_char
from service.matching.report import Hits, add_hit, build_match, decide, search_regexes
from service.matching.schema import SECTIONS, Watchlist
from service.matching.shout import in_caps_run
from service.matching.terms import Variant, compile_regex, compile_spelling
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
                for written in term.variants:
                    spelling = compile_spelling(written, term.case_sensitive, term.inflect)
                    if isinstance(spelling, str):
                        continue
                    for v in spelling.all_variants():
                        for start, end in _occurrences(folded, v, spelling.quiet):
                            add_hit(hits, section, term.name, start, end)
        if decide(watchlist, hits):
            matches.append(build_match(watchlist, hits, text, folded.span))
    return matches


def _occurrences(folded: ReferenceText, v: Variant, quiet: bool) -> list[tuple[int, int]]:
    """Every (start, end) where the variant's words stand in the folded text as whole words."""
    found = []
    text = folded.text
    for spelled in _spelled(v):
        lead = len(spelled) - len(v.key)  # the attached proclitics, if any
        start = text.find(spelled)
        while start >= 0:
            key_start, key_end = start + lead, start + len(spelled)
            end = _words_end(text, key_end, v)
            if (
                end is not None
                and (start == 0 or not is_word_char(text[start - 1]))
                and _case_ok(folded, key_start, key_end, v.shape, quiet)
            ):
                found.append((start, end))
            start = text.find(spelled, start + 1)
    return found


def _spelled(v: Variant) -> list[str]:
    """The key as the text may spell it: as is, or with each proclitic its clitic mode allows."""
    if v.clitics == arabic.NONE:
        return [v.key]
    prefixes = sorted(arabic.PREFIXES[v.clitics])
    return [p + v.key for p in prefixes] + ([] if v.clitics == arabic.LAM_MERGED else [v.key])


def _words_end(text: str, end: int, v: Variant) -> int | None:
    """Where the variant ends after its key ends at ``end``: its tail words, one space before
    each, each whole unless it may continue; None when the text does not go on that way."""
    more = v.prefix
    for word, word_more in v.tail:
        while more and end < len(text) and is_word_char(text[end]):
            end += 1
        if text[end : end + 1 + len(word)] != " " + word:
            return None
        end += 1 + len(word)
        more = word_more
    if not more and end < len(text) and is_word_char(text[end]):
        return None
    return end


def _case_ok(folded: ReferenceText, start: int, end: int, shape: str | None, quiet: bool) -> bool:
    if shape is None:
        return True
    a, b = folded.span(start, end)
    if fold_key(folded.original[a:b], casefold=False) != shape:
        return False
    return not (quiet and in_caps_run(folded.original, a, b))
