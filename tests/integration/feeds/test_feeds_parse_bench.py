"""The parse benchmark runs (quick): before and now parse every feed, and now dates them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_parse_bench_quick() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.parse_bench", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if "now/before" in line]
    assert len(rows) == 4
    for row in rows:  # "... dated items before N, now M": now dates every item
        total = row.rsplit("now ", 1)[1]
        assert total in ("10", "100"), row
