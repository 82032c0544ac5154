"""``wirewatch run --once`` exit codes for cron, through the real command on SQLite and Redis:
0 all delivered; 3 something was dead-lettered; 4 something is still pending at the drain
timeout; one line on stderr says which (README "Commands", ``wirewatch run --help``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import HttpReceiver, Reply
from tests.support.wirewatch_cli import hook_rundir, wirewatch

PREFIX = "wirewatch run --once: "

CASES = [
    pytest.param([], 200, 0, None, id="all-delivered"),
    pytest.param([], 404, 3, "3 alerts dead-lettered (see: wirewatch deliveries list --dead)", id="dead"),
    pytest.param(
        [],
        500,
        4,
        "3 alerts still pending after the 0.5s drain timeout (see: wirewatch deliveries list)",
        id="pending",
    ),
    pytest.param(
        [404],
        500,
        3,
        "1 alert dead-lettered, 2 alerts still pending after the 0.5s drain timeout "
        "(see: wirewatch deliveries list --dead)",
        id="both",
    ),
]


@pytest.mark.parametrize(("script", "default", "code", "line"), CASES)
async def test_exit_code_and_one_line(
    tmp_path: Path, state_url: str | None, script: list[int], default: int, code: int, line: str | None
) -> None:
    async with HttpReceiver(default=Reply(default)) as rx:
        rx.script(script)
        rd = hook_rundir(tmp_path, state_url, rx.url)
        run = await wirewatch(rd, "run", "--once", "--drain-timeout", "0.5")
    said = [ln.removeprefix(PREFIX) for ln in run.err.splitlines() if ln.startswith(PREFIX)]
    assert (run.code, said) == (code, [line] if line else []), run.err[-2000:]
    assert run.out == ""


async def test_help_documents_the_exit_codes(tmp_path: Path) -> None:
    rd = hook_rundir(tmp_path, None, "http://127.0.0.1:9")
    shown = await wirewatch(rd, "run", "--help")
    assert shown.code == 0
    for code, meaning in [("3", "dead-lettered"), ("4", "still pending at the drain timeout")]:
        assert any(ln.strip().startswith(code) and meaning in ln for ln in shown.out.splitlines()), code
