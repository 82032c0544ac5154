"""The parse benchmark runs (quick): before and now parse every feed, and now dates them all."""

from __future__ import annotations

from tests.support.bench_run import run_quick_bench


def test_parse_bench_quick() -> None:
    result = run_quick_bench("parse_bench", timeout=50)
    rows = [line for line in result.stdout.splitlines() if "now/before" in line]
    assert len(rows) == 4
    for row in rows:  # "... dated items before N, now M": now dates every item
        total = row.rsplit("now ", 1)[1]
        assert total in ("10", "100"), row
