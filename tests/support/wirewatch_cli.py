"""Run the real ``wirewatch`` command without blocking the event loop (loopback receivers live on it)."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from typing import Any

from tests.support.rundir import RunDir, make_rundir

HOOK_TOKEN = "T0K3N-path-secret-9f8e7d"  # in the webhook URL path: must never be printed
WATCHLIST = """
description: Frontline cities
match: any
cities: [Aleppo, Hama, Homs]
channels: [hook]
"""
ITEMS = [
    {"title": "Rebels enter Hama", "link": "https://wire.test/a", "guid": "a", "body": "Fighters entered."},
    {"title": "Shelling near Homs", "link": "https://wire.test/b", "guid": "b", "body": "Reports."},
    {"title": "Aleppo airport closed", "link": "https://wire.test/c", "guid": "c", "body": "Flights off."},
]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def hook_rundir(tmp: Any, state_url: str | None, hook_url: str) -> RunDir:
    """Three matching items, one webhook channel whose URL carries a secret path."""
    rd = make_rundir(tmp, state_url)
    rd.write_feed("wire.xml", ITEMS)
    (rd.rules / "watchlists" / "frontline.yaml").unlink()
    rd.write("watchlists/frontline.yaml", WATCHLIST)
    point_hook(rd, hook_url)
    return rd


def point_hook(rd: RunDir, hook_url: str) -> None:
    rd.write("channels.yaml", f'channels:\n  hook: {{type: webhook, url: "{hook_url}/hooks/{HOOK_TOKEN}"}}\n')


async def wirewatch(rd: RunDir, *args: str, **env: str) -> Result:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        *args,
        cwd=rd.root,
        env=rd.env(WIREWATCH_SEND_TIMEOUT="2", WIREWATCH_RETRY_MAX="0.5", **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=40)
    result = Result(proc.returncode or 0, out.decode(), err.decode())
    assert "Traceback" not in result.err, result.err[-2000:]
    assert HOOK_TOKEN not in result.out + result.err
    return result
