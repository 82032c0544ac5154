"""Snippets of an item's matches come from its body, never repeat its title (issue 14, item 6)."""

from __future__ import annotations

import pytest

from service.matching.matcher import Matcher
from service.model import Item
from tests.support.matching import watchlist

LONG = "Residents said the night was quiet. " * 12  # ~430 characters before a body hit

# (title, summary, content, expected snippet start (None: no snippet), text it must contain)
CASES = [
    pytest.param(
        "Rebels enter Hama",
        "Fighters entered the city at dawn.",
        "",
        "Fighters entered",
        None,
        id="title-hit",
    ),
    pytest.param(
        "Rebels enter Hama",
        LONG + "In Hama, shops stayed shut.",
        "",
        "…",
        "In Hama, shops stayed shut.",
        id="title-and-body-hit",
    ),
    pytest.param("Rebels enter Hama", "", "", None, None, id="title-only-item"),
    pytest.param(
        "Morning briefing", "Shelling near Hama overnight.", "", "Shelling near Hama", None, id="body-hit"
    ),
    pytest.param(
        "Rebels enter Hama",
        "",
        "Full text: the army left.",
        "Full text: the army left.",
        None,
        id="content-only",
    ),
]


@pytest.mark.parametrize(("title", "summary", "content", "start", "contains"), CASES)
def test_snippet_never_repeats_the_title(
    title: str, summary: str, content: str, start: str | None, contains: str | None
) -> None:
    item = Item("1", "wire", title, "", None, summary, content)
    (match,) = Matcher([watchlist(cities=["Hama"])]).match(item)
    if start is None:
        assert match.snippet == ""
        return
    assert match.snippet.startswith(start), match.snippet
    assert title not in match.snippet
    assert contains is None or contains in match.snippet
    assert len(match.snippet) <= 230


def test_an_item_without_a_title_keeps_the_snippet_around_its_first_hit() -> None:
    item = Item("1", "wire", "", "", None, LONG + "Shelling near Hama.", "")
    (match,) = Matcher([watchlist(cities=["Hama"])]).match(item)
    assert match.snippet.startswith("…") and "Shelling near Hama." in match.snippet
