"""Restart with alerts pending: ``run --once`` against a failing receiver leaves them queued; the
next run delivers each exactly once; the run after that sends nothing. Real subprocesses, real
state (SQLite file and real Redis), a real HTTP receiver on loopback."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.support import HttpReceiver, Reply
from tests.support.wirewatch_cli import ITEMS, hook_rundir, point_hook, wirewatch


def alert_keys(rx: HttpReceiver, start: int = 0) -> list[str]:
    return [a["key"] for r in rx.requests[start:] for a in r.json()["data"]["alerts"]]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
async def test_pending_alerts_survive_a_restart_and_arrive_once(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    state_url = request.getfixturevalue("redis_url") if backend == "redis" else None
    async with HttpReceiver(default=Reply(500)) as failing:
        rd = hook_rundir(tmp_path, state_url, failing.url)
        first = await wirewatch(rd, "run", "--once", WIREWATCH_DRAIN_TIMEOUT="1")
        assert first.code == 4, first.err[-2000:]  # still pending at the drain timeout
        assert len(failing.requests) >= 2  # it kept retrying until the drain timeout
    listed = (await wirewatch(rd, "deliveries", "list", "--format", "json")).json()
    assert len(listed) == len(ITEMS), (listed, first.err[-3000:])
    assert {row["state"] for row in listed} == {"pending"}
    assert all(row["attempts"] >= 1 and row["last_error"].startswith("webhook: 500") for row in listed)
    assert "deliveries_pending" in first.err

    async with HttpReceiver() as ok:
        point_hook(rd, ok.url)
        second = await wirewatch(rd, "run", "--once")
        assert second.code == 0, second.err[-2000:]
        delivered = Counter(alert_keys(ok))
    assert sorted(delivered) == sorted(row["id"].split("@")[0] for row in listed), second.err[-3000:]
    assert set(delivered.values()) == {1}  # each alert exactly once
    assert (await wirewatch(rd, "deliveries", "list", "--format", "json")).json() == []

    async with HttpReceiver() as quiet:
        point_hook(rd, quiet.url)
        third = await wirewatch(rd, "run", "--once")
        assert third.code == 0 and quiet.requests == []
