"""The rules engine: every watchlist compiled once into one Aho-Corasick automaton.

Matching semantics (README "Matching semantics" says the same for editors):

- Text matched: an item's title, summary, content and categories, as plain text; the fields
  are joined by a separator no term can span.
- Folding (normalize.py): NFKC compatibility forms, case, diacritics and Arabic harakat and
  tatweel fold away; ’ ‘ ʼ ` ´ equal ``'``; hyphens and dashes of every kind equal a space;
  runs of whitespace (line breaks too) equal one space.
- Whole words, in every script: a hit counts only where the characters on both sides are not
  letters or digits (Unicode-aware). ``Hama`` does not match "Hamas", ``Homs`` not "al-Homsi";
  "Idlib's" and "Assad’s" do match. Arabic attached proclitics (``و``, ``ال``) make a
  different word: ``حماة`` does not match "وحماة".
- A spelling of 2 to 5 capital letters (``HTS``, ``IS``) is case-sensitive; ``case_sensitive``
  on an entry overrides that for its name and every alias.
- ``term*`` matches the word and any continuation (``airstrike*``: "airstrikes", not "airstrip").
- ``{regex: ...}`` is searched in the folded text, whole words, with a time limit; one that
  runs out is logged (naming the watchlist) and skipped for that item.
- Aliases belong to their entry and report its canonical name (keywords: the term as written).
- Per watchlist: feeds filter, then any ``exclude`` hit vetoes, then ``match: all`` needs a hit
  in every non-empty category (cities, groups, keywords) and ``match: any`` in at least one.

Why one automaton with overlapping matches: the item's folded text is scanned once whatever
the number of terms, and every occurrence of every key is seen, so a longer key that fails the
boundary check ("Homs Gap" in "Homs Gaps") never hides a shorter one that passes ("Homs").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex
from ahocorasick_rs import AhoCorasick

from service.logs import get_logger
from service.matching.load import gc_paused
from service.matching.normalize import SEPARATOR, Folded, fold, fold_key
from service.matching.report import Hits, RegexTerm, add_hit, build_match, decide, search_regexes
from service.matching.schema import SECTIONS, Watchlist
from service.matching.terms import compile_regex, variant
from service.model import Item, Match

log = get_logger(__name__)

DEFAULT_REGEX_TIMEOUT = 0.05
_NUL = SEPARATOR.strip()  # what the field separator folds to the middle of: where the title ends


@dataclass(frozen=True, slots=True)
class _Ref:
    """One (watchlist, category, reported name) that a key in the automaton stands for."""

    watchlist: int
    category: str
    name: str
    prefix: bool
    shape: str | None


def item_text(item: Item) -> str:
    """The text of an item that watchlists see."""
    fields = (item.title, item.summary, item.content, *item.categories)
    return SEPARATOR.join(f for f in fields if f)


class Matcher:
    """Compiled watchlists. Build once per rules load; ``match`` is safe to call concurrently."""

    def __init__(
        self, watchlists: Sequence[Watchlist], *, regex_timeout: float = DEFAULT_REGEX_TIMEOUT
    ) -> None:
        self.watchlists = list(watchlists)
        self.regex_timeout = regex_timeout
        with gc_paused():
            self._compile()

    def _compile(self) -> None:
        keys: dict[str, int] = {}
        refs: list[dict[_Ref, None]] = []
        self._regexes: dict[int, list[RegexTerm]] = {}
        for index, watchlist in enumerate(self.watchlists):
            for section in SECTIONS:
                for term in getattr(watchlist, section):
                    if term.regex is not None:
                        self._add_regex(index, section, term.name, term.regex)
                        continue
                    for spelling in term.variants:
                        v = variant(spelling, term.case_sensitive)
                        if not v.key:
                            continue
                        pid = keys.setdefault(v.key, len(keys))
                        if pid == len(refs):
                            refs.append({})
                        refs[pid][_Ref(index, section, term.name, v.prefix, v.shape)] = None
        self._refs = [tuple(r) for r in refs]
        self._automaton = AhoCorasick(list(keys)) if keys else None

    def _add_regex(self, index: int, section: str, name: str, pattern: str) -> None:
        try:
            compiled = compile_regex(pattern)
        except regex.error as exc:
            log.warning("regex_invalid", watchlist=self.watchlists[index].id, error=str(exc))
            return
        self._regexes.setdefault(index, []).append((section, name, compiled))

    def match(self, item: Item, *, feeds_filter: bool = True) -> list[Match]:
        """Matches of ``item`` for every watchlist whose feeds filter lets its feed through
        (every watchlist with ``feeds_filter=False``); snippets come from the item's body, so
        they never repeat its title."""
        body_from = len(item.title) + len(SEPARATOR) if item.title else 0
        feed_id = item.feed_id if feeds_filter else None
        return self.match_text(item_text(item), feed_id=feed_id, body_from=body_from)

    def match_text(self, text: str, feed_id: str | None = None, body_from: int = 0) -> list[Match]:
        """Matches of plain ``text``; ``feed_id`` None ignores the feeds filters. ``body_from``
        > 0: the text before it is a title, kept out of snippets (``report.build_match``)."""
        folded = fold(text)
        found, body_hits = self._scan(folded, folded.text.find(_NUL) if body_from else -1)
        matches = []
        for index in sorted(found.keys() | self._regexes.keys()):
            watchlist = self.watchlists[index]
            if not watchlist.applies_to(feed_id):
                continue
            hits = found.get(index, {})
            regexes = self._regexes.get(index, [])
            if not self._possible(watchlist, hits, regexes):
                continue
            if regexes:
                search_regexes(watchlist.id, regexes, folded.text, self.regex_timeout, hits)
            if decide(watchlist, hits):
                body = (body_from, body_hits.get(index)) if body_from else None
                matches.append(build_match(watchlist, hits, text, folded.span, body))
        return matches

    def _scan(self, folded: Folded, body_at: int = -1) -> tuple[dict[int, Hits], dict[int, tuple[int, int]]]:
        """Every whole-word hit of every key, grouped by watchlist; one pass over the text. Also,
        per watchlist, the first category hit after ``body_at`` (-1: no body to look for)."""
        body_hits: dict[int, tuple[int, int]] = {}
        if self._automaton is None:
            return {}, body_hits
        text = folded.text
        size = len(text)
        refs = self._refs
        found: dict[int, Hits] = {}
        for pid, start, end in self._automaton.find_matches_as_indexes(text, overlapping=True):
            if start and text[start - 1].isalnum():
                continue
            whole = end == size or not text[end].isalnum()
            for ref in refs[pid]:
                if not (whole or ref.prefix):
                    continue
                if ref.shape is not None and not _same_case(folded, start, end, ref.shape):
                    continue
                add_hit(found.setdefault(ref.watchlist, {}), ref.category, ref.name, start, end)
                if 0 <= body_at < start and ref.category != "exclude":
                    first = body_hits.get(ref.watchlist)
                    if first is None or (start, end) < first:
                        body_hits[ref.watchlist] = (start, end)
        return found, body_hits

    @staticmethod
    def _possible(watchlist: Watchlist, hits: Hits, regexes: list[RegexTerm]) -> bool:
        """False when no regex result could make the watchlist match: skip running them."""
        if hits.get("exclude"):
            return False
        with_regex = {section for section, _, _ in regexes}
        ready = [bool(hits.get(c)) or c in with_regex for c in watchlist.categories()]
        return all(ready) if watchlist.match == "all" else any(ready)


def _same_case(folded: Folded, start: int, end: int, shape: str) -> bool:
    a, b = folded.span(start, end)
    return fold_key(folded.original[a:b], casefold=False) == shape
