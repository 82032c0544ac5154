"""The story bench runs end to end in quick mode (a smoke test, not a measurement)."""

from __future__ import annotations

import pytest

from bench.story_bench import main


def test_bench_quick(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "matching at 1,000 terms" in out and "bytes/item" in out and "joined" in out
