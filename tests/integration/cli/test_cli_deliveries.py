"""``wirewatch deliveries list|retry|drop`` on the state a real run left behind.

A run against a receiver that refuses two alerts (404: dead letters) and fails the third (500:
still pending); then the operator lists, drops, retries, and a second run delivers what was
revived, once. Exit codes: 0 done, 1 a problem to fix (unknown id, unreachable or unsupported
state), 2 bad usage. Never a traceback, never the webhook URL's secret (checked in ``wirewatch``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support import HttpReceiver, Reply, closed_port
from tests.support.rundir import RunDir
from tests.support.wirewatch_cli import HOOK_TOKEN, hook_rundir, point_hook, wirewatch


@pytest.fixture
async def failed_run(tmp_path: Path) -> RunDir:
    """Three alerts: two dead (404 Not Found), one pending after 500s."""
    async with HttpReceiver(default=Reply(500)) as rx:
        rx.script([404, 404])
        rd = hook_rundir(tmp_path, None, rx.url)
        run = await wirewatch(rd, "run", "--once", WIREWATCH_DRAIN_TIMEOUT="0.3")
        assert run.code == 3, run.err[-2000:]  # dead letters (tests/integration/cli/test_cli_run_exit.py)
    rd.write_feed("wire.xml", [])  # later runs only deliver what is queued
    return rd


async def test_list_text_and_json(failed_run: RunDir) -> None:
    text = await wirewatch(failed_run, "deliveries", "list")
    assert text.code == 0 and text.err == ""
    lines = text.out.splitlines()
    assert lines[0] == "pending: 1" and "dead letters: 2" in lines
    assert sum("reason: webhook: 404 Not Found" in line for line in lines) == 2
    assert "last error: webhook: 500" in text.out and "#hook" in text.out

    rows = (await wirewatch(failed_run, "deliveries", "list", "--format", "json")).json()
    by_state = Counter(row["state"] for row in rows)
    assert by_state == {"pending": 1, "dead": 2}
    for row in rows:
        assert row["channel"] == "hook" and row["watchlist"] == "frontline"
        assert row["id"].endswith("@hook") and row["id"] in text.out
    dead = [r for r in rows if r["state"] == "dead"]
    assert {r["reason"] for r in dead} == {"webhook: 404 Not Found"}
    for row in rows:  # times in ISO 8601, UTC
        for name in ("queued_at", "died_at" if row["state"] == "dead" else "next_attempt"):
            assert datetime.fromisoformat(row[name]).utcoffset() == timedelta(0), row

    only_dead = await wirewatch(failed_run, "deliveries", "list", "--dead", "--format", "json")
    assert only_dead.json() == dead
    only_dead_text = (await wirewatch(failed_run, "deliveries", "list", "--dead")).out.splitlines()
    assert only_dead_text[0] == "dead letters: 2" and len(only_dead_text) == 3
    assert "pending" not in only_dead_text[0] and "last error" not in "".join(only_dead_text)

    other = await wirewatch(failed_run, "deliveries", "list", "--channel", "nowhere", "--format", "json")
    assert other.code == 0 and other.json() == []


async def test_drop_retry_then_a_run_delivers_the_revived_once(failed_run: RunDir) -> None:
    rows = (await wirewatch(failed_run, "deliveries", "list", "--format", "json")).json()
    [pending] = [r["id"] for r in rows if r["state"] == "pending"]
    dead = sorted(r["id"] for r in rows if r["state"] == "dead")

    dropped = await wirewatch(failed_run, "deliveries", "drop", pending)
    assert (dropped.code, dropped.out.strip()) == (0, "dropped 1 entry")
    retried = await wirewatch(failed_run, "deliveries", "retry", "--all")
    assert retried.code == 0 and retried.out.startswith("requeued 2 dead letter(s)")
    rows = (await wirewatch(failed_run, "deliveries", "list", "--format", "json")).json()
    assert sorted(r["id"] for r in rows) == dead
    assert {(r["state"], r["attempts"]) for r in rows} == {("pending", 0)}

    async with HttpReceiver() as rx:
        point_hook(failed_run, rx.url)
        run = await wirewatch(failed_run, "run", "--once")
        assert run.code == 0, run.err[-2000:]
        keys = Counter(a["key"] for r in rx.requests for a in r.json()["data"]["alerts"])
    assert sorted(f"{k}@hook" for k in keys) == dead and set(keys.values()) == {1}
    assert (await wirewatch(failed_run, "deliveries", "list", "--format", "json")).json() == []

    nothing = await wirewatch(failed_run, "deliveries", "retry", "--all")
    assert (nothing.code, nothing.out.strip()) == (0, "no dead letters to retry")
    nothing = await wirewatch(failed_run, "deliveries", "drop", "--all")
    assert (nothing.code, nothing.out.strip()) == (0, "nothing to drop")


USAGE_MISTAKES = [
    (("retry",), 2, "give entry ids or --all"),
    (("drop",), 2, "give entry ids or --all"),
    (("retry", "ww-nope@hook"), 1, "no dead letter with id ww-nope@hook"),
    (("drop", "ww-nope@hook"), 1, "no entry with id ww-nope@hook"),
    (("frobnicate",), 2, "invalid choice"),
]


async def test_usage_mistakes_change_nothing(failed_run: RunDir) -> None:
    before = (await wirewatch(failed_run, "deliveries", "list", "--format", "json")).json()
    [pending] = [r["id"] for r in before if r["state"] == "pending"]
    [dead, _] = [r["id"] for r in before if r["state"] == "dead"]
    mistakes = [
        *USAGE_MISTAKES,
        (("retry", pending), 1, f"no dead letter with id {pending}"),  # not dead: nothing to revive
        (("retry", dead, "ww-typo@hook"), 1, "no dead letter with id ww-typo@hook (see"),  # all or nothing
    ]
    for args, code, message in mistakes:
        result = await wirewatch(failed_run, "deliveries", *args)
        assert (result.code, result.out) == (code, ""), args
        assert message in result.err.strip().splitlines()[-1], result.err  # argparse adds a usage line
    assert (await wirewatch(failed_run, "deliveries", "list", "--format", "json")).json() == before


STATE_PROBLEMS = [
    (("deliveries", "list"), "redis", "wirewatch deliveries: state store unreachable: redis at 127.0.0.1:"),
    (("deliveries", "retry", "--all"), "redis", "wirewatch deliveries: state store unreachable"),
    (("deliveries", "list"), "ftp", "wirewatch deliveries: state url: unsupported scheme ftp://"),
    (("status",), "ftp", "wirewatch status: state url: unsupported scheme ftp://"),
    (("status",), "no-host", "wirewatch status: state url 'redis:/127.0.0.1/11': no host"),
    (("deliveries", "list"), "bad-db", "wirewatch deliveries: state url 'redis://127.0.0.1:6399/x'"),
    (("run", "--once"), "no-host", "wirewatch run: state url 'redis:/127.0.0.1/11': no host"),
]


async def test_state_problems_are_one_line(tmp_path: Path) -> None:
    urls = {
        "redis": f"redis://ww:{HOOK_TOKEN}@127.0.0.1:{closed_port()}/0",  # the password must not show
        "ftp": "ftp://state.example/db",
        "no-host": "redis:/127.0.0.1/11",  # one slash: would silently be db 0 of localhost
        "bad-db": "redis://127.0.0.1:6399/x",
    }
    rd = hook_rundir(tmp_path, None, "http://127.0.0.1:9")
    for command, kind, message in STATE_PROBLEMS:
        result = await wirewatch(rd, *command, WIREWATCH_STATE_URL=urls[kind], WIREWATCH_STATE_TIMEOUT="0.5")
        assert result.code == 1 and result.out == "", command
        assert result.err.startswith(message) and len(result.err.strip().splitlines()) == 1, result.err


async def test_status_in_a_fresh_folder_creates_nothing_and_says_why(tmp_path: Path) -> None:
    rd = hook_rundir(tmp_path, None, "http://127.0.0.1:9")
    db = rd.root / "state.db"  # the rundir's WIREWATCH_STATE_URL
    assert not db.exists()
    for args in (("status",), ("deliveries", "list")):
        result = await wirewatch(rd, *args)
        assert (result.code, result.out) == (1, ""), args
        assert "no state database at" in result.err and len(result.err.strip().splitlines()) == 1
    assert not db.exists()
    (rd.root / "elsewhere").mkdir()
    result = await wirewatch(rd, "status", "--rules", str(rd.root / "elsewhere" / "rules"))
    assert result.code == 1 and "rules folder" in result.err and "not found" in result.err
    assert not db.exists()
