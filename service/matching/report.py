"""What a watchlist decides from its hits, and the Match it reports: shared by matcher and reference.

Evaluation order for one watchlist and one item: feeds filter; then hits of every term
(whole words, folded); any ``exclude`` hit vetoes; ``match: all`` needs a hit in every
non-empty category, ``match: any`` a hit in at least one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import regex

from service.logs import get_logger
from service.matching.normalize import SEPARATOR
from service.matching.schema import CATEGORIES, Watchlist
from service.model import Match

log = get_logger(__name__)

Hits = dict[str, dict[str, tuple[int, int]]]
"""category (or ``exclude``) -> reported name -> folded (start, end) of its first hit."""

RegexTerm = tuple[str, str, "regex.Pattern[str]"]
"""(category, reported name, compiled pattern)."""

SNIPPET_WIDTH = 200
_WHITESPACE = re.compile(r"\s")


def add_hit(hits: Hits, category: str, name: str, start: int, end: int) -> None:
    names = hits.setdefault(category, {})
    first = names.get(name)
    if first is None or (start, end) < first:
        names[name] = (start, end)


def search_regexes(watchlist: str, terms: Sequence[RegexTerm], text: str, timeout: float, hits: Hits) -> None:
    """Run each regex term with a time limit; one that runs out is logged and skipped."""
    for category, name, pattern in terms:
        try:
            found = pattern.search(text, timeout=timeout)
        except TimeoutError:
            log.warning(
                "regex_timeout",
                watchlist=watchlist,
                error=f"regex {name!r} took longer than {timeout:g}s and was skipped",
            )
            continue
        if found:
            add_hit(hits, category, name, found.start(), found.end())


def decide(watchlist: Watchlist, hits: Hits) -> bool:
    if hits.get("exclude"):
        return False
    present = [hits.get(c) for c in CATEGORIES if getattr(watchlist, c)]
    if watchlist.match == "all":
        return all(present)
    return any(present)


def build_match(
    watchlist: Watchlist,
    hits: Hits,
    original: str,
    span: Callable[[int, int], tuple[int, int]],
    body: tuple[int, tuple[int, int] | None] | None = None,
) -> Match:
    """The Match: names per category in order of first appearance, and a snippet.

    Without ``body`` the snippet is the original text around the first hit. With ``body`` =
    (where the body starts in ``original``, the folded span of the first hit in the body or
    None), the title before it is never in the snippet: it shows the body around that hit, or
    the body's beginning when every hit was in the title (no body: no snippet).
    """
    matched: dict[str, list[str]] = {}
    first: tuple[int, int] | None = None
    for category in CATEGORIES:
        if not getattr(watchlist, category):
            continue
        names = hits.get(category, {})
        matched[category] = sorted(names, key=names.__getitem__)
        if names:
            low = min(names.values())
            first = low if first is None or low < first else first
    if body is not None:
        text = body_snippet(original, body[0], span(*body[1]) if body[1] else None)
    else:
        text = snippet(original, *span(*first)) if first is not None else ""
    return Match(watchlist=watchlist.id, matched=matched, snippet=text)


def body_snippet(original: str, body_from: int, hit: tuple[int, int] | None) -> str:
    """A snippet of ``original[body_from:]`` around ``hit`` (original offsets), else its start."""
    body = original[body_from:]
    if not body.strip():
        return ""
    start, end = (hit[0] - body_from, hit[1] - body_from) if hit else (0, 0)
    return snippet(body, start, end)


def snippet(original: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of the original text around ``[start, end)``, whole words."""
    lead = max(0, (width - (end - start)) // 3)
    a = max(0, start - lead)
    b = min(len(original), max(end, a + width))
    if a > 0:
        space = _WHITESPACE.search(original, a, start)
        a = space.start() + 1 if space is not None else a
    if b < len(original):
        cut = original.rfind(" ", end, b)
        b = cut if cut > end else b
    body = " ".join(original[a:b].replace(SEPARATOR.strip(), "—").split())
    return ("…" if a > 0 else "") + body + ("…" if b < len(original) else "")
