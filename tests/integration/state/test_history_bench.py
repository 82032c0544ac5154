"""The history benchmark runs end to end in quick mode on both stores (a smoke test, not a
measurement). It starts its own redis-server; asking for the suite's one makes a missing binary
skip (or fail under CI=true) like every Redis test."""

from __future__ import annotations

import pytest

from tests.support.bench_run import run_quick_bench
from tests.support.redis_server import RedisServer


@pytest.mark.redis
def test_history_bench_quick(redis_server: RedisServer) -> None:
    done = run_quick_bench("history_bench", timeout=120)
    lines = done.stdout.splitlines()
    assert lines[0] == "20 feeds x 8 days x 20 items/day (3,200 items)"
    assert lines[1].startswith("sqlite       3,200 items") and "B/item  replay 7d: 2,800 items" in lines[1]
    assert lines[2].startswith("redis        3,200 items") and lines[2].endswith("B/item")
    assert [ln.split(":")[0] for ln in lines[3:]] == [
        "redis   replay 7d, pure-Python parser (baseline)",
        "redis   replay 7d, hiredis",
    ]
