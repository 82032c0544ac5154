"""Property tests: the fast matcher and folding agree with the slow reference on random input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.matching.matcher import Matcher
from service.matching.normalize import fold, fold_char
from service.matching.reference import ReferenceText, reference_match
from service.matching.schema import Term, Watchlist

# Letters that fold in interesting ways, separators of every kind, and plain ASCII.
ALPHABET = (
    "abHhIiSs Ss'’ʼ`-–—\n\t\u00a0.,ﬁßİı"  # latin, apostrophes, dashes, spaces, ligatures
    "āḤéÉ\u0301\u0304"  # precomposed and combining diacritics
    "حماةوال\u064e\u0640"  # arabic, a haraka, tatweel
    "Мм\u200b\u00ad"  # cyrillic, invisible characters
)
texts = st.text(alphabet=ALPHABET, max_size=60)
spellings = st.text(alphabet=ALPHABET, min_size=1, max_size=6).filter(lambda s: bool(fold(s).text.strip()))
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
        terms.append(Term(variants[0], tuple(variants), case))
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


@FAST
@given(watchlists(), st.lists(st.one_of(texts, spellings), max_size=6))
def test_matcher_agrees_with_reference(lists: list[Watchlist], pieces: list[str]) -> None:
    text = " ".join(pieces)  # random text that often contains the spellings
    assert Matcher(lists).match_text(text) == reference_match(lists, text)
