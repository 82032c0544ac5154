"""The poll benchmark runs (quick) and both clients complete every poll without errors."""

from __future__ import annotations

from tests.support.bench_run import run_quick_bench


def test_poll_bench_quick() -> None:
    result = run_quick_bench("poll_bench", timeout=50)
    assert result.stdout.count("polls/s") == 2
    assert "speed-up" in result.stdout


def test_replica_bench_quick() -> None:
    """1 and 3 replicas on one Redis: every phase polls, none fails, no feed polled twice."""
    result = run_quick_bench("replica_bench", timeout=55)
    rows = [line for line in result.stdout.splitlines() if "polls/s" in line]
    assert len(rows) == 3, result.stdout
    assert all("polled twice within the interval: 0" in r and "errors: 0" in r for r in rows), result.stdout
