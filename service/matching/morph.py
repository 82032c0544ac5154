"""Ukrainian and Russian word forms from the pymorphy3 dictionaries: which forms a written word has.

An editor writes a name once, in its dictionary form; this module lists the forms of that word
(every case, both numbers) so the matcher can look for all of them. The policy, in order:

- Languages: a word with a letter only Ukrainian has (і ї є ґ) is looked up in Ukrainian only,
  one with a letter only Russian has (ы э ъ ё) in Russian only, any other in both (the union:
  "Вагнер" is an indeclinable surname in the Ukrainian dictionary but inflects in Russian).
- Parses: only a parse that reads the written word as a dictionary form is used: a noun in the
  nominative whose normal form is the word (or a plural-only / plural noun in the nominative
  plural), an adjective in the nominative (keeping its gender; "Донецька" stays feminine), an
  infinitive. So a term is never taken for an inflected form of some other word ("Газа" is not
  read as the genitive of "газ", "Київ" not as a plural of "кий").
- Forms: the lexeme of each such parse, same part of speech only: a noun's cases and numbers
  (a word written in the plural stays plural), an adjective's full forms in its gender and the
  plural, a verb's finite forms and infinitive. Derived words are other lexemes in the
  dictionaries and never appear: "Херсонщина" is not a form of "Херсон", "Харківська" not one
  of "Харків".
- Unknown words: when neither dictionary knows the word at all, the library's predictor (by
  known suffixes) supplies its likeliest singular noun and adjective paradigms whose normal
  form is the word ("Сирський": "Сирського", "Сирському"; a wrong guess adds forms no text
  contains). When one dictionary lists the word and the other does not know it at all
  ("Пригожин" is only in the Ukrainian one), the other language's guess is added if it is the
  same part of speech and gender.

pymorphy3 and its dictionaries are imported on first use only, so watchlists without Cyrillic
never load them (about 25 MB and 0.3 s).
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import regex

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

LANGUAGES = ("uk", "ru")
PACKAGES = ("pymorphy3", "pymorphy3-dicts-uk", "pymorphy3-dicts-ru", "wordfreq")
"""The packages whose data decides expansions (wordfreq: acronyms, shout.py); cache keys name them."""
_UK_ONLY = frozenset("іїєґ")
_RU_ONLY = frozenset("ыэъё")
_CYRILLIC_WORD = regex.compile(r"^[\p{Script=Cyrillic}'\-]*\p{Script=Cyrillic}[\p{Script=Cyrillic}'\-]*$")
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u02bb`\u00b4\u2032\uff07", "'"))

Cell = tuple[str, str]
"""(case, number) of a form: ``("loct", "sing")``."""


@dataclass(frozen=True, slots=True)
class WordForms:
    """The forms of one written word: ``forms`` all of them (the word itself first), ``cells``
    those with a case, by (case, number), for agreement inside a phrase."""

    word: str
    status: str
    """``dictionary``, ``predicted``, ``not_dictionary_form`` (the dictionaries know the word,
    but only as a form of another one: its lemmas are in ``lemmas``) or ``unknown``."""
    forms: tuple[str, ...] = ()
    cells: dict[Cell, tuple[str, ...]] = field(default_factory=dict)
    lemmas: tuple[str, ...] = ()
    noun: bool = False


def is_cyrillic_word(word: str) -> bool:
    """Letters of the Cyrillic script (apostrophes and hyphens inside allowed), nothing else."""
    return bool(_CYRILLIC_WORD.match(word))


def languages(words: list[str]) -> tuple[str, ...]:
    """The dictionaries a phrase is looked up in, decided by letters only one language has."""
    letters = set("".join(words).lower())
    uk, ru = bool(letters & _UK_ONLY), bool(letters & _RU_ONLY)
    if uk != ru:
        return ("uk",) if uk else ("ru",)
    return LANGUAGES


def versions() -> str:
    """The installed versions of ``PACKAGES``: part of every cache key."""
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}=missing")
    return ",".join(found)


@cache
def analyzer(lang: str) -> MorphAnalyzer:
    import pymorphy3  # lazily: only watchlists with Cyrillic terms pay for the dictionaries

    return pymorphy3.MorphAnalyzer(lang=lang)


def plain(word: str) -> str:
    """Lowercase, one apostrophe, ``ё`` as ``е``: how written words and lemmas are compared."""
    return word.translate(_APOSTROPHES).lower().replace("ё", "е")


@lru_cache(maxsize=1 << 16)
def word_forms(word: str, langs: tuple[str, ...]) -> WordForms:
    """Every form of ``word`` in the dictionaries ``langs`` (see the module docstring)."""
    written = plain(word)
    chosen: list[Any] = []
    guesses: list[Any] = []
    lemmas: dict[str, None] = {}
    for lang in langs:
        known, guessed = False, dict[str | None, Any]()
        for parse in analyzer(lang).parse(written):
            if _from_dictionary(parse):
                known = True
                lemmas[parse.normal_form] = None
                if _dictionary_form(parse, written):
                    chosen.append(parse)
            elif _guessable(parse, written):
                guessed.setdefault(_tag(parse.tag).pos, parse)  # the likeliest noun, the likeliest adjective
        if not known:
            guesses += guessed.values()
    if chosen:
        # a language whose dictionary lacks the word (Пригожин is in the Ukrainian one only)
        # adds its guess when a dictionary confirms that part of speech and gender
        confirmed = {(_tag(p.tag).pos, _tag(p.tag).gender) for p in chosen}
        chosen += [g for g in guesses if (_tag(g.tag).pos, _tag(g.tag).gender) in confirmed]
        return _collect(word, written, chosen, "dictionary")
    if lemmas:
        return WordForms(word, "not_dictionary_form", (written,), lemmas=tuple(lemmas))
    if guesses:
        return _collect(word, written, guesses, "predicted")
    return WordForms(word, "unknown", (written,))


class _Tag(NamedTuple):
    """What the policy reads of a pymorphy3 tag, read once per tag (tag attributes are slow
    properties, and a compile reads hundreds of thousands of them)."""

    pos: str | None
    case: str | None
    plural: bool
    gender: str | None
    infinitive: bool  # Russian tags it INFN, Ukrainian VERB with the grammeme infn


_TAGS: dict[str, _Tag] = {}


def _tag(tag: Any) -> _Tag:
    key = getattr(tag, "_str", None) or str(tag)  # lexemes build new tag objects: key by text
    info = _TAGS.get(key)
    if info is None:
        # plain str: pymorphy3's grammemes are a str subclass with Python-level __eq__ and __hash__
        pos, case, gender = (str(g) if g else None for g in (tag.POS, tag.case, tag.gender))
        grammemes = {str(g) for g in tag.grammemes}
        infinitive = pos == "INFN" or "infn" in grammemes
        info = _TAGS[key] = _Tag("VERB" if infinitive else pos, case, "plur" in grammemes, gender, infinitive)
    return info


def _guessable(parse: Any, written: str) -> bool:
    """A predicted parse worth using: a singular noun or an adjective in dictionary form."""
    tag = _tag(parse.tag)
    return (
        tag.pos in ("NOUN", "ADJF")
        and not tag.plural
        and plain(parse.normal_form) == written
        and _dictionary_form(parse, written)
    )


def _from_dictionary(parse: Any) -> bool:
    """A parse of a word the dictionary lists (not a guess from its suffix)."""
    stack = parse.methods_stack
    return len(stack) == 1 and type(stack[0][0]) is _dictionary_unit()


@cache
def _dictionary_unit() -> Any:
    from pymorphy3.units import DictionaryAnalyzer  # lazily, with the dictionaries

    return DictionaryAnalyzer


def _dictionary_form(parse: Any, written: str) -> bool:
    tag = _tag(parse.tag)
    if tag.pos == "NOUN":
        return tag.case == "nomn" and (tag.plural or plain(parse.normal_form) == written)
    if tag.pos == "ADJF":
        return tag.case == "nomn"
    if tag.infinitive:
        return plain(parse.normal_form) == written
    return False


def _keeps(tag: _Tag, other: _Tag) -> bool:
    """Whether a form tagged ``other`` (in the lexeme of a parse tagged ``tag``) is a form of
    the written word."""
    if other.pos != tag.pos:
        return False
    if tag.infinitive:
        return True
    if tag.plural:
        return other.plural
    if tag.pos == "ADJF":
        return other.plural or other.gender == tag.gender
    return True


def _collect(word: str, written: str, parses: list[Any], status: str) -> WordForms:
    forms: dict[str, None] = {written: None}
    cells: dict[Cell, dict[str, None]] = {}
    for parse in parses:
        for surface, cell in _kept_forms(parse):
            forms[surface] = None
            if cell is not None:
                cells.setdefault(cell, {})[surface] = None
    noun = any(_tag(p.tag).pos == "NOUN" for p in parses)
    return WordForms(word, status, tuple(forms), {c: tuple(f) for c, f in cells.items()}, noun=noun)


Kept = list[tuple[str, str, "Cell | None"]]
"""(prefix, suffix, cell or None) of the forms of a paradigm that ``_keeps`` keeps."""


def _kept_forms(parse: Any) -> list[tuple[str, Cell | None]]:
    """The forms of a parse's lexeme that are forms of the written word (``_keeps``), with
    their cells. A dictionary word is spelled out from its paradigm as pymorphy3's
    DictionaryAnalyzer does, without building a Parse per form; which forms of a paradigm a
    parse keeps depends only on the paradigm and the parse's tag, so that is worked out once
    (a paradigm is shared by thousands of words). A guess goes through ``parse.lexeme``."""
    tag = _tag(parse.tag)
    if not _from_dictionary(parse):
        kept = [(form.word, _tag(form.tag)) for form in parse.lexeme]
        return [(surface, _cell(other)) for surface, other in kept if _keeps(tag, other)]
    unit, fixed_word, para_id, idx = parse.methods_stack[0]
    dictionary = unit.dict
    stem = dictionary.build_stem(dictionary.paradigms[para_id], idx, fixed_word)
    return [
        (prefix + stem + suffix, cell) for prefix, suffix, cell in _kept_paradigm(dictionary, para_id, tag)
    ]


def _cell(tag: _Tag) -> Cell | None:
    return (tag.case, "plur" if tag.plural else "sing") if tag.case else None


_KEPT: dict[tuple[int, int, _Tag], Kept] = {}


def _kept_paradigm(dictionary: Any, para_id: int, tag: _Tag) -> Kept:
    key = (id(dictionary), para_id, tag)  # dictionaries live as long as the process (analyzer() caches)
    found = _KEPT.get(key)
    if found is None:
        found = _KEPT[key] = [
            (prefix, suffix, _cell(other))
            for prefix, other, suffix in _paradigm(dictionary, para_id)
            if _keeps(tag, other)
        ]
    return found


_PARADIGMS: dict[tuple[int, int], list[tuple[str, _Tag, str]]] = {}


def _paradigm(dictionary: Any, para_id: int) -> list[tuple[str, _Tag, str]]:
    key = (id(dictionary), para_id)
    found = _PARADIGMS.get(key)
    if found is None:
        info = dictionary.build_paradigm_info(para_id)
        found = _PARADIGMS[key] = [(prefix, _tag(tag), suffix) for prefix, tag, suffix in info]
    return found


@lru_cache(maxsize=4096)
def is_common_word(word: str) -> bool:
    """A Cyrillic word the dictionaries list as an ordinary word (not an abbreviation or a
    name): ``ТА`` ("and") and ``МИ`` ("we") are, ``ЗСУ``, ``ФСБ`` and ``НАТО`` are not."""
    written = plain(word)
    proper = {"Abbr", "Name", "Surn", "Patr", "Geox", "Orgn", "Trad"}
    for lang in languages([word]):
        for parse in analyzer(lang).parse(written):
            if _from_dictionary(parse) and plain(parse.normal_form) == written:
                if not proper & set(parse.tag.grammemes):
                    return True
    return False
