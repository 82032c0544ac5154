"""Two ``wirewatch run`` on one store (issue 11.4): never two messages for one alert, never silent.

On SQLite the second process refuses to start with one line naming the holder (one process per
file). Real subprocesses, a real SQLite file, a real webhook receiver on loopback.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

from tests.support import HttpReceiver, Reply
from tests.support.rundir import RunDir, make_rundir

N_ITEMS = 50
WATCHLIST = "cities: [Aleppo]\nchannels: [hook]\n"


def fifty_items() -> list[dict[str, str]]:
    return [
        {"title": f"Aleppo report {n}", "link": f"https://wire.test/{n}", "guid": f"g{n}", "body": "b"}
        for n in range(N_ITEMS)
    ]


def hook_rundir(tmp: Path, url: str, state_url: str | None = None) -> RunDir:
    rd = make_rundir(tmp, state_url)
    rd.write_feed("wire.xml", fifty_items())
    (rd.rules / "watchlists" / "frontline.yaml").unlink()
    rd.write("watchlists/aleppo.yaml", WATCHLIST)
    rd.write(
        "channels.yaml", f'channels:\n  hook: {{type: webhook, url: "{url}/hook", burst_threshold: 100}}\n'
    )
    return rd


async def start(rd: RunDir) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service", "run",
        cwd=rd.root,
        env=rd.env(WIREWATCH_SEND_TIMEOUT="5", WIREWATCH_SHUTDOWN_TIMEOUT="2"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def stop(proc: asyncio.subprocess.Process) -> str:
    if proc.returncode is None:
        proc.terminate()
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    return err.decode()


def delivered(rx: HttpReceiver) -> Counter[str]:
    return Counter(a["key"] for r in rx.requests for a in r.json()["data"]["alerts"])


async def until_delivered(rx: HttpReceiver, n: int, within: float) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while len(delivered(rx)) < n and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)


async def test_a_second_process_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    async with HttpReceiver(default=Reply(200, delay=0.02)) as rx:
        rd = hook_rundir(tmp_path, rx.url)
        procs = [await start(rd), await start(rd)]
        waits = {asyncio.ensure_future(p.wait()): p for p in procs}
        done, _ = await asyncio.wait(waits, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        await until_delivered(rx, N_ITEMS, 60)
        await asyncio.sleep(1.0)  # anything doubled would arrive now
        errors = {p.pid: await stop(p) for p in procs}
    counts = delivered(rx)
    doubled = sum(n - 1 for n in counts.values())
    assert done, (
        f"both processes ran: {len(rx.requests)} messages for {len(counts)} alerts ({doubled} doubled)"
    )
    refused = waits[done.pop()]
    holder = next(p for p in procs if p is not refused)
    err, shown = errors[refused.pid], "\n".join(f"--- pid {pid}\n{e[-2500:]}" for pid, e in errors.items())
    assert refused.returncode == 1, shown
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, shown
    assert "in use by another wirewatch" in lines[0] and f"pid {holder.pid}" in lines[0], shown
    assert (len(counts), doubled, len(rx.requests)) == (N_ITEMS, 0, N_ITEMS), shown
