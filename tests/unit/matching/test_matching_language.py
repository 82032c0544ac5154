"""Table-driven: inflection (Ukrainian, Russian), Arabic proclitics, ``*`` in phrases, shouted text.

Each rule has traps: derived words, the whole-stem rule, a common word sharing a prefix, an
acronym in shouted and in normal text. Every row is checked against the reference matcher too.
"""

from __future__ import annotations

import pytest

from service.matching.reference import reference_match
from tests.support.matching import names, watchlist

# (rule, entries of the 'keywords' list, text, expected keyword names or None for no match)
CASES = [
    # Ukrainian: every case and number, stem alternations (і/о, і/е, ї/є)
    ("uk", ["Харків"], "Удар по Харкову вночі", ["Харків"]),
    ("uk", ["Харків"], "вибухи у Харкові", ["Харків"]),
    ("uk", ["Харків"], "на Харківщині", None),  # derived: the region
    ("uk", ["Харків"], "Харківська область", None),  # derived: the adjective
    ("uk", ["Запоріжжя"], "атака на енергетику у Запоріжжі", ["Запоріжжя"]),
    ("uk", ["Запоріжжя"], "Запорізька АЕС", None),  # derived
    ("uk", ["Бахмут"], "бої під Бахмутом", ["Бахмут"]),
    ("uk", ["Бахмут"], "річка Бахмутка", None),  # another word sharing the prefix
    ("uk", ["Ірпінь"], "в Ірпені відновили мости", ["Ірпінь"]),
    ("uk", ["Ірпінь"], "з Ірпеня", ["Ірпінь"]),
    ("uk", ["Київ"], "у Києві оголосили тривогу", ["Київ"]),
    ("uk", ["Київ"], "до Києва", ["Київ"]),
    ("uk", ["Київ"], "Київщина", None),
    ("uk", ["Херсон"], "обстріл Херсона", ["Херсон"]),
    ("uk", ["Херсон"], "на Херсонщині", None),
    ("uk", ["Суми"], "у Сумах", ["Суми"]),  # plural-only name
    ("uk", ["Авдіївка"], "бої за Авдіївку", ["Авдіївка"]),
    ("uk", ["Харкова"], "у Харкові", None),  # not a dictionary form: matches only as written
    ("uk", ["обстріляти"], "росіяни обстріляли місто", ["обстріляти"]),  # a verb's finite forms
    # Ukrainian phrases: each word inflects, in agreement or the head alone
    ("uk", ["Донецька область"], "у Донецькій області", ["Донецька область"]),
    ("uk", ["Донецька область"], "Донецької області", ["Донецька область"]),
    ("uk", ["Збройні сили"], "Збройних сил України", ["Збройні сили"]),
    ("uk", ["сектор Газа"], "у секторі Газа", ["сектор Газа"]),
    ("uk", ["ЧВК Вагнер"], "бійці ЧВК Вагнера", ["ЧВК Вагнер"]),
    ("uk", ["ЧВК Вагнер"], "найманці Вагнера", None),  # the other word is still needed
    # Russian: the dictionary decides, stem alternations included
    ("ru", ["Курск"], "в Курске", ["Курск"]),
    ("ru", ["Курск"], "Курская область", None),  # derived
    ("ru", ["Москва"], "в Москве", ["Москва"]),
    ("ru", ["Москва"], "москвичи", None),  # derived
    ("ru", ["Орёл"], "в Орле", ["Орёл"]),  # fleeting vowel, ё
    ("ru", ["Белгород"], "под Белгородом", ["Белгород"]),
    ("ru", ["Белгород"], "Белгородская область", None),
    ("ru", ["Вагнер"], "мятеж Вагнера", ["Вагнер"]),  # indeclinable in uk, inflects in ru
    ("ru", ["Пригожин"], "с Пригожиным", ["Пригожин"]),
    ("ru", ["Газа"], "в секторе Газа", ["Газа"]),
    ("ru", ["Газа"], "цены на газ", None),  # "Газа" is not read as a form of "газ"
    ("ru", ["Газа"], "отопление газом", None),
    ("ru", ["ЧВК Вагнер"], "бойцы ЧВК Вагнера", ["ЧВК Вагнер"]),
    # inflect: false, and aliases inflect like names
    ("uk", [{"name": "Харків", "inflect": False}], "у Харкові", None),
    ("uk", [{"name": "Харків", "inflect": False}], "Харків", ["Харків"]),
    ("uk", [{"name": "Kharkiv", "aliases": ["Харків"]}], "у Харкові", ["Kharkiv"]),
    ("uk", [{"name": "Kharkiv", "aliases": ["Харків"], "inflect": False}], "у Харкові", None),
    # Arabic: conjunctions, prepositions, the article; لل; the stem stays whole
    ("ar", ["إدلب"], "قصف على ريف حلب وإدلب", ["إدلب"]),
    ("ar", ["إدلب"], "اشتباكات بإدلب", ["إدلب"]),
    ("ar", ["إدلب"], "وبإدلب", ["إدلب"]),
    ("ar", ["إدلب"], "لإدلب", ["إدلب"]),
    ("ar", ["حماة"], "في حلب وحماة", ["حماة"]),
    ("ar", ["حماة"], "فحماة", ["حماة"]),
    ("ar", ["حماة"], "حماية المدنيين", None),  # a common word sharing the prefix
    ("ar", ["حماة"], "وحماية", None),
    ("ar", ["الرقة"], "دير الزور والرقة", ["الرقة"]),
    ("ar", ["الرقة"], "بالرقة", ["الرقة"]),
    ("ar", ["الرقة"], "وصلت قوافل للرقة", ["الرقة"]),  # ل + ال = لل
    ("ar", ["الرقة"], "لالرقة", None),  # not how ل + ال is written
    ("ar", ["الرقة"], "الرقابة", None),  # a common word sharing the prefix
    ("ar", ["الرقة"], "الالرقة", None),  # no second article
    ("ar", ["حلب"], "في حلب", ["حلب"]),
    ("ar", ["حلب"], "بحلب", ["حلب"]),
    ("ar", ["حلب"], "الحلب", ["حلب"]),  # the article where the term has none
    ("ar", ["حلب"], "للحلب", ["حلب"]),
    ("ar", ["حلب"], "حلبة سباق", None),  # the stem stays whole
    ("ar", ["حلب"], "وحلبي", None),
    ("ar", ["حلب"], "ووحلب", None),  # two conjunctions are not a proclitic
    ("ar", ["حلب"], "محلب", None),  # م is not a proclitic
    ("ar", ["حزب الله"], "مقاتلو وحزب الله", ["حزب الله"]),
    ("ar", ["حزب الله"], "لحزب الله", ["حزب الله"]),
    ("ar", ["حزب الله"], "حزب اللهو", None),
    ("ar", ["قصف*"], "والقصف", ["قصف*"]),
    ("ar", [{"name": "حماة", "inflect": False}], "وحماة", None),
    # '*' ends any word of a phrase, not only the last
    ("star", ["удар* дрон*"], "удари дронів по місту", ["удар* дрон*"]),
    ("star", ["удар* дрон*"], "ударами дронами", ["удар* дрон*"]),
    ("star", ["удар* дрон*"], "удар по дрону", None),  # the words must be adjacent
    ("star", ["удар* дрон*"], "переудари дронів", None),  # a word still starts a word
    ("star", ["air* defen*"], "Air defences were active", ["air* defen*"]),
    ("star", ["air* defen*"], "air-defence systems", ["air* defen*"]),
    ("star", ["air* defen*"], "chair defence", None),
    ("star", ["air* defence"], "airborne defence", ["air* defence"]),
    ("star", ["air* defence"], "air defences", None),  # the last word is whole
    # shouted text: an acronym that is an ordinary word is silent among all-caps words
    ("caps", ["IS"], "WHAT IS KNOWN ABOUT THE ATTACK", None),
    ("caps", ["IS"], "THIS IS WHY", None),
    ("caps", ["IS"], "IS claims attack near Raqqa", ["IS"]),
    ("caps", ["IS"], "BREAKING: IS claims attack", ["IS"]),
    ("caps", ["IS"], "FIGHTERS OF IS", None),
    ("caps", ["IS"], "IS", ["IS"]),  # alone: nothing shouts around it
    ("caps", ["US"], "US STRIKES IN SYRIA", None),
    ("caps", ["US"], "US strikes in Syria", ["US"]),
    ("caps", ["WHO"], "WHO WARNS OF CHOLERA", None),
    ("caps", ["WHO"], "WHO warns of cholera", ["WHO"]),
    ("caps", ["AID"], "AID CONVOY HIT", None),
    ("caps", ["HTS"], "HTS SEIZES ALEPPO", ["HTS"]),
    ("caps", ["SDF"], "CLASHES WITH SDF NEAR RAQQA", ["SDF"]),
    ("caps", ["ISIL"], "ISIL CLAIMS ATTACK", ["ISIL"]),
    ("caps", ["NATO"], "NATO WARNS MOSCOW", ["NATO"]),
    ("caps", ["ЗСУ"], "ЗСУ ЗВІЛЬНИЛИ СЕЛО", ["ЗСУ"]),  # an abbreviation, not a word
    ("caps", [{"name": "IS", "case_sensitive": False}], "THIS IS WHY", ["IS"]),  # not case-sensitive
]


@pytest.mark.parametrize(("rule", "keywords", "text", "expected"), CASES)
def test_language_rule(rule: str, keywords: list[object], text: str, expected: list[str] | None) -> None:
    got = names(text, keywords=keywords)
    assert (got["keywords"] if got else None) == expected
    ref = reference_match([watchlist(keywords=keywords)], text)
    assert (ref[0].matched["keywords"] if ref else None) == expected


def test_shouting_is_judged_within_one_field() -> None:
    """The title is one field, the summary another: the title's caps do not reach the summary."""
    from service.matching.matcher import Matcher
    from service.model import Item

    matcher = Matcher([watchlist(groups=["IS"])])
    shouted_title = Item("1", "f", "ATTACK IN RAQQA", "", None, "IS claims it", "")
    assert [m.matched for m in matcher.match(shouted_title)] == [{"groups": ["IS"]}]
    alone = Item("2", "f", "IS", "", None, "WHAT WE KNOW", "")
    assert [m.matched for m in matcher.match(alone)] == [{"groups": ["IS"]}]
    inside = Item("3", "f", "WHAT IS KNOWN", "", None, "more later", "")
    assert matcher.match(inside) == []
