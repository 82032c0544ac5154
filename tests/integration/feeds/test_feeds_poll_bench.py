"""The poll benchmark runs (quick) and both clients complete every poll without errors."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT


def test_poll_bench_quick() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.poll_bench", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("polls/s") == 2
    assert "speed-up" in result.stdout


def test_replica_bench_quick() -> None:
    """1 and 3 replicas on one Redis: every phase polls, none fails, no feed polled twice."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.replica_bench", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=55,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if "polls/s" in line]
    assert len(rows) == 3, result.stdout
    assert all("polled twice within the interval: 0" in r and "errors: 0" in r for r in rows), result.stdout
