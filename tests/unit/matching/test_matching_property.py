"""Property tests: the fast matcher and folding agree with the slow reference on random input."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from service.matching.charfold import fold_char
from service.matching.matcher import Matcher
from service.matching.normalize import fold, fold_key
from service.matching.reference import ReferenceText, reference_match
from service.matching.schema import Term, Watchlist
from service.matching.terms import compile_spelling

# Letters that fold in interesting ways, separators of every kind, and plain ASCII.
ALPHABET = (
    "abHhIiSs Ss'’ʼ`-–—\n\t\u00a0.,ﬁßİı"  # latin, apostrophes, dashes, spaces, ligatures
    "āḤéÉ\u0301\u0304"  # precomposed and combining diacritics
    "حماةوال\u064e\u0640"  # arabic, a haraka, tatweel
    "Мм\u200b\u00ad"  # cyrillic, invisible characters
)
# Real terms and the forms, proclitics and capitals that the language rules are about.
TERMS = [
    "Харків",
    "Курск",
    "ЧВК Вагнер",
    "сектор Газа",
    "удар* дрон*",
    "حلب",
    "الرقة",
    "حزب الله",
    "IS",
    "HTS",
]
PIECES = [
    *("Харкові", "Харківщина", "Курске", "ЧВК Вагнера", "секторі Газа", "удари дронів", "дронів"),
    *("وحلب", "للرقة", "بالرقة", "حلبة", "لحزب الله", "WHAT IS KNOWN", "IS claims", "HTS SEIZES"),
]
# Text in one script, as most non-Latin copy is: it folds through a code page (normalize.py).
CYRILLIC = "ЙйЇїЁёҐґМмиі «»—–’'\n\u00a0…№.,-"
ARABIC = "حماةوالإأآ،؛ \n\u0640\u064e"
texts = st.one_of(
    st.text(alphabet=ALPHABET, max_size=60),
    st.text(alphabet=CYRILLIC, max_size=60),
    st.text(alphabet=ARABIC, max_size=60),
)
random_spellings = st.text(alphabet=ALPHABET, min_size=1, max_size=6).filter(
    lambda s: bool(fold(s).text.strip())
)
spellings = st.one_of(
    random_spellings, random_spellings.map(lambda s: s.replace(" ", "* ")), st.sampled_from(TERMS)
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(texts)
def test_fast_fold_equals_per_character_definition(text: str) -> None:
    folded = fold(text)
    assert folded.text == ReferenceText(text).text
    spaced = "".join(fold_char(c) for c in text)
    assert " " * 2 not in folded.text and folded.text.replace(" ", "") == spaced.replace(" ", "")


@FAST
@given(texts)
def test_offsets_map_back_like_the_reference(text: str) -> None:
    folded, ref = fold(text), ReferenceText(text)
    for i in range(len(folded.text)):
        assert folded.span(i, i + 1) == ref.span(i, i + 1)


def _terms(draw: st.DrawFn) -> tuple[Term, ...]:
    count = draw(st.integers(1, 3))
    terms = []
    for _ in range(count):
        variants = draw(st.lists(spellings, min_size=1, max_size=3))
        if draw(st.booleans()):
            variants[0] += "*"
        case = draw(st.sampled_from([None, None, True, False]))
        terms.append(Term(variants[0], tuple(variants), case, inflect=draw(st.booleans())))
    return tuple(terms)


@st.composite
def watchlists(draw: st.DrawFn) -> list[Watchlist]:
    out = []
    for n in range(draw(st.integers(1, 3))):
        out.append(
            Watchlist(
                id=f"w{n}",
                channels=["console"],
                match=draw(st.sampled_from(["all", "any"])),
                cities=_terms(draw),
                keywords=_terms(draw) if draw(st.booleans()) else (),
                exclude=_terms(draw) if draw(st.integers(0, 4)) == 0 else (),
            )
        )
    return out


def _valid(lists: list[Watchlist]) -> bool:
    """Random spellings can be invalid ('*' alone): the loader would refuse those."""
    return all(
        not isinstance(compile_spelling(v, t.case_sensitive, t.inflect), str)
        for w in lists
        for t in w.cities + w.keywords + w.exclude
        for v in t.variants
    )


pieces = st.lists(st.one_of(texts, spellings, st.sampled_from(PIECES)), max_size=6)


@FAST
@given(watchlists(), pieces)
def test_matcher_agrees_with_reference(lists: list[Watchlist], parts: list[str]) -> None:
    assume(_valid(lists))
    text = " ".join(parts)  # random text that often contains the spellings and their forms
    assert Matcher(lists).match_text(text) == reference_match(lists, text)


# A term and text around it that its language rules decide: forms, proclitics, capitals.
LANGUAGE = [
    ("Харків", ["Харкові", "Харківщина", "ХАРКОВІ", "у", "Харкова"]),
    ("ЧВК Вагнер", ["ЧВК", "Вагнера", "ЧВК Вагнером", "вагнерів"]),
    ("удар* дрон*", ["удари дронів", "удар дрон", "удари", "дронів", "по", "переудари"]),
    ("air* defen*", ["Air defences", "air-defence", "airs  defend", "chair", "defences"]),
    ("حلب", ["و", "ب", "ال", "ل", "وحلب", "حلبة", "للحلب", "م"]),
    ("الرقة", ["لل", "رقة", "و", "ب", "الرقة", "لالرقة", "للرقة"]),
    ("IS", ["IS", "WHAT", "KNOWN", "claims", "Is", "2024", "THIS"]),
]


@FAST
@given(
    st.sampled_from(LANGUAGE),
    st.data(),
    st.booleans(),
    st.sampled_from([None, True, False]),
)
def test_language_rules_agree_with_reference(
    case: tuple[str, list[str]], data: st.DataObject, inflect: bool, sensitive: bool | None
) -> None:
    term, near = case
    parts = data.draw(st.lists(st.one_of(st.sampled_from(near), texts), min_size=1, max_size=6))
    glue = data.draw(st.lists(st.sampled_from(["", " ", " ", ", ", "-", "\n\x00\n"]), min_size=6, max_size=6))
    text = "".join(p + g for p, g in zip(parts, glue, strict=False))  # words glued or apart
    lists = [Watchlist(id="w", channels=["c"], cities=(Term(term, (term,), sensitive, inflect=inflect),))]
    assert Matcher(lists).match_text(text) == reference_match(lists, text)


@FAST
@given(watchlists(), pieces)
def test_explain_decides_as_the_matcher(lists: list[Watchlist], parts: list[str]) -> None:
    assume(_valid(lists))
    text = " ".join(parts)
    matcher = Matcher(lists)
    matched = {m.watchlist for m in matcher.match_text(text)}
    explained = matcher.explain_text(text)
    assert {e.watchlist for e in explained if e.matched} == matched
    for e in explained:
        assert all(text[h.start : h.end] == h.text for h in e.hits)


def test_every_character_that_folds_to_nothing_is_known() -> None:
    """_length_edits trusts that a text with none of these has no character that vanishes."""
    import sys

    from service.matching.charfold import SHRINKING_RE

    vanishing = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    missed = [hex(ord(c)) for c in vanishing if not fold_char(c) and not SHRINKING_RE.match(c)]
    assert missed == []


@FAST
@given(texts)
def test_expansion_folds_words_like_fold_key(text: str) -> None:
    from service.matching.expand import fold_word, fold_words

    assert fold_word(text) == fold_key(text)
    assert fold_words([text, text[::-1], ""]) == [fold_key(text), fold_key(text[::-1]), ""]
