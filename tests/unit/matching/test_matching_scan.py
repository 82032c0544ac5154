"""Property tests for the fast paths under the matcher: each equals its plain definition.

- code pages (pages.py): folding on a page equals folding character by character, with the
  same length edits;
- the scan code (scancode.py): every way a text gets its scan bytes gives the same bytes, a
  space exactly where the folded text has no letter or digit;
- the key automaton (automaton.py): its hits are exactly the occurrences of the keys whose ends
  pass the word-boundary checks, with keys that got no letter code (a second automaton) too.
"""

from __future__ import annotations

import codecs

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.matching.automaton import CLITICS, OPEN, KeyAutomaton
from service.matching.charfold import fold_char
from service.matching.normalize import fold
from service.matching.pages import PAGES, decode, dropped, fold_page
from service.matching.scan import Check, Ref
from service.matching.scancode import SPACE, Alphabet

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Each page's own characters (some fold, some do not), and characters the page lacks whose
# fold it has (… № ﬁ é, harakat, tatweel, soft hyphen) or does not have (Greek, CJK, emoji).
ON_PAGES = "".join(
    sorted({c for p in PAGES for c in codecs.decode(bytes(range(32, 256)), p.name, "replace")})
)
OFF_PAGES = "…№™ﬁéÉĀḤ\u064e\u0640\u00ad\u200bαΩ中😀ßİ\u2028"
page_texts = st.text(alphabet=ON_PAGES.replace("\ufffd", "") + OFF_PAGES, max_size=80)


@FAST
@given(page_texts)
def test_code_page_fold_equals_the_per_character_definition(text: str) -> None:
    found = fold_page(text)
    folds = [fold_char(c) for c in text]
    if found is None:  # some character's fold is on no page
        assert all(any(ch not in p.letters for f in folds for ch in f) for p in PAGES)
        return
    page, data, edits, raw = found
    assert decode(page, data) == "".join(folds)
    expected = [(i, 1, len(f)) for i, f in enumerate(folds) if len(f) != 1]
    if raw is not None:  # dropped characters only: found where they were, on demand
        assert edits is None and dropped(page, raw) == expected
    elif edits is None:  # dropped ones and others the handler wrote: left to offsets.length_edits
        assert any(not f for f in folds) and expected
    else:
        assert edits == expected


# Folded-text characters: ASCII, the pages' letters, letters of other scripts, punctuation.
FOLDED = "ab z09'.,-_ \x00їієґабяحماةوال«»—αβγΩאבגԱԲ中𐐨"
KEYS = st.text(alphabet="abzїієгабяحماةαβγאבԱԲ中𐐨 .'", min_size=1, max_size=5).filter(
    lambda k: k.strip() == k and bool(k)
)


@FAST
@given(st.text(alphabet=FOLDED + "ÄЁЙ…№\u064e", max_size=60))
def test_every_path_gives_the_same_scan_bytes(text: str) -> None:
    folded = fold(text)
    expected = bytes(SPACE if not c.isalnum() else 0 for c in folded.text)
    by_alphabet = Alphabet([]).encode(folded.text)
    assert [b == SPACE for b in by_alphabet[1:-1]] == [b == SPACE for b in expected]
    assert by_alphabet[0] == by_alphabet[-1] == SPACE
    if folded.scan is not None:  # ASCII or a code page: made on the way, must be the same bytes
        assert folded.scan == by_alphabet


def _naive(text: str, keys: list[str], flags: list[int]) -> set[tuple[int, int, int]]:
    """Every occurrence of every key whose start is a word start (or may not be) and whose end
    is a word end (or may not be): what the automaton must report."""
    found = set()
    for index, (key, key_flags) in enumerate(zip(keys, flags, strict=True)):
        start = text.find(key)
        while start >= 0:
            end = start + len(key)
            starts = start == 0 or not text[start - 1].isalnum() or key_flags & CLITICS
            ends = end == len(text) or not text[end].isalnum() or key_flags & OPEN
            if starts and ends:
                found.add((index, start, end))
            start = text.find(key, start + 1)
    return found


@st.composite
def automaton_cases(draw: st.DrawFn) -> tuple[list[str], list[int], str, int]:
    keys = draw(st.lists(KEYS, min_size=1, max_size=6, unique=True))
    flags = draw(st.lists(st.sampled_from([0, 0, CLITICS, OPEN, CLITICS | OPEN]), min_size=6, max_size=6))
    parts = draw(st.lists(st.one_of(st.sampled_from(keys), st.text(alphabet=FOLDED, max_size=8)), max_size=8))
    glue = draw(st.lists(st.sampled_from(["", " ", ".", "a", "ї", "α", "中"]), min_size=8, max_size=8))
    text = "".join(p + g for p, g in zip(parts, glue, strict=False))
    crowd = draw(st.sampled_from([0, 0, 120]))  # letters enough to run the alphabet out of codes
    return keys, flags[: len(keys)], text, crowd


@FAST
@given(automaton_cases())
def test_automaton_hits_are_the_whole_word_occurrences(case: tuple[list[str], list[int], str, int]) -> None:
    keys, flags, text, crowd = case
    folded = fold(text)
    filler = [chr(0x0531 + i) * 2 for i in range(crowd // 2)] + [
        chr(0x10D0 + i) * 2 for i in range(crowd // 2)
    ]
    all_keys = keys + filler  # Armenian and Georgian letters take the codes left first
    plain = Check(False, None, (), 0, False)
    refs = [(Ref(i, "cities", k, k, plain),) for i, k in enumerate(all_keys)]
    automaton = KeyAutomaton(all_keys, refs, flags + [0] * len(filler))
    hits = {(found[0].watchlist, start, end) for found, _, start, end in automaton.hits(folded)}
    assert {h for h in hits if h[0] < len(keys)} == _naive(folded.text, keys, flags)
