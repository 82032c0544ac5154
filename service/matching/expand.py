"""The forms of a term written in Cyrillic: every word inflected, phrases kept bounded.

A term's words are expanded with morph.py, then combined into phrases without a cartesian
product (three words of a dozen forms each would be 1,728 phrases, nearly all nonsense):

- the term as written;
- all inflecting words in the same case and number ("Донецької області", "ЧВК Вагнера");
- the head noun alone when other nouns follow it ("в секторі Газа").

Words ending in ``*`` (prefixes) and words in other scripts stay as written. The result is
folded (normalize.py) and deduplicated after folding: folding drops combining marks (й→и,
ї→і, ё→е), so several forms often become one key.

Expansions are computed once per term per process. The disk cache (cache.py) keeps what they
become: each compiled spelling that needed them (terms.py), by library, dictionary and policy
versions and a digest of the rules' source, so a warm start neither recomputes them nor loads
the dictionaries, and a change to the rules cannot serve stale keys.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from service.matching.cache import ExpansionCache, cache_dir
from service.matching.charfold import fold_char
from service.matching.morph import WordForms, is_cyrillic_word, languages, plain, versions, word_forms
from service.matching.shout import ordinary_word

POLICY = "2"
"""Bump when the expansion rules change in a way the source digest cannot see (data, not code)."""
RULES = ("terms", "expand", "morph", "arabic", "shout", "charfold")
"""The modules whose source decides a compiled spelling: part of the cache key (``rules_digest``)."""

MAX_FORMS = 200
"""More distinct forms than this is reported by ``wirewatch check`` (they are still matched)."""


SEP = "\t"
"""Between the per-word parts of a form: a folded word never contains it (tabs fold to spaces)."""


@dataclass(frozen=True, slots=True)
class Expansion:
    """``forms``: each the per-word folded texts (parallel to the term's words) joined by SEP,
    the term as written first. ``note``: what ``wirewatch check`` should tell the editor, or "".
    One string per form, not a tuple: a large watchlist has hundreds of thousands."""

    forms: tuple[str, ...]
    note: str = ""


_caches: dict[Path | None, ExpansionCache] = {}


def shared_cache() -> ExpansionCache:
    """The cache for the current ``WIREWATCH_CACHE_DIR`` (one per folder per process)."""
    folder = cache_dir()
    found = _caches.get(folder)
    if found is None:
        found = _caches[folder] = ExpansionCache(
            folder, f"{versions()},policy={POLICY},rules={rules_digest()}"
        )
    return found


@lru_cache(maxsize=1)
def rules_digest() -> str:
    """A digest of the source of ``RULES``: editing how spellings compile changes the cache file."""
    digest = hashlib.sha256()
    for name in RULES:
        spec = importlib.util.find_spec(f"service.matching.{name}")
        origin = spec.origin if spec is not None else None
        digest.update(Path(origin).read_bytes() if origin else name.encode())
    return digest.hexdigest()[:12]


def needs_morphology(words: tuple[str, ...], stars: tuple[bool, ...]) -> bool:
    return any(not star and is_cyrillic_word(w) for w, star in zip(words, stars, strict=True))


def expand(words: tuple[str, ...], stars: tuple[bool, ...]) -> Expansion:
    """The folded forms of a term's words (see the module docstring), once per process."""
    key = " ".join(plain(w) + ("*" if star else "") for w, star in zip(words, stars, strict=True))
    return _expand_cached(key, words, stars)


@lru_cache(maxsize=1 << 16)
def _expand_cached(key: str, words: tuple[str, ...], stars: tuple[bool, ...]) -> Expansion:
    return _compute(words, stars)


def _compute(words: tuple[str, ...], stars: tuple[bool, ...]) -> Expansion:
    langs = languages(list(words))
    written = tuple(plain(w) for w in words)
    analyses = [
        word_forms(w, langs) if not star and is_cyrillic_word(w) else None
        for w, star in zip(words, stars, strict=True)
    ]
    found = combine(written, analyses)
    unique = list(dict.fromkeys(word for phrase in found for word in phrase))
    folded = dict(zip(unique, fold_words(unique), strict=True))
    forms = tuple(dict.fromkeys([SEP.join([folded[w] for w in phrase]) for phrase in found]))
    return Expansion(forms, _note(words, analyses, len(forms), langs))


class _FoldTable(dict[int, str]):
    """``str.translate`` table of the per-character fold, filled on first sight of a character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def fold_word(word: str) -> str:
    """``fold_key`` of one word, by the per-character definition (normalize.py promises they
    agree) applied with ``str.translate``: an expansion folds hundreds of thousands of short
    words, and the whole-text path costs microseconds each."""
    folded = word.translate(_FOLD)
    return " ".join(filter(None, folded.split(" "))) if " " in folded else folded


def fold_words(words: list[str]) -> list[str]:
    """``fold_word`` of each word, in one ``translate`` (NUL folds to itself and no word has one:
    they come from the dictionaries and from spellings, where control characters are refused)."""
    folded = "\x00".join(words).translate(_FOLD).split("\x00")
    return [" ".join(filter(None, f.split(" "))) if " " in f else f for f in folded]


def combine(written: tuple[str, ...], analyses: list[WordForms | None]) -> list[tuple[str, ...]]:
    """Phrases from per-word forms (``written``: the words as written, plain).

    - as written;
    - agreement: every word that has cases takes the same case and number, the others stay as
      written ("Донецької області", "ЧВК Вагнера"; a single inflecting word: all its forms);
    - the head: when two or more of the words are nouns, the first inflects alone and the nouns
      after it stay as written ("в секторі Газа", "міністром оборони");
    - a word without cases (a verb) inflects alone.
    """
    if len(written) == 1:  # most terms: what phrases() gives for one word, without its bookkeeping
        found = analyses[0]
        if found is None:
            return [written]
        forms = [f for column in found.cells.values() for f in column] if found.cells else found.forms
        return [(form,) for form in dict.fromkeys([written[0], *forms])]
    return phrases(written, analyses)


def phrases(written: tuple[str, ...], analyses: list[WordForms | None]) -> list[tuple[str, ...]]:
    """``combine`` for any number of words."""
    out: dict[tuple[str, ...], None] = {written: None}
    cased = [i for i, found in enumerate(analyses) if found and found.cells]
    cells = dict.fromkeys(cell for i in cased for cell in analyses[i].cells)  # type: ignore[union-attr]
    for cell in cells:
        columns = [
            found.cells.get(cell, (written[i],)) if found and i in cased else (written[i],)
            for i, found in enumerate(analyses)
        ]
        # variants of one cell (ірпені / ірпеневі) go side by side, not crosswise
        for j in range(max(map(len, columns))):
            out[tuple([c[j] if j < len(c) else c[-1] for c in columns])] = None
    nouns = [i for i in cased if analyses[i].noun]  # type: ignore[union-attr]
    alone = [i for i, found in enumerate(analyses) if found and not found.cells]
    if len(nouns) > 1:
        alone.append(nouns[0])
    for i in alone:
        for form in analyses[i].forms:  # type: ignore[union-attr]
            out[written[:i] + (form,) + written[i + 1 :]] = None
    return list(out)


def _note(
    words: tuple[str, ...], analyses: list[WordForms | None], count: int, langs: tuple[str, ...]
) -> str:
    looked_up = [a for a in analyses if a is not None]
    if count > MAX_FORMS:
        return f"has {count} forms (more than {MAX_FORMS}): shorten it, or set 'inflect: false'"
    if not looked_up or any(a.status in ("dictionary", "predicted") for a in looked_up):
        return ""
    if len(words) == 1 and looked_up[0].status == "not_dictionary_form":
        lemmas = ", ".join(f"'{lemma}'" for lemma in looked_up[0].lemmas)
        return f"is not a dictionary form (it is a form of {lemmas}): write that, or set 'inflect: false'"
    unknown = ", ".join(f"'{a.word}'" for a in looked_up)
    return (
        f"has no inflected forms ({unknown}: not in the {' or '.join(langs)} dictionary as written): "
        "it matches only as written; check the spelling, or set 'inflect: false'"
    )


def ordinary(acronym: str) -> bool:
    """shout.ordinary_word, cached on disk with the expansions (wordfreq takes 0.5 s and 50 MB to load)."""
    cache = shared_cache()
    key = "acronym:" + acronym
    entry = cache.get(key)
    if entry is None:
        entry = [ordinary_word(acronym)]
        cache.put(key, entry)
    return bool(entry[0])


def forget() -> None:
    """Drop what this process remembers of expansions (tests and the bench measure cold starts)."""
    _expand_cached.cache_clear()
    word_forms.cache_clear()
    ordinary_word.cache_clear()
    _caches.clear()


def save_caches() -> None:
    """Write what this process added to the expansion cache (a compile calls this at its end)."""
    for cache in _caches.values():
        cache.save()
