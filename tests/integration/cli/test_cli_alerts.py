"""``wirewatch alerts``: "did we alert on this, when, where", from the alert log a real run wrote,
through the real command on SQLite and Redis; JSON times in ISO 8601."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path

from tests.support import HttpReceiver
from tests.support.rundir import RunDir
from tests.support.wirewatch_cli import HOOK_TOKEN, hook_rundir, wirewatch

ALEPPO = "description: one city\nmatch: any\ncities: [Aleppo]\nchannels: [hook, desk]\n"


def two_channels(rd: RunDir, hook_url: str) -> None:
    """``hook`` (webhook) gets both watchlists, ``desk`` (console) only ``aleppo``."""
    rd.write("feeds.yaml", "feeds:\n  - {id: wire, title: Levant Wire, url: wire.xml, backfill: all}\n")
    hook = f'hook: {{type: webhook, url: "{hook_url}/hooks/{HOOK_TOKEN}"}}'
    rd.write("channels.yaml", f"channels:\n  {hook}\n  desk: {{type: console}}\n")
    rd.write("watchlists/aleppo.yaml", ALEPPO)


async def test_alerts_says_what_went_where(tmp_path: Path, state_url: str | None) -> None:
    async with HttpReceiver() as rx:
        rd = hook_rundir(tmp_path, state_url, rx.url)
        two_channels(rd, rx.url)
        started = time.time()
        run = await wirewatch(rd, "run", "--once")
        assert run.code == 0, run.err[-2000:]
        sent_ids = {r.headers["webhook-id"] for r in rx.requests}

    rows = (await wirewatch(rd, "alerts", "--format", "json")).json()
    seen = sorted((r["channel"], r["watchlist"], r["title"]) for r in rows)
    assert seen == [
        ("desk", "aleppo", "Aleppo airport closed"),
        ("hook", "aleppo", "Aleppo airport closed"),
        ("hook", "frontline", "Aleppo airport closed"),
        ("hook", "frontline", "Rebels enter Hama"),
        ("hook", "frontline", "Shelling near Homs"),
    ]
    assert [r["at"] for r in rows] == sorted((r["at"] for r in rows), reverse=True)  # newest first
    for row in rows:
        at = datetime.fromisoformat(row["at"])
        assert at.utcoffset() == timedelta(0) and started - 1 <= at.timestamp() <= time.time()
        assert row["outcome"] == "sent" and row["silence_id"] is None
        assert row["feed"] == {"id": "wire", "title": "Levant Wire"}
        assert datetime.fromisoformat(row["published"]) == datetime.fromisoformat("2024-12-04T08:00:00+00:00")
        assert row["link"].startswith("https://wire.test/") and row["matched"]["cities"]
    assert {r["batch_key"] for r in rows if r["channel"] == "hook"} == sent_ids  # the message it went in

    text = await wirewatch(rd, "alerts")
    lines = text.out.splitlines()
    assert (
        text.code == 0 and lines[0].startswith("5 alerts since ") and lines[0].endswith("5 sent, 0 silenced")
    )
    assert any("sent  #hook  [frontline] Rebels enter Hama" in ln for ln in lines)
    assert any(
        "https://wire.test/a · Levant Wire · published 2024-12-04 08:00 · Cities: Hama" in ln for ln in lines
    )

    filtered = [
        ("--watchlist", "aleppo"),
        ("--channel", "desk"),
        ("--watchlist", "frontline", "--channel", "hook"),
        ("--watchlist", "nothing-like-it"),
    ]
    counts = await asyncio.gather(*(wirewatch(rd, "alerts", *f, "--format", "json") for f in filtered))
    assert [len(c.json()) for c in counts] == [2, 1, 3, 0]
    await asyncio.sleep(0.3)
    recent = await wirewatch(rd, "alerts", "--since", "200ms")
    assert recent.code == 0 and recent.out.startswith("nothing sent or silenced since ")


async def test_alerts_usage_and_a_fresh_folder(tmp_path: Path) -> None:
    rd = hook_rundir(tmp_path, None, "http://127.0.0.1:9")
    bad = await wirewatch(rd, "alerts", "--since", "yesterday")
    assert bad.code == 2 and "argument --since: expected a duration like '30m'" in bad.err
    fresh = await wirewatch(rd, "alerts")
    assert fresh.code == 1 and "no state database at" in fresh.err and not (rd.root / "state.db").exists()
