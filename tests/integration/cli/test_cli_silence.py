"""``wirewatch silence add|list|expire`` through the real command on SQLite and Redis: silenced
alerts are recorded, not sent, and not sent when the silence ends; a silence also stops alerts
already waiting in the outbox; mistakes change nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from tests.support import HttpReceiver, Reply
from tests.support.rundir import RunDir
from tests.support.wirewatch_cli import ITEMS, hook_rundir, wirewatch

ADDED = re.compile(r"^(s-[0-9a-f]{8}): \[frontline\] silenced on (.+) until .+ UTC \(2h\)")
NEW_ITEM = {"title": "Homs curfew lifted", "link": "https://wire.test/d", "guid": "d", "body": "Calm."}


async def silence(rd: RunDir, *args: str) -> str:
    added = await wirewatch(rd, "silence", "add", "--watchlist", "frontline", "--for", "2h", *args)
    found = ADDED.match(added.out)
    assert added.code == 0 and found, added.out + added.err
    return found.group(1)


def keys_sent(rx: HttpReceiver) -> list[str]:
    return [a["key"] for r in rx.requests for a in r.json()["data"]["alerts"]]


async def test_silenced_alerts_are_recorded_not_sent_not_even_later(
    tmp_path: Path, state_url: str | None
) -> None:
    async with HttpReceiver() as rx:
        rd = hook_rundir(tmp_path, state_url, rx.url)
        sid = await silence(rd, "--reason", "  liveblog   running ", "--by", "anna")
        run = await wirewatch(rd, "run", "--once")
        assert run.code == 0 and rx.requests == [], run.err[-2000:]
        log = (await wirewatch(rd, "alerts", "--format", "json")).json()
        assert sorted(r["title"] for r in log) == sorted(i["title"] for i in ITEMS)
        assert {(r["outcome"], r["silence_id"], r["batch_key"]) for r in log} == {("silenced", sid, None)}

        [listed] = (await wirewatch(rd, "silence", "list", "--format", "json")).json()
        starts, ends = datetime.fromisoformat(listed["starts_at"]), datetime.fromisoformat(listed["ends_at"])
        assert ends - starts == timedelta(hours=2) and starts.utcoffset() == timedelta(0)
        assert {k: listed[k] for k in ("id", "state", "watchlist", "channel", "reason", "created_by")} == {
            "id": sid,
            "state": "active",
            "watchlist": "frontline",
            "channel": None,
            "reason": "liveblog running",
            "created_by": "anna",
        }

        ended = await wirewatch(rd, "silence", "expire", sid)
        assert (ended.code, ended.out.strip()) == (
            0,
            f"{sid} ended: alerts of [frontline] are sent again from now",
        )
        again = await wirewatch(rd, "silence", "expire", sid)
        assert again.code == 0 and again.out.startswith(f"{sid} had already ended at ")
        assert (await wirewatch(rd, "silence", "list")).out.strip() == "no silences in force or to come"
        [old] = (await wirewatch(rd, "silence", "list", "--all", "--format", "json")).json()
        assert (old["id"], old["state"]) == (sid, "ended")

        rd.write_feed("wire.xml", [NEW_ITEM, *ITEMS])
        run = await wirewatch(rd, "run", "--once")
        assert run.code == 0, run.err[-2000:]
        assert [r.json()["data"]["alerts"][0]["item"]["title"] for r in rx.requests] == ["Homs curfew lifted"]


async def test_a_silence_stops_the_flood_already_queued(tmp_path: Path, state_url: str | None) -> None:
    async with HttpReceiver(default=Reply(503)) as rx:
        rd = hook_rundir(tmp_path, state_url, rx.url)
        first = await wirewatch(rd, "run", "--once", "--drain-timeout", "0.3")
        assert first.code == 4, first.err[-2000:]  # three alerts wait in the outbox
        sid = await silence(rd, "--channel", "hook", "--reason", "wrong story")
        rx.default = Reply(200)
        tried = len(rx.requests)
        second = await wirewatch(rd, "run", "--once")
        assert second.code == 0 and len(rx.requests) == tried, second.err[-2000:]
    assert (await wirewatch(rd, "deliveries", "list", "--format", "json")).json() == []
    log = (await wirewatch(rd, "alerts", "--format", "json")).json()
    assert len(log) == 3 and {(r["outcome"], r["silence_id"], r["channel"]) for r in log} == {
        ("silenced", sid, "hook")
    }
    assert "alert_silenced" in second.err and f"silence_id={sid}" in second.err


MISTAKES = [
    (
        ("add", "--watchlist", "frontlin", "--for", "2h", "--reason", "x"),
        1,
        "no watchlist 'frontlin' in the rules (did you mean 'frontline'?)",
    ),
    (
        ("add", "--watchlist", "frontline", "--channel", "huk", "--for", "2h", "--reason", "x"),
        1,
        "no channel 'huk'",
    ),
    (("add", "--watchlist", "frontline", "--for", "2 hours", "--reason", "x"), 2, "argument --for: expected"),
    (("add", "--watchlist", "frontline", "--for", "2h"), 2, "the following arguments are required: --reason"),
    (("expire", "s-00000000"), 1, "no silence with id s-00000000"),
    (("pause",), 2, "invalid choice: 'pause'"),
]


async def test_silence_mistakes_change_nothing(tmp_path: Path, state_url: str | None) -> None:
    rd = hook_rundir(tmp_path, state_url, "http://127.0.0.1:9")
    await silence(rd, "--reason", "baseline")  # the store exists, with one silence
    before = (await wirewatch(rd, "silence", "list", "--all", "--format", "json")).json()
    for args, code, message in MISTAKES:
        result = await wirewatch(rd, "silence", *args)
        assert (result.code, result.out) == (code, ""), args
        assert message in result.err.strip().splitlines()[-1], result.err
    assert (await wirewatch(rd, "silence", "list", "--all", "--format", "json")).json() == before
