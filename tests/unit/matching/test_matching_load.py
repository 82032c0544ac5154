"""Loading watchlist files: every mistake is one ``path:line: message``; good files still load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from service.matching.load import load_watchlists
from service.matching.matcher import Matcher
from service.matching.schema import Term
from tests.support.paths import ROOT

CHANNELS = {"console", "syria-slack"}
FEEDS = {"wire", "blog"}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "watchlists").mkdir()
    return Path("watchlists")


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def problems(folder: Path) -> list[str]:
    return [str(p) for p in load_watchlists(folder, FEEDS, CHANNELS)[1]]


GOOD = """
    description: Violence in frontline cities
    match: all
    feeds: all
    cities:
      - Aleppo
      - name: Hama
        aliases: [Hamah, حماة]
    groups:
      - name: Hayat Tahrir al-Sham
        aliases: [HTS, "Hay'at Tahrir al-Sham"]
    keywords:
      - offensive
      - airstrike*
      - {regex: 'shell(ing|ed) of \\w+'}
    exclude: [football, film festival]
    channels: [syria-slack, console]
"""


def test_the_documented_example_loads(folder: Path) -> None:
    write(folder, "frontline.yaml", GOOD)
    write(folder, "other.yml", "keywords: [siege]\nchannels: [console]\nid: siege-watch\n")
    (folder / "notes.txt").write_text("not a watchlist")
    watchlists, found = load_watchlists(folder, FEEDS, CHANNELS)
    assert found == []
    assert [w.id for w in watchlists] == ["frontline", "siege-watch"]
    w = watchlists[0]
    assert (w.channels, w.feeds, w.match) == (["syria-slack", "console"], "all", "all")
    assert w.cities[1] == Term("Hama", ("Hama", "Hamah", "حماة"))
    assert w.keywords[2] == Term(r"shell(ing|ed) of \w+", regex=r"shell(ing|ed) of \w+")
    (match,) = Matcher(watchlists).match_text("HTS offensive on Hamah")
    assert match.matched == {
        "cities": ["Hama"],
        "groups": ["Hayat Tahrir al-Sham"],
        "keywords": ["offensive"],
    }


ERRORS = [
    (
        "unknown field with did-you-mean",
        "cities: [Aleppo]\nchanels: [console]\nchannels: [console]\n",
        ["watchlists/w.yaml:2: unknown field 'chanels' (did you mean 'channels'?)"],
    ),
    (
        "unknown field inside an entry",
        "cities:\n  - name: Hama\n    alias: [Hamah]\nchannels: [console]\n",
        ["watchlists/w.yaml:3: unknown field 'alias' (did you mean 'aliases'?)"],
    ),
    (
        "wrong type",
        "cities: Aleppo\nchannels: [console]\n",
        ["watchlists/w.yaml:1: cities: Input should be a valid list"],
    ),
    (
        "wrong match mode",
        "match: most\ncities: [Aleppo]\nchannels: [console]\n",
        ["watchlists/w.yaml:1: match: Input should be 'all' or 'any'"],
    ),
    (
        "empty watchlist",
        "description: nothing yet\ncities: []\nexclude: [football]\nchannels: [console]\n",
        ["watchlists/w.yaml:1: watchlist 'w' has no terms: add cities, groups or keywords"],
    ),
    ("empty file", "", ["watchlists/w.yaml: empty file: a watchlist needs channels and some terms"]),
    (
        "missing channels",
        "cities: [Aleppo]\n",
        ["watchlists/w.yaml:1: 'channels' is required"],
    ),
    (
        "unknown channel",
        "cities: [Aleppo]\nchannels:\n  - console\n  - syria-slak\n",
        ["watchlists/w.yaml:4: unknown channel 'syria-slak' (did you mean 'syria-slack'?)"],
    ),
    (
        "unknown feed",
        "feeds: [wire, rss-x]\ncities: [Aleppo]\nchannels: [console]\n",
        ["watchlists/w.yaml:1: unknown feed 'rss-x' (known: blog, wire)"],
    ),
    (
        "regex does not compile",
        "keywords:\n  - fine\n  - {regex: 'shell(ing'}\nchannels: [console]\n",
        ["watchlists/w.yaml:3: regex does not compile: missing ) at position 9"],
    ),
    (
        "star inside a term",
        "keywords: ['air*strike']\nchannels: [console]\n",
        ["watchlists/w.yaml:1: term 'air*strike': '*' is only allowed at the end of a word"],
    ),
    (
        "term with nothing to match",
        "cities:\n  - name: Hama\n    aliases: ['—']\nchannels: [console]\n",
        ["watchlists/w.yaml:3: term '—' has no letters or digits to match"],
    ),
    (
        "yaml syntax",
        "cities: [Aleppo\nchannels: [console]\n",
        [
            "watchlists/w.yaml:1: invalid YAML: while parsing a flow sequence here: "
            "did not find expected ',' or ']' (line 2)"
        ],
    ),
    (
        "not a mapping",
        "- Aleppo\n",
        ["watchlists/w.yaml:1: expected a mapping (description:, cities:, channels: ...)"],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_name_file_and_line(folder: Path, case: str, text: str, expected: list[str]) -> None:
    write(folder, "w.yaml", text)
    write(folder, "good.yaml", "cities: [Aleppo]\nchannels: [console]\n")
    watchlists, found = load_watchlists(folder, FEEDS, CHANNELS)
    assert [str(p) for p in found] == expected
    assert [w.id for w in watchlists] == ["good"]  # a broken file does not take others down


def test_duplicate_ids(folder: Path) -> None:
    write(folder, "a.yaml", "cities: [Aleppo]\nchannels: [console]\n")
    write(folder, "a.yml", "cities: [Homs]\nchannels: [console]\n")
    write(folder, "b.yaml", "description: x\nid: a\ncities: [Hama]\nchannels: [console]\n")
    assert problems(folder) == [
        "watchlists/a.yml:1: duplicate watchlist id 'a' (also in watchlists/a.yaml)",
        "watchlists/b.yaml:2: duplicate watchlist id 'a' (also in watchlists/a.yaml)",
    ]


def test_cross_checks_skipped_when_their_file_is_broken(folder: Path) -> None:
    write(folder, "w.yaml", "feeds: [nowhere]\ncities: [Aleppo]\nchannels: [nobody]\n")
    watchlists, found = load_watchlists(folder, None, None)
    assert found == [] and watchlists[0].feeds == ["nowhere"]


def test_missing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert problems(Path("watchlists")) == ["watchlists: watchlists folder not found"]


def test_null_category_is_empty(folder: Path) -> None:
    write(folder, "w.yaml", "cities:\ngroups: [HTS]\nchannels: [console]\n")
    assert problems(folder) == []


def test_bundled_examples_load() -> None:
    rules = ROOT / "rules" / "watchlists"
    watchlists, found = load_watchlists(rules, None, {"console"})
    assert [str(p) for p in found] == []
    assert len(watchlists) >= 2
    assert all(w.channels == ["console"] and w.feeds == "all" for w in watchlists)
