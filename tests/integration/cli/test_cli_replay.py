"""``wirewatch replay --watchlist FILE --since D`` through the real command on SQLite and Redis:
what a new or edited watchlist would have alerted on, from the items a real run kept, each
story once, without sending or changing anything."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support import HttpReceiver
from tests.support.rundir import RunDir
from tests.support.wirewatch_cli import ITEMS, hook_rundir, wirewatch

FEEDS = (
    "feeds:\n  - {id: wire, title: Levant Wire, url: wire.xml, backfill: all}\n"
    "  - {id: copy, url: copy.xml, backfill: all}\n"
)
HOMS = "description: draft\nmatch: any\ncities: [Homs]\nkeywords: [reports]\nchannels: [nowhere-yet]\n"
LATER = {"title": "Curfew in Homs", "link": "https://wire.test/e", "guid": "e", "body": "Streets empty."}


async def ran(tmp_path: Path, state_url: str | None) -> tuple[RunDir, int]:
    """A real run over two feeds carrying the same story (one alert per story), all delivered."""
    async with HttpReceiver() as rx:
        rd = hook_rundir(tmp_path, state_url, rx.url)
        rd.write("feeds.yaml", FEEDS)
        rd.write_feed("copy.xml", [{**ITEMS[1], "guid": "copy-b"}])  # the Homs story again
        run = await wirewatch(rd, "run", "--once")
        assert run.code == 0, run.err[-2000:]
        return rd, len(rx.requests)


async def test_a_draft_and_the_live_watchlist_replayed(tmp_path: Path, state_url: str | None) -> None:
    rd, sent = await ran(tmp_path, state_url)
    assert sent == 3
    draft = tmp_path / "homs-draft.yaml"
    draft.write_text(HOMS, encoding="utf-8")
    before = await wirewatch(rd, "deliveries", "list", "--format", "json")

    report = (
        await wirewatch(rd, "replay", "--watchlist", str(draft), "--since", "1h", "--format", "json")
    ).json()
    assert (report["watchlist"], report["feeds"], report["items"]) == ("homs-draft", 2, 4)
    assert datetime.fromisoformat(report["since"]).utcoffset() == timedelta(0)
    [hit] = report["alerts"]  # the Homs story of both feeds, once
    assert (hit["title"], hit["link"], hit["already_alerted"]) == (
        "Shelling near Homs",
        "https://wire.test/b",
        False,
    )
    assert hit["matched"] == {"cities": ["Homs"], "keywords": ["reports"]}
    assert hit["snippet"] == "Reports." and hit["feed"] in (
        {"id": "wire", "title": "Levant Wire"},
        {"id": "copy", "title": "copy"},
    )
    assert datetime.fromisoformat(hit["published"]) == datetime.fromisoformat("2024-12-04T08:00:00+00:00")

    live = rd.rules / "watchlists" / "frontline.yaml"
    text = await wirewatch(rd, "replay", "--watchlist", str(live))
    lines = text.out.splitlines()
    assert text.code == 0 and lines[0].startswith(
        "[frontline] (rules/watchlists/frontline.yaml) against 4 items from 2 feeds seen since "
    )
    assert sum("(already alerted)" in ln for ln in lines) == 3
    assert (
        lines[-1]
        == "-- 3 alerts would have been sent (3 already alerted by the live watchlist); nothing was sent"
    )
    assert any("https://wire.test/a · Levant Wire · published 2024-12-04 08:00" in ln for ln in lines)

    after = await wirewatch(rd, "deliveries", "list", "--format", "json")
    assert after.out == before.out == "[]\n"
    assert len((await wirewatch(rd, "alerts", "--format", "json")).json()) == 3  # nothing new logged


async def test_since_keeps_to_the_window(tmp_path: Path, state_url: str | None) -> None:
    rd, _ = await ran(tmp_path, state_url)
    await asyncio.sleep(0.05)
    between = datetime.now(UTC).replace(tzinfo=None).isoformat()  # no zone: read as UTC
    await asyncio.sleep(0.05)
    async with HttpReceiver() as rx:
        rd.write("channels.yaml", f'channels:\n  hook: {{type: webhook, url: "{rx.url}/h"}}\n')
        rd.write_feed("wire.xml", [LATER, *ITEMS])
        assert (await wirewatch(rd, "run", "--once")).code == 0
    draft = tmp_path / "homs.yaml"
    draft.write_text(HOMS, encoding="utf-8")
    replays = [
        (
            await wirewatch(rd, "replay", "--watchlist", str(draft), "--since", since, "--format", "json")
        ).json()
        for since in (between, "1h")
    ]
    assert [h["title"] for h in replays[0]["alerts"]] == ["Curfew in Homs"] and replays[0]["items"] == 1
    assert [h["title"] for h in replays[1]["alerts"]] == [
        "Curfew in Homs",
        "Shelling near Homs",
    ]  # newest first


MISTAKES = [
    ("cities: [Homs\nchannels: [x]\n", "homs.yaml:1: "),
    (
        "cities: [Homs]\nfeeds: [wier]\nchannels: [x]\n",
        "homs.yaml:2: unknown feed 'wier' (did you mean 'wire'?)",
    ),
    ("channels: [x]\n", "watchlist 'homs' has no terms"),
]


async def test_a_broken_watchlist_is_one_line_per_problem(tmp_path: Path) -> None:
    rd = hook_rundir(tmp_path, None, "http://127.0.0.1:9")
    draft = tmp_path / "homs.yaml"
    for text, message in MISTAKES:
        draft.write_text(text, encoding="utf-8")
        result = await wirewatch(rd, "replay", "--watchlist", str(draft))
        assert (result.code, result.out) == (1, "") and message in result.err, result.err
    missing = await wirewatch(rd, "replay", "--watchlist", str(tmp_path / "nope.yaml"))
    assert missing.code == 1 and "nope.yaml: cannot read file" in missing.err
