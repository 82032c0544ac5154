"""Why a watchlist did or did not match an item: the data, and its text and JSON renderings.

This is how a desk debugs a rule (``wirewatch match --explain``). For each watchlist it lists
every term that hit and the text it hit, with the form when it differs from the spelling
("Харкові ← Харків", "وإدلب ← إدلب", "airstrikes ← airstrike*"); hits that did not count and
why (capitals differ, inside all-caps text); which exclude vetoed the item; and, when it did
not match, which categories had no hit. The decision follows report.decide: feeds filter, then
any exclude hit vetoes, then ``match: all`` needs every non-empty category, ``any`` one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from service.matching.normalize import fold_key
from service.matching.schema import Watchlist


@dataclass(frozen=True, slots=True)
class TermHit:
    """One hit: the entry (category, reported name), the spelling that found it, the original
    text and its offsets in the item's text, and ``ignored``: why it did not count, or None."""

    category: str
    name: str
    spelling: str
    text: str
    start: int
    end: int
    ignored: str | None = None

    def form(self) -> str:
        """The text hit, with the spelling (or regex) it came from when they differ beyond
        diacritics, and the entry's name when the spelling is an alias: ``Харкові ← Харків``,
        ``وحماة ← حماة (Hama)``, ``hts ← HTS``."""
        shown = self.text
        if fold_key(self.text, casefold=False) != fold_key(self.spelling.replace("*", ""), casefold=False):
            shown += f" ← {self.spelling}"
        if self.spelling != self.name:
            shown += f" ({self.name})"
        return shown


@dataclass(frozen=True, slots=True)
class Explanation:
    """The decision for one watchlist and one item, and what it was made from."""

    watchlist: str
    matched: bool
    verdict: str
    hits: tuple[TermHit, ...]
    vetoed_by: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def explain(watchlist: Watchlist, hits: Sequence[TermHit], applies: bool = True) -> Explanation:
    """The decision for ``watchlist`` from its hits (``applies``: its feeds filter let the item in)."""
    ordered = tuple(sorted(hits, key=lambda h: (h.start, h.end, h.category, h.name)))
    counted = [h for h in ordered if h.ignored is None]
    present = {h.category for h in counted}
    vetoed = tuple(dict.fromkeys(h.name for h in counted if h.category == "exclude"))
    categories = list(watchlist.categories())
    missing = tuple(c for c in categories if c not in present)
    if not applies:
        return Explanation(watchlist.id, False, "not for this feed (feeds filter)", ordered)
    if vetoed:
        verdict = "vetoed by exclude: " + ", ".join(vetoed)
        return Explanation(watchlist.id, False, verdict, ordered, vetoed, missing)
    if watchlist.match == "all" and missing:
        verdict = "no match: no hit in " + ", ".join(missing) + " (match: all)"
        return Explanation(watchlist.id, False, verdict, ordered, (), missing)
    if watchlist.match == "any" and len(missing) == len(categories):
        verdict = "no match: no hit in any of " + ", ".join(missing) + " (match: any)"
        return Explanation(watchlist.id, False, verdict, ordered, (), missing)
    return Explanation(watchlist.id, True, "matched", ordered, (), missing)


def render_text(title: str, explanations: Sequence[Explanation]) -> str:
    """An item's explanations for people: watchlists with hits in detail, the others on one line."""
    lines = [title or "(no title)"]
    quiet = []
    for e in explanations:
        if not e.hits and not e.matched:
            quiet.append(e.watchlist)
            continue
        lines.append(f"  [{e.watchlist}] {e.verdict}")
        for hit in e.hits:
            why = f"  (ignored: {hit.ignored})" if hit.ignored else ""
            lines.append(f"      {hit.category:<9} {hit.form()}{why}")
    if quiet:
        lines.append("  no term hit: " + ", ".join(quiet))
    return "\n".join(lines)


def to_json(explanation: Explanation) -> dict[str, Any]:
    """An explanation as plain JSON data: the dataclass fields, hits with their ``form``."""
    data = asdict(explanation)
    data["vetoed_by"], data["missing"] = list(explanation.vetoed_by), list(explanation.missing)
    data["hits"] = [{**asdict(hit), "form": hit.form()} for hit in explanation.hits]
    return data
