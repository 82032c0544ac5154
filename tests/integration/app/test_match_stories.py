"""``wirewatch match --stories`` (issue 10): the stories a feed set would form, as a dry run.

The labelled story set in four outlet feeds: every multi-version story is one block listing its
first item and its copies with their similarity, hard negatives are separate stories, and a
threshold of 1.0 leaves only the verbatim copies together.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.support.rundir import make_rundir
from tests.support.story_feeds import load_story_items, write_everything_watchlist, write_outlets


def feeds_args(outlets: list[str]) -> list[str]:
    return [arg for o in outlets for arg in ("--feed", f"rules/{o}.xml")]


def test_stories_of_the_story_set(tmp_path: Path) -> None:
    items, negatives = load_story_items()
    rd = make_rundir(tmp_path)
    outlets = write_outlets(rd, items)
    write_everything_watchlist(rd, ["console"])
    out = rd.wirewatch("match", "--rules", "rules", *feeds_args(outlets), "--stories", "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    stories = [json.loads(line) for line in out.stdout.splitlines()]
    story_of = {i.link: i.story for i in items}
    found = [{story_of[m["link"]] for m in s["items"]} for s in stories]
    assert all(len(f) == 1 for f in found), found  # no story mixes two
    assert Counter(next(iter(f)) for f in found) == Counter({s: 1 for s in story_of.values()})
    for story in stories:
        first, *copies = story["items"]
        assert first["first"] and first["similarity"] == 0.0 and first["watchlists"] == ["everything"]
        assert all(0.86 <= c["similarity"] <= 1.0 and not c["first"] for c in copies)
    label = {story_of[m["link"]]: s["story"] for s in stories for m in s["items"]}
    assert all(label[a] != label[b] for a, b in negatives)


def test_text_output_and_threshold(tmp_path: Path) -> None:
    items = [i for i in load_story_items()[0] if i.story == "idlib-market-strike"]
    rd = make_rundir(tmp_path)
    outlets = write_outlets(rd, items)
    write_everything_watchlist(rd, ["console"])
    out = rd.wirewatch("match", "--rules", "rules", *feeds_args(outlets), "--stories")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"story 1: {items[0].title} (4 items)\n")
    assert "  first  outlet-0: " in out.stdout and items[3].link in out.stdout
    assert "-- 4 items in 1 story (1 with copies)" in out.stderr
    strict = rd.wirewatch("match", "--rules", "rules", *feeds_args(outlets), "--stories", "--threshold", "1")
    assert "4 items in 1 story" not in strict.stderr and strict.returncode == 0
    bad = rd.wirewatch("match", "--rules", "rules", *feeds_args(outlets), "--stories", "--threshold", "0")
    assert bad.returncode == 2 and bad.stderr.strip() == "--threshold must be above 0 and at most 1, got 0"
