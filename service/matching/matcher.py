"""The rules engine: every watchlist compiled once into one Aho-Corasick automaton.

Matching semantics (README "Matching semantics" says the same for editors):

- Text matched: an item's title, summary, content and categories, as plain text; the fields
  are joined by a separator no term can span.
- Folding (normalize.py): NFKC compatibility forms, case, diacritics and Arabic harakat and
  tatweel fold away; ’ ‘ ʼ ` ´ equal ``'``; hyphens and dashes of every kind equal a space;
  runs of whitespace (line breaks too) equal one space.
- Whole words, in every script: a hit counts only where the characters on both sides are not
  letters or digits (Unicode-aware). ``Hama`` does not match "Hamas", ``Homs`` not "al-Homsi";
  "Idlib's" and "Assad’s" do match.
- Inflection (terms.py, on unless the entry says ``inflect: false``): a Cyrillic term matches
  every form of its words (``Харків``: "у Харкові"); an Arabic term matches after attached
  proclitics (``حماة``: "وحماة", ``الرقة``: "للرقة"), the stem staying whole.
- A spelling of 2 to 5 capital letters (``HTS``, ``IS``) is case-sensitive; ``case_sensitive``
  on an entry overrides that for its name and every alias. Inside shouted (all-caps) text, such
  an acronym that is also an ordinary word (``IS``, ``US``) does not count (shout.py).
- ``word*`` matches the word and any continuation (``airstrike*``: "airstrikes", not "airstrip"),
  at the end of a term or inside a phrase (``air* defen*``).
- ``{regex: ...}`` is searched in the folded text, whole words, with a time limit; one that
  runs out is logged (naming the watchlist) and skipped for that item.
- Aliases belong to their entry and report its canonical name (keywords: the term as written).
- Per watchlist: feeds filter, then any ``exclude`` hit vetoes, then ``match: all`` needs a hit
  in every non-empty category (cities, groups, keywords) and ``match: any`` in at least one.

Why one automaton with overlapping matches: the item's folded text is scanned once whatever
the number of terms, and every occurrence of every key is seen, so a longer key that fails the
boundary check ("Homs Gap" in "Homs Gaps") never hides a shorter one that passes ("Homs"). The
automaton (automaton.py) runs over scan bytes, one per character, with the word boundaries in
its patterns, so it reports whole-word hits only. The checks after a hit are in scan.py;
``explain_text`` reports every hit and why it did or did not count (explain.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from service.logs import get_logger
from service.matching.automaton import CHECKED, CLITICS, OPEN, KeyAutomaton, plain
from service.matching.expand import save_caches
from service.matching.explain import Explanation, TermHit, explain
from service.matching.load import gc_paused
from service.matching.normalize import SEPARATOR, Folded, fold
from service.matching.report import Hits, RegexTerm, add_hit, build_match, decide, search_regexes
from service.matching.scan import Check, Ref, judge
from service.matching.schema import SECTIONS, Term, Watchlist
from service.matching.terms import compile_regex, compile_spelling
from service.model import Item, Match

log = get_logger(__name__)

DEFAULT_REGEX_TIMEOUT = 0.05
_NUL = SEPARATOR.strip()  # what the field separator folds to the middle of: where the title ends


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
        save_caches()

    def _compile(self) -> None:
        self._keys: dict[str, int] = {}
        self._ref_sets: list[tuple[Ref, ...]] = []  # per key, in order of first appearance
        self._flags = bytearray()  # per key: CLITICS, OPEN, CHECKED (automaton.py)
        self._checks: dict[Check, Check] = {}  # one object per distinct check
        self._regexes: dict[int, list[RegexTerm]] = {}
        for index, watchlist in enumerate(self.watchlists):
            for section in SECTIONS:
                for term in getattr(watchlist, section):
                    if term.regex is not None:
                        self._add_regex(index, section, term.name, term.regex)
                    else:
                        self._add_term(index, section, term)
        keys, refs, flags = list(self._keys), self._ref_sets, self._flags
        del self._keys, self._ref_sets, self._checks, self._flags
        self._automaton = KeyAutomaton(keys, refs, flags)

    def _add_term(self, index: int, section: str, term: Term) -> None:
        checks = self._checks
        for text in term.variants:
            spelling = compile_spelling(text, term.case_sensitive, term.inflect)
            if isinstance(spelling, str):
                continue  # load.py reported it
            for n, v in enumerate((spelling.first(), *spelling.others)):
                check = Check(v.prefix, v.shape, v.tail, v.clitics, spelling.quiet)
                ref = Ref(index, section, term.name, text, checks.setdefault(check, check))
                flags = (
                    (CLITICS if v.clitics else 0)
                    | (OPEN if v.prefix else 0)
                    | (0 if plain(check) else CHECKED)
                )
                # inflected forms (``more``) are checked like the first variant
                self._add_keys((v.key, *spelling.more) if n == 0 else (v.key,), ref, flags)

    def _add_keys(self, new: tuple[str, ...], ref: Ref, flags: int) -> None:
        """Keys that ``ref`` stands for. Forms of a Cyrillic term are a dozen keys that no other
        term has: those are added at once (a warm start of a large watchlist spends its time here)."""
        keys, ref_sets, all_flags = self._keys, self._ref_sets, self._flags
        if len(new) > 1 and keys.keys().isdisjoint(new) and len(set(new)) == len(new):
            keys.update(zip(new, range(len(keys), len(keys) + len(new)), strict=True))
            ref_sets.extend([(ref,)] * len(new))
            all_flags.extend(bytes([flags]) * len(new))
            return
        for key in new:
            pid = keys.setdefault(key, len(keys))
            if pid == len(ref_sets):
                ref_sets.append((ref,))
                all_flags.append(flags)
            else:
                if ref not in ref_sets[pid]:
                    ref_sets[pid] += (ref,)
                all_flags[pid] |= flags

    def _add_regex(self, index: int, section: str, name: str, pattern: str) -> None:
        try:
            compiled = compile_regex(pattern)
        except regex.error as exc:
            log.warning("regex_invalid", watchlist=self.watchlists[index].id, error=str(exc))
            return
        self._regexes.setdefault(index, []).append((section, name, compiled))

    @property
    def key_count(self) -> int:
        """How many distinct keys the automaton holds (forms, proclitic keys, spellings)."""
        return len(self._automaton)

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
        for index in sorted(found.keys() | self._regexes.keys() if self._regexes else found):
            watchlist = self.watchlists[index]
            if not watchlist.applies_to(feed_id):
                continue
            hits = found.get(index, {})
            regexes = self._regexes.get(index)
            if regexes:
                if not self._possible(watchlist, hits, regexes):
                    continue
                search_regexes(watchlist.id, regexes, folded.text, self.regex_timeout, hits)
            if decide(watchlist, hits):
                body = (body_from, body_hits.get(index)) if body_from else None
                matches.append(build_match(watchlist, hits, text, folded.span, body))
        return matches

    def _scan(self, folded: Folded, body_at: int = -1) -> tuple[dict[int, Hits], dict[int, tuple[int, int]]]:
        """Every whole-word hit of every key, grouped by watchlist; one pass over the text. Also,
        per watchlist, the first category hit after ``body_at`` (-1: no body to look for)."""
        body_hits: dict[int, tuple[int, int]] = {}
        found: dict[int, Hits] = {}
        for refs, checked, start, end in self._automaton.hits(folded):
            if not checked:  # nothing to check beyond whole words (the automaton did that)
                _add_plain(found, refs, start, end)
                if 0 <= body_at < start:
                    _lead(body_hits, refs, (start, end))
                continue
            for ref in refs:
                span = judge(ref.check, folded, start, end)
                if type(span) is not tuple:
                    continue
                add_hit(found.setdefault(ref.watchlist, {}), ref.category, ref.name, *span)
                if 0 <= body_at < span[0]:
                    _lead(body_hits, (ref,), span)
        return found, body_hits

    @staticmethod
    def _possible(watchlist: Watchlist, hits: Hits, regexes: list[RegexTerm]) -> bool:
        """False when no regex result could make the watchlist match: skip running them."""
        if hits.get("exclude"):
            return False
        with_regex = {section for section, _, _ in regexes}
        ready = [bool(hits.get(c)) or c in with_regex for c in watchlist.categories()]
        return all(ready) if watchlist.match == "all" else any(ready)

    def explain_text(self, text: str, feed_id: str | None = None) -> list[Explanation]:
        """For every watchlist: every hit (those that did not count too, with why), and the
        decision; slower than ``match_text`` (every regex runs), for ``wirewatch match --explain``."""
        folded = fold(text)
        found: dict[int, list[TermHit]] = {}
        for refs, _, start, end in self._automaton.hits(folded):
            for ref in refs:
                verdict = judge(ref.check, folded, start, end)
                if verdict is None:
                    continue
                span, why = (verdict, None) if isinstance(verdict, tuple) else ((start, end), verdict)
                hit = _term_hit(folded, ref.category, ref.name, ref.spelling, span, why)
                found.setdefault(ref.watchlist, []).append(hit)
        out = []
        for index, watchlist in enumerate(self.watchlists):
            hits = found.get(index, [])
            for section in SECTIONS:
                for term in getattr(watchlist, section):
                    if term.regex is not None:
                        hits += self._regex_hits(watchlist, section, term, folded)
            out.append(explain(watchlist, hits, watchlist.applies_to(feed_id)))
        return out

    def _regex_hits(self, watchlist: Watchlist, section: str, term: Term, folded: Folded) -> list[TermHit]:
        try:
            pattern = compile_regex(term.regex or "")
        except regex.error:
            return []  # logged when compiled
        found: Hits = {}
        search_regexes(watchlist.id, [(section, term.name, pattern)], folded.text, self.regex_timeout, found)
        return [
            _term_hit(folded, section, term.name, term.regex or "", span, None)
            for span in found.get(section, {}).values()
        ]


def _term_hit(
    folded: Folded, category: str, name: str, spelling: str, span: tuple[int, int], why: str | None
) -> TermHit:
    start, end = span
    while end < len(folded.text) and folded.text[end].isalnum():
        end += 1  # show the whole word of a prefix hit: "airstrikes"
    a, b = folded.span(start, end)
    return TermHit(category, name, spelling, folded.original[a:b], a, b, why)


def _add_plain(found: dict[int, Hits], refs: Sequence[Ref], start: int, end: int) -> None:
    """``add_hit`` for every ref of a key that needs no check, inlined: the hot path."""
    for ref in refs:
        hits = found.get(ref.watchlist)
        if hits is None:
            hits = found[ref.watchlist] = {}
        names = hits.get(ref.category)
        if names is None:
            names = hits[ref.category] = {}
        first = names.get(ref.name)
        if first is None or (start, end) < first:
            names[ref.name] = (start, end)


def _lead(body_hits: dict[int, tuple[int, int]], refs: Sequence[Ref], span: tuple[int, int]) -> None:
    """Remember, per watchlist, the first category hit in the body (snippets start there)."""
    for ref in refs:
        if ref.category != "exclude":
            first = body_hits.get(ref.watchlist)
            if first is None or span < first:
                body_hits[ref.watchlist] = span
