"""``explain_text``: every hit with its form, why ignored hits did not count, vetoes, missing categories."""

from __future__ import annotations

from typing import Any

import pytest

from service.matching.explain import render_text, to_json
from service.matching.matcher import Matcher
from tests.support.matching import watchlist

FRONTLINE: dict[str, Any] = {
    "cities": ["Харків", {"name": "Idlib", "aliases": ["إدلب"]}],
    "groups": [{"name": "Islamic State", "aliases": ["IS"]}, "HTS"],
    "keywords": ["airstrike*", {"regex": r"shell(ing|ed) of \w+", "name": "shelling"}],
    "exclude": ["football"],
}

# (case, text, verdict, [(category, form, ignored)] in order of appearance)
CASES = [
    (
        "forms",
        "Airstrikes hit Харкові; HTS claims",
        "matched",
        [
            ("keywords", "Airstrikes ← airstrike*", None),
            ("cities", "Харкові ← Харків", None),
            ("groups", "HTS", None),
        ],
    ),
    (
        "alias and proclitic",
        "قصف وإدلب — IS claims the shelling of Saraqib",
        "matched",
        [
            ("cities", "وإدلب ← إدلب (Idlib)", None),
            ("groups", "IS (Islamic State)", None),
            ("keywords", r"shelling of Saraqib ← shell(ing|ed) of \w+ (shelling)", None),
        ],
    ),
    (
        "veto",
        "HTS airstrike near Харків after football",
        "vetoed by exclude: football",
        [
            ("groups", "HTS", None),
            ("keywords", "airstrike", None),
            ("cities", "Харків", None),
            ("exclude", "football", None),
        ],
    ),
    (
        "missing, shouted and case",
        "WHAT IS KNOWN: airstrikes on Харкова, hts says",
        "no match: no hit in groups (match: all)",
        [
            ("groups", "IS (Islamic State)", "inside all-caps text"),
            ("keywords", "airstrikes ← airstrike*", None),
            ("cities", "Харкова ← Харків", None),
            ("groups", "hts ← HTS", "capitals differ"),
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "verdict", "hits"), CASES, ids=[c[0] for c in CASES])
def test_explain(case: str, text: str, verdict: str, hits: list[tuple[str, str, str | None]]) -> None:
    (got,) = Matcher([watchlist("frontline", **FRONTLINE)]).explain_text(text)
    assert got.verdict == verdict
    assert got.matched == (verdict == "matched")
    assert [(h.category, h.form(), h.ignored) for h in got.hits] == hits
    assert all(text[h.start : h.end] == h.text for h in got.hits)


def test_missing_categories_for_any_and_all() -> None:
    lists = [
        watchlist("all", cities=["Aleppo"], groups=["HTS"], keywords=["siege"]),
        watchlist("any", match="any", cities=["Aleppo"], groups=["HTS"]),
    ]
    every, anyone = Matcher(lists).explain_text("the siege of Homs")
    assert (every.matched, every.missing) == (False, ("cities", "groups"))
    assert every.verdict == "no match: no hit in cities, groups (match: all)"
    assert (anyone.matched, anyone.missing, anyone.hits) == (False, ("cities", "groups"), ())
    assert anyone.verdict == "no match: no hit in any of cities, groups (match: any)"


def test_feeds_filter_is_explained() -> None:
    (got,) = Matcher([watchlist(cities=["Aleppo"], feeds=["wire"])]).explain_text("Aleppo", feed_id="blog")
    assert (got.matched, got.verdict) == (False, "not for this feed (feeds filter)")
    assert [h.text for h in got.hits] == ["Aleppo"]


def test_text_and_json_renderings() -> None:
    lists = [watchlist("frontline", **FRONTLINE), watchlist("quiet", cities=["Homs"])]
    explained = Matcher(lists).explain_text("WHAT IS KNOWN ABOUT Харкові airstrikes")
    assert render_text("Title", explained).splitlines() == [
        "Title",
        "  [frontline] no match: no hit in groups (match: all)",
        "      groups    IS (Islamic State)  (ignored: inside all-caps text)",
        "      cities    Харкові ← Харків",
        "      keywords  airstrikes ← airstrike*",
        "  no term hit: quiet",
    ]
    data = to_json(explained[0])
    assert data["watchlist"] == "frontline" and data["matched"] is False
    assert data["missing"] == ["groups"] and data["vetoed_by"] == []
    assert data["hits"][1] == {
        "category": "cities",
        "name": "Харків",
        "spelling": "Харків",
        "text": "Харкові",
        "start": 20,
        "end": 27,
        "ignored": None,
        "form": "Харкові ← Харків",
    }
