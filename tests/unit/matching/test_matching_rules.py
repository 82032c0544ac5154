"""Table-driven: every matching rule, in English and Arabic, with cases that must and must not match.

Inflection, proclitics and shouted text have their own tables in test_matching_language.py.
"""

from __future__ import annotations

import pytest

from service.matching.matcher import Matcher
from service.matching.reference import reference_match
from tests.support.matching import names, watchlist

# (rule, entries of the 'keywords' list, text, expected keyword names or None for no match)
CASES = [
    # whole words, every script
    ("word", ["Hama"], "Fighting near Hama on Monday", ["Hama"]),
    ("word", ["Hama"], "A Hamas statement", None),
    ("word", ["Homs"], "the al-Homsi family", None),
    ("word", ["Homs"], "in al-Homs district", ["Homs"]),
    ("word", ["Idlib"], "Idlib's governor", ["Idlib"]),
    ("word", ["Assad"], "Assad’s forces", ["Assad"]),
    ("word", ["Aleppo"], "Aleppo.", ["Aleppo"]),
    ("word", ["Aleppo"], "Aleppo2 sector", None),
    ("word", ["2024"], "offensive of 2024, in", ["2024"]),
    ("word", ["حماة"], "اشتباكات في حماة اليوم", ["حماة"]),
    ("word", ["حماة"], "اشتباكات في وحماة", ["حماة"]),  # attached و (test_matching_language.py)
    ("word", [{"name": "حماة", "inflect": False}], "اشتباكات في وحماة", None),
    ("word", ["الرقة"], "في مدينة الرقة،", ["الرقة"]),
    ("word", ["الرقة"], "والرقة", ["الرقة"]),
    ("word", [{"name": "الرقة", "inflect": False}], "والرقة", None),
    ("word", ["Москва"], "в Москве", ["Москва"]),
    ("word", [{"name": "Москва", "inflect": False}], "в Москве", None),
    ("word", ["Москва"], "Москва, 5 мая", ["Москва"]),
    ("word", ["Zürich"], "in Zürichsee", None),
    # folding: diacritics, case, NFKC, apostrophes, dashes, whitespace, harakat, tatweel
    ("fold", ["Hamah"], "Ḥamāh was shelled", ["Hamah"]),
    ("fold", ["Ḥamāh"], "HAMAH was shelled", ["Ḥamāh"]),
    ("fold", ["Hay'at Tahrir al-Sham"], "Hay’at Tahrir al‑Sham fighters", ["Hay'at Tahrir al-Sham"]),
    ("fold", ["Hay'at Tahrir al-Sham"], "Hayʼat Tahrir al Sham", ["Hay'at Tahrir al-Sham"]),
    ("fold", ["Hay'at Tahrir al-Sham"], "Hay`at Tahrir\nal —  Sham", ["Hay'at Tahrir al-Sham"]),
    ("fold", ["Hay'at Tahrir al-Sham"], "Hayat Tahrir al-Sham", None),
    ("fold", ["Deir ez-Zor"], "DEIR EZ–ZOR", ["Deir ez-Zor"]),
    ("fold", ["ﬁeld hospital"], "the field\u00a0hospital", ["ﬁeld hospital"]),
    ("fold", ["Straße"], "STRASSE closed", ["Straße"]),
    ("fold", ["حماة"], "في حَمَاةَ", ["حماة"]),
    ("fold", ["حماة"], "في حمـــاة", ["حماة"]),
    ("fold", ["أريحا"], "مدينة اريحا", ["أريحا"]),
    ("fold", ["Aleppo"], "Alep\u00adpo", ["Aleppo"]),
    ("fold", ["Aleppo"], "Alep po", None),
    # capitals are case-sensitive; case_sensitive overrides
    ("case", ["IS"], "IS claims attack", ["IS"]),
    ("case", ["IS"], "Is this the end", None),
    ("case", ["IS"], "is it", None),
    ("case", ["HTS"], "HTS-led government", ["HTS"]),
    ("case", ["HTS"], "hts", None),
    ("case", [{"name": "IS", "case_sensitive": False}], "is it", ["IS"]),
    ("case", [{"name": "aid", "case_sensitive": True}], "AID convoys", None),
    ("case", [{"name": "aid", "case_sensitive": True}], "aid convoys", ["aid"]),
    ("case", ["UNHCR"], "Unhcr said", None),
    ("case", ["UNICEF"], "Unicef said", ["UNICEF"]),  # 6 letters: not automatic
    ("case", ["Unicef"], "UNICEF said", ["Unicef"]),
    ("case", ["SDF*"], "SDFs positions", ["SDF*"]),
    ("case", ["SDF*"], "sdfs positions", None),
    # prefix *
    ("prefix", ["airstrike*"], "two airstrikes hit", ["airstrike*"]),
    ("prefix", ["airstrike*"], "an airstrike.", ["airstrike*"]),
    ("prefix", ["airstrike*"], "the airstrip", None),
    ("prefix", ["airstrike*"], "counterairstrikes", None),
    ("prefix", ["قصف*"], "القصف", ["قصف*"]),  # the article is an attached proclitic
    ("prefix", [{"name": "قصف*", "inflect": False}], "القصف", None),
    ("prefix", ["قصف*"], "قصفت الطائرات", ["قصف*"]),
    # trap: a longer key failing its boundary must not hide a shorter one
    ("overlap", ["Homs", "Homs Gap"], "the Homs Gaps", ["Homs"]),
    ("overlap", ["Homs", "Homs Gap"], "the Homs Gap", ["Homs", "Homs Gap"]),
    ("overlap", ["New York", "York City"], "New York City", ["New York", "York City"]),
    ("overlap", ["al-Bab", "Bab"], "al-Babi", None),
    # regex terms: folded text, whole words
    ("regex", [{"regex": r"shell(ing|ed) of \w+"}], "the Shelling of Idlib", [r"shell(ing|ed) of \w+"]),
    ("regex", [{"regex": "shell(ing|ed)", "name": "shelling"}], "eggshelled", None),
    ("regex", [{"regex": "hama", "name": "h"}], "Ḥamā", ["h"]),
]


@pytest.mark.parametrize(("rule", "keywords", "text", "expected"), CASES)
def test_rule(rule: str, keywords: list[object], text: str, expected: list[str] | None) -> None:
    got = names(text, keywords=keywords)
    assert (got["keywords"] if got else None) == expected
    ref = reference_match([watchlist(keywords=keywords)], text)
    assert (ref[0].matched["keywords"] if ref else None) == expected


def test_aliases_belong_to_their_entry() -> None:
    groups = [{"name": "Hezbollah", "aliases": ["Hizbullah", "حزب الله"]}]
    assert names("Hizbullah fighters", groups=groups) == {"groups": ["Hezbollah"]}
    assert names("مقاتلو حزب الله", groups=groups) == {"groups": ["Hezbollah"]}
    assert names("Hizbullah fighters", groups=["Hezbollah"]) is None


def test_match_all_needs_every_category_and_any_needs_one() -> None:
    data = {"cities": ["Aleppo"], "groups": ["HTS"], "keywords": ["offensive"]}
    assert names("HTS offensive near Aleppo", **data) == {
        "cities": ["Aleppo"],
        "groups": ["HTS"],
        "keywords": ["offensive"],
    }
    assert names("HTS offensive near Hama", **data) is None
    assert names("offensive near Hama", match="any", **data) == {
        "cities": [],
        "groups": [],
        "keywords": ["offensive"],
    }
    assert names("quiet near Hama", match="any", **data) is None


def test_exclude_vetoes() -> None:
    data = {"cities": ["Aleppo"], "exclude": ["football", "film festival"]}
    assert names("Aleppo film\nfestival opens", **data) is None
    assert names("Aleppo football derby", **data) is None
    assert names("Aleppo films festival", **data) == {"cities": ["Aleppo"]}


def test_names_in_order_of_appearance_and_canonical() -> None:
    cities = ["Idlib", {"name": "Hama", "aliases": ["Hamah", "حماة"]}]
    assert names("حماة and then Idlib and Hama", cities=cities) == {"cities": ["Hama", "Idlib"]}


def test_feeds_filter() -> None:
    from datetime import UTC, datetime

    from service.model import Item

    matcher = Matcher([watchlist(cities=["Aleppo"], feeds=["wire"])])
    item = Item("1", "wire", "Aleppo", "", datetime.now(UTC), "", "")
    assert [m.watchlist for m in matcher.match(item)] == ["t"]
    assert matcher.match(Item("1", "blog", "Aleppo", "", None, "", "")) == []
    assert len(matcher.match_text("Aleppo")) == 1  # no feed: filters off


def test_item_fields_and_snippet() -> None:
    from service.model import Item

    matcher = Matcher([watchlist(cities=["Homs"], keywords=["Gap"])])
    body = "word " * 100 + "the Ḥoms   front, " + "more " * 100
    item = Item("1", "f", "Title here", "", None, "summary Homs", body, ("Gap",))
    (match,) = matcher.match(item)
    assert match.matched == {"cities": ["Homs"], "keywords": ["Gap"]}
    assert match.snippet.startswith("summary Homs — word")  # the title is not repeated
    # no term spans two fields
    spanning = Item("1", "f", "Homs", "", None, "Gap", "")
    assert Matcher([watchlist(cities=["Homs Gap"])]).match(spanning) == []


def test_snippet_is_original_text_around_first_hit() -> None:
    text = "lorem " * 200 + "Forces entered Ḥamāh’s centre on Thursday. " + "ipsum " * 200
    (match,) = Matcher([watchlist(cities=["Hamah"])]).match_text(text)
    assert "Forces entered Ḥamāh’s centre on Thursday." in match.snippet
    assert match.snippet.startswith("…") and match.snippet.endswith("…")
    assert 150 <= len(match.snippet) <= 230


def test_regex_timeout_is_logged_and_skipped() -> None:
    from structlog.testing import capture_logs

    slow = watchlist("slow", keywords=[{"regex": "(a|aa)+$", "name": "bad"}, "boom"], match="any")
    matcher = Matcher([slow], regex_timeout=0.01)
    with capture_logs() as logs:
        found = matcher.match_text("a" * 60 + "b boom")
    assert [m.matched for m in found] == [{"keywords": ["boom"]}]
    assert [(e["event"], e["watchlist"]) for e in logs] == [("regex_timeout", "slow")]
