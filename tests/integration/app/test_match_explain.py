"""``wirewatch match --explain`` and ``wirewatch check`` on wire copy in Ukrainian, Russian, Arabic
and capitals, run as the real command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.rundir import make_rundir

WATCHLIST = """
description: Frontline, in the desk's languages
match: all
cities:
  - Харків
  - Курск
  - name: Idlib
    aliases: [إدلب]
groups:
  - name: Islamic State
    aliases: [IS]
  - ЧВК Вагнер
keywords:
  - удар* дрон*
  - attack
exclude: [футбол]
channels: [console]
"""

ITEMS = [
    {"title": "Удари дронів по Харкову", "link": "https://wire.test/1", "guid": "1", "body": "ЧВК Вагнера"},
    {
        "title": "WHAT IS KNOWN ABOUT THE ATTACK IN KURSK",
        "link": "https://wire.test/2",
        "guid": "2",
        "body": "В Курске",
    },
    {"title": "قصف وإدلب", "link": "https://wire.test/3", "guid": "3", "body": "IS claims attack"},
]


def test_explain_text(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    rd.write("watchlists/desk.yaml", WATCHLIST)
    rd.write_feed("wire.xml", ITEMS)
    out = rd.wirewatch("match", "--rules", "rules", "--feed", "rules/wire.xml", "--explain")
    assert out.returncode == 0, out.stderr
    blocks = out.stdout.strip().split("\n\n")
    assert blocks[0].splitlines() == [
        "Удари дронів по Харкову",
        "  [desk] matched",
        "      keywords  Удари дронів ← удар* дрон*",
        "      cities    Харкову ← Харків",
        "      groups    ЧВК Вагнера ← ЧВК Вагнер",
        "  no term hit: frontline",
    ]
    assert blocks[1].splitlines()[1:4] == [
        "  [desk] no match: no hit in groups (match: all)",
        "      groups    IS (Islamic State)  (ignored: inside all-caps text)",
        "      keywords  ATTACK ← attack",
    ]
    assert "      cities    Курске ← Курск" in blocks[1].splitlines()
    assert blocks[2].splitlines()[1:3] == [
        "  [desk] matched",
        "      cities    وإدلب ← إدلب (Idlib)",
    ]
    assert "-- 2 matches in 3 items, 2 watchlists" in out.stderr
    assert list((tmp_path / "cache").glob("expansions-*.json"))  # the run's own cache folder


def test_explain_jsonl(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    rd.write("watchlists/desk.yaml", WATCHLIST)
    rd.write_feed("wire.xml", ITEMS[:1])
    out = rd.wirewatch(
        "match", "--rules", "rules", "--feed", "rules/wire.xml", "--explain", "--format", "jsonl"
    )
    assert out.returncode == 0, out.stderr
    (line,) = out.stdout.splitlines()
    data = json.loads(line)
    assert (data["item_id"], data["title"]) == ("1", "Удари дронів по Харкову")
    desk = next(w for w in data["watchlists"] if w["watchlist"] == "desk")
    assert desk["matched"] is True and desk["missing"] == []
    assert [h["form"] for h in desk["hits"]] == [
        "Удари дронів ← удар* дрон*",
        "Харкову ← Харків",
        "ЧВК Вагнера ← ЧВК Вагнер",
    ]


def test_check_reports_expansion_warnings(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    rd.write("watchlists/ua.yaml", "cities:\n  - Харків\n  - Харкова\nchannels: [console]\n")
    rd.write_feed("wire.xml", ITEMS)
    out = rd.wirewatch("check")
    assert out.returncode == 0, out.stderr  # a warning, the rules are usable
    assert "ok: 1 feeds, 1 channels, 2 watchlists" in out.stdout
    assert (
        "rules/watchlists/ua.yaml:3: warning: term 'Харкова' is not a dictionary form "
        "(it is a form of 'харків'): write that, or set 'inflect: false'"
    ) in out.stderr
