"""``wirewatch match`` and ``wirewatch run`` read a feed the same way: same items, same ids, dates.

The feed is the awkward kind real publishers send: it falls to feedparser's loose parser
(whitespace before ``<?xml``), one guid has an entity, dates are in Portuguese, with PM, or
missing. Both commands must show a date for every item ("first seen ... (no date in feed)" for
the undated one), and ``run`` must remember exactly the ids ``match`` printed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from service.state.sqlite import SqliteStore
from tests.support.rundir import RunDir, make_rundir

ITEMS = """
<item><guid isPermaLink="false">wire-1&amp;a</guid><title>Shelling near Homs</title>
  <link>/2018/homs</link><pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate></item>
<item><guid>https://wire.test/2023/aleppo</guid><title>Curfew in Aleppo</title>
  <pubDate>Sat, 16 Dec 2023 02:02:33 PM +0000</pubDate></item>
<item><title>Talks on Hama resume</title><link>https://wire.test/hama?x=1&amp;y=2</link></item>
<item><guid isPermaLink="false">wire-4</guid><title>Convoy reaches Homs</title>
  <pubDate>sometime</pubDate></item>
"""
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
STRICT = f'{DECLARATION}<rss version="2.0"><channel><title>w</title>{ITEMS}</channel></rss>'
LOOSE = "\n   " + STRICT  # whitespace before the declaration: the strict parser refuses it


def write(rd: RunDir, text: str) -> None:
    (rd.rules / "wire.xml").write_text(text, encoding="utf-8")


def alert_blocks(stdout: str) -> dict[str, list[str]]:
    """Console alerts: title -> the block's lines."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in stdout.splitlines():
        if line.startswith("[frontline] "):
            current = blocks.setdefault(line.removeprefix("[frontline] "), [])
        elif line.startswith("  ") and current is not None:
            current.append(line.strip())
    return blocks


async def unseen(rd: RunDir, ids: list[str]) -> list[str]:
    store = SqliteStore(str(rd.root / "state.db"), seen_ttl=1e9, seen_max=1000, dedup_ttl=1e9, read_only=True)
    await store.open()
    try:
        return await store.unseen("wire", ids, now=0.0)
    finally:
        await store.close()


def test_match_and_run_see_the_same_items_ids_and_dates(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path)
    write(rd, LOOSE)

    matched = rd.wirewatch("match", "--rules", str(rd.rules), "--feed", "rules/wire.xml", "--format", "jsonl")
    assert matched.returncode == 0, matched.stderr
    rows = [json.loads(line) for line in matched.stdout.splitlines()]
    by_title = {row["title"]: row for row in rows}
    assert set(by_title) == {
        "Shelling near Homs",
        "Curfew in Aleppo",
        "Talks on Hama resume",
        "Convoy reaches Homs",
    }
    assert by_title["Shelling near Homs"]["item_id"] == "wire-1&a"
    assert by_title["Shelling near Homs"]["published"] == "2018-09-24T22:42:40+00:00"
    assert by_title["Curfew in Aleppo"]["published"] == "2023-12-16T14:02:33+00:00"
    assert by_title["Convoy reaches Homs"]["date_source"] == "first_seen"
    assert all(row["published"] for row in rows)

    text = rd.wirewatch("match", "--rules", str(rd.rules), "--feed", "rules/wire.xml")
    assert text.stdout.count("  date: ") == 4 and "(no date in feed)" in text.stdout

    ran = rd.wirewatch("run", "--once")
    assert ran.returncode == 0, ran.stderr
    blocks = alert_blocks(ran.stdout)
    assert set(blocks) == set(by_title)
    assert "feed: wire · 2018-09-24 22:42 UTC" in blocks["Shelling near Homs"]
    assert "feed: wire · 2023-12-16 14:02 UTC" in blocks["Curfew in Aleppo"]
    assert any(line.endswith("(no date in feed)") for line in blocks["Convoy reaches Homs"])
    assert "https://wire.test/2023/aleppo" in blocks["Curfew in Aleppo"]
    ids = [row["item_id"] for row in rows]
    assert asyncio.run(unseen(rd, [*ids, "never-seen"])) == ["never-seen"]

    write(rd, STRICT)  # the publisher fixed the whitespace: same items, same ids, no new alert
    again = rd.wirewatch("run", "--once")
    assert again.returncode == 0, again.stderr
    assert alert_blocks(again.stdout) == {}


def test_a_duration_backfill_never_drops_an_undated_item(tmp_path: Path) -> None:
    rd = make_rundir(tmp_path, feeds="feeds:\n  - {id: wire, url: wire.xml, backfill: 1h}\n")
    write(rd, STRICT)
    ran = rd.wirewatch("run", "--once")
    assert ran.returncode == 0, ran.stderr
    # 2018 and 2023 are older than an hour; the undated item is new to us, so it alerts
    assert set(alert_blocks(ran.stdout)) == {"Talks on Hama resume", "Convoy reaches Homs"}
