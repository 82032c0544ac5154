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
