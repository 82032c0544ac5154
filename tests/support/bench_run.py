"""Run a benchmark of ``bench/`` in quick mode as a subprocess (the smoke tests of the benches)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT


def run_quick_bench(module: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``python -m bench.<module> --quick`` from the project root; fails the test when it exits
    non-zero (with the end of its stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done
