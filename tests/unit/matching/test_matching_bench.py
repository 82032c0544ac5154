"""The match bench runs end to end in quick mode (a smoke test, not a measurement)."""

from __future__ import annotations

import pytest

from bench.match_bench import main


def test_bench_quick(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "items/s" in out and "naive baseline" in out
    assert all(f" {run} " in out for run in ("inflect: false", "cold", "warm"))
