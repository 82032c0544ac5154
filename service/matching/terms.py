"""How one spelling in a watchlist becomes keys to look for: shared by matcher and reference.

A spelling is split into words at whitespace; a word may end in ``*`` (any continuation of
that word). Each word folds (normalize.py) to one or more folded words (a hyphen folds to a
space). With inflection on (the default, ``inflect: false`` turns it off):

- a term with Cyrillic words gets every form of them (expand.py, morph.py), one Variant each;
- a term in Arabic script also matches after attached proclitics (arabic.py): its Variants
  carry a clitic mode, checked at match time.

A Variant's ``key`` is what the automaton finds: the folded words up to the first word that
ends in ``*`` (or all of them); ``tail`` holds the words after that, checked after a hit. A
spelling of 2 to 5 capital letters (``HTS``, ``IS``) is case-sensitive unless the entry says
``case_sensitive``; a case-sensitive Variant keeps its key's ``shape`` (folded, with case) to
compare against the original text; one that is also an ordinary word is ``quiet`` (shout.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

import regex

from service.matching import arabic
from service.matching.expand import SEP, expand, needs_morphology, ordinary, shared_cache
from service.matching.normalize import fold_key
from service.matching.shout import is_acronym

_NO_WORD_BEFORE = r"(?<![\p{L}\p{N}])"
_NO_WORD_AFTER = r"(?![\p{L}\p{N}])"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")

Word = tuple[str, bool]
"""A folded word and whether it may continue (written with ``*``)."""


class Variant(NamedTuple):
    """One key of a spelling and the checks after a hit of it (NamedTuple: a compile makes one
    per term form, hundreds of thousands for a large Cyrillic watchlist, and these are cheap)."""

    key: str
    prefix: bool
    shape: str | None
    tail: tuple[Word, ...] = ()
    clitics: int = arabic.NONE


class Spelling(NamedTuple):
    """A spelling compiled: its first Variant's fields (the spelling as written), whether it is
    quiet in shouted text, what ``wirewatch check`` should say about its expansion (or ""),
    ``more``: further keys checked exactly like the first Variant (the inflected forms of a
    Cyrillic term, kept as bare keys: a large watchlist has hundreds of thousands), and
    ``others``: Variants with checks of their own. Flat, because a watchlist has tens of
    thousands of spellings and most have one key."""

    key: str
    prefix: bool
    shape: str | None
    tail: tuple[Word, ...] = ()
    clitics: int = arabic.NONE
    quiet: bool = False
    note: str = ""
    more: tuple[str, ...] = ()
    others: tuple[Variant, ...] = ()

    def first(self) -> Variant:
        return Variant(self.key, self.prefix, self.shape, self.tail, self.clitics)

    def all_variants(self) -> list[Variant]:
        """Every Variant: the first, ``others``, and one per key of ``more``."""
        first = self.first()
        return [first, *self.others, *(first._replace(key=key) for key in self.more)]


def _spelling(variants: list[Variant], quiet: bool, note: str = "", more: tuple[str, ...] = ()) -> Spelling:
    first = variants[0]
    return Spelling(*first, quiet=quiet, note=note, more=more, others=tuple(variants[1:]))


def auto_case_sensitive(text: str) -> bool:
    """``HTS``, ``SDF``, ``IS``: 2 to 5 letters, all capitals (any script)."""
    return is_acronym(text)


@lru_cache(maxsize=1 << 17)
def compile_spelling(text: str, case_sensitive: bool | None, inflect: bool = True) -> Spelling | str:
    """The Variants of a spelling, or why it cannot be a term (see the module docstring)."""
    body = text.strip()
    if _CONTROL.search(body):
        return f"term {text!r} contains a control character"
    star = body.endswith("*")
    core = body[:-1] if star else body
    if (
        "*" in core
        or (star and core[-1:].isspace())
        or (inflect and not core.isascii() and _CYRILLIC.search(core))
    ):
        return _compile_words(text, body, case_sensitive, inflect)
    # most terms: no morphology, one key (two for an Arabic term with the article)
    folded = fold_key(core)
    if not folded:
        return f"term {text!r} has no letters or digits to match"
    sensitive = auto_case_sensitive(core) if case_sensitive is None else case_sensitive
    quiet = sensitive and is_acronym(core) and ordinary(core)
    shape = fold_key(core, casefold=False) if sensitive else None
    if not (inflect and folded[0] >= "\u0600" and arabic.is_arabic(folded)):
        return Spelling(folded, star, shape, quiet=quiet)
    return _spelling([Variant(k, star, shape, (), m) for k, m in arabic.keys(folded)], quiet)


def _compile_words(text: str, body: str, case_sensitive: bool | None, inflect: bool) -> Spelling | str:
    """A spelling with a ``*`` inside or Cyrillic words: word by word. One that needs the
    morphology is kept compiled in the expansion cache (expand.py): a warm start reads its keys
    instead of recomputing them."""
    raw = body.split()
    stars = tuple(w.endswith("*") for w in raw)
    words = tuple(w[:-1] if star else w for w, star in zip(raw, stars, strict=True))
    if any("*" in w or not w for w in words):
        return f"term {text!r}: '*' is only allowed at the end of a word"
    if not (inflect and needs_morphology(words, stars)):
        return _words_spelling(text, words, stars, case_sensitive, inflect, morphology=False)
    cache_key = f"spelling:{case_sensitive}:{body}"
    entry = shared_cache().get(cache_key)
    if entry is not None:
        return _from_entry(entry)
    found = _words_spelling(text, words, stars, case_sensitive, inflect, morphology=True)
    if isinstance(found, Spelling):
        shared_cache().put(cache_key, _to_entry(found))
    return found


def _words_spelling(
    text: str,
    words: tuple[str, ...],
    stars: tuple[bool, ...],
    case_sensitive: bool | None,
    inflect: bool,
    *,
    morphology: bool,
) -> Spelling | str:
    """A spelling from its words (``*`` removed, ``stars`` where they were); ``morphology``:
    its Cyrillic words take their forms."""
    written = tuple(fold_key(w) for w in words)
    if not any(written):
        return f"term {text!r} has no letters or digits to match"
    joined = " ".join(words)
    sensitive = auto_case_sensitive(joined) if case_sensitive is None else case_sensitive
    quiet = sensitive and is_acronym(joined) and ordinary(joined)
    forms: tuple[str, ...] = (SEP.join(written),)
    note = ""
    if morphology:
        expansion = expand(words, stars)
        note = expansion.note
        forms = expansion.forms if expansion.forms[0] == forms[0] else (*forms, *expansion.forms)
    clitics = inflect and arabic.is_arabic(next(w for w in written if w))
    if not (any(stars[:-1]) or sensitive or clitics) and all(written):
        # a Cyrillic term: a key per form, nothing else to check (the common case, kept fast)
        # one join, replace and split for all forms (a warm start does this for every term)
        more = tuple(dict.fromkeys("\n".join(forms[1:]).replace(SEP, " ").split("\n"))) if forms[1:] else ()
        return Spelling(forms[0].replace(SEP, " "), stars[-1], None, quiet=quiet, note=note, more=more)
    shapes = tuple(fold_key(w, casefold=False) for w in words) if sensitive else None
    variants: dict[Variant, None] = {}
    for form in forms:
        parts = tuple(form.split(SEP))
        cased = tuple(map(_with_case, parts, written, shapes)) if shapes else None
        for v in _variants(parts, stars, cased, clitics):
            variants[v] = None
    return _spelling(list(variants), quiet, note)


def _to_entry(spelling: Spelling) -> list[Any]:
    """A compiled spelling as JSON data for the expansion cache (``_from_entry`` reads it back)."""
    others = [[v.key, v.prefix, v.shape, v.tail, v.clitics] for v in spelling.others]
    return [*spelling[:7], spelling.more, others]


def _from_entry(entry: list[Any]) -> Spelling:
    key, prefix, shape, tail, clitics, quiet, note, more, others = entry
    return Spelling(
        key,
        prefix,
        shape,
        _words(tail),
        clitics,
        quiet,
        note,
        tuple(more),
        tuple(Variant(k, p, s, _words(t), c) for k, p, s, t, c in others),
    )


def _words(tail: list[list[Any]]) -> tuple[Word, ...]:
    return tuple((word, more) for word, more in tail)


def _variants(
    form: tuple[str, ...], stars: tuple[bool, ...], cased: tuple[str, ...] | None, clitics: bool
) -> list[Variant]:
    """The Variants of one form (per-word folded texts); ``cased``: the same with case."""
    words = _flatten(form, stars)
    if not words:
        return []
    cut = next((i for i, (_, more) in enumerate(words[:-1]) if more), len(words) - 1)
    key = " ".join(w for w, _ in words[: cut + 1])
    shape = None
    if cased is not None:
        shape = " ".join(w for w, _ in _flatten(cased, stars)[: cut + 1])
    prefix, tail = words[cut][1], tuple(words[cut + 1 :])
    if not clitics:
        return [Variant(key, prefix, shape, tail)]
    return [Variant(k, prefix, shape, tail, mode) for k, mode in arabic.keys(key)]


def _flatten(form: tuple[str, ...], stars: tuple[bool, ...]) -> list[Word]:
    """Per-word folded texts to folded words; the ``*`` belongs to the last piece of its word."""
    words: list[Word] = []
    for text, star in zip(form, stars, strict=True):
        pieces = text.split()
        words += [(p, star and i == len(pieces) - 1) for i, p in enumerate(pieces)]
    return words


def _with_case(form: str, written: str, shape: str) -> str:
    """A folded form in the capitals of the written word (``shape``: its fold with case)."""
    if form == written:
        return shape
    if shape.isupper():
        return form.upper()
    if shape[:1].isupper():
        return " ".join(p[:1].upper() + p[1:] for p in form.split(" "))
    return form


def compile_regex(pattern: str) -> regex.Pattern[str]:
    """The entry's pattern, whole words only, case-insensitive (the text is folded anyway).

    Raises ``regex.error`` when it does not compile (positions in the editor's pattern).
    """
    regex.compile(pattern)
    return regex.compile(f"{_NO_WORD_BEFORE}(?:{pattern}){_NO_WORD_AFTER}", regex.IGNORECASE)
