"""Reading ``rules/watchlists/*.yaml`` (and ``*.yml``): pure, and every problem with its line.

``load_watchlists`` never raises for an editor's mistake: it returns the watchlists that are
fine and a Problem (``path:line: message``) for each mistake, so ``wirewatch check`` lists them
all and the service can keep its last good rules when a file breaks. ``expansion_warnings``
lists terms whose inflection looks wrong (nothing found, or too much): warnings, not mistakes.
"""

from __future__ import annotations

import difflib
import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import regex

from service.config.yamlfile import ConfigError, Loc, Problem, YamlDoc, display_path, load_yaml, validate
from service.matching.schema import (
    CATEGORIES,
    SECTIONS,
    WATCHLIST_ID,
    RegexSpec,
    Term,
    TermSpec,
    Watchlist,
    WatchlistFile,
)
from service.matching.terms import Spelling, compile_regex, compile_spelling

SUFFIXES = (".yaml", ".yml")


def watchlist_files(folder: Path) -> list[Path]:
    """The watchlist files in ``folder``, sorted by name (hidden files and other suffixes ignored)."""
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file() and p.name[0] != ".")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building: tens of thousands of small objects that all live
    on would otherwise trigger repeated full collections (measured: up to 3x the build time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_watchlists(
    folder: Path, feed_ids: set[str] | None, channel_names: set[str] | None
) -> tuple[list[Watchlist], list[Problem]]:
    """Every watchlist in ``folder`` that is valid, and every problem found.

    ``feed_ids`` / ``channel_names`` None means that file was broken: skip that cross-check.
    """
    if not folder.is_dir():
        return [], [Problem(display_path(folder), None, "watchlists folder not found")]
    with gc_paused():
        return _load_all(folder, feed_ids, channel_names)


def _load_all(
    folder: Path, feed_ids: set[str] | None, channel_names: set[str] | None
) -> tuple[list[Watchlist], list[Problem]]:
    watchlists: list[Watchlist] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in watchlist_files(folder):
        try:
            doc = load_yaml(path)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        watchlist, found = parse_watchlist(doc, path.stem, feed_ids, channel_names)
        problems.extend(found)
        if watchlist is None:
            continue
        if watchlist.id in seen:
            loc: Loc = ("id",) if isinstance(doc.data, dict) and "id" in doc.data else ()
            message = f"duplicate watchlist id '{watchlist.id}' (also in {seen[watchlist.id]})"
            problems.append(doc.problem(loc, message))
            continue
        seen[watchlist.id] = doc.path
        watchlists.append(watchlist)
    return watchlists, problems


def parse_watchlist(
    doc: YamlDoc,
    default_id: str,
    feed_ids: set[str] | None = None,
    channel_names: set[str] | None = None,
) -> tuple[Watchlist | None, list[Problem]]:
    """One parsed file to a Watchlist, or None with the problems that prevent it."""
    if doc.data is None:
        return None, [doc.problem((), "empty file: a watchlist needs channels and some terms")]
    if not isinstance(doc.data, dict):
        return None, [doc.problem((), "expected a mapping (description:, cities:, channels: ...)")]
    try:
        spec: WatchlistFile = validate(doc, WatchlistFile, doc.data)
    except ConfigError as exc:
        return None, exc.problems
    problems: list[Problem] = []
    wid = spec.id or default_id
    if not re.match(WATCHLIST_ID, wid):
        problems.append(doc.problem((), f"invalid watchlist id {wid!r}: rename the file or set 'id:'"))
    sections = {s: _terms(doc, s, getattr(spec, s), problems) for s in SECTIONS}
    if not any(sections[c] or getattr(spec, c) for c in CATEGORIES):
        problems.append(doc.problem((), f"watchlist '{wid}' has no terms: add cities, groups or keywords"))
    if channel_names is not None:
        _known(doc, "channels", spec.channels, channel_names, "channel", problems)
    if feed_ids is not None and spec.feeds != "all":
        _known(doc, "feeds", spec.feeds, feed_ids, "feed", problems)
    if problems:
        return None, problems
    watchlist = Watchlist(
        id=wid,
        channels=list(spec.channels),
        feeds=spec.feeds,
        description=spec.description,
        match=spec.match,
        path=doc.path,
        story_window=spec.story_window,
        **sections,
    )
    return watchlist, []


def _terms(
    doc: YamlDoc, section: str, entries: list[str | TermSpec | RegexSpec], problems: list[Problem]
) -> tuple[Term, ...]:
    terms: list[Term] = []
    for index, entry in enumerate(entries):
        loc: Loc = (section, index)
        if isinstance(entry, RegexSpec):
            try:
                compile_regex(entry.regex)
            except regex.error as exc:
                problems.append(doc.problem((*loc, "regex"), f"regex does not compile: {exc}"))
                continue
            terms.append(Term(entry.name or entry.regex, regex=entry.regex))
            continue
        if isinstance(entry, str):
            found = compile_spelling(entry, None, True)  # compiled now: the matcher reuses it
            if isinstance(found, str):
                problems.append(doc.problem(loc, found))
            else:
                terms.append(Term(entry.strip(), (entry,), line=doc.line(loc)))
            continue
        spellings = [((*loc, "name"), entry.name)]
        spellings += [((*loc, "aliases", i), a) for i, a in enumerate(entry.aliases)]
        bad = [
            doc.problem(where, found)
            for where, s in spellings
            if isinstance(found := compile_spelling(s, entry.case_sensitive, entry.inflect), str)
        ]
        problems.extend(bad)
        if not bad:
            terms.append(
                Term(
                    entry.name.strip(),
                    tuple(s for _, s in spellings),
                    entry.case_sensitive,
                    inflect=entry.inflect,
                    line=doc.line(loc),
                )
            )
    return tuple(terms)


def _known(
    doc: YamlDoc, field: str, names: list[str], known: set[str], kind: str, problems: list[Problem]
) -> None:
    for index, name in enumerate(names):
        if name in known:
            continue
        hint = difflib.get_close_matches(name, sorted(known), n=1)
        if hint:
            extra = f" (did you mean '{hint[0]}'?)"
        else:
            extra = f" (known: {', '.join(sorted(known))})" if known else f" (no {kind}s are defined)"
        problems.append(doc.problem((field, index), f"unknown {kind} '{name}'{extra}"))


def expansion_warnings(watchlists: Sequence[Watchlist]) -> list[Problem]:
    """``path:line: warning: term '...' ...`` for each spelling whose expansion (Cyrillic forms)
    found nothing or more than expand.MAX_FORMS forms. Not errors: the watchlist loads, and the
    term matches as written, or with all its forms. Compiling is cached, so after a load this
    costs nothing more."""
    found = []
    for watchlist in watchlists:
        for section in SECTIONS:
            for term in getattr(watchlist, section):
                for text in term.variants:
                    spelling = compile_spelling(text, term.case_sensitive, term.inflect)
                    if isinstance(spelling, Spelling) and spelling.note:
                        message = f"warning: term {text!r} {spelling.note}"
                        found.append(Problem(watchlist.path, term.line, message))
    return found
